"""The append-only audit log: what every write records, and how a row is snapshotted."""

from __future__ import annotations

from typing import Any

from django.forms.models import model_to_dict

from transcripts.models import Project

from ..models import AuditEvent, Code, Coding

CODE_FIELDS = (
    "name",
    "key",
    "parent",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "order",
)
CODING_FIELDS = ("transcript", "code", "coder", "start", "end", "text", "memo", "origin", "starred")


def snapshot(instance: Code | Coding) -> dict[str, Any]:
    fields = CODE_FIELDS if isinstance(instance, Code) else CODING_FIELDS
    return {"id": instance.pk, **model_to_dict(instance, fields=fields)}


def audit_record(
    *,
    project: Project,
    user: Any,
    action: str,
    instance: Code | Coding,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        project=project,
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=type(instance).__name__.lower(),
        object_id=instance.pk,
        before=before,
        after=after,
    )
