"""Reads, always scoped to the requesting user: a non-member gets 404, a viewer cannot write."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from .models import Job, Membership, Project, Role, Transcript


def project_list_for_user(*, user: Any) -> QuerySet[Project]:
    role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    return (
        Project.objects.filter(memberships__user=user)
        .annotate(my_role=Subquery(role), transcript_count=Count("transcripts", distinct=True))
        .order_by("name", "id")
    )


def membership_get(*, user: Any, project_id: int, write: bool = False, owner: bool = False):
    """The user's membership of the project, or 404 (not a member) / 403 (role too low)."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("project")
        .filter(project_id=project_id, user=user)
        .first()
    )
    if membership is None:
        raise Http404("No such project.")
    if owner and membership.role != Role.OWNER:
        raise PermissionDenied("Only the project's owners can do this.")
    if write and not membership.can_write:
        raise PermissionDenied("Viewers can read this project but not change it.")
    return membership


def project_get_for_user(
    *, user: Any, project_id: int, write: bool = False, owner: bool = False
) -> Project:
    membership = membership_get(user=user, project_id=project_id, write=write, owner=owner)
    project = membership.project
    project.membership = membership  # type: ignore[attr-defined]
    return project


def transcript_get_for_user(
    *, user: Any, project_id: int, transcript_id: int, write: bool = False
) -> Transcript:
    project = project_get_for_user(user=user, project_id=project_id, write=write)
    transcript = Transcript.objects.filter(project=project, pk=transcript_id).first()
    if transcript is None:
        raise Http404("No such transcript.")
    transcript.project = project
    return transcript


def job_get_for_user(*, user: Any, project_id: int, job_id: int, write: bool = False) -> Job:
    project = project_get_for_user(user=user, project_id=project_id, write=write)
    job = Job.objects.filter(project=project, pk=job_id).first()
    if job is None:
        raise Http404("No such job.")
    job.project = project
    return job


def project_members(*, project: Project) -> QuerySet[Membership]:
    return project.memberships.select_related("user").order_by("user__username")
