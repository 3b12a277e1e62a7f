"""Writes for projects and members. Importers live in ``transcripts/importers/``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from jobs.models import Job

from ..models import ImportItem, Membership, Project, Role, Transcript
from ..signals import membership_changed


@transaction.atomic
def project_create(*, name: str, user: Any, description: str = "") -> Project:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A project needs a name."})
    project = Project.objects.create(name=name, description=description.strip(), created_by=user)
    Membership.objects.create(project=project, user=user, role=Role.OWNER)
    return project


@transaction.atomic
def membership_set(*, project: Project, username: str, role: str, by: Any = None) -> Membership:
    """Invite an existing user into the project, or change their role (``by``: who did it)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise ValidationError({"username": f"There is no user called {username.strip()!r}."})
    membership, created = Membership.objects.get_or_create(
        project=project, user=user, defaults={"role": role}
    )
    before = None if created else membership.role
    if not created and membership.role != role:
        _ensure_an_owner_remains(project, membership, new_role=role)
        membership.role = role
        membership.save(update_fields=["role"])
    if created or before != role:
        membership_changed.send(
            sender=Membership, project=project, by=by, member=user,
            action="add" if created else "role", before=before, after=role,
        )  # fmt: skip
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: Any = None) -> None:
    """Take a member out of the project (never its last owner). Their codings stay, theirs."""
    _ensure_an_owner_remains(membership.project, membership, new_role=None)
    project, member, role = membership.project, membership.user, membership.role
    membership.delete()
    membership_changed.send(
        sender=Membership, project=project, by=by, member=member,
        action="remove", before=role, after=None,
    )  # fmt: skip


def _ensure_an_owner_remains(project: Project, membership: Membership, new_role: str | None):
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return
    others = project.memberships.filter(role=Role.OWNER).exclude(pk=membership.pk)
    if not others.select_for_update().exists():
        raise ValidationError("A project must keep at least one owner.")


@transaction.atomic
def project_delete(*, project: Project, confirm_name: str) -> None:
    """Delete a project with everything in it, including the uploaded originals and export
    files in storage (participants were promised anonymity: nothing is left behind)."""
    if confirm_name.strip() != project.name:
        raise ValidationError({"confirm_name": "Type the project's name exactly to delete it."})
    stored = [
        *Transcript.objects.filter(project=project)
        .exclude(original_file="")
        .values_list("original_file", flat=True),
        *ImportItem.objects.filter(batch__project=project)
        .exclude(file="")
        .values_list("file", flat=True),
    ]
    for result, params in Job.objects.filter(project=project).values_list("result", "params"):
        stored += [
            value
            for value in ((result or {}).get("file"), (params or {}).get("path"))
            if isinstance(value, str) and value
        ]
    project.delete()

    def delete_files() -> None:
        for name in stored:
            default_storage.delete(name)

    transaction.on_commit(delete_files)
