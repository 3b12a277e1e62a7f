"""Merge a REFI-QDA codebook (``.qdc``, or the codebook of a ``.qdpx``) into a framework."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from transcripts.models import Project

from ..models import Code
from ..services.audit import audit_record, snapshot
from ..services.codes import code_create
from .archive import QdpxArchive
from .guids import guids_keep
from .importer import CodePlan, _parse_codes
from .xml import CODEBOOK_NS, RefiError, q, schema_errors, xml_parse


def codebook_plan(data: bytes, *, filename: str) -> tuple[list[CodePlan], list[str]]:
    """The code tree of a ``.qdc`` or ``.qdpx``, checked against its schema. Tolerates an empty
    ``<Sets/>`` (Taguette writes one; the schema wants at least one Set)."""
    notes: list[str] = []
    if data[:4] == b"PK\x03\x04":
        archive = QdpxArchive(data, filename=filename)
        entry = archive.project_entry()
        root = xml_parse(archive.read(entry), filename=entry)
    else:
        root = xml_parse(data, filename=filename)
    if root.tag == q("CodeBook", CODEBOOK_NS):
        sets = root.find(q("Sets", CODEBOOK_NS))
        if sets is not None and len(sets) == 0:
            root.remove(sets)
            notes.append(
                "An empty <Sets/> (as Taguette writes it) breaks the codebook schema, which "
                "wants at least one Set: it was ignored, and the codes were imported."
            )
        errors = schema_errors(root, codebook=True)
        kind = "codebook"
        codes_el = root.find(q("Codes", CODEBOOK_NS))
        if sets is not None and len(sets):
            notes.append(f"{len(sets)} code set(s) are not imported.")
    elif root.tag == q("Project"):
        errors = schema_errors(root)
        kind = "project"
        codebook = root.find(q("CodeBook"))
        codes_el = codebook.find(q("Codes")) if codebook is not None else None
    else:
        raise RefiError(f"{filename} is not a REFI-QDA codebook or project (root {root.tag!r}).")
    if errors:
        shown = "; ".join(errors[:3])
        raise RefiError(f"{filename} does not follow the REFI-QDA {kind} schema: {shown}.")
    if codes_el is None:
        raise RefiError(f"{filename} has no codes.")
    if kind == "codebook":  # same shape, other namespace: move it to ours to share the parser
        for element in codes_el.iter():
            if isinstance(element.tag, str):
                element.tag = element.tag.replace(CODEBOOK_NS, "urn:QDA-XML:project:1.0")
    return _parse_codes(codes_el, notes), notes


@transaction.atomic
def codebook_import(*, project: Project, user: Any, data: bytes, filename: str) -> dict[str, Any]:
    """Merge by name path: a code with the same name under the same parent is kept and its
    definition, criteria and colour updated from the file where the file has them; other codes
    are added. Nothing is deleted."""
    nodes, notes = codebook_plan(data, filename=filename)
    existing: dict[tuple[int | None, str], Code] = {
        (code.parent_id, code.name.lower()): code for code in Code.objects.filter(project=project)
    }
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    kept: list[tuple[str, int, str]] = []

    def merge(items: list[CodePlan], parent: Code | None) -> None:
        for node in items:
            code = existing.get((parent.pk if parent else None, node.name.lower()))
            if code is None:
                order = Code.objects.filter(project=project, parent=parent).count()
                code = code_create(
                    project=project,
                    user=user,
                    name=node.name,
                    parent=parent,
                    colour=node.colour,
                    order=order,
                    **node.fields,
                )
                existing[(code.parent_id, code.name.lower())] = code
                counts["added"] += 1
            else:
                before = snapshot(code)
                changes = {k: v for k, v in node.fields.items() if v and getattr(code, k) != v}
                if node.colour and node.colour != code.colour.lower():
                    changes["colour"] = node.colour
                if changes:
                    for field, value in changes.items():
                        setattr(code, field, value)
                    code.save(update_fields=list(changes))
                    audit_record(
                        project=project,
                        user=user,
                        action="update",
                        instance=code,
                        before=before,
                        after=snapshot(code),
                    )
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
            kept.append(("code", code.pk, node.guid))
            merge(node.children, code)

    merge(nodes, None)
    guids_keep(project=project, rows=kept)
    return {**counts, "notes": notes}
