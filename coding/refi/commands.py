"""What the REFI-QDA management commands share."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from transcripts.models import Project, Role


def project_lookup(value: str) -> Project:
    """A project by id, or by its exact name when that is unambiguous."""
    if value.isdigit() and Project.objects.filter(pk=int(value)).exists():
        return Project.objects.get(pk=int(value))
    matches = list(Project.objects.filter(name=value)[:2])
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CommandError(f"Several projects are called {value!r}: give its id.")
    raise CommandError(f"No project {value!r} (give its id or exact name).")


def user_lookup(username: str | None, project: Project | None = None):
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        return user
    if project is not None:
        owner = project.memberships.filter(role=Role.OWNER).select_related("user").first()
        if owner:
            return owner.user
    superusers = list(User.objects.filter(is_superuser=True)[:2])
    if len(superusers) == 1:
        return superusers[0]
    raise CommandError("Say who owns the import: --owner USERNAME.")
