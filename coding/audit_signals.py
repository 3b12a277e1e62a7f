"""The audit log hears what lower apps announce: members added, changed or removed
(``transcripts.signals.membership_changed``), and pseudonymisation decided, applied or
reversed (``pseudonymisation_changed``). Connected in ``coding/apps.py``."""

from __future__ import annotations

from typing import Any

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
