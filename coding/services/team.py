"""Assignments, marking a transcript done, and blind phases. Every change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from transcripts.models import Project, Role, Transcript

from ..models import Assignment, AuditEvent, BlindPhase


def _audit(*, project: Project, user: Any, action: str, kind: str, pk: int, after: dict) -> None:
    AuditEvent.objects.create(
        project=project,
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=kind,
        object_id=pk,
        after=after,
    )


def _require_owner(project: Project, user: Any) -> None:
    if not project.memberships.filter(user_id=user.pk, role=Role.OWNER).exists():
        raise PermissionDenied("Only an owner can change assignments and blind coding.")


@transaction.atomic
def assignments_set(
    *, project: Project, transcript: Transcript, coder_ids: list[int], user: Any
) -> list[Assignment]:
    """Make exactly ``coder_ids`` the transcript's coders. Those kept keep their done state."""
    _require_owner(project, user)
    if transcript.project_id != project.pk:
        raise ValidationError("That transcript belongs to another project.")
    writers = set(
        project.memberships.filter(role__in=(Role.OWNER, Role.CODER)).values_list(
            "user_id", flat=True
        )
    )
    stray = set(coder_ids) - writers
    if stray:
        raise ValidationError("Only owners and coders of the project can be assigned to code.")
    current = {a.coder_id: a for a in Assignment.objects.filter(transcript=transcript)}
    names = dict(
        get_user_model()
        .objects.filter(pk__in=set(coder_ids) | set(current))
        .values_list("pk", "username")
    )
    for coder_id in set(current) - set(coder_ids):
        current.pop(coder_id).delete()
        _audit(
            project=project,
            user=user,
            action="unassign",
            kind="assignment",
            pk=transcript.pk,
            after={"transcript": transcript.pk, "coder": names.get(coder_id, "")},
        )
    for coder_id in sorted(set(coder_ids) - set(current)):
        current[coder_id] = Assignment.objects.create(
            transcript=transcript, coder_id=coder_id, assigned_by=user
        )
        _audit(
            project=project,
            user=user,
            action="assign",
            kind="assignment",
            pk=transcript.pk,
            after={"transcript": transcript.pk, "coder": names.get(coder_id, "")},
        )
    return list(current.values())


@transaction.atomic
def assignment_mark_done(*, transcript: Transcript, user: Any, done: bool = True) -> Assignment:
    """A coder marks their assignment done (their codings now count in agreement), or an owner
    reopens it (``done=False``; a coder may also reopen their own)."""
    assignment = (
        Assignment.objects.select_for_update().filter(transcript=transcript, coder=user).first()
    )
    if assignment is None:
        raise ValidationError("You are not assigned to code this transcript.")
    assignment.done_at = timezone.now() if done else None
    assignment.save(update_fields=["done_at"])
    _audit(
        project=transcript.project,
        user=user,
        action="done" if done else "reopen",
        kind="assignment",
        pk=transcript.pk,
        after={"transcript": transcript.pk, "coder": user.get_username()},
    )
    return assignment


@transaction.atomic
def assignment_reopen(*, transcript: Transcript, coder_id: int, user: Any) -> Assignment:
    """An owner reopens a coder's finished assignment."""
    _require_owner(transcript.project, user)
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("coder")
        .filter(transcript=transcript, coder_id=coder_id)
        .first()
    )
    if assignment is None:
        raise ValidationError("That coder is not assigned to this transcript.")
    assignment.done_at = None
    assignment.save(update_fields=["done_at"])
    _audit(
        project=transcript.project,
        user=user,
        action="reopen",
        kind="assignment",
        pk=transcript.pk,
        after={"transcript": transcript.pk, "coder": assignment.coder.get_username()},
    )
    return assignment


@transaction.atomic
def blind_start(*, project: Project, user: Any, transcript: Transcript | None = None) -> BlindPhase:
    """Start a blind phase for the whole project or one transcript (idempotent)."""
    _require_owner(project, user)
    if transcript is not None and transcript.project_id != project.pk:
        raise ValidationError("That transcript belongs to another project.")
    existing = BlindPhase.objects.filter(
        project=project, transcript=transcript, ended_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    phase = BlindPhase.objects.create(project=project, transcript=transcript, started_by=user)
    _audit(
        project=project,
        user=user,
        action="blind_start",
        kind="blindphase",
        pk=phase.pk,
        after={"transcript": transcript.pk if transcript else None},
    )
    return phase


@transaction.atomic
def blind_end(*, project: Project, user: Any, transcript: Transcript | None = None) -> int:
    """End the open blind phase(s): the whole project's when ``transcript`` is None (which ends
    every blind phase), else that transcript's. Returns how many ended."""
    _require_owner(project, user)
    phases = BlindPhase.objects.select_for_update().filter(project=project, ended_at__isnull=True)
    if transcript is not None:
        phases = phases.filter(transcript=transcript)
    ended = 0
    now = timezone.now()
    for phase in phases:
        phase.ended_at, phase.ended_by = now, user
        phase.save(update_fields=["ended_at", "ended_by"])
        _audit(
            project=project,
            user=user,
            action="blind_end",
            kind="blindphase",
            pk=phase.pk,
            after={"transcript": phase.transcript_id},
        )
        ended += 1
    return ended
