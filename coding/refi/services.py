"""REFI-QDA exchange: export a project (``.qdpx``) or framework (``.qdc``), import them.

An import is checked completely (``importer.project_plan``) before anything is written, and then
written in one transaction: a bad file creates nothing."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from jobs.models import Job
from jobs.services import broker_check, job_start
from transcripts.models import (
    Attribute,
    AttributeValue,
    GroupAttribute,
    GroupAttributeValue,
    Membership,
    Participant,
    Project,
    Role,
    Transcript,
)
from transcripts.services.groups import BUILT_IN as GROUP_BUILT_IN
from transcripts.services.participants import attribute_value_clean
from transcripts.services.projects import project_create
from transcripts.services.transcripts import TurnSpec, content_hash, transcript_create

from ..models import Assignment, AuditEvent, Code, Coding, ExchangeGuid, Memo
from ..services.audit import snapshot
from ..services.codes import code_create
from .export import GROUP_FIELD_INDEX, GROUP_VARIABLES, codebook_qdc_bytes, project_qdpx_bytes
from .guids import AGREED_USER_ID, AGREED_USER_NAME, guids_keep
from .importer import CodePlan, NotePlan, ProjectPlan, project_plan
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
        self.reused: list[str] = []
        names = {importer.get_username().lower(), (importer.get_full_name() or "").lower()} - {""}
        for guid, user in refi_users.items():
            if {user["name"].strip().lower(), user["id"].strip().lower()} & names:
                self.mapped[guid] = importer

    @staticmethod
    def _placeholder_of(guid: str) -> Any:
        """The placeholder account an earlier import made for this REFI user GUID, so a round
        trip keeps one coder (and its GUID). Only inactive accounts with no usable password
        are matched: a file cannot claim a real person's account by naming its GUID."""
        user_ids = ExchangeGuid.objects.filter(kind="user", guid=uuid.UUID(guid)).values_list(
            "object_id", flat=True
        )
        for user in get_user_model().objects.filter(pk__in=list(user_ids), is_active=False):
            if not user.has_usable_password() and user.username.startswith("refi-"):
                return user
        return None

    def is_agreed(self, guid: str) -> bool:
        """The REFI user that carries the agreed (adjudicated) set, as this app exports it."""
        refi = self.refi_users.get(guid)
        return refi is not None and (
            refi["id"].strip() == AGREED_USER_ID or refi["name"].strip() == AGREED_USER_NAME
        )

    def get(self, guid: str) -> Any:
        if not guid or guid not in self.refi_users or self.is_agreed(guid):
            return self.importer
        if guid not in self.mapped:
            earlier = self._placeholder_of(guid)
            if earlier is not None:
                Membership.objects.get_or_create(
                    project=self.project, user=earlier, defaults={"role": Role.CODER}
                )
                self.mapped[guid] = earlier
                self.reused.append(
                    f"{earlier.first_name or earlier.username} (as {earlier.username})"
                )
                return earlier
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
    if project is None:
        project = project_create(name=(name or plan.name)[:200], user=user)
    return _QdpxImport(
        plan=plan, project=project, user=user, filename=filename, progress=progress
    ).run()


class _QdpxImport:
    """The steps of one import, in order: framework, participants, transcripts with their
    codings, then the project's notes and the exchange GUIDs kept for the next round trip."""

    def __init__(
        self, *, plan: ProjectPlan, project: Project, user: Any, filename: str, progress: Any
    ) -> None:
        self.plan, self.project, self.user = plan, project, user
        self.filename, self.progress = filename, progress
        self.report: list[str] = list(plan.adjusted)
        self.kept: list[tuple[str, int, str]] = []
        self.users = _Users(project=project, importer=user, refi_users=plan.users)
        self.codes: dict[str, Code] = {}
        self.attributes: dict[str, Attribute] = {}
        self.by_hash: dict[str, Transcript] = {}
        self.codings: list[Coding] = []
        self.coding_guids: list[tuple[str, str, str]] = []
        self.seen_codings: set[tuple] = set()
        self.skipped_duplicates = 0
        # (participant label, case name, the sources the case is linked to) for every case
        self.case_links: list[tuple[str, str, set[str]]] = []
        self.memos: list[tuple[NotePlan, dict[str, Any]]] = []  # the notes, and what about
        # A source variable that is no group detail becomes a group attribute.
        self.group_values_pending: dict[str, dict[str, str]] = {}
        self.group_attributes: dict[str, GroupAttribute] = {}

    def step(self, fraction: float, message: str, force: bool = False) -> None:
        if self.progress is not None:
            self.progress.update(fraction, message, force=force)

    def run(self) -> dict[str, Any]:
        if self.plan.description:
            self.project.description = self.plan.description
        self.step(0.05, "Framework")
        self.codes, code_guids = _codes_write(
            project=self.project, user=self.user, nodes=self.plan.codes, report=self.report
        )
        self.kept += code_guids
        self.step(0.15, "Participants")
        self.attributes_write()
        self.group_variables_keep()
        self.participants_write()
        self.step(0.25, "Transcripts")
        sources = self.plan.sources
        for index, source in enumerate(sources):
            transcript = self.transcript_for(source, order=index)
            self.codings_collect(source, transcript)
            self.step(0.25 + 0.5 * (index + 1) / max(len(sources), 1), f"Transcript {index + 1}")
        self.report_skipped()
        self.step(0.8, "Codings")
        self.codings_write()
        self.assignments_write()
        self.notes_write()
        # Every REFI user that became a coder here (the importer, reused or new placeholders).
        self.kept += [("user", account.pk, guid) for guid, account in self.users.mapped.items()]
        guids_keep(project=self.project, rows=self.kept)
        self.step(
            0.99,
            f"Imported {len(self.by_hash)} transcript(s), {len(self.codes)} code(s), "
            f"{len(self.codings)} coding(s).",
            force=True,
        )
        return self.summary()

    def attributes_write(self) -> None:
        taken: set[str] = set()
        case_variables = {g for case in self.plan.cases for g in case.values}
        for order, (guid, variable) in enumerate(self.plan.variables.items()):
            if guid not in case_variables:
                continue
            attribute = Attribute.objects.create(
                project=self.project,
                name=_unique(variable["name"].strip() or "Variable", taken, 100),
                type=VARIABLE_TYPES.get(variable["type"], Attribute.Type.TEXT),
                choices=["true", "false"] if variable["type"] == "Boolean" else [],
                order=order,
            )
            self.attributes[guid] = attribute
            self.kept.append(("attribute", attribute.pk, guid))

    def group_variables_keep(self) -> None:
        """The file's GUIDs for the group-metadata variables (Site, Date ...), so exporting
        again names them the same."""
        fields = {label.lower(): field for field, label, _kind in GROUP_VARIABLES}
        for guid, variable in self.plan.variables.items():
            field = fields.get(variable["name"].strip().lower())
            if field is not None and guid not in self.attributes:
                self.kept.append(("group-variable", GROUP_FIELD_INDEX[field], guid))

    def participants_write(self) -> None:
        labels: set[str] = set()
        values: list[AttributeValue] = []
        for number, case in enumerate(self.plan.cases, start=1):
            label = _unique(case.name or f"Case {number}", labels, 100)
            if case.name and label != case.name:
                self.report.append(f"Case {case.name!r} appears twice; renamed {label!r}.")
            participant = Participant.objects.create(
                project=self.project, label=label, notes=case.description
            )
            self.kept.append(("participant", participant.pk, case.guid))
            self.case_links.append((label, case.name or label, set(case.source_refs)))
            values += [
                AttributeValue(
                    participant=participant,
                    attribute=self.attributes[guid],
                    value=_attribute_value(self.plan.variables[guid]["type"], value)[:500],
                )
                for guid, value in case.values.items()
                if value
            ]
        AttributeValue.objects.bulk_create(values, batch_size=1000)

    def transcript_for(self, source: Any, *, order: int) -> Transcript:
        """The source's transcript: a new one, or the one already made from the same text."""
        digest = content_hash(source.text)
        transcript = self.by_hash.get(digest)
        if transcript is not None:
            self.report.append(
                f"Source {source.name!r} has the same text as {transcript.name!r}: its codings "
                "were added to that transcript."
            )
            return transcript
        fields = self.source_fields(source)
        speakers = self.speakers_of(source)
        turns = [
            TurnSpec(
                start=turn["start"],
                end=turn["end"],
                speaker_label=turn.get("speaker_label", ""),
                participant=""
                if turn.get("is_facilitator")
                else speakers.get(turn.get("speaker_label", "").casefold(), ""),
                is_facilitator=turn.get("is_facilitator", False),
                timestamp_start_ms=turn.get("timestamp_start_ms"),
            )
            for turn in turns_for_imported_text(source.text)
        ]
        self.report_unmatched_cases(source, turns)
        transcript = transcript_create(
            project=self.project,
            text=source.text,
            turns=turns,
            user=self.user,
            order=order,
            source_format="refi-qda",
            original_filename=self.filename[:255],
            **fields,
        )
        self.by_hash[digest] = transcript
        self.kept.append(("transcript", transcript.pk, source.guid))
        self.group_values_write(source, transcript)
        self.memos += [(note, {"about": Memo.About.TRANSCRIPT, "transcript": transcript})
                       for note in source.notes]  # fmt: skip
        return transcript

    def speakers_of(self, source: Any) -> dict[str, str]:
        """Speaker label (case-folded) -> participant label, for the cases that may speak in
        this source: those linked to it, and those linked to no source at all."""
        return {
            name.casefold(): label
            for label, name, sources in self.case_links
            if not sources or source.guid in sources
        }

    def report_unmatched_cases(self, source: Any, turns: list[TurnSpec]) -> None:
        spoken = {turn.participant for turn in turns}
        for label, name, sources in self.case_links:
            if source.guid in sources and label not in spoken:
                self.report.append(
                    f"Case {name!r} is linked to source {source.name!r}, but no speaker there "
                    "is called that: the link is not kept (participants are linked to "
                    "transcripts through their speaker turns)."
                )

    def source_fields(self, source: Any) -> dict[str, Any]:
        """Group metadata from the source's variables (name, site, date, facilitator, ...)."""
        group_fields = {label.lower(): field for field, label, _kind in GROUP_VARIABLES}
        fields: dict[str, Any] = {"name": source.name, "description": source.description}
        for guid, value in source.variables.items():
            variable_name = self.plan.variables[guid]["name"]
            field = group_fields.get(variable_name.strip().lower())
            if field is None:
                self.group_values_pending.setdefault(source.guid, {})[guid] = value
            elif field == "date":
                try:
                    fields["date"] = datetime.date.fromisoformat(value[:10])
                except ValueError:
                    self.report.append(f"Source {source.name!r}: date {value!r} unreadable.")
            elif field == "kind":
                if value in Transcript.Kind.values:
                    fields["kind"] = value
            else:
                fields[field] = value[:200] if field != "description" else value
        return fields

    def codings_collect(self, source: Any, transcript: Transcript) -> None:
        for planned in source.codings:
            coder = self.users.get(planned.user_guid)
            agreed = self.users.is_agreed(planned.user_guid)
            code = self.codes[planned.code_guid]
            key = (transcript.pk, code.pk, None if agreed else coder.pk, planned.start, planned.end)
            if key in self.seen_codings:
                self.skipped_duplicates += 1
                continue
            self.seen_codings.add(key)
            created = parse_datetime(planned.created or "") or timezone.now()
            if timezone.is_naive(created):
                created = timezone.make_aware(created, datetime.UTC)
            self.codings.append(
                Coding(
                    transcript=transcript,
                    code=code,
                    coder=coder,
                    start=planned.start,
                    end=planned.end,
                    text=transcript.text[planned.start : planned.end],
                    memo=planned.memo,
                    origin=Coding.Origin.ADJUDICATED if agreed else Coding.Origin.IMPORTED,
                    created_at=created,
                    updated_at=created,
                )
            )
            self.coding_guids.append((planned.guid, planned.selection_guid, planned.note_guid))

    def group_values_write(self, source: Any, transcript: Transcript) -> None:
        for guid, raw in self.group_values_pending.pop(source.guid, {}).items():
            attribute = self.group_attribute_for(guid)
            try:
                value = attribute_value_clean(attribute, _attribute_value(  # type: ignore[arg-type]
                    self.plan.variables[guid]["type"], raw))  # fmt: skip
            except ValueError as exc:
                self.report.append(f"Source {source.name!r}: {attribute.name} {exc}; left out.")
                continue
            if value:
                GroupAttributeValue.objects.create(
                    transcript=transcript, attribute=attribute, value=value
                )

    def group_attribute_for(self, guid: str) -> GroupAttribute:
        if guid not in self.group_attributes:
            variable = self.plan.variables[guid]
            taken = set(self.project.group_attributes.values_list("name", flat=True))
            taken |= {label for _field, label, _kind in GROUP_VARIABLES} | GROUP_BUILT_IN
            name = _unique(variable["name"].strip() or "Variable", taken, 100)
            attribute = GroupAttribute.objects.create(
                project=self.project,
                name=name,
                type=VARIABLE_TYPES.get(variable["type"], Attribute.Type.TEXT),
                choices=["true", "false"] if variable["type"] == "Boolean" else [],
                order=len(taken),
            )
            self.group_attributes[guid] = attribute
            self.kept.append(("group-attribute", attribute.pk, guid))
        return self.group_attributes[guid]

    def report_skipped(self) -> None:
        if self.group_attributes:
            names = ", ".join(repr(a.name) for a in self.group_attributes.values())
            self.report.append(f"Source variables became group attributes: {names}.")
        if self.skipped_duplicates:
            self.report.append(
                f"{self.skipped_duplicates} duplicate coding(s) (same span, code and coder) merged."
            )

    def codings_write(self) -> None:
        Coding.objects.bulk_create(self.codings, batch_size=1000)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    project=self.project,
                    user=self.user,
                    action="import",
                    object_type="coding",
                    object_id=coding.pk,
                    after=snapshot(coding),
                )
                for coding in self.codings
            ],
            batch_size=1000,
        )
        for coding, guids in zip(self.codings, self.coding_guids, strict=True):
            for kind, guid in zip(("coding", "selection", "note"), guids, strict=True):
                if guid:
                    self.kept.append((kind, coding.pk, guid))

    def assignments_write(self) -> None:
        """Every coder of the file is assigned to, and done with, every source in it: coded
        elsewhere (say in NVivo by two people), the project's agreement can be measured here."""
        coders = {c.coder_id for c in self.codings if c.origin != Coding.Origin.ADJUDICATED}
        if not coders:
            return
        now = timezone.now()
        Assignment.objects.bulk_create(
            [
                Assignment(transcript=t, coder_id=coder, assigned_by=self.user, done_at=now)
                for t in self.by_hash.values()
                for coder in sorted(coders)
            ],
            ignore_conflicts=True,
        )
        agreed = sum(1 for c in self.codings if c.origin == Coding.Origin.ADJUDICATED)
        if agreed:
            self.report.append(f"{agreed} coding(s) came in as the agreed (adjudicated) set.")

    def notes_write(self) -> None:
        """Every note not on a coding becomes a memo: on the code or the source that refers to
        it, else on the project, or on a participant when its name says so (this app's own
        export names participant memos "Participant P3: title")."""
        self.code_memos(self.plan.codes)
        participants = {p.label: p for p in Participant.objects.filter(project=self.project)}
        for note in self.plan.loose_notes:
            label, _, title = note.name.partition(": ")
            who = participants.get(label.removeprefix("Participant "))
            if label.startswith("Participant ") and who is not None and title:
                self.memos.append((note, {"about": Memo.About.PARTICIPANT, "participant": who,
                                          "title": title}))  # fmt: skip
            else:
                self.memos.append((note, {"about": Memo.About.PROJECT}))
        made = []
        for note, about in self.memos:
            created = parse_datetime(note.created or "") or timezone.now()
            if timezone.is_naive(created):
                created = timezone.make_aware(created, datetime.UTC)
            author = self.users.get(note.user_guid) if note.user_guid else self.user
            fields = {"title": note.name[:200], **about}
            made.append(Memo(project=self.project, text=note.text, author=author,
                             created_at=created, updated_at=created, **fields))  # fmt: skip
        Memo.objects.bulk_create(made)
        for (note, _about), memo in zip(self.memos, made, strict=True):
            self.kept.append(("memo", memo.pk, note.guid))
        if made:
            self.report.append(f"{len(made)} note(s) became memos (on the project, a "
                               "transcript, a participant or a code).")  # fmt: skip
        self.project.save(update_fields=["description"])

    def code_memos(self, nodes: list[CodePlan]) -> None:
        notes = {note.guid: note for note in self.plan.code_notes}
        for node in nodes:
            code = self.codes[node.guid]
            self.memos += [(notes[guid], {"about": Memo.About.CODE, "code": code})
                           for guid in node.note_refs if guid in notes]  # fmt: skip
            self.code_memos(node.children)

    def summary(self) -> dict[str, Any]:
        return {
            "project_id": self.project.pk,
            "project_name": self.project.name,
            "transcripts": len(self.by_hash),
            "codes": len(self.codes),
            "codings": len(self.codings),
            "participants": len(self.plan.cases),
            "attributes": len(self.attributes),
            "memos": sum(1 for coding in self.codings if coding.memo),
            "coders_created": self.users.created,
            "coders_reused": self.users.reused,
            "not_imported": self.plan.not_imported,
            "notes": self.report,
        }


def qdpx_import_start(*, data: bytes, filename: str, name: str, user: Any) -> Job:
    """Keep the checked file in storage, make the new project it goes into (owned by ``user``)
    and import it there in the background (job kind ``coding.refi_import``)."""
    broker_check()  # before anything is stored
    path = default_storage.save(f"refi-imports/{uuid.uuid4()}.qdpx", ContentFile(data))
    try:
        with transaction.atomic():
            project = project_create(name=name[:200], user=user)
            return job_start(
                project=project,
                kind="coding.refi_import",
                user=user,
                params={"path": path, "filename": filename},
            )
    except Exception:
        default_storage.delete(path)  # nothing half-made stays behind
        raise
