"""What the REFI-QDA management commands share."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from transcripts.management.lookup import project_find, user_find
from transcripts.models import Project, Role

project_lookup = project_find


def user_lookup(username: str | None, project: Project | None = None):
    User = get_user_model()
    if username:
        return user_find(username)
    if project is not None:
        owner = project.memberships.filter(role=Role.OWNER).select_related("user").first()
        if owner:
            return owner.user
    superusers = list(User.objects.filter(is_superuser=True)[:2])
    if len(superusers) == 1:
        return superusers[0]
    raise CommandError("Say who owns the import: --owner USERNAME.")
