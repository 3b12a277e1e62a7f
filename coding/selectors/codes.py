"""Reads of the framework and codings, scoped through the project the caller already checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.http import Http404

from transcripts.models import Project, Transcript
from transcripts.selectors import project_get_for_user

from ..models import AuditEvent, Code, Coding
from .team import codings_visible


@dataclass
class CodeNode:
    code: Code
    depth: int
    children: list[CodeNode] = field(default_factory=list)


def code_list(*, project: Project) -> QuerySet[Code]:
    return Code.objects.filter(project=project).order_by("order", "name", "id")


def code_tree(*, project: Project) -> list[CodeNode]:
    """The framework as a tree of nodes in framework order (one query)."""
    codes = list(code_list(project=project))
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)

    def build(parent_id: int | None, depth: int) -> list[CodeNode]:
        return [
            CodeNode(code=code, depth=depth, children=build(code.pk, depth + 1))
            for code in children.get(parent_id, [])
        ]

    return build(None, 0)


def code_tree_flat(*, project: Project) -> list[CodeNode]:
    """The tree in display order (depth-first), for lists, tables and exports."""
    out: list[CodeNode] = []

    def walk(nodes: list[CodeNode]) -> None:
        for node in nodes:
            out.append(node)
            walk(node.children)

    walk(code_tree(project=project))
    return out


def code_descendant_ids(*, code: Code) -> list[int]:
    """The code's id and those of all its sub-codes (a theme with everything under it)."""
    pairs = list(Code.objects.filter(project_id=code.project_id).values_list("id", "parent_id"))
    children: dict[int | None, list[int]] = {}
    for code_id, parent_id in pairs:
        children.setdefault(parent_id, []).append(code_id)
    found, stack = [], [code.pk]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def code_path(*, code: Code, by_id: dict[int, Code]) -> str:
    """``Theme > Sub-code`` using a prefetched ``{id: code}`` map."""
    names = [code.name]
    parent_id = code.parent_id
    while parent_id is not None and parent_id in by_id:
        parent = by_id[parent_id]
        names.append(parent.name)
        parent_id = parent.parent_id
    return " > ".join(reversed(names))


# -- the framework page and the audit log ---------------------------------------------------


@dataclass
class FrameworkRow:
    """A code on the framework page: its place in the tree and its codings per transcript
    (a theme's counts include its sub-codes')."""

    code: Code
    depth: int
    is_first: bool
    is_last: bool
    has_children: bool
    counts: list[int]
    heat: list[float]
    total: int
    urls: dict[str, str] = field(default_factory=dict)  # filled by the view for writers
    position: int = 0  # among its siblings, from 0
    # themes only: distinct passages (transcript, start, end) coded with the theme or any of its
    # sub-codes by anyone in the filter, so a passage coded twice counts once
    passages: list[int] = field(default_factory=list)
    passages_total: int = 0

    @property
    def cells(self) -> list[tuple[int, float, int | None]]:
        passages: list[int | None] = list(self.passages) or [None] * len(self.counts)
        return list(zip(self.counts, self.heat, passages, strict=True))


@dataclass
class FrameworkTable:
    rows: list[FrameworkRow]
    transcripts: list[Transcript]
    column_totals: list[int]
    total: int


def framework_table(
    *, project: Project, coder_id: int | None = None, user: Any = None
) -> FrameworkTable:
    """The code tree with a code-by-transcript count of codings (and, for themes, of distinct
    passages), in five queries whatever the size of the framework. Shading (``heat``, 0 to 1)
    is relative to the busiest cell among codes at the same depth, so themes compare with
    themes and sub-codes with sub-codes."""
    tree = code_tree(project=project)
    nodes: list[CodeNode] = []
    first_ids: set[int] = set()
    last_ids: set[int] = set()
    positions: dict[int, int] = {}

    def walk(siblings: list[CodeNode]) -> None:
        if siblings:
            first_ids.add(siblings[0].code.pk)
            last_ids.add(siblings[-1].code.pk)
        for position, node in enumerate(siblings):
            positions[node.code.pk] = position
            nodes.append(node)
            walk(node.children)

    walk(tree)
    transcripts = list(Transcript.objects.filter(project=project).only("id", "name", "order"))
    column = {transcript.pk: index for index, transcript in enumerate(transcripts)}
    codings = Coding.objects.filter(transcript__project=project).exclude(
        origin=Coding.Origin.ADJUDICATED
    )
    if user is not None:
        codings = codings_visible(codings, user=user, project=project)
    if coder_id is not None:
        codings = codings.filter(coder_id=coder_id)
    counts: dict[int, list[int]] = {node.code.pk: [0] * len(transcripts) for node in nodes}
    pairs = codings.values_list("code_id", "transcript_id").annotate(n=Count("id")).order_by()
    for code_id, transcript_id, n in pairs:
        if code_id in counts and transcript_id in column:
            counts[code_id][column[transcript_id]] += n
    for node in reversed(nodes):  # children come after their parent: roll counts up
        parent_id = node.code.parent_id
        if parent_id in counts:
            parent_counts = counts[parent_id]
            for index, n in enumerate(counts[node.code.pk]):
                parent_counts[index] += n
    busiest: dict[int, int] = {}
    for node in nodes:
        busiest[node.depth] = max([busiest.get(node.depth, 0), *counts[node.code.pk]])
    rows = []
    for node in nodes:
        row_counts = counts[node.code.pk]
        top = busiest[node.depth] or 1
        rows.append(
            FrameworkRow(
                code=node.code,
                depth=node.depth,
                is_first=node.code.pk in first_ids,
                is_last=node.code.pk in last_ids,
                has_children=bool(node.children),
                counts=row_counts,
                heat=[round(n / top, 2) for n in row_counts],
                total=sum(row_counts),
                position=positions[node.code.pk],
            )
        )
    themes = [row for row in rows if row.depth == 0]
    _theme_passages(codings=codings, nodes=nodes, themes=themes, column=column)
    column_totals = [sum(row.counts[i] for row in themes) for i in range(len(transcripts))]
    return FrameworkTable(
        rows=rows, transcripts=transcripts, column_totals=column_totals, total=sum(column_totals)
    )


def _theme_passages(
    *, codings: QuerySet[Coding], nodes: list[CodeNode], themes: list, column: dict[int, int]
) -> None:
    """Distinct coded passages per theme and transcript, in one query."""
    if not themes or not column:
        return
    theme_of: dict[int, int] = {}
    for node in nodes:  # parents come before their children
        code = node.code
        theme_of[code.pk] = theme_of[code.parent_id] if code.parent_id else code.pk
    members: dict[int, list[int]] = {}
    for code_id, theme_id in theme_of.items():
        members.setdefault(theme_id, []).append(code_id)
    theme_case = Case(
        *[When(code_id__in=ids, then=Value(theme)) for theme, ids in members.items()],
        output_field=IntegerField(),
    )
    # one number per span: transcripts are far shorter than 10**9 code points
    start = Cast("start", BigIntegerField())
    span = ExpressionWrapper(start * 1_000_000_000 + F("end"), output_field=BigIntegerField())
    rows = (
        codings.annotate(theme=theme_case)
        .values_list("theme", "transcript_id")
        .annotate(n=Count(span, distinct=True))
        .order_by()
    )
    passages = {row.code.pk: [0] * len(column) for row in themes}
    for theme_id, transcript_id, n in rows:
        if theme_id in passages and transcript_id in column:
            passages[theme_id][column[transcript_id]] = n
    for row in themes:
        row.passages = passages[row.code.pk]
        row.passages_total = sum(row.passages)


def code_get_for_user(*, user: Any, project_id: int, code_id: int, write: bool = False) -> Code:
    project = project_get_for_user(user=user, project_id=project_id, write=write)
    code = Code.objects.filter(project=project, pk=code_id).first()
    if code is None:
        raise Http404("No such code.")
    code.project = project
    return code


def audit_event_list(
    *, project: Project, user_id: int | None = None, object_type: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(project=project).select_related("user")
    if user_id is not None:
        events = events.filter(user_id=user_id)
    if object_type:
        events = events.filter(object_type=object_type)
    return events.order_by("-at", "-id")


def audit_users(*, project: Project) -> QuerySet:
    """Everyone who appears in the project's audit log (members past and present)."""
    User = get_user_model()
    return User.objects.filter(
        pk__in=AuditEvent.objects.filter(project=project).values("user_id")
    ).order_by("username")
