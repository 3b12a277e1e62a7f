"""Reads of the framework and codings, scoped through the project the caller already checked."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from transcripts.models import Project

from .models import Code


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
