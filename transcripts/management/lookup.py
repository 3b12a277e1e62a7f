"""How every management command finds the project and user it is told about."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from transcripts.models import Project


def project_find(value: str) -> Project:
    """A project by id, or by its exact name when no other project has that name."""
    project = Project.objects.filter(pk=int(value)).first() if value.isdigit() else None
    if project is None:
        matches = list(Project.objects.filter(name=value)[:2])
        if len(matches) > 1:
            raise CommandError(f"Several projects are called {value!r}: give the project id.")
        project = matches[0] if matches else None
    if project is None:
        raise CommandError(f"No project {value!r} (give its id or exact name).")
    return project


def user_find(username: str | None) -> Any:
    """The user called ``username``; None when no name was given."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"There is no user called {username!r}.")
    return user
