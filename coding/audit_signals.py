"""The audit log hears what lower apps announce: members added, changed or removed
(``transcripts.signals.membership_changed``). Connected in ``coding/apps.py``."""

from __future__ import annotations

from typing import Any

from transcripts.spans import spans_write

from .models import AuditEvent


def membership_audited(
    sender: Any, *, project: Any, by: Any, member: Any, action: str, before: Any, after: Any,
    **kwargs: Any,
) -> None:  # fmt: skip
    AuditEvent.objects.create(
        project=project,
        user=by if by is not None and getattr(by, "is_authenticated", False) else None,
        action={"add": "create", "role": "update", "remove": "delete"}[action],
        object_type="membership",
        object_id=member.pk,
        before=None if before is None else {"member": member.get_username(), "role": before},
        after=None if after is None else {"member": member.get_username(), "role": after},
    )


def pseudonymisation_audited(
    sender: Any, *, project: Any, by: Any, action: str, identifier: Any, details: dict,
    **kwargs: Any,
) -> None:  # fmt: skip
    """Pseudonymisation decisions, applying and reversing, without the original words."""
    AuditEvent.objects.create(
        project=project,
        user=by if by is not None and getattr(by, "is_authenticated", False) else None,
        action={"decide": "update", "apply": "pseudonymise", "reverse": "reverse_pseudonym"}[
            action
        ],
        object_type="identifier" if identifier is not None else "project",
        object_id=identifier.pk if identifier is not None else project.pk,
        after=details,
    )


def codings_remapped(sender: Any, *, transcript: Any, remap: Any, **kwargs: Any) -> None:
    """Codings keep covering the same words after the transcript's text is rewritten."""
    from .models import Coding

    codings = list(Coding.objects.filter(transcript=transcript).order_by("id"))
    kept: dict[tuple[int, int, int, int], Any] = {}
    twins = []
    for coding in codings:
        coding.start, coding.end = remap.span(coding.start, coding.end)
        coding.text = transcript.text[coding.start : coding.end]
        key = (coding.code_id, coding.coder_id, coding.start, coding.end)
        if key in kept:
            twins.append(coding.pk)  # differed only inside the replaced words: now the same
        else:
            kept[key] = coding
    if twins:
        Coding.objects.filter(pk__in=twins).delete()
    spans_write(Coding, list(kept.values()), unique=True)
