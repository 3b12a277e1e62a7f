"""Reads of suggestions and candidate themes, scoped through ``project_get_for_user``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from coding.models import Code, Coding
from coding.selectors.team import blind_filter
from jobs.models import Job
from transcripts.models import Project, Transcript
from transcripts.selectors import project_get_for_user

from .models import CandidateTheme, Suggestion, SuggestionRun


def suggestion_get_for_user(
    *, user: Any, project_id: int, suggestion_id: int, write: bool = False
) -> Suggestion:
    project = project_get_for_user(user=user, project_id=project_id, write=write)
    suggestion = (
        Suggestion.objects.select_related("code", "transcript")
        .filter(project=project, pk=suggestion_id)
        .first()
    )
    if suggestion is None:
        raise Http404("No such suggestion.")
    suggestion.project = project
    return suggestion


def candidate_get_for_user(
    *, user: Any, project_id: int, candidate_id: int, write: bool = False
) -> CandidateTheme:
    project = project_get_for_user(user=user, project_id=project_id, write=write)
    candidate = CandidateTheme.objects.filter(project=project, pk=candidate_id).first()
    if candidate is None:
        raise Http404("No such candidate theme.")
    candidate.project = project
    return candidate


def suggestion_queue(
    *,
    project: Project,
    min_confidence: float = 0.0,
    code_id: int | None = None,
    transcript_id: int | None = None,
) -> QuerySet[Suggestion]:
    """Pending suggestions at or above ``min_confidence``, most confident first."""
    queue = Suggestion.objects.filter(
        project=project, status=Suggestion.Status.PENDING, confidence__gte=min_confidence
    ).select_related("code", "transcript")
    if code_id is not None:
        queue = queue.filter(code_id=code_id)
    if transcript_id is not None:
        queue = queue.filter(transcript_id=transcript_id)
    return queue.order_by("-confidence", "transcript__order", "start", "id")


def suggestion_counts_by_code(
    *, project: Project, min_confidence: float = 0.0, transcript_id: int | None = None
) -> QuerySet[Code]:
    """Every code of the framework with its number of pending suggestions (the queue per code)."""
    pending = Q(
        suggestions__status=Suggestion.Status.PENDING,
        suggestions__confidence__gte=min_confidence,
    )
    if transcript_id is not None:
        pending &= Q(suggestions__transcript_id=transcript_id)
    return (
        Code.objects.filter(project=project)
        .annotate(pending=Count("suggestions", filter=pending))
        .order_by("order", "name", "id")
    )


def run_latest(*, project: Project, kind: str) -> Job | None:
    run = (
        SuggestionRun.objects.filter(project=project, kind=kind)
        .select_related("job")
        .order_by("-created_at", "-id")
        .first()
    )
    return run.job if run is not None else None


def run_unsure(*, project: Project, limit: int = 50) -> dict[str, Any]:
    """The passages of the latest finished suggestion run that got no confident suggestion and
    that nobody has coded since: {"count", "threshold", "passages": [{transcript, start, end,
    turn_id, text}]}."""
    run = (
        SuggestionRun.objects.filter(
            project=project, kind=SuggestionRun.Kind.SUGGEST, job__status=Job.Status.DONE
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if run is None or not run.unsure_count:
        return {"count": 0, "threshold": None, "passages": []}
    listed = [row for row in run.unsure if len(row) >= 3][: limit * 2]
    ids = {row[0] for row in listed}
    transcripts = {t.pk: t for t in Transcript.objects.filter(project=project, pk__in=ids)}
    coded: dict[int, list[tuple[int, int]]] = {}
    for tid, start, end in Coding.objects.filter(transcript_id__in=ids).values_list(
        "transcript_id", "start", "end"
    ):
        coded.setdefault(tid, []).append((start, end))
    passages = []
    for row in listed:
        tid, start, end = row[0], row[1], row[2]
        transcript = transcripts.get(tid)
        if transcript is None or end > len(transcript.text):
            continue
        if any(s < end and start < e for s, e in coded.get(tid, [])):
            continue
        passages.append(
            {
                "transcript": transcript,
                "start": start,
                "end": end,
                "turn_id": row[3] if len(row) > 3 else 0,
                "text": transcript.text[start:end],
            }
        )
        if len(passages) >= limit:
            break
    return {"count": run.unsure_count, "threshold": run.threshold, "passages": passages}


def candidate_list(*, project: Project, status: str | None = None) -> QuerySet[CandidateTheme]:
    candidates = CandidateTheme.objects.filter(project=project).select_related("code")
    if status:
        candidates = candidates.filter(status=status)
    return candidates.order_by("status", "-size", "id")


def explanations_for_viewer(suggestions: Any, *, user: Any, project: Project) -> list[Suggestion]:
    """The suggestions as ``user`` may see them: while coding is blind, a coder is not shown a
    "nearest quote" that another coder coded (only their own quotes of that code)."""
    listed = list(suggestions)
    hidden = blind_filter(user=user, project=project)
    if hidden is None:
        return listed
    own = {
        (code_id, text[:300])
        for code_id, text in Coding.objects.filter(
            transcript__project=project, coder_id=user.pk
        ).values_list("code_id", "text")
    }
    for suggestion in listed:
        quote = suggestion.explanation.get("nearest_quote")
        if quote and (suggestion.code_id, quote) not in own:
            suggestion.explanation = {
                key: value
                for key, value in suggestion.explanation.items()
                if not key.startswith("nearest")
            }
    return listed
