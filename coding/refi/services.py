"""REFI-QDA exchange: export a project (``.qdpx``) or framework (``.qdc``), import them.

An import is checked completely (``importer.project_plan``) before anything is written, and then
written in one transaction: a bad file creates nothing."""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from transcripts.models import (
    Attribute,
    AttributeValue,
    Membership,
    Participant,
    Project,
    Role,
    Transcript,
    Turn,
)
from transcripts.services import project_create

from ..models import AuditEvent, Code, Coding
from ..services import code_create, snapshot
from .export import GROUP_VARIABLES, codebook_qdc_bytes, project_qdpx_bytes
from .guids import guids_keep
from .importer import CodePlan, ProjectPlan, project_plan
from .text import turns_for_imported_text

__all__ = [
    "codebook_qdc_bytes",
    "project_qdpx_bytes",
    "qdpx_check",
    "qdpx_import",
]

VARIABLE_TYPES = {
    "Text": Attribute.Type.TEXT,
    "Boolean": Attribute.Type.CHOICE,
    "Integer": Attribute.Type.NUMBER,
    "Float": Attribute.Type.NUMBER,
    "Date": Attribute.Type.DATE,
    "DateTime": Attribute.Type.TEXT,
}


def qdpx_check(*, data: bytes, filename: str) -> ProjectPlan:
    """Everything an import checks, without writing: raises ``RefiError`` on a bad file."""
    return project_plan(data, filename=filename)


def _unique(name: str, taken: set[str], limit: int) -> str:
    name = name[:limit]
    candidate, number = name, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate = name[: limit - len(suffix)] + suffix
        number += 1
    taken.add(candidate.lower())
    return candidate


class _Users:
    """REFI users to accounts: the importing user by name, everyone else a new inactive
    placeholder account (no password) that is a coder of the new project."""

    def __init__(self, *, project: Project, importer: Any, refi_users: dict[str, dict]) -> None:
        self.project, self.importer, self.refi_users = project, importer, refi_users
        self.mapped: dict[str, Any] = {}
        self.created: list[str] = []
        names = {importer.get_username().lower(), (importer.get_full_name() or "").lower()} - {""}
        for guid, user in refi_users.items():
            if {user["name"].strip().lower(), user["id"].strip().lower()} & names:
                self.mapped[guid] = importer

    def get(self, guid: str) -> Any:
        if not guid or guid not in self.refi_users:
            return self.importer
        if guid not in self.mapped:
            refi = self.refi_users[guid]
            display = refi["name"].strip() or refi["id"].strip() or "Imported coder"
            User = get_user_model()
            base = f"refi-{slugify(display)[:60] or 'coder'}"
            username, number = base, 2
            while User.objects.filter(username=username).exists():
                username, number = f"{base}-{number}", number + 1
            user = User(username=username, first_name=display[:150], is_active=False)
            user.set_unusable_password()
            user.save()
            Membership.objects.create(project=self.project, user=user, role=Role.CODER)
            self.mapped[guid] = user
            self.created.append(f"{display} (as {username})")
        return self.mapped[guid]


def _codes_write(
    *, project: Project, user: Any, nodes: list[CodePlan], report: list[str]
) -> tuple[dict[str, Code], list[tuple[str, int, str]]]:
    by_guid: dict[str, Code] = {}
    kept: list[tuple[str, int, str]] = []

    def write(items: list[CodePlan], parent: Code | None, path: str) -> None:
        taken: set[str] = set()
        for order, node in enumerate(items):
            name = _unique(node.name, taken, 200)
            if name != node.name:
                report.append(f"Code {path}{node.name!r} appears twice here; renamed {name!r}.")
            code = code_create(
                project=project,
                user=user,
                name=name,
                parent=parent,
                colour=node.colour,
                order=order,
                **node.fields,
            )
            by_guid[node.guid] = code
            kept.append(("code", code.pk, node.guid))
            write(node.children, code, f"{path}{name} > ")

    write(nodes, None, "")
    return by_guid, kept


def _attribute_value(kind: str, value: str) -> str:
    if kind == "Date":
        return value[:10]
    if kind == "Boolean":
        return {"1": "true", "0": "false"}.get(value, value.lower())
    return value


@transaction.atomic
def qdpx_import(
    *,
    data: bytes,
    filename: str,
    user: Any,
    name: str = "",
    project: Project | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Import a ``.qdpx`` as a new project owned by ``user`` (or into ``project``, an empty
    project made for a background import). Returns the import report."""
    plan = project_plan(data, filename=filename)
    report_lines = list(plan.adjusted)

    def step(fraction: float, message: str, force: bool = False) -> None:
        if progress is not None:
            progress.update(fraction, message, force=force)

    if project is None:
        project = project_create(name=(name or plan.name)[:200], user=user)
    if plan.description:
        project.description = plan.description
    users = _Users(project=project, importer=user, refi_users=plan.users)
    kept: list[tuple[str, int, str]] = []
    for guid, refi_user in users.mapped.items():
        kept.append(("user", refi_user.pk, guid))

    step(0.05, "Framework")
    codes, code_guids = _codes_write(
        project=project, user=user, nodes=plan.codes, report=report_lines
    )
    kept += code_guids

    step(0.15, "Participants")
    attributes: dict[str, Attribute] = {}
    taken: set[str] = set()
    case_variables = {g for case in plan.cases for g in case.values}
    for order, (guid, variable) in enumerate(plan.variables.items()):
        if guid not in case_variables:
            continue
        attribute_name = _unique(variable["name"].strip() or "Variable", taken, 100)
        attribute = Attribute.objects.create(
            project=project,
            name=attribute_name,
            type=VARIABLE_TYPES.get(variable["type"], Attribute.Type.TEXT),
            choices=["true", "false"] if variable["type"] == "Boolean" else [],
            order=order,
        )
        attributes[guid] = attribute
        kept.append(("attribute", attribute.pk, guid))
    labels: set[str] = set()
    values: list[AttributeValue] = []
    for number, case in enumerate(plan.cases, start=1):
        label = _unique(case.name or f"Case {number}", labels, 100)
        if case.name and label != case.name:
            report_lines.append(f"Case {case.name!r} appears twice; renamed {label!r}.")
        participant = Participant.objects.create(
            project=project, label=label, notes=case.description
        )
        kept.append(("participant", participant.pk, case.guid))
        for guid, value in case.values.items():
            if value:
                kind = plan.variables[guid]["type"]
                values.append(
                    AttributeValue(
                        participant=participant,
                        attribute=attributes[guid],
                        value=_attribute_value(kind, value)[:500],
                    )
                )
    AttributeValue.objects.bulk_create(values, batch_size=1000)

    step(0.25, "Transcripts")
    group_fields = {label.lower(): field for field, label, _kind in GROUP_VARIABLES}
    by_hash: dict[str, Transcript] = {}
    codings: list[Coding] = []
    coding_guids: list[tuple[str, str]] = []
    seen_codings: set[tuple] = set()
    skipped_duplicates = 0
    ignored_variables: Counter[str] = Counter()
    for index, source in enumerate(plan.sources):
        content_hash = hashlib.sha256(source.text.encode()).hexdigest()
        transcript = by_hash.get(content_hash)
        if transcript is not None:
            report_lines.append(
                f"Source {source.name!r} has the same text as {transcript.name!r}: its codings "
                "were added to that transcript."
            )
        else:
            fields: dict[str, Any] = {"name": source.name, "description": source.description}
            for guid, value in source.variables.items():
                variable_name = plan.variables[guid]["name"].strip().lower()
                field = group_fields.get(variable_name)
                if field is None:
                    ignored_variables[plan.variables[guid]["name"]] += 1
                elif field == "date":
                    try:
                        fields["date"] = datetime.date.fromisoformat(value[:10])
                    except ValueError:
                        report_lines.append(f"Source {source.name!r}: date {value!r} unreadable.")
                elif field == "kind":
                    if value in Transcript.Kind.values:
                        fields["kind"] = value
                else:
                    fields[field] = value[:200] if field != "description" else value
            if source.notes:
                fields["description"] = "\n\n".join([fields["description"], *source.notes]).strip()
            transcript = Transcript.objects.create(
                project=project,
                text=source.text,
                content_hash=content_hash,
                source_format="refi-qda",
                original_filename=filename[:255],
                order=index,
                created_by=user,
                **fields,
            )
            by_hash[content_hash] = transcript
            kept.append(("transcript", transcript.pk, source.guid))
            Turn.objects.bulk_create(
                [
                    Turn(
                        transcript=transcript,
                        order=order,
                        start=turn["start"],
                        end=turn["end"],
                        speaker_label=turn.get("speaker_label", ""),
                        is_facilitator=turn.get("is_facilitator", False),
                        timestamp_start_ms=turn.get("timestamp_start_ms"),
                    )
                    for order, turn in enumerate(turns_for_imported_text(source.text))
                ],
                batch_size=1000,
            )
        for planned in source.codings:
            coder = users.get(planned.user_guid)
            code = codes[planned.code_guid]
            key = (transcript.pk, code.pk, coder.pk, planned.start, planned.end)
            if key in seen_codings:
                skipped_duplicates += 1
                continue
            seen_codings.add(key)
            created = parse_datetime(planned.created or "") or timezone.now()
            if timezone.is_naive(created):
                created = timezone.make_aware(created, datetime.UTC)
            codings.append(
                Coding(
                    transcript=transcript,
                    code=code,
                    coder=coder,
                    start=planned.start,
                    end=planned.end,
                    text=transcript.text[planned.start : planned.end],
                    memo=planned.memo,
                    origin=Coding.Origin.IMPORTED,
                    created_at=created,
                    updated_at=created,
                )
            )
            coding_guids.append((planned.guid, planned.selection_guid))
        step(0.25 + 0.5 * (index + 1) / max(len(plan.sources), 1), f"Transcript {index + 1}")
    for name_, count in ignored_variables.items():
        report_lines.append(
            f"Source variable {name_!r} ({count} value(s)) is not imported: transcripts only "
            "keep group name, site, date, facilitator and description."
        )
    if skipped_duplicates:
        report_lines.append(
            f"{skipped_duplicates} duplicate coding(s) (same span, code and coder) merged."
        )

    step(0.8, "Codings")
    Coding.objects.bulk_create(codings, batch_size=1000)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                project=project,
                user=user,
                action="import",
                object_type="coding",
                object_id=coding.pk,
                after=snapshot(coding),
            )
            for coding in codings
        ],
        batch_size=1000,
    )
    for coding, (guid, selection_guid) in zip(codings, coding_guids, strict=True):
        kept.append(("coding", coding.pk, guid))
        if selection_guid:
            kept.append(("selection", coding.pk, selection_guid))
    if plan.loose_notes:
        section = "Notes imported from REFI-QDA:\n\n" + "\n\n".join(plan.loose_notes)
        project.description = "\n\n".join(filter(None, [project.description, section]))
        report_lines.append(
            f"{len(plan.loose_notes)} note(s) not attached to a coding or source were added "
            "to the project description."
        )
    project.save(update_fields=["description"])
    guids_keep(project=project, rows=kept)
    step(
        0.99,
        f"Imported {len(by_hash)} transcript(s), {len(codes)} code(s), {len(codings)} coding(s).",
        force=True,
    )
    return {
        "project_id": project.pk,
        "project_name": project.name,
        "transcripts": len(by_hash),
        "codes": len(codes),
        "codings": len(codings),
        "participants": len(plan.cases),
        "attributes": len(attributes),
        "memos": sum(1 for coding in codings if coding.memo),
        "coders_created": users.created,
        "not_imported": plan.not_imported,
        "notes": report_lines,
    }
