"""Finding the project a framework command works on (by id or exact name)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from transcripts.models import Project


def project_find(value: str) -> Project:
    if value.isdigit():
        project = Project.objects.filter(pk=int(value)).first()
    else:
        matches = list(Project.objects.filter(name=value)[:2])
        if len(matches) > 1:
            raise CommandError(f"Several projects are called {value!r}: give the project id.")
        project = matches[0] if matches else None
    if project is None:
        raise CommandError(f"No project {value!r} (give its id or exact name).")
    return project


def user_find(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user {username!r}.")
    return user
