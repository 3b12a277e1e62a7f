"""The append-only audit log: what every write records, and how a row is snapshotted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from transcripts.models import Project

from ..models import AuditEvent, Code, Coding, Memo

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
MEMO_FIELDS = ("about", "transcript", "participant", "code", "title", "text", "author")


def snapshot(instance: Code | Coding | Memo) -> dict[str, Any]:
    fields: tuple[str, ...]
    if isinstance(instance, Memo):
        fields = MEMO_FIELDS
    else:
        fields = CODE_FIELDS if isinstance(instance, Code) else CODING_FIELDS
    return {"id": instance.pk, **model_to_dict(instance, fields=fields)}


def audit_record(
    *,
    project: Project,
    user: Any,
    action: str,
    instance: Code | Coding | Memo,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    batch: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        batch=batch,
        project=project,
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=type(instance).__name__.lower(),
        object_id=instance.pk,
        before=before,
        after=after,
    )


def fingerprint(instance: Code | Coding | Memo) -> str:
    """A short digest of what an edit form shows of a code or coding: a form carries the one
    it was opened with, and a save finding another one knows someone changed it since."""
    import hashlib
    import json

    values = {k: v for k, v in snapshot(instance).items() if k != "id"}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:16]


def conflict_check(instance: Code | Coding | Memo, seen: str | None) -> None:
    """Refuse to overwrite a change made since the form was opened (no lost updates)."""
    if seen and seen != fingerprint(instance):
        raise ValidationError(
            "Someone changed this since you opened it: your change was not saved. The form "
            "now shows their version; make your change again if it still applies."
        )
