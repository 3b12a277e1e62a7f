"""Pseudonymisation: detect identifiers in a project, review them, replace them consistently,
keep the key apart, and reverse a replacement.

Replacing text moves every span after it. The transcript's turns are remapped here; the apps
above (codings, suggestions, candidate quotes) remap theirs when they hear
``signals.transcript_rewritten``, in the same transaction, so nothing is left pointing at the
wrong words. Decisions and replacements are audited through ``signals.pseudonymisation_changed``
without the original text (the audit log is visible to every member).
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jobs.models import Job
from jobs.runner import JobProgress
from jobs.services import job_start

from ..models import Identifier, IdentifierOccurrence, Participant, Project, Transcript, Turn
from ..signals import pseudonymisation_changed, transcript_rewritten
from ..spans import spans_write
from .detect import Detector, resolve
from .gazetteers import fold

DEFAULT_LABELS = {
    "PERSON": "Person",
    "PLACE": "Place",
    "ORG": "Organisation",
    "CONTACT": "Contact",
    "ID": "Number",
    "DATE": "Date",
}
# Organisations are named by their kind when it shows ("[GP practice 2]", "[Hospital 1]").
ORG_KINDS = (
    (("practice", "surgery", "medical centre", "health centre"), "GP practice"),
    (("hospital", "infirmary"), "Hospital"),
    (("pharmacy", "chemist"), "Pharmacy"),
    (("school", "academy", "primary", "college", "university"), "School"),
    (("care home", "nursing home", "hospice"), "Care home"),
)


def _label_for(identifier: Identifier) -> str:
    if identifier.type == Identifier.Type.ORG:
        for words, label in ORG_KINDS:
            if any(word in identifier.key for word in words):
                return label
    return DEFAULT_LABELS[identifier.type]


# --- detection --------------------------------------------------------------------------------


def detector_for_project(project: Project) -> Detector:
    """A detector that knows the project's participants and facilitators by name."""
    people = set(Participant.objects.filter(project=project).values_list("label", flat=True))
    for value in Transcript.objects.filter(project=project).values_list("facilitator", flat=True):
        people.update(part.strip() for part in re.split(r"[,;&/]| and ", value or "") if part)
    return Detector(known_people=people)


def detection_start(*, project: Project, user: Any) -> Job:
    return job_start(project=project, kind="transcripts.detect_identifiers", user=user)


def detection_execute(job: Job, progress: JobProgress) -> dict[str, int]:
    """Detect candidates in every transcript of the job's project. Candidates already
    rejected are not suggested again; a transcript edited since an earlier run is read afresh
    (its stale, unapplied occurrences are dropped, never patched)."""
    project = job.project
    detector = detector_for_project(project)
    transcripts = list(
        Transcript.objects.filter(project=project).order_by("order", "id").only("pk", "name")
    )
    by_key = {i.key: i for i in Identifier.objects.filter(project=project)}
    found = 0
    for n, transcript in enumerate(transcripts):
        progress.update(n / max(len(transcripts), 1), f"Reading {transcript.name}")
        progress.check_cancelled()
        found += _detect_in(transcript, detector, by_key)
    identifiers = Identifier.objects.filter(project=project).count()
    progress.update(1.0, f"{found} new candidates; {identifiers} to review in all", force=True)
    return {"transcripts": len(transcripts), "occurrences": found, "identifiers": identifiers}


@transaction.atomic
def _detect_in(transcript: Transcript, detector: Detector, by_key: dict[str, Identifier]) -> int:
    """Candidates of one transcript; ``by_key`` (the project's identifiers by key) gains the
    ones first seen here."""
    transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
    IdentifierOccurrence.objects.filter(transcript=transcript, applied_at__isnull=True).exclude(
        content_hash=transcript.content_hash
    ).delete()
    known = {(o.start, o.end) for o in IdentifierOccurrence.objects.filter(transcript=transcript)}
    applied = [
        (o.start, o.end)
        for o in IdentifierOccurrence.objects.filter(
            transcript=transcript, applied_at__isnull=False
        )
    ]
    candidates = detector.detect(transcript.text) + _known_surfaces(
        transcript, by_key.values(), words_only=True
    )
    rows: list[IdentifierOccurrence] = []
    for candidate in resolve(candidates):
        if (candidate.start, candidate.end) in known:
            continue
        if any(s < candidate.end and candidate.start < e for s, e in applied):
            continue  # a pseudonym already stands here
        key = fold(candidate.text)[:255]
        identifier = by_key.get(key)
        if identifier is None:
            identifier = Identifier.objects.create(
                project=transcript.project,
                key=key,
                surface=candidate.text[:255],
                type=candidate.type,
            )
            by_key[key] = identifier
        if identifier.status == Identifier.Status.REJECTED:
            continue
        rows.append(
            IdentifierOccurrence(
                identifier=identifier,
                transcript=transcript,
                start=candidate.start,
                end=candidate.end,
                original=candidate.text[:500],
                rule=candidate.rule,
                alternatives=[list(a) for a in candidate.alternatives],
                content_hash=transcript.content_hash,
            )
        )
        known.add((candidate.start, candidate.end))
    IdentifierOccurrence.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _known_surfaces(
    transcript: Transcript, identifiers: Iterable[Identifier], *, words_only: bool = False
) -> list[Any]:
    """Every mention of an identifier the project already has, so "Sophie" in a transcript
    added later is found and gets the same pseudonym. Words are looked up by runs of tokens
    (one pass, however many identifiers); forms with digits or symbols (phone numbers, ids)
    by a pattern of their own, since they are few."""
    from .detect import Candidate

    words: dict[str, Identifier] = {}
    others: dict[str, Identifier] = {}
    for identifier in identifiers:
        if identifier.status == Identifier.Status.REJECTED or not identifier.surface:
            continue
        form = identifier.surface.lower()
        if _is_word_form(form):
            words.setdefault(form, identifier)
        elif not words_only:  # numbers and addresses: the detector's patterns find them anyway
            others.setdefault(form, identifier)
    text = transcript.text
    out = _word_mentions(text, words) if words else []
    if others:
        forms = sorted(others, key=len, reverse=True)
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)", re.IGNORECASE
        )
        for m in pattern.finditer(text):
            found = others.get(m.group().lower())
            if found is not None:
                out.append(Candidate(m.start(), m.end(), found.type, m.group(), "known"))
    return out


@lru_cache(maxsize=100_000)
def _is_word_form(form: str) -> bool:
    """Whether ``form`` is words only (found by token runs), not a number or an address."""
    from .detect import _tokens

    tokens = _tokens(form)
    return bool(tokens) and " ".join(t.text for t in tokens) == form


def _word_mentions(text: str, words: dict[str, Identifier]) -> list[Any]:
    """Runs of up to as many tokens as the longest form, looked up in ``words`` (lower case;
    a possessive 's may follow the last word)."""
    from .detect import Candidate, _tokens

    out = []
    longest = max(len(form.split()) for form in words)
    heads = {form.split()[0] for form in words}
    tokens = _tokens(text)
    for i in range(len(tokens)):
        if tokens[i].lower not in heads and tokens[i].bare.lower() not in heads:
            continue
        for n in range(min(longest, len(tokens) - i), 0, -1):
            run = tokens[i : i + n]
            if any(run[k + 1].start - run[k].end != 1 for k in range(n - 1)):
                continue
            head = [t.text.lower() for t in run[:-1]]
            for last in dict.fromkeys([run[-1].text.lower(), run[-1].bare.lower()]):
                form = " ".join([*head, last])
                found = words.get(form)
                if found is not None:
                    end = run[0].start + len(form)
                    out.append(
                        Candidate(run[0].start, end, found.type, text[run[0].start : end], "known")
                    )
                    break
            else:
                continue
            break
    return out


# --- review --------------------------------------------------------------------------------------


@dataclass
class Group:
    identifier: Identifier
    count: int
    transcripts: list[str]
    contexts: list[tuple[str, str, str, str]]  # (transcript, before, the words, after)
    alternatives: list[tuple[str, str]]  # overlapping readings that lost: (words, type label)


def review_groups(*, project: Project, status: str | None = None) -> list[Group]:
    identifiers = Identifier.objects.filter(project=project)
    if status:
        identifiers = identifiers.filter(status=status)
    transcripts = {t.pk: t for t in Transcript.objects.filter(project=project).only("name", "text")}
    occurrences: dict[int, list[IdentifierOccurrence]] = {}
    for occurrence in IdentifierOccurrence.objects.filter(identifier__project=project):
        occurrence.transcript = transcripts[occurrence.transcript_id]  # one text per transcript
        occurrences.setdefault(occurrence.identifier_id, []).append(occurrence)
    groups = []
    for identifier in identifiers.order_by("status", "type", "key"):
        mine = occurrences.get(identifier.pk, [])
        contexts = []
        for o in mine[:4]:
            text = o.transcript.text
            shown = text[o.start : o.end] if o.applied_at is None else o.original
            contexts.append(
                (
                    o.transcript.name,
                    text[max(0, o.start - 50) : o.start],
                    shown,
                    text[o.end : o.end + 50],
                )
            )
        alternatives: dict[tuple[str, str], None] = {}
        for o in mine:
            if o.applied_at is not None:
                continue
            for start, end, kind in o.alternatives or []:
                words = o.transcript.text[start:end]
                if words:
                    alternatives[(words, Identifier.Type(kind).label)] = None
        groups.append(
            Group(
                identifier=identifier,
                count=len(mine),
                transcripts=sorted({o.transcript.name for o in mine}),
                contexts=contexts,
                alternatives=list(alternatives)[:4],
            )
        )
    return groups


def _next_number(project: Project, kind: str) -> int:
    numbers = Identifier.objects.filter(project=project, type=kind).values_list("number", flat=True)
    return max(numbers, default=0) + 1


@transaction.atomic
def identifier_decide(
    *,
    identifier: Identifier,
    user: Any,
    status: str | None = None,
    type: str | None = None,
    pseudonym: str | None = None,
) -> list[str]:
    """Accept or reject an identifier, change its type or set its replacement. Returns
    warnings (a replacement that is another entity's, or a word already in the text)."""
    identifier = Identifier.objects.select_for_update().get(pk=identifier.pk)
    warnings: list[str] = []
    if type is not None:
        if type not in Identifier.Type.values:
            raise ValidationError(f"Unknown type {type!r}.")
        if type != identifier.type:
            identifier.type = type
            identifier.number = 0
            if not pseudonym and identifier.pseudonym.startswith("["):
                identifier.pseudonym = ""
    if status is not None:
        if status not in Identifier.Status.values:
            raise ValidationError(f"Unknown status {status!r}.")
        if (
            status == Identifier.Status.PENDING
            and identifier.occurrences.filter(applied_at__isnull=False).exists()
        ):
            raise ValidationError("This identifier is replaced in the text: reverse it first.")
        identifier.status = status
    if pseudonym is not None:
        pseudonym = " ".join(pseudonym.split())[:255]
        if pseudonym:
            warnings += _pseudonym_warnings(identifier, pseudonym)
        identifier.pseudonym = pseudonym
    if identifier.status == Identifier.Status.ACCEPTED and not identifier.pseudonym:
        if not identifier.number:
            identifier.number = _next_number(identifier.project, identifier.type)
        identifier.pseudonym = f"[{_label_for(identifier)} {identifier.number}]"
    identifier.decided_by = user
    identifier.decided_at = timezone.now()
    identifier.save()
    pseudonymisation_changed.send(
        sender=Identifier,
        project=identifier.project,
        by=user,
        action="decide",
        identifier=identifier,
        details={
            "status": identifier.status,
            "type": identifier.type,
            "pseudonym": identifier.pseudonym,
        },
    )
    return warnings


def _pseudonym_warnings(identifier: Identifier, pseudonym: str) -> list[str]:
    warnings = []
    same = Identifier.objects.filter(
        project=identifier.project, pseudonym__iexact=pseudonym
    ).exclude(pk=identifier.pk)
    if same.exists():
        warnings.append(
            f"“{pseudonym}” already replaces another identifier: the two will read as one."
        )
    pattern = re.compile(rf"(?<!\w){re.escape(pseudonym)}(?!\w)", re.IGNORECASE)
    for transcript in Transcript.objects.filter(project=identifier.project).only("text", "name"):
        if pattern.search(transcript.text):
            warnings.append(
                f"“{pseudonym}” is already a word in {transcript.name}: "
                "readers could take it for someone real."
            )
            break
    return warnings


def identifiers_decide_type(*, project: Project, user: Any, type: str, status: str) -> int:
    """Accept (or reject) every identifier of ``type`` still to review."""
    count = 0
    for identifier in Identifier.objects.filter(
        project=project, type=type, status=Identifier.Status.PENDING
    ):
        identifier_decide(identifier=identifier, user=user, status=status)
        count += 1
    return count


@transaction.atomic
def identifier_add(*, project: Project, user: Any, text: str, type: str) -> tuple[Identifier, int]:
    """Mark a missed identifier (selected or typed by the analyst): accepted, and found
    wherever it occurs in the project. Returns it and the number of occurrences."""
    text = " ".join((text or "").split())
    if len(text) < 2:
        raise ValidationError("Select or type the words that identify someone.")
    if type not in Identifier.Type.values:
        raise ValidationError(f"Unknown type {type!r}.")
    key = fold(text)[:255]
    identifier, _ = Identifier.objects.get_or_create(
        project=project, key=key, defaults={"surface": text[:255], "type": type}
    )
    if identifier.status == Identifier.Status.REJECTED:
        identifier.status = Identifier.Status.PENDING
        identifier.save(update_fields=["status"])
    made = 0
    for transcript in Transcript.objects.filter(project=project):
        made += _mention_occurrences(transcript, [identifier], rule="added by the analyst")
    identifier_decide(
        identifier=identifier, user=user, status=Identifier.Status.ACCEPTED, type=type
    )
    return identifier, made


def known_identifiers_mark(transcript: Transcript) -> int:
    """A new transcript is checked against the project's accepted identifiers: their mentions
    in it become occurrences, replaced with the same pseudonyms at the next apply."""
    accepted = Identifier.objects.filter(
        project_id=transcript.project_id, status=Identifier.Status.ACCEPTED
    )
    return _mention_occurrences(transcript, accepted) if accepted.exists() else 0


def _mention_occurrences(
    transcript: Transcript, identifiers: Iterable[Identifier], rule: str = "known"
) -> int:
    """Occurrences for every mention of ``identifiers`` not yet covered by one."""
    identifiers = list(identifiers)
    by_lower = {i.surface.lower(): i for i in identifiers}
    taken = sorted(
        (o.start, o.end) for o in IdentifierOccurrence.objects.filter(transcript=transcript)
    )
    rows = []
    for candidate in _known_surfaces(transcript, identifiers):
        i = bisect.bisect_left(taken, (candidate.end, -1))
        if any(s < candidate.end and candidate.start < e for s, e in taken[max(0, i - 3) : i]):
            continue
        rows.append(
            IdentifierOccurrence(
                identifier=by_lower[candidate.text.lower()],
                transcript=transcript,
                start=candidate.start,
                end=candidate.end,
                original=candidate.text[:500],
                rule=rule,
                content_hash=transcript.content_hash,
            )
        )
        bisect.insort(taken, (candidate.start, candidate.end))
    IdentifierOccurrence.objects.bulk_create(rows, batch_size=500)
    return len(rows)


# --- applying and reversing -----------------------------------------------------------------------


class Remap:
    """Old offsets to new after replacing ``edits`` ([start, end) -> a text of ``length``,
    sorted, not overlapping). A span that starts or ends inside a replaced stretch takes the
    whole replacement."""

    def __init__(self, edits: Iterable[tuple[int, int, int]]) -> None:
        self.edits = sorted(edits)
        self.starts = [start for start, _, _ in self.edits]
        self.shift_before = [0]
        for start, end, length in self.edits:
            self.shift_before.append(self.shift_before[-1] + length - (end - start))

    def position(self, offset: int, *, side: str) -> int:
        i = bisect.bisect_left(self.starts, offset)  # edits starting before ``offset``
        if i == 0:
            return offset
        start, end, length = self.edits[i - 1]
        if offset < end:
            new_start = start + self.shift_before[i - 1]
            return new_start if side == "start" else new_start + length
        return offset + self.shift_before[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        new_start = self.position(start, side="start")
        return new_start, max(self.position(end, side="end"), new_start + 1)


def _rewrite(
    transcript: Transcript, edits: list[tuple[int, int, str]], handled: Iterable[int] = ()
) -> Remap:
    """Replace ``edits`` (non-overlapping) in the transcript, remap its turns and tell the apps
    above. Returns the offset map."""
    edits = sorted(edits)
    text = transcript.text
    pieces, cursor = [], 0
    for start, end, new in edits:
        pieces.append(text[cursor:start])
        pieces.append(new)
        cursor = end
    pieces.append(text[cursor:])
    remap = Remap((s, e, len(new)) for s, e, new in edits)
    transcript.text = "".join(pieces)
    transcript.content_hash = hashlib.sha256(transcript.text.encode("utf-8")).hexdigest()
    transcript.save(update_fields=["text", "content_hash"])
    turns = list(Turn.objects.filter(transcript=transcript))
    for turn in turns:
        if turn.end > turn.start:
            turn.start, turn.end = remap.span(turn.start, turn.end)
        else:
            turn.start = turn.end = remap.position(turn.start, side="start")
    spans_write(Turn, turns, fields=("start", "end"))
    # Every other occurrence in this transcript (replaced ones, and found but not replaced,
    # such as rejected ones) follows the text; those being replaced now are set by the caller.
    others = list(
        IdentifierOccurrence.objects.filter(transcript=transcript).exclude(pk__in=list(handled))
    )
    for occurrence in others:
        occurrence.start, occurrence.end = remap.span(occurrence.start, occurrence.end)
        if occurrence.applied_at is None:
            occurrence.content_hash = transcript.content_hash
    spans_write(IdentifierOccurrence, others, fields=("start", "end", "content_hash"))
    transcript_rewritten.send(
        sender=Transcript,
        transcript=transcript,
        remap=remap,
        replacements=[(text[s:e], new) for s, e, new in edits],
    )
    return remap


@transaction.atomic
def identifiers_apply(*, project: Project, user: Any) -> dict[str, int]:
    """Replace every accepted identifier everywhere in the project (speaker labels and
    participant labels included). Idempotent: what is already replaced stays as it is.
    Occurrences found on an older version of a transcript are not patched: that transcript
    is read again for them."""
    accepted = {
        i.pk: i
        for i in Identifier.objects.filter(project=project, status=Identifier.Status.ACCEPTED)
    }
    replaced = transcripts_changed = 0
    for transcript in Transcript.objects.select_for_update().filter(project=project):
        IdentifierOccurrence.objects.filter(transcript=transcript, applied_at__isnull=True).exclude(
            content_hash=transcript.content_hash
        ).delete()  # stale: found on older text
        _mention_occurrences(transcript, accepted.values())
        pending = IdentifierOccurrence.objects.filter(
            transcript=transcript, identifier_id__in=accepted, applied_at__isnull=True
        )
        chosen: list[IdentifierOccurrence] = []
        overlapped: list[int] = []
        for occurrence in sorted(pending, key=lambda o: (-(o.end - o.start), o.start)):
            if any(c.start < occurrence.end and occurrence.start < c.end for c in chosen):
                overlapped.append(occurrence.pk)  # inside a longer one being replaced
            else:
                chosen.append(occurrence)
        IdentifierOccurrence.objects.filter(pk__in=overlapped).delete()
        if not chosen:
            continue
        chosen.sort(key=lambda o: o.start)
        edits = [(o.start, o.end, accepted[o.identifier_id].pseudonym) for o in chosen]
        originals = [(o.start, o.end) for o in chosen]
        remap = _rewrite(transcript, edits, handled=[o.pk for o in chosen])
        now = timezone.now()
        for occurrence, (start, end) in zip(chosen, originals, strict=True):
            occurrence.start, occurrence.end = remap.span(start, end)
            occurrence.applied_at = now
            occurrence.content_hash = transcript.content_hash
        IdentifierOccurrence.objects.bulk_update(
            chosen, ["start", "end", "applied_at", "content_hash"], batch_size=500
        )
        replaced += len(chosen)
        transcripts_changed += 1
    labels = _relabel(project, accepted.values())
    if replaced or labels:
        pseudonymisation_changed.send(
            sender=Identifier,
            project=project,
            by=user,
            action="apply",
            identifier=None,
            details={
                "replacements": replaced,
                "transcripts": transcripts_changed,
                "labels": labels,
            },
        )
    return {"replacements": replaced, "transcripts": transcripts_changed, "labels": labels}


def _relabel(project: Project, accepted: Iterable[Identifier]) -> int:
    """Speaker labels and participant labels that are an accepted name take its pseudonym."""
    names = {i.key: i.pseudonym for i in accepted if i.type == Identifier.Type.PERSON}
    if not names:
        return 0
    turns = []
    for turn in (
        Turn.objects.filter(transcript__project=project)
        .exclude(speaker_label="")
        .only("speaker_label")
    ):
        new = names.get(fold(turn.speaker_label))
        if new:
            turn.speaker_label = new[:100]
            turns.append(turn)
    Turn.objects.bulk_update(turns, ["speaker_label"], batch_size=500)
    changed = len(turns)
    for participant in Participant.objects.filter(project=project):
        new = names.get(fold(participant.label))
        if new and not Participant.objects.filter(project=project, label=new[:100]).exists():
            participant.label = new[:100]
            participant.save(update_fields=["label"])
            changed += 1
    return changed


@transaction.atomic
def identifier_reverse(*, identifier: Identifier, user: Any) -> int:
    """Put the original words back where this identifier was replaced (owners only; the
    identifier returns to review). Returns the number of places restored."""
    identifier = Identifier.objects.select_for_update().get(pk=identifier.pk)
    restored = 0
    applied = IdentifierOccurrence.objects.filter(identifier=identifier, applied_at__isnull=False)
    for transcript_id in sorted(set(applied.values_list("transcript_id", flat=True))):
        transcript = Transcript.objects.select_for_update().get(pk=transcript_id)
        mine = list(applied.filter(transcript=transcript).order_by("start"))
        edits = [(o.start, o.end, o.original) for o in mine]
        spans = [(o.start, o.end) for o in mine]
        for occurrence in mine:
            occurrence.applied_at = None
        IdentifierOccurrence.objects.bulk_update(mine, ["applied_at"])
        remap = _rewrite(transcript, edits, handled=[o.pk for o in mine])
        for occurrence, (start, end) in zip(mine, spans, strict=True):
            occurrence.start, occurrence.end = remap.span(start, end)
            occurrence.content_hash = transcript.content_hash
        IdentifierOccurrence.objects.bulk_update(mine, ["start", "end", "content_hash"])
        restored += len(mine)
    for turn in Turn.objects.filter(
        transcript__project=identifier.project, speaker_label=identifier.pseudonym
    ):
        turn.speaker_label = identifier.surface[:100]
        turn.save(update_fields=["speaker_label"])
    identifier.status = Identifier.Status.PENDING
    identifier.save(update_fields=["status"])
    pseudonymisation_changed.send(
        sender=Identifier,
        project=identifier.project,
        by=user,
        action="reverse",
        identifier=identifier,
        details={"restored": restored, "pseudonym": identifier.pseudonym},
    )
    return restored


# --- the key ----------------------------------------------------------------------------------


def key_csv(*, project: Project) -> str:
    """The key export: original -> pseudonym, with where each was replaced. Its own file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "# PSEUDONYMISATION KEY: the additional information that re-identifies "
            "participants. Keep it apart from the data."
        ]
    )
    writer.writerow(["type", "original", "pseudonym", "status", "transcript", "start", "end"])
    names = dict(Transcript.objects.filter(project=project).values_list("pk", "name"))
    for o in (
        IdentifierOccurrence.objects.filter(identifier__project=project)
        .select_related("identifier")
        .order_by("identifier__type", "identifier__key", "transcript_id", "start")
    ):
        i = o.identifier
        writer.writerow(
            [
                i.type,
                _safe(o.original),
                _safe(i.pseudonym),
                i.status,
                _safe(names[o.transcript_id]),
                o.start,
                o.end,
            ]
        )
    return out.getvalue()


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def pseudonymised_everywhere(project: Project) -> bool:
    return IdentifierOccurrence.objects.filter(
        identifier__project=project, applied_at__isnull=False
    ).exists()
