"""Quote records: each coding resolved to its theme, code path, group, turn, speaker,
participant and attributes, streamed in framework order with a bounded number of queries."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, QuerySet, Value, When

from coding.models import Code, Coding
from coding.selectors.codes import code_path, code_tree_flat
from coding.selectors.team import AUTO, coding_set, codings_visible
from transcripts.models import (
    Attribute,
    AttributeValue,
    GroupAttributeValue,
    Participant,
    Project,
    Transcript,
    Turn,
)

ITERATOR_CHUNK = 2000


@dataclass
class ExportFilters:
    """What to export. Empty lists mean "everything". A code includes its sub-codes; attribute
    values of the same attribute are alternatives (OR), different attributes must all match."""

    codes: list[Code] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    attribute_values: list[tuple[Attribute, str]] = field(default_factory=list)
    coders: list[Any] = field(default_factory=list)
    # (group attribute, value): values of one attribute are alternatives, attributes all match
    group_values: list[tuple[Any, str]] = field(default_factory=list)
    starred_only: bool = False
    viewer: Any = None  # who exports: on blind transcripts a coder gets only their own codings
    coding_set: str = AUTO  # the agreed set once it exists, else every coder's codings

    def describe(self) -> list[str]:
        """One line per active filter, for the report and the XLSX's About sheet."""
        lines = []
        if self.codes:
            lines.append("Codes: " + ", ".join(code.name for code in self.codes))
        if self.transcripts:
            lines.append("Groups: " + ", ".join(t.name for t in self.transcripts))
        if self.attribute_values:
            lines.append(
                "Participants: "
                + ", ".join(
                    f"{attribute.name} = {value}" for attribute, value in self.attribute_values
                )
            )
        if self.group_values:
            lines.append(
                "Groups with: "
                + ", ".join(f"{attribute.name} = {value}" for attribute, value in self.group_values)
            )
        if self.coders:
            lines.append("Coders: " + ", ".join(user.get_username() for user in self.coders))
        if self.starred_only:
            lines.append("Starred quotes only")
        return lines


@dataclass(slots=True)
class TurnInfo:
    order: int
    start: int
    end: int
    speaker_label: str
    participant_id: int | None
    timestamp_ms: int | None


@dataclass(slots=True)
class GroupInfo:
    id: int
    name: str
    file: str
    site: str
    date: date | None
    position: int
    values: dict[int, str] = field(default_factory=dict)  # group attribute id -> value


@dataclass(slots=True)
class QuoteRecord:
    coding_id: int
    theme: Code
    code: Code
    code_path: str
    text: str
    group: GroupInfo
    turn: TurnInfo | None
    participant: Participant | None
    attributes: dict[int, str]
    start: int
    end: int
    coder: str
    memo: str
    origin: str
    starred: bool
    created_at: datetime

    @property
    def speaker(self) -> str:
        return self.turn.speaker_label if self.turn else ""

    @property
    def who(self) -> str:
        """The participant's label, else the speaker label of the turn."""
        return self.participant.label if self.participant else self.speaker

    @property
    def timestamp(self) -> str:
        if self.turn is None or self.turn.timestamp_ms is None:
            return ""
        return format_timestamp(self.turn.timestamp_ms)

    @property
    def reference(self) -> str:
        """The short reference used in the framework matrix: ``(FG3, P2, 00:12:31)``."""
        parts = [self.group.name, self.who, self.timestamp]
        return "(" + ", ".join(part for part in parts if part) + ")"


def format_timestamp(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ProjectIndex:
    """Everything about a project an export needs, besides the codings, loaded once: the
    framework, the groups (without their text), turn starts per group for bisect, participants,
    their attribute values and the coders' names."""

    def __init__(self, project: Project) -> None:
        from transcripts.pseudonymise.services import pseudonymised_everywhere

        self.project = project
        # Identifiers were replaced in this project's text: the export says so.
        self.pseudonymised = pseudonymised_everywhere(project)
        self.nodes = code_tree_flat(project=project)
        self.codes: dict[int, Code] = {node.code.pk: node.code for node in self.nodes}
        self.code_position = {code_id: index for index, code_id in enumerate(self.codes)}
        self.paths = {pk: code_path(code=code, by_id=self.codes) for pk, code in self.codes.items()}
        self.theme_of: dict[int, Code] = {}
        for node in self.nodes:
            code = node.code
            self.theme_of[code.pk] = (
                code if code.parent_id is None else self.theme_of[code.parent_id]
            )
        self.themes = [node.code for node in self.nodes if node.depth == 0]
        self.groups: dict[int, GroupInfo] = {
            row[0]: GroupInfo(
                id=row[0],
                name=row[1],
                file=row[2] or row[1],
                site=row[3],
                date=row[4],
                position=index,
            )
            for index, row in enumerate(
                Transcript.objects.filter(project=project)
                .order_by("order", "name", "id")
                .values_list("id", "name", "original_filename", "site", "date")
            )
        }
        for transcript_id, attribute_id, value in GroupAttributeValue.objects.filter(
            transcript__project=project
        ).values_list("transcript_id", "attribute_id", "value"):
            if transcript_id in self.groups:
                self.groups[transcript_id].values[attribute_id] = value
        self.turns: dict[int, list[TurnInfo]] = {}
        self.turn_starts: dict[int, list[int]] = {}
        turn_rows = (
            Turn.objects.filter(transcript__project=project)
            .order_by("transcript_id", "start", "order")
            .values_list(
                "transcript_id",
                "order",
                "start",
                "end",
                "speaker_label",
                "participant_id",
                "timestamp_start_ms",
            )
        )
        for transcript_id, order, start, end, speaker, participant_id, ms in turn_rows:
            turn = TurnInfo(order, start, end, speaker, participant_id, ms)
            self.turns.setdefault(transcript_id, []).append(turn)
            self.turn_starts.setdefault(transcript_id, []).append(turn.start)
        self.participants = {p.pk: p for p in Participant.objects.filter(project=project)}
        self.attributes = list(Attribute.objects.filter(project=project).order_by("order", "name"))
        self.attribute_values: dict[int, dict[int, str]] = {}
        for participant_id, attribute_id, value in AttributeValue.objects.filter(
            participant__project=project
        ).values_list("participant_id", "attribute_id", "value"):
            self.attribute_values.setdefault(participant_id, {})[attribute_id] = value
        self._coder_names: dict[int, str] = {}

    def turn_for(self, transcript_id: int, start: int, end: int) -> TurnInfo | None:
        """The turn whose span contains ``start``; when ``start`` falls between turns (say on
        a speaker label), the first turn that begins inside ``[start, end)``."""
        starts = self.turn_starts.get(transcript_id)
        if not starts:
            return None
        turns = self.turns[transcript_id]
        index = bisect_right(starts, start) - 1
        if index >= 0 and turns[index].start <= start < max(
            turns[index].end, turns[index].start + 1
        ):
            return turns[index]
        following = index + 1
        if following < len(turns) and turns[following].start < end:
            return turns[following]
        return None

    def coder_names(self, ids: set[int]) -> dict[int, str]:
        missing = ids - self._coder_names.keys()
        if missing:
            user_model = get_user_model()
            for user in user_model.objects.filter(pk__in=missing):
                self._coder_names[user.pk] = user.get_username()
        return self._coder_names


def coding_queryset(project: Project, filters: ExportFilters, index: ProjectIndex) -> QuerySet:
    """The filtered codings of the project in framework order, then group order and position.
    Attribute filters are applied per record (a coding's participant comes from its turn)."""
    codings = coding_set(
        Coding.objects.filter(transcript__project=project),
        which=filters.coding_set,
        project=project,
    )
    if filters.viewer is not None:
        codings = codings_visible(codings, user=filters.viewer, project=project)
    if filters.codes:
        wanted: set[int] = set()
        for code in filters.codes:
            wanted.update(descendants(code.pk, index))
        codings = codings.filter(code_id__in=wanted)
    if filters.transcripts:
        codings = codings.filter(transcript_id__in=[t.pk for t in filters.transcripts])
    if filters.group_values:
        codings = codings.filter(transcript_id__in=groups_matching(index, filters))
    if filters.coders:
        codings = codings.filter(coder_id__in=[user.pk for user in filters.coders])
    if filters.starred_only:
        codings = codings.filter(starred=True)
    return codings.annotate(
        code_position=position_case("code_id", index.code_position),
        group_position=position_case(
            "transcript_id", {pk: group.position for pk, group in index.groups.items()}
        ),
    ).order_by("code_position", "group_position", "start", "end", "id")


def groups_matching(index: ProjectIndex, filters: ExportFilters) -> list[int]:
    """The groups whose group-attribute values pass the filter."""
    wanted: dict[int, set[str]] = {}
    for attribute, value in filters.group_values:
        wanted.setdefault(attribute.pk, set()).add(value)
    return [
        group.id
        for group in index.groups.values()
        if all(group.values.get(pk) in values for pk, values in wanted.items())
    ]


def position_case(field_name: str, positions: dict[int, int]) -> Case | Value:
    if not positions:
        return Value(0, output_field=IntegerField())
    return Case(
        *(When(**{field_name: pk}, then=Value(pos)) for pk, pos in positions.items()),
        default=Value(len(positions)),
        output_field=IntegerField(),
    )


def descendants(code_id: int, index: ProjectIndex) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for code in index.codes.values():
        children.setdefault(code.parent_id, []).append(code.pk)
    found, stack = set(), [code_id]
    while stack:
        current = stack.pop()
        found.add(current)
        stack.extend(children.get(current, []))
    return found


CODING_FIELDS = (
    "id",
    "transcript_id",
    "code_id",
    "coder_id",
    "start",
    "end",
    "text",
    "memo",
    "origin",
    "starred",
    "created_at",
)


def quote_count(project: Project, filters: ExportFilters, index: ProjectIndex) -> int:
    """How many codings match the database-side filters (an upper bound with attribute
    filters), for progress reports."""
    return coding_queryset(project, filters, index).order_by().count()


def quote_records(
    project: Project, filters: ExportFilters, index: ProjectIndex | None = None
) -> Iterator[QuoteRecord]:
    """Stream the project's filtered codings as quote records, a chunk at a time from a
    server-side cursor: memory stays flat however many codings there are."""
    index = index or ProjectIndex(project)
    origins = dict(Coding.Origin.choices)
    wanted_attributes: dict[int, set[str]] = {}
    for attribute, value in filters.attribute_values:
        wanted_attributes.setdefault(attribute.pk, set()).add(value)
    rows = (
        coding_queryset(project, filters, index)
        .values_list(*CODING_FIELDS)
        .iterator(chunk_size=ITERATOR_CHUNK)
    )
    coder_names = index.coder_names(set())
    for (
        coding_id,
        transcript_id,
        code_id,
        coder_id,
        start,
        end,
        text,
        memo,
        origin,
        starred,
        created_at,
    ) in rows:
        turn = index.turn_for(transcript_id, start, end)
        participant_id = turn.participant_id if turn else None
        attributes = index.attribute_values.get(participant_id, {}) if participant_id else {}
        if wanted_attributes and not all(
            attributes.get(attribute_id) in values
            for attribute_id, values in wanted_attributes.items()
        ):
            continue
        if coder_id not in coder_names:
            coder_names = index.coder_names({coder_id})
        code = index.codes[code_id]
        yield QuoteRecord(
            coding_id=coding_id,
            theme=index.theme_of[code_id],
            code=code,
            code_path=index.paths[code_id],
            text=text,
            group=index.groups[transcript_id],
            turn=turn,
            participant=index.participants.get(participant_id) if participant_id else None,
            attributes=attributes,
            start=start,
            end=end,
            coder=coder_names.get(coder_id, ""),
            memo=memo,
            origin=origins.get(origin, origin),
            starred=starred,
            created_at=created_at,
        )
