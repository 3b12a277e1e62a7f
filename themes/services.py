"""Suggestion runs, the review of suggestions, and candidate themes.

The engine (``themes.engine``) knows nothing of Django; this module turns the project into what
it needs (units of uncoded text, code profiles, the background corpus) and its output into rows.
``suggestions_rank`` is the one ranking path, used by the Celery task and by the evaluation
command alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coding.models import Code, Coding
from coding.services.codes import code_create
from coding.services.codings import coding_apply
from jobs.models import Job
from jobs.runner import JobError, JobProgress
from jobs.services import job_create, job_enqueue
from transcripts.models import Project, Transcript

from .models import (
    CandidateQuote,
    CandidateTheme,
    Rejection,
    Suggestion,
    SuggestionRun,
    TextEmbedding,
)

LONG_TURN_CHARS = 1000  # longer turns are split into windows of whole sentences
WINDOW_CHARS = 600
MAX_SUGGESTIONS_PER_UNIT = 3
MAX_EXAMPLES_PER_CODE = 300
MAX_BACKGROUND_DOCS = 20000
# Confidence is a calibrated probability (themes.engine.ranking): at 0.7 about seven in ten
# shown suggestions are right, and on the development set about eight in ten were.
DEFAULT_THRESHOLD = 0.7
LIKELY = 0.7
POSSIBLE = 0.4
MAX_UNSURE_LISTED = 300


def confidence_word(confidence: float) -> str:
    """How a confidence reads to an analyst: "likely", "possible" or "unlikely"."""
    if confidence >= LIKELY:
        return "likely"
    if confidence >= POSSIBLE:
        return "possible"
    return "unlikely"


@dataclass(frozen=True)
class Unit:
    """A passage the engine ranks codes for: ``[start, end)`` of a transcript's text."""

    transcript_id: int
    start: int
    end: int
    text: str
    turn_id: int | None = None


# --- units of text ---------------------------------------------------------------------------


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _turn_spans(transcript: Transcript) -> list[tuple[int | None, int, int]]:
    turns: list[tuple[int | None, int, int]] = [
        (t.pk, t.start, t.end) for t in transcript.turns.all() if not t.is_facilitator
    ]
    if turns or transcript.turns.exists():
        return turns
    spans: list[tuple[int | None, int, int]] = []
    offset = 0  # no turns: paragraphs separated by blank lines
    for block in transcript.text.split("\n\n"):
        spans.append((None, offset, offset + len(block)))
        offset += len(block) + 2
    return spans


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Whole sentences of ``text[start:end]`` grouped into windows of about WINDOW_CHARS."""
    from .engine.nlp import analyse

    sentences = analyse([text[start:end]], sentences=True)[0].sentences
    windows: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for s_start, s_end in sentences:
        s_start, s_end = start + s_start, start + s_end
        if current is None:
            current = (s_start, s_end)
        elif s_end - current[0] <= WINDOW_CHARS:
            current = (current[0], s_end)
        else:
            windows.append(current)
            current = (s_start, s_end)
    if current is not None:
        windows.append(current)
    return windows or [(start, end)]


def units_uncoded(*, transcripts: Iterable[Transcript]) -> list[Unit]:
    """Participants' turns (or windows of sentences of long turns) that no coding touches."""
    units: list[Unit] = []
    for transcript in transcripts:
        text = transcript.text
        coded = sorted(Coding.objects.filter(transcript=transcript).values_list("start", "end"))
        for turn_id, t_start, t_end in _turn_spans(transcript):
            start, end = _trimmed(text, t_start, t_end)
            if end <= start:
                continue
            spans = [(start, end)] if end - start <= LONG_TURN_CHARS else _windows(text, start, end)
            for s_start, s_end in spans:
                s_start, s_end = _trimmed(text, s_start, s_end)
                if s_end <= s_start or any(c_s < s_end and s_start < c_e for c_s, c_e in coded):
                    continue
                units.append(Unit(transcript.pk, s_start, s_end, text[s_start:s_end], turn_id))
    return units


def background_texts(*, project: Project) -> list[str]:
    """The project's own text (every transcript, turn by turn): the corpus the engine learns
    the project's vocabulary and co-occurrences from."""
    texts: list[str] = []
    for transcript in project.transcripts.prefetch_related("turns"):
        for _, start, end in _turn_spans(transcript):
            if end > start:
                texts.append(transcript.text[start:end])
        if len(texts) >= MAX_BACKGROUND_DOCS:
            break
    return texts[:MAX_BACKGROUND_DOCS]


def code_profiles(*, project: Project) -> list[Any]:
    """The framework as the engine sees it: each code's words, its codings as positive
    examples and its remembered rejections as negative ones."""
    from .engine import CodeProfile

    codes = list(Code.objects.filter(project=project).order_by("order", "name", "id"))
    positives: dict[int, list[str]] = {}
    for code_id, text in (
        Coding.objects.filter(code__project=project)
        .order_by("-created_at")
        .values_list("code_id", "text")
    ):
        bucket = positives.setdefault(code_id, [])
        if len(bucket) < MAX_EXAMPLES_PER_CODE and text not in bucket:
            bucket.append(text)
    negatives: dict[int, list[str]] = {}
    for code_id, text in Rejection.objects.filter(project=project).values_list("code_id", "text"):
        negatives.setdefault(code_id, []).append(text)
    return [
        CodeProfile(
            key=code.pk,
            name=code.name,
            definition=code.definition,
            inclusion=code.inclusion,
            exclusion=code.exclusion,
            example=code.example,
            positives=positives.get(code.pk, []),
            negatives=negatives.get(code.pk, []),
        )
        for code in codes
    ]


@dataclass
class RankedUnits:
    units: list[Unit]
    codes: list[Any]
    ranking: Any  # themes.engine.Ranking


def project_encoder(*, project: Project) -> Any:
    """The sentence-embedding encoder for ``project``'s runs, or None (words only).

    Vectors are stored in ``TextEmbedding`` by the SHA-256 of the text, so a re-run encodes
    only what is new or edited."""
    import hashlib

    import numpy as np
    from django.conf import settings

    from .engine import embeddings

    try:
        path = embeddings.resolve_model_path(settings.SUGGESTION_EMBEDDING_MODEL)
    except embeddings.ImproperlyConfiguredModel as exc:
        raise JobError(str(exc)) from exc
    if path is None:
        return None
    key = embeddings.model_key(path)

    def encode(texts: Sequence[str]) -> Any:
        digests = [hashlib.sha256(text.encode("utf-8")).hexdigest() for text in texts]
        known: dict[str, Any] = {}
        unique = list(dict.fromkeys(digests))
        for i in range(0, len(unique), 500):
            for digest, vector in TextEmbedding.objects.filter(
                project=project, model=key, digest__in=unique[i : i + 500]
            ).values_list("digest", "vector"):
                known[digest] = np.frombuffer(bytes(vector), dtype=np.float16)
        missing: dict[str, str] = {}  # digest -> text, each text encoded once
        for digest, text in zip(digests, texts, strict=True):
            if digest not in known:
                missing.setdefault(digest, text)
        if missing:
            vectors = embeddings.encode_with(path, list(missing.values())).astype(np.float16)
            known.update(zip(missing, vectors, strict=True))
            TextEmbedding.objects.bulk_create(
                [
                    TextEmbedding(project=project, model=key, digest=d, vector=v.tobytes())
                    for d, v in zip(missing, vectors, strict=True)
                ],
                batch_size=500,
                ignore_conflicts=True,
            )
        matrix = np.vstack([known[d] for d in digests]).astype(np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms < 1e-9] = 1.0
        return matrix / norms

    return encode


def suggestions_rank(
    *,
    project: Project,
    transcripts: Sequence[Transcript],
    progress: JobProgress | None = None,
    embeddings: bool | None = None,
) -> RankedUnits:
    """Rank every code for every uncoded unit of ``transcripts``: the production path.
    ``embeddings`` None uses the configured model when there is one; False never does; True
    requires one."""
    from .engine import rank_units

    def report(fraction: float, message: str) -> None:
        if progress is not None:
            progress.update(0.05 + 0.75 * fraction, message)

    codes = code_profiles(project=project)
    if not codes:
        raise JobError(
            "The framework has no codes yet: add codes (with definitions) to the framework "
            "before asking for suggestions."
        )
    report(0.0, "Finding uncoded passages")
    units = units_uncoded(transcripts=transcripts)
    if not units:
        return RankedUnits(units=[], codes=codes, ranking=None)
    encoder = None if embeddings is False else project_encoder(project=project)
    if embeddings and encoder is None:
        raise JobError(
            "Embeddings were asked for but no model is available: pip install '.[embeddings]' "
            "or set SUGGESTION_EMBEDDING_MODEL."
        )
    ranking = rank_units(
        units=[unit.text for unit in units],
        codes=codes,
        background=background_texts(project=project),
        progress=report,
        encoder=encoder,
    )
    return RankedUnits(units=units, codes=codes, ranking=ranking)


# --- suggestion runs -------------------------------------------------------------------------


def suggestion_run_start(
    *,
    project: Project,
    user: Any,
    transcripts: Sequence[Transcript],
    threshold: float = DEFAULT_THRESHOLD,
) -> Job:
    if not transcripts:
        raise ValidationError({"transcripts": "Choose at least one transcript."})
    if not 0 <= threshold <= 1:
        raise ValidationError({"threshold": "The threshold is a confidence between 0 and 1."})
    with transaction.atomic():
        job = job_create(
            project=project,
            kind="themes.suggest",
            user=user,
            params={"transcripts": [t.pk for t in transcripts], "threshold": threshold},
        )
        run = SuggestionRun.objects.create(
            project=project, job=job, kind=SuggestionRun.Kind.SUGGEST, threshold=threshold
        )
        run.transcripts.set(transcripts)
        job_enqueue(job=job)
    return job


def suggestion_run_execute(*, job: Job, progress: JobProgress) -> dict[str, Any]:
    run = SuggestionRun.objects.get(job=job)
    project = job.project
    transcripts = list(run.transcripts.prefetch_related("turns"))
    if not transcripts:
        raise JobError("The transcripts chosen for this run have been deleted.")
    ranked = suggestions_rank(project=project, transcripts=transcripts, progress=progress)
    progress.update(0.85, "Saving suggestions", force=True)
    rejected = set(
        Rejection.objects.filter(transcript__in=transcripts).values_list(
            "transcript_id", "code_id", "start", "end"
        )
    )
    kept_pending = set(
        Suggestion.objects.filter(
            transcript__in=transcripts, status=Suggestion.Status.PENDING, run__isnull=True
        ).values_list("transcript_id", "code_id", "start", "end")
    )
    rows: list[Suggestion] = []
    unsure: list[list[int]] = []
    unsure_count = 0
    for index, unit in enumerate(ranked.units):
        best = ranked.ranking.top(index, 1)
        if not best or best[0][1] < run.threshold:
            unsure_count += 1
            if len(unsure) < MAX_UNSURE_LISTED:
                unsure.append([unit.transcript_id, unit.start, unit.end, unit.turn_id or 0])
            continue
        for j, confidence in ranked.ranking.top(index, MAX_SUGGESTIONS_PER_UNIT):
            if confidence < run.threshold:
                break
            key = (unit.transcript_id, ranked.codes[j].key, unit.start, unit.end)
            if key in rejected or key in kept_pending:
                continue
            rows.append(
                Suggestion(
                    project=project,
                    run=run,
                    transcript_id=unit.transcript_id,
                    code_id=ranked.codes[j].key,
                    start=unit.start,
                    end=unit.end,
                    text=unit.text,
                    confidence=min(max(confidence, 0.0), 1.0),
                    explanation=ranked.ranking.explain(index, j),
                )
            )
    progress.check_cancelled()
    with transaction.atomic():
        replaced, _ = Suggestion.objects.filter(
            transcript__in=transcripts,
            status=Suggestion.Status.PENDING,
            run__kind=SuggestionRun.Kind.SUGGEST,
        ).delete()
        Suggestion.objects.bulk_create(rows, batch_size=500)
        run.unsure, run.unsure_count = unsure, unsure_count
        if ranked.ranking is not None:
            run.engine = {
                "weights": {k: round(v, 3) for k, v in ranked.ranking.weights.items()},
                "validation_rows": ranked.ranking.validation_rows,
                "embeddings": "meaning" in ranked.ranking.weights,
            }
        run.save(update_fields=["unsure", "unsure_count", "engine"])
    progress.update(
        1.0,
        f"{len(rows)} suggestions for {len(ranked.units)} passages; "
        f"{unsure_count} with no confident suggestion",
        force=True,
    )
    return {
        "passages": len(ranked.units),
        "suggestions": len(rows),
        "unsure": unsure_count,
        "replaced": replaced,
    }


# --- review ----------------------------------------------------------------------------------


def _decide(suggestion: Suggestion, *, user: Any, status: str) -> None:
    if suggestion.status != Suggestion.Status.PENDING:
        raise ValidationError(f"This suggestion was already {suggestion.get_status_display()}.")
    suggestion.status = status
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()


def _span_from_quote(suggestion: Suggestion, quote: str) -> tuple[int, int]:
    """Find the analyst's edited quote in the transcript near the suggested span."""
    quote = quote.strip().replace("\r\n", "\n")
    text = suggestion.transcript.text
    lo = max(0, suggestion.start - 2000)
    hi = min(len(text), suggestion.end + 2000)
    found = text.find(quote, lo, hi) if quote else -1
    if found < 0:
        raise ValidationError(
            "The adjusted quote must be text copied from the transcript around the suggestion."
        )
    near = text.find(quote, max(lo, suggestion.start - len(quote)), hi)
    start = near if near >= 0 else found
    return start, start + len(quote)


@transaction.atomic
def suggestion_accept(
    *,
    suggestion: Suggestion,
    user: Any,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
) -> Coding:
    """Make the suggestion a coding (audited as ``accept_suggestion``), optionally on an
    adjusted span given as offsets or as the edited quote."""
    suggestion = (
        Suggestion.objects.select_for_update().select_related("transcript").get(pk=suggestion.pk)
    )
    if quote:
        start, end = _span_from_quote(suggestion, quote)
    start = suggestion.start if start is None else start
    end = suggestion.end if end is None else end
    _decide(suggestion, user=user, status=Suggestion.Status.ACCEPTED)
    coding = coding_apply(
        transcript=suggestion.transcript,
        start=start,
        end=end,
        code=suggestion.code,
        coder=user,
        origin=Coding.Origin.SUGGESTION,
    )
    suggestion.coding = coding
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "coding"])
    return coding


@transaction.atomic
def suggestion_reject(*, suggestion: Suggestion, user: Any) -> Rejection:
    """Remember that this span is not this code: it will not be suggested again."""
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    _decide(suggestion, user=user, status=Suggestion.Status.REJECTED)
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    rejection, _ = Rejection.objects.get_or_create(
        transcript_id=suggestion.transcript_id,
        code_id=suggestion.code_id,
        start=suggestion.start,
        end=suggestion.end,
        defaults={
            "project_id": suggestion.project_id,
            "text": suggestion.text,
            "rejected_by": user,
        },
    )
    return rejection


@transaction.atomic
def suggestions_accept_bulk(
    *,
    project: Project,
    code: Code,
    min_confidence: float,
    user: Any,
    transcript: Transcript | None = None,
) -> list[int]:
    """Accept every pending suggestion of ``code`` at or above ``min_confidence``; the ids of
    those accepted, for ``suggestions_accept_undo``."""
    if code.project_id != project.pk:
        raise ValidationError("The code belongs to another project.")
    pending = Suggestion.objects.filter(
        project=project,
        code=code,
        status=Suggestion.Status.PENDING,
        confidence__gte=min_confidence,
    ).select_related("transcript", "code")
    if transcript is not None:
        pending = pending.filter(transcript=transcript)
    accepted = []
    for suggestion in pending:
        suggestion_accept(suggestion=suggestion, user=user)
        accepted.append(suggestion.pk)
    return accepted


@transaction.atomic
def suggestions_accept_undo(*, project: Project, user: Any, ids: Sequence[int]) -> int:
    """Undo a bulk accept: the codings it made are removed (audited, so each can be brought
    back from the audit log) and the suggestions are pending again. Only the user's own
    acceptances among ``ids`` are undone."""
    from coding.services.codings import coding_remove

    undone = 0
    for suggestion in (
        Suggestion.objects.select_for_update(of=("self",))
        .filter(project=project, pk__in=list(ids), status=Suggestion.Status.ACCEPTED)
        .filter(decided_by=user)
        .select_related("coding__transcript__project")
    ):
        if suggestion.coding is not None:
            coding_remove(coding=suggestion.coding, user=user)
        suggestion.status = Suggestion.Status.PENDING
        suggestion.decided_by = None
        suggestion.decided_at = None
        suggestion.coding = None
        suggestion.save(update_fields=["status", "decided_by", "decided_at", "coding"])
        undone += 1
    return undone


# --- candidate themes ------------------------------------------------------------------------


def candidate_run_start(*, project: Project, user: Any, transcripts: Sequence[Transcript]) -> Job:
    if not transcripts:
        raise ValidationError({"transcripts": "Choose at least one transcript."})
    with transaction.atomic():
        job = job_create(
            project=project,
            kind="themes.cluster",
            user=user,
            params={"transcripts": [t.pk for t in transcripts]},
        )
        run = SuggestionRun.objects.create(
            project=project, job=job, kind=SuggestionRun.Kind.CLUSTER
        )
        run.transcripts.set(transcripts)
        job_enqueue(job=job)
    return job


def candidate_run_execute(*, job: Job, progress: JobProgress) -> dict[str, Any]:
    from .engine.clustering import cluster_texts

    run = SuggestionRun.objects.get(job=job)
    transcripts = list(run.transcripts.prefetch_related("turns"))
    progress.update(0.02, "Finding passages no code covers", force=True)
    units = units_uncoded(transcripts=transcripts)
    if len(units) < 6:
        raise JobError(
            f"Only {len(units)} uncoded passage(s) in the chosen transcripts: too little to find "
            "candidate themes in. Choose more transcripts."
        )
    clusters = cluster_texts(
        [unit.text for unit in units],
        progress=lambda fraction, message: progress.update(0.05 + 0.85 * fraction, message),
    )
    progress.check_cancelled()
    with transaction.atomic():
        replaced, _ = CandidateTheme.objects.filter(
            project=job.project, status=CandidateTheme.Status.OPEN
        ).delete()
        for cluster in clusters:
            candidate = CandidateTheme.objects.create(
                project=job.project,
                run=run,
                label=cluster.label[:200],
                key_phrases=cluster.key_phrases,
                size=len(cluster.members),
                cohesion=cluster.cohesion,
            )
            CandidateQuote.objects.bulk_create(
                [
                    CandidateQuote(
                        candidate=candidate,
                        transcript_id=units[index].transcript_id,
                        start=units[index].start,
                        end=units[index].end,
                        text=units[index].text,
                        similarity=similarity,
                        rank=rank,
                    )
                    for rank, (index, similarity) in enumerate(cluster.members)
                ],
                batch_size=500,
            )
    progress.update(1.0, f"{len(clusters)} candidate themes from {len(units)} passages", force=True)
    return {"passages": len(units), "candidates": len(clusters)}


def _free_name(project: Project, name: str) -> str:
    name = name.strip()[:180] or "New theme"
    taken = set(
        Code.objects.filter(project=project, parent__isnull=True).values_list("name", flat=True)
    )
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


@transaction.atomic
def candidate_promote(
    *, candidate: CandidateTheme, user: Any, name: str = "", definition: str = ""
) -> Code:
    """Add the candidate to the framework as a new code; its quotes become pending suggestions
    under that code."""
    candidate = CandidateTheme.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != CandidateTheme.Status.OPEN:
        raise ValidationError(f"This candidate was already {candidate.get_status_display()}.")
    project = candidate.project
    code = code_create(
        project=project,
        user=user,
        name=_free_name(project, name or candidate.label),
        definition=definition
        or f"Candidate theme found in uncoded material. Key phrases: "
        f"{', '.join(candidate.key_phrases)}.",
    )
    rejected = set(Rejection.objects.filter(code=code).values_list("transcript_id", "start", "end"))
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                project=project,
                transcript_id=quote.transcript_id,
                code=code,
                start=quote.start,
                end=quote.end,
                text=quote.text,
                confidence=min(max(quote.similarity, 0.0), 1.0),
                explanation={"words": candidate.key_phrases[:6], "candidate": candidate.label},
            )
            for quote in candidate.quotes.all()
            if (quote.transcript_id, quote.start, quote.end) not in rejected
        ],
        batch_size=500,
    )
    candidate.status = CandidateTheme.Status.PROMOTED
    candidate.code = code
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "code", "decided_by", "decided_at"])
    return code


@transaction.atomic
def candidate_dismiss(*, candidate: CandidateTheme, user: Any) -> CandidateTheme:
    if candidate.status != CandidateTheme.Status.OPEN:
        raise ValidationError(f"This candidate was already {candidate.get_status_display()}.")
    candidate.status = CandidateTheme.Status.DISMISSED
    candidate.decided_by = user
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    return candidate
