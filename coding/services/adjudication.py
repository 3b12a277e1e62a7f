"""Settle the units coders disagree on: the agreed set (codings of origin ``adjudicated``).

A decision on a unit replaces the agreed codings inside it. Each agreed code covers the span
its source codings cover within the unit (from the kept coder, or from every coder when
merging), or the whole unit when nobody had used it. Every coding written or removed, and the
decision itself, is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from transcripts.models import Role, Transcript, Turn

from ..models import Adjudication, Code, Coding
from ..selectors.team import coders_done
from .audit import audit_record, snapshot

Decision = Adjudication.Decision


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _span_for(
    transcript: Transcript, turn: Turn, sources: list[tuple[int, int]]
) -> tuple[int, int]:
    if not sources:
        return _trimmed(transcript.text, turn.start, turn.end)
    start = max(turn.start, min(s for s, _e in sources))
    end = min(turn.end, max(e for _s, e in sources))
    return _trimmed(transcript.text, start, end)


@transaction.atomic
def adjudicate(
    *,
    transcript: Transcript,
    turn: Turn,
    decision: str,
    user: Any,
    kept_coder_id: int | None = None,
    code_ids: list[int] | None = None,
    note: str = "",
) -> Adjudication:
    """Settle ``turn``: keep one coder's codes, merge everyone's, or the adjudicator's own."""
    project = transcript.project
    if not project.memberships.filter(user_id=user.pk, role=Role.OWNER).exists():
        raise ValidationError("Only an owner can adjudicate.")
    if turn.transcript_id != transcript.pk:
        raise ValidationError("That turn belongs to another transcript.")
    if decision not in Decision.values:
        raise ValidationError(f"Unknown decision {decision!r}.")
    own = list(
        Coding.objects.filter(transcript=transcript, start__lt=turn.end, end__gt=turn.start)
        .exclude(origin=Coding.Origin.ADJUDICATED)
        .values_list("coder_id", "code_id", "start", "end")
    )
    if decision == Decision.KEEP:
        done, _ = coders_done(project=project, transcript_ids=[transcript.pk])
        if kept_coder_id not in done[transcript.pk]:
            raise ValidationError("Choose whose version to keep (a coder who finished it).")
        own = [row for row in own if row[0] == kept_coder_id]
        chosen = {row[1] for row in own}
    elif decision in (Decision.MERGE, Decision.AGREED):
        chosen = {row[1] for row in own}
    else:
        chosen = set(code_ids or [])
        valid = set(
            Code.objects.filter(project=project, pk__in=chosen).values_list("pk", flat=True)
        )
        if chosen - valid:
            raise ValidationError("A chosen code is not in this project's framework.")
    _clear(transcript, turn, user)
    for code_id in sorted(chosen):
        start, end = _span_for(transcript, turn, [(s, e) for _c, k, s, e in own if k == code_id])
        if end <= start:
            continue
        coding = Coding.objects.create(
            transcript=transcript,
            code_id=code_id,
            coder=user,
            start=start,
            end=end,
            text=transcript.text[start:end],
            memo=note.strip(),
            origin=Coding.Origin.ADJUDICATED,
        )
        audit_record(
            project=project, user=user, action="adjudicate", instance=coding, after=snapshot(coding)
        )
    adjudication, _ = Adjudication.objects.update_or_create(
        transcript=transcript,
        start=turn.start,
        end=turn.end,
        defaults={
            "decision": decision,
            "kept_coder_id": kept_coder_id if decision == Decision.KEEP else None,
            "codes": sorted(chosen),
            "note": note.strip(),
            "decided_by": user,
            "decided_at": timezone.now(),
        },
    )
    return adjudication


def _clear(transcript: Transcript, turn: Turn, user: Any) -> None:
    """Remove the agreed codings inside the unit (audited), before a new decision."""
    for coding in Coding.objects.filter(
        transcript=transcript,
        origin=Coding.Origin.ADJUDICATED,
        start__gte=turn.start,
        end__lte=turn.end,
    ):
        audit_record(
            project=transcript.project,
            user=user,
            action="delete",
            instance=coding,
            before=snapshot(coding),
        )
        coding.delete()


def agreed_units_accept(*, transcript: Transcript, user: Any, units: list[Any]) -> int:
    """Put every unit on which all finished coders gave the same (non-empty) codes into the
    agreed set, unless it was already settled. Returns how many units were added."""
    added = 0
    with transaction.atomic():
        for unit in units:
            if unit.disagree or unit.adjudication is not None:
                continue
            if not any(codes for _coder, codes in unit.versions):
                continue
            adjudicate(transcript=transcript, turn=unit.turn, decision=Decision.AGREED, user=user)
            added += 1
    return added
