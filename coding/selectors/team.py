"""Who codes what, and what a member may see of other coders' work while coding is blind.

Blind coding is enforced here, once: every surface that lists codings (coding screen, search,
retrieval, the framework's counts, exports, suggestions' nearest quotes) narrows its queryset
with :func:`codings_visible`. Owners see every coder's codings; anyone else sees, on a blind
transcript, only their own.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet

from transcripts.models import Project, Role

from ..models import Assignment, BlindPhase, Coding


def blind_scope(*, project: Project) -> tuple[bool, set[int]]:
    """``(whole project blind, ids of transcripts blind on their own)``."""
    whole, ids = False, set()
    for phase in BlindPhase.objects.filter(project=project, ended_at__isnull=True).values_list(
        "transcript_id", flat=True
    ):
        if phase is None:
            whole = True
        else:
            ids.add(phase)
    return whole, ids


def sees_all_coders(*, user: Any, project: Project) -> bool:
    membership = getattr(project, "membership", None)
    if membership is not None and membership.user_id == getattr(user, "pk", None):
        return membership.role == Role.OWNER
    if getattr(user, "pk", None) is None:
        return False
    return project.memberships.filter(user_id=user.pk, role=Role.OWNER).exists()


def blind_filter(*, user: Any, project: Project, prefix: str = "") -> Q | None:
    """A ``Q`` hiding other coders' codings on blind transcripts from ``user``, or ``None``
    when nothing is hidden. ``prefix`` reaches codings through a relation (``"coding__"``)."""
    whole, ids = blind_scope(project=project)
    if not whole and not ids:
        return None
    if sees_all_coders(user=user, project=project):
        return None
    own = Q(**{f"{prefix}coder_id": getattr(user, "pk", None)})
    if whole:
        return own
    return own | ~Q(**{f"{prefix}transcript_id__in": ids})


def codings_visible(codings: QuerySet[Coding], *, user: Any, project: Project) -> QuerySet[Coding]:
    hidden = blind_filter(user=user, project=project)
    return codings if hidden is None else codings.filter(hidden)


def transcript_is_blind(*, transcript: Any, user: Any | None = None) -> bool:
    """Whether the transcript is blind (for ``user``, when given: never for an owner)."""
    whole, ids = blind_scope(project=transcript.project)
    if not whole and transcript.pk not in ids:
        return False
    return user is None or not sees_all_coders(user=user, project=transcript.project)


def assignments_for(*, project: Project) -> dict[int, list[Assignment]]:
    """Each transcript's assignments, by transcript id."""
    found: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in Assignment.objects.filter(transcript__project=project).select_related(
        "coder"
    ):
        found[assignment.transcript_id].append(assignment)
    return found


def assignment_of(*, transcript: Any, user: Any) -> Assignment | None:
    return Assignment.objects.filter(
        transcript=transcript, coder_id=getattr(user, "pk", None)
    ).first()


def coders_done(
    *, project: Project, transcript_ids: list[int]
) -> tuple[dict[int, set[int]], set[int]]:
    """For each transcript, the coders whose codings count: those assigned who marked it done.

    A transcript with no assignments at all (a project that does not use them) counts everyone
    who coded it; the second value lists those transcripts so the page can say so.
    """
    done: dict[int, set[int]] = {tid: set() for tid in transcript_ids}
    assigned: set[int] = set()
    for tid, coder_id, done_at in Assignment.objects.filter(
        transcript_id__in=transcript_ids
    ).values_list("transcript_id", "coder_id", "done_at"):
        assigned.add(tid)
        if done_at is not None:
            done[tid].add(coder_id)
    unassigned = set(transcript_ids) - assigned
    if unassigned:
        for tid, coder_id in (
            Coding.objects.filter(transcript_id__in=unassigned)
            .exclude(origin=Coding.Origin.ADJUDICATED)
            .order_by()
            .values_list("transcript_id", "coder_id")
            .distinct()
        ):
            done[tid].add(coder_id)
    return done, unassigned


# -- the agreed set ---------------------------------------------------------------------------

AGREED = "agreed"  # the adjudicated codings only
CODERS = "coders"  # every coder's own codings (not the agreed set)
AUTO = ""  # the agreed set once the project has one, else every coder's


def agreed_set_exists(*, project: Project) -> bool:
    return Coding.objects.filter(
        transcript__project=project, origin=Coding.Origin.ADJUDICATED
    ).exists()


def coding_set(codings: QuerySet[Coding], *, which: str, project: Project) -> QuerySet[Coding]:
    """Narrow to the agreed set or to the coders' own codings (``AUTO`` picks)."""
    if which == AUTO:
        which = AGREED if agreed_set_exists(project=project) else CODERS
    if which == AGREED:
        return codings.filter(origin=Coding.Origin.ADJUDICATED)
    return codings.exclude(origin=Coding.Origin.ADJUDICATED)
