"""Reads, always scoped to the requesting user: a non-member gets 404, a viewer cannot write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from .models import (
    Attribute,
    AttributeValue,
    ImportBatch,
    ImportItem,
    Job,
    Membership,
    Participant,
    Project,
    Role,
    Transcript,
    Turn,
)


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


# --- transcripts, imports and participants (issue 3) ------------------------------------------


def transcript_group_values(*, transcript: Transcript) -> QuerySet[Any]:
    """A transcript's group-attribute values, in the attributes' order."""
    return transcript.group_values.select_related("attribute").order_by(
        "attribute__order", "attribute__name"
    )


def group_values_table(
    *, project: Project, transcripts: list[Transcript]
) -> tuple[list[Any], dict[int, list[str]]]:
    """The project's group attributes, and each transcript's values of them in that order."""
    from .models import GroupAttribute, GroupAttributeValue

    attributes = list(GroupAttribute.objects.filter(project=project))
    found = {
        (t, a): v
        for t, a, v in GroupAttributeValue.objects.filter(transcript__project=project).values_list(
            "transcript_id", "attribute_id", "value"
        )
    }
    return attributes, {
        t.pk: [found.get((t.pk, a.pk), "") for a in attributes] for t in transcripts
    }


def transcript_list(*, project: Project) -> QuerySet[Transcript]:
    from django.db.models import Q

    return (
        Transcript.objects.filter(project=project)
        .annotate(
            turn_count=Count("turns", distinct=True),
            speaker_count=Count(
                "turns__speaker_label",
                distinct=True,
                filter=~Q(turns__speaker_label="") & Q(turns__is_facilitator=False),
            ),
        )
        .defer("text")
        .order_by("order", "name", "id")
    )


@dataclass
class TurnRow:
    turn: Turn
    text: str
    participant_title: str
    timestamp: str


def format_ms(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def transcript_reading(*, transcript: Transcript) -> tuple[str, list[TurnRow]]:
    """The preamble (text before the first turn's line) and every turn with its words, its
    participant's attributes as one line, and its start time. Two queries however long."""
    turns = list(
        Turn.objects.filter(transcript=transcript).select_related("participant").order_by("order")
    )
    ids = {turn.participant_id for turn in turns if turn.participant_id}
    titles: dict[int, list[str]] = {pid: [] for pid in ids}
    values = (
        AttributeValue.objects.filter(participant_id__in=ids)
        .select_related("attribute")
        .order_by("attribute__order", "attribute__name")
    )
    for value in values:
        titles[value.participant_id].append(f"{value.attribute.name}: {value.value}")
    text = transcript.text
    rows = [
        TurnRow(
            turn=turn,
            text=text[turn.start : turn.end],
            participant_title=" · ".join(titles.get(turn.participant_id or 0, [])),
            timestamp=format_ms(turn.timestamp_start_ms),
        )
        for turn in turns
    ]
    first = min((turn.start for turn in turns), default=len(text))
    preamble = text[: text.rfind("\n", 0, first) + 1].strip() if turns else text
    return preamble, rows


def import_batch_get_for_user(
    *, user: Any, project_id: int, batch_id: int, write: bool = False
) -> ImportBatch:
    project = project_get_for_user(user=user, project_id=project_id, write=write)
    batch = (
        ImportBatch.objects.filter(project=project, pk=batch_id)
        .select_related("read_job", "import_job")
        .first()
    )
    if batch is None:
        raise Http404("No such upload.")
    batch.project = project
    return batch


def import_batch_list(*, project: Project) -> QuerySet[ImportBatch]:
    from django.db.models import Q

    return (
        ImportBatch.objects.filter(project=project)
        .annotate(
            file_count=Count("items", filter=~Q(items__status=ImportItem.Status.ARCHIVE)),
            imported_count=Count("items", filter=Q(items__status=ImportItem.Status.IMPORTED)),
        )
        .select_related("created_by")
    )


def participant_get_for_user(
    *, user: Any, project_id: int, participant_id: int, write: bool = False
) -> Participant:
    project = project_get_for_user(user=user, project_id=project_id, write=write)
    participant = Participant.objects.filter(project=project, pk=participant_id).first()
    if participant is None:
        raise Http404("No such participant.")
    participant.project = project
    return participant


@dataclass
class ParticipantRow:
    participant: Participant
    values: list[str]
    turn_count: int


def participant_table(*, project: Project) -> tuple[list[Attribute], list[ParticipantRow]]:
    """Attributes (columns) and one row per participant with a value per attribute."""
    attributes = list(project.attributes.all())
    participants = list(
        project.participants.annotate(turn_count=Count("turns")).order_by("label", "id")
    )
    values: dict[tuple[int, int], str] = {
        (pid, aid): value
        for pid, aid, value in AttributeValue.objects.filter(
            participant__project=project
        ).values_list("participant_id", "attribute_id", "value")
    }
    rows = [
        ParticipantRow(
            participant=p,
            values=[values.get((p.pk, a.pk), "") for a in attributes],
            turn_count=p.turn_count,  # type: ignore[attr-defined]
        )
        for p in participants
    ]
    return attributes, rows
