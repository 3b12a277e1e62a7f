"""Bulk upload: a batch of files is read by a job, reviewed by the analyst, then imported by a
second job with one transaction per file, so a transcript is never half-imported and the good
files of a batch are imported whatever happens to the bad ones.

Speaker mapping (``ImportBatch.speakers``), per label found across the batch:
``{"rename": str, "action": str, "participant": str}`` where action is one of ``ACTIONS``.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import InterfaceError, OperationalError, transaction
from django.template.defaultfilters import filesizeformat

from jobs.models import Job
from jobs.runner import JobProgress
from jobs.services import job_create, job_enqueue

from ..importers import ImportFailure, ParsedDocument, ParsedTurn, parse_file
from ..importers.archive import _too_big, expand
from ..importers.speakers import is_facilitator_label, is_generic_label
from ..importers.survey import default_columns, survey_document
from ..importers.unwrap import TEXT_FORMATS, unwrapped_document, wrapped_breaks
from ..models import (
    ImportBatch,
    ImportItem,
    Project,
    Transcript,
)
from .participants import attribute_create, attribute_value_clean, infer_type
from .transcripts import (
    TranscriptDuplicate,
    TranscriptInvalid,
    TurnSpec,
    content_hash,
    transcript_create,
)

logger = logging.getLogger(__name__)

ACTIONS = {
    "participant": "Participant",
    "per_group": "A participant per group",
    "facilitator": "Facilitator",
    "none": "Speaker without participant",
    "merge": "Not a speaker: join to the turn before",
}
Status = ImportItem.Status
# The two jobs of an upload, declared in transcripts/tasks.py.
READ_JOB = "transcripts.import_read"
IMPORT_JOB = "transcripts.import_run"


# --- upload ---------------------------------------------------------------------------------


def _basename(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).name.strip() or "unnamed"


@transaction.atomic
def import_batch_create(
    *,
    project: Project,
    user: Any,
    files: Iterable[tuple[str, IO[bytes]]],
    enqueue: bool = True,
    too_big: Iterable[str] = (),
) -> ImportBatch:
    """Store the uploaded files (over the size limit: failed at once, not stored) and start
    the job that reads them. ``too_big`` names files the server stopped receiving once they
    passed the limit (``transcripts.upload_limits``). The job row comes first: with the broker
    down ``job_create`` refuses (``JobsUnavailable``) before any file is stored, and the
    transaction takes the rows back, so nothing is left behind."""
    batch = ImportBatch.objects.create(project=project, created_by=_user(user))
    batch.read_job = job_create(
        project=project, kind=READ_JOB, user=user, params={"batch": batch.pk}
    )
    limit = filesizeformat(settings.FG_MAX_UPLOAD_BYTES)
    for name in too_big:
        ImportItem.objects.create(
            batch=batch,
            order=0,
            filename=name.replace("\\", "/").strip("/")[:500] or "unnamed",
            status=Status.FAILED,
            error=f"{name}: over the size limit of {limit} per file; it was not kept.",
        )
    for order, (path, upload) in enumerate(files):
        name = path.replace("\\", "/").strip("/")[:500] or "unnamed"
        size = getattr(upload, "size", None)
        if size is None:
            upload.seek(0, 2)
            size = upload.tell()
            upload.seek(0)
        item = ImportItem(batch=batch, order=order, filename=name, size=size)
        if size > settings.FG_MAX_UPLOAD_BYTES:
            item.status, item.error = Status.FAILED, _too_big(name, size)
        else:
            item.file.save(_basename(name), File(upload), save=False)
        item.save()
    if not batch.items.exists():
        raise ValidationError("Choose at least one file to upload.")
    batch.save(update_fields=["read_job"])
    if enqueue:
        job_enqueue(job=batch.read_job)
    return batch


def _user(user: Any) -> Any:
    return user if user is not None and user.is_authenticated else None


# --- reading --------------------------------------------------------------------------------


def import_batch_read_job(job: Job, progress: JobProgress) -> dict[str, Any]:
    batch = ImportBatch.objects.select_related("project").get(pk=job.params["batch"])
    return import_batch_read(batch=batch, progress=progress)


def import_batch_read(*, batch: ImportBatch, progress: JobProgress | None = None) -> dict:
    """Unpack archives, parse every file, flag duplicates, propose group metadata and a
    speaker mapping; the batch is then ready to review."""
    for archive in batch.items.filter(status=Status.PENDING, filename__iendswith=".zip"):
        _unpack(archive)
    # One item in memory at a time: a read item holds its whole parsed text.
    pending = list(
        batch.items.filter(status=Status.PENDING)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )
    known = dict(batch.project.transcripts.values_list("content_hash", "name"))
    seen: dict[str, str] = {}
    for index, pk in enumerate(pending):
        item = ImportItem.objects.get(pk=pk)
        item.batch = batch
        if progress:
            progress.update(
                index / max(len(pending), 1),
                f"Reading {item.filename} ({index + 1} of {len(pending)})",
            )
        _read(item, known=known, seen=seen)
    _forget_rejected_files(batch)
    batch.speakers = speaker_mapping_defaults(batch=batch)
    reviewable = batch.items.filter(status__in=[Status.READY, Status.EXCLUDED]).exists()
    batch.status = ImportBatch.Status.REVIEW if reviewable else ImportBatch.Status.REJECTED
    batch.save(update_fields=["speakers", "status"])
    counts = _counts(batch)
    if progress:
        progress.update(1, f"Read {len(pending)} file(s): {counts['ready']} ready.", force=True)
    return counts


def _counts(batch: ImportBatch) -> dict[str, int]:
    statuses = list(batch.items.exclude(status=Status.ARCHIVE).values_list("status", flat=True))
    return {
        "files": len(statuses),
        "ready": statuses.count(Status.READY),
        "imported": statuses.count(Status.IMPORTED),
        "duplicates": statuses.count(Status.DUPLICATE),
        "failed": statuses.count(Status.FAILED),
    }


def _unpack(archive: ImportItem) -> None:
    with archive.file.open("rb") as stream:
        data = stream.read()
    try:
        entries = expand(archive.filename, data)
    except ImportFailure as exc:
        archive.status, archive.error = Status.FAILED, str(exc)
        archive.save(update_fields=["status", "error"])
        return
    with transaction.atomic():  # a read killed half-way leaves the archive to unpack again
        _unpacked_write(archive, entries)


def _unpacked_write(archive: ImportItem, entries: list[Any]) -> None:
    for entry in entries:
        item = ImportItem(
            batch=archive.batch,
            order=archive.order,
            filename=entry.name[:500],
            size=len(entry.data),
            status=Status.FAILED if entry.error else Status.PENDING,
            error=entry.error,
        )
        if not entry.error:
            item.file.save(_basename(entry.name), ContentFile(entry.data), save=False)
        item.save()
    archive.file.delete(save=False)
    archive.status = Status.ARCHIVE
    archive.save(update_fields=["status", "file"])


def _read(item: ImportItem, *, known: dict[str, str], seen: dict[str, str]) -> None:
    try:
        with item.file.open("rb") as stream:
            data = stream.read()
        document = parse_file(item.filename, data)
        item.source_format = document.source_format
        item.encoding = document.encoding
        item.warnings = document.warnings
        if document.table is not None:
            item.kind = Transcript.Kind.SURVEY
            item.survey_columns = default_columns(document.table)
            item.parsed = document.to_json()
            built = _survey_built(item)
        else:
            item.parsed = document.to_json()
            built = document
    except ImportFailure as exc:
        item.status, item.error = Status.FAILED, str(exc)
        item.save()
        return
    except Exception as exc:
        logger.exception("reading %s failed", item.filename)
        item.status = Status.FAILED
        item.error = f"{item.filename}: could not be read ({type(exc).__name__}: {exc})."
        item.save()
        return
    _propose_metadata(item, built)
    if document.table is not None:  # a survey's columns, for the review's column choices
        item.preview = {"headers": list(document.table.headers)}
    _preview_set(item, built)
    if built.text:
        item.content_hash = content_hash(built.text)
        if item.content_hash in known:
            item.status = Status.DUPLICATE
            item.error = (
                f"{item.filename}: the same text is already in the project as "
                f"{known[item.content_hash]}."
            )
        elif item.content_hash in seen:
            item.status = Status.DUPLICATE
            item.error = (
                f"{item.filename}: the same text as {seen[item.content_hash]} in this upload."
            )
        seen.setdefault(item.content_hash, item.filename)
    if item.status == Status.PENDING:
        item.status = Status.READY
    item.save()


PREVIEW_TURNS, PREVIEW_CHARS = 6, 240


def _preview_turns(document: ParsedDocument) -> list[list[str]]:
    rows = []
    for turn in document.turns[:PREVIEW_TURNS]:
        words = document.text[turn.start : turn.end]
        rows.append([turn.speaker, words if len(words) <= PREVIEW_CHARS else words[:239] + "…"])
    return rows


def _preview_set(item: ImportItem, document: ParsedDocument) -> None:
    """The first turns for the review, and the same after joining broken lines when the text
    has lines broken mid-sentence."""
    headers = (item.preview or {}).get("headers")
    item.preview = {"turns": _preview_turns(document)}
    if headers is not None:
        item.preview["headers"] = headers
    # What every view of the review needs, kept small here so no view loads the parsed text:
    # each speaker's turns (for the speaker mapping), and a survey's column headers.
    speakers: dict[str, int] = {}
    for turn in document.turns:
        if turn.speaker:
            speakers[turn.speaker] = speakers.get(turn.speaker, 0) + 1
    # pairs, not an object: PostgreSQL's jsonb would reorder the speakers
    item.preview["speakers"] = [[speaker, turns] for speaker, turns in speakers.items()]
    item.wrapped_breaks = 0
    if document.table is None and document.source_format in TEXT_FORMATS:
        item.wrapped_breaks = wrapped_breaks(document.text)
        if item.wrapped_breaks:
            joined = unwrapped_document(ParsedDocument.from_json(document.to_json()))
            item.preview["unwrapped"] = _preview_turns(joined)


def _survey_built(item: ImportItem) -> ParsedDocument:
    document = ParsedDocument.from_json(item.parsed or {})
    assert document.table is not None
    columns = item.survey_columns
    try:
        return survey_document(
            document.table,
            respondent=columns.get("respondent", ""),
            text_columns=list(columns.get("text", [])),
            source_format=document.source_format,
        )
    except ImportFailure as exc:
        return ParsedDocument(source_format=document.source_format, warnings=[str(exc)])


_GROUP = re.compile(r"\b(FG|focus[ _-]?group|group)[ _-]?(\d+)\b", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _propose_metadata(item: ImportItem, document: ParsedDocument) -> None:
    stem = PurePosixPath(item.filename).stem
    match = _GROUP.search(stem)
    item.name = (f"FG{int(match[2])}" if match else stem)[:200]
    date = _DATE.search(stem)
    if date:
        with contextlib.suppress(ValueError):
            item.date = datetime.date(int(date[1]), int(date[2]), int(date[3]))
    speakers = document.speakers
    facilitators = [label for label in speakers if is_facilitator_label(label)]
    # "Facilitator" or "MODERATOR" names a role, not a person: the facilitator field is left for
    # the analyst (or the batch's "same for every group" value) to fill with a name.
    if item.kind != Transcript.Kind.SURVEY and len(speakers) <= 2 and facilitators:
        item.kind = Transcript.Kind.INTERVIEW
    item.turn_count = len(document.turns)
    item.speaker_count = speaker_count(speakers)


# --- review ---------------------------------------------------------------------------------


def speaker_default(label: str, *, participants: set[str]) -> dict[str, str]:
    if is_facilitator_label(label):
        action = "facilitator"
    elif is_generic_label(label) and label not in participants:
        action = "per_group"
    else:
        action = "participant"
    return {"rename": label, "action": action, "participant": label}


def speaker_mapping_defaults(*, batch: ImportBatch) -> dict[str, dict[str, str]]:
    """Keep what the analyst already chose; propose a mapping for any new label."""
    participants = set(batch.project.participants.values_list("label", flat=True))
    mapping = dict(batch.speakers or {})
    for row in speaker_summary(batch=batch):
        if speaker_choice(mapping, row.label) is None:
            mapping[row.label] = speaker_default(row.label, participants=participants)
    return mapping


@dataclass
class SpeakerRow:
    label: str
    turns: int = 0
    files: list[str] = field(default_factory=list)


def speaker_count(labels: Iterable[str]) -> int:
    """How many people speak, the facilitator not counted (as the transcript list counts)."""
    return len({label.casefold() for label in labels if label and not is_facilitator_label(label)})


def speaker_summary(*, batch: ImportBatch) -> list[SpeakerRow]:
    """Each speaker found in the batch's ready files (surveys aside): turns and files. Labels
    that differ only in case ("PRIYA", "Priya") are one speaker, under its most used spelling."""
    rows: dict[str, SpeakerRow] = {}
    spellings: dict[str, dict[str, int]] = {}
    items = batch.items.filter(status=Status.READY).exclude(kind=Transcript.Kind.SURVEY)
    for name, counted in _speaker_counts(items):
        for speaker, turns in counted.items():
            if not speaker:
                continue
            key = speaker.casefold()
            row = rows.setdefault(key, SpeakerRow(speaker))
            counts = spellings.setdefault(key, {})
            counts[speaker] = counts.get(speaker, 0) + turns
            row.turns += turns
            if name not in row.files:
                row.files.append(name)
    for key, row in rows.items():
        counts = spellings[key]
        row.label = max(counts, key=lambda spelling: counts[spelling])  # first seen on a tie
    return list(rows.values())


def _speaker_counts(items: Any) -> Iterable[tuple[str, dict[str, int]]]:
    """``(file's group name, {speaker: turns})`` from the small summary kept at reading; a file
    read before it was kept is counted from its parsed text."""
    for pk, name, preview in items.values_list("pk", "name", "preview").order_by("order", "id"):
        if "speakers" in (preview or {}):
            yield name, dict(preview["speakers"])
            continue
        counted: dict[str, int] = {}
        parsed = ImportItem.objects.filter(pk=pk).values_list("parsed", flat=True).first()
        for speaker, *_ in (parsed or {}).get("turns", []):
            counted[speaker] = counted.get(speaker, 0) + 1
        yield name, counted


def speaker_choice(speakers: dict[str, dict[str, str]], label: str) -> dict[str, str] | None:
    """The analyst's choice for a label, matching its other spellings (case) too."""
    if label in speakers:
        return speakers[label]
    folded = label.casefold()
    return next((choice for key, choice in speakers.items() if key.casefold() == folded), None)


@transaction.atomic
def import_batch_review_save(
    *,
    batch: ImportBatch,
    items: dict[int, dict[str, Any]],
    speakers: dict[str, dict[str, str]],
) -> ImportBatch:
    """Save the analyst's choices: per item ``include`` and group metadata (and survey
    columns), per speaker label the mapping."""
    if batch.status != ImportBatch.Status.REVIEW:
        raise ValidationError("This upload is no longer being reviewed.")
    errors: list[str] = []
    for label, choice in speakers.items():
        if choice.get("action") not in ACTIONS:
            errors.append(f"Speaker {label!r}: choose what the label is.")
        if not " ".join(choice.get("rename", "").split()):
            errors.append(f"Speaker {label!r}: the label cannot be blank.")
        if choice.get("action") == "participant" and not choice.get("participant", "").strip():
            errors.append(f"Speaker {label!r}: name the participant.")
    if errors:
        raise ValidationError(errors)
    batch.speakers = {
        label: {
            "rename": " ".join(c["rename"].split())[:100],
            "action": c["action"],
            "participant": " ".join(c.get("participant", "").split())[:100],
        }
        for label, c in speakers.items()
    }
    batch.save(update_fields=["speakers"])
    # The parsed text is neither read nor written back here (a 5 MB file's JSON, per file):
    # only a survey whose columns are chosen again is built from it.
    editable = batch.items.filter(status__in=[Status.READY, Status.EXCLUDED]).defer("parsed")
    fields = ["status", "name", "kind", "site", "date", "facilitator", "description", "unwrap"]
    for item in editable.filter(pk__in=items):
        values = items[item.pk]
        item.status = Status.READY if values.get("include", True) else Status.EXCLUDED
        for name in ("name", "kind", "site", "date", "facilitator", "description", "unwrap"):
            if name in values:
                setattr(item, name, values[name])
        item.unwrap = bool(item.unwrap and item.wrapped_breaks)
        if "survey_columns" in values:
            item.survey_columns = values["survey_columns"]
            built = _survey_built(item)
            item.turn_count, item.speaker_count = len(built.turns), speaker_count(built.speakers)
            item.save(update_fields=[*fields, "survey_columns", "turn_count", "speaker_count"])
        else:
            item.save(update_fields=fields)
    return batch


@transaction.atomic
def import_batch_confirm(*, batch: ImportBatch, user: Any, enqueue: bool = True) -> Job:
    """Start the import of the batch's ready files."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.REVIEW:
        raise ValidationError("This upload has already been imported.")
    if not batch.items.filter(status=Status.READY).exists():
        raise ValidationError("There is nothing to import: no file is ready and included.")
    missing = [item.filename for item in batch.items.filter(status=Status.READY, name="")]
    if missing:
        raise ValidationError(f"Give a group name to {', '.join(missing)}.")
    batch.status = ImportBatch.Status.IMPORTING
    batch.import_job = job_create(
        project=batch.project, kind=IMPORT_JOB, user=user, params={"batch": batch.pk}
    )
    batch.save(update_fields=["status", "import_job"])
    if enqueue:
        job_enqueue(job=batch.import_job)
    return batch.import_job


@transaction.atomic
def import_batch_discard(*, batch: ImportBatch) -> None:
    """Drop a batch that was not imported, with its stored files."""
    job = batch.import_job
    if batch.status == ImportBatch.Status.IMPORTING and job is not None and not job.is_finished:
        raise ValidationError("This upload is being imported; wait for it to finish.")
    for item in batch.items.exclude(status=Status.IMPORTED).exclude(file=""):
        item.file.delete(save=False)
    batch.delete()


# --- import ---------------------------------------------------------------------------------


def import_batch_run_job(job: Job, progress: JobProgress) -> dict[str, Any]:
    batch = ImportBatch.objects.select_related("project", "created_by").get(pk=job.params["batch"])
    return import_batch_run(batch=batch, user=job.created_by, progress=progress)


def import_batch_run(
    *, batch: ImportBatch, user: Any = None, progress: JobProgress | None = None
) -> dict[str, int]:
    # One item (its parsed text, then its transcript) in memory at a time.
    items = list(
        batch.items.filter(status=Status.READY).order_by("order", "id").values_list("pk", flat=True)
    )
    for index, pk in enumerate(items):
        item = ImportItem.objects.get(pk=pk)
        item.batch = batch
        if progress:
            progress.update(
                index / len(items), f"Importing {item.filename} ({index + 1} of {len(items)})"
            )
        try:
            with transaction.atomic():
                transcript_import(item=item, speakers=batch.speakers, user=user)
        except ImportFailure as exc:
            item.status, item.error = Status.FAILED, str(exc)
        except _Duplicate as exc:
            item.status, item.error = Status.DUPLICATE, str(exc)
        except (OperationalError, InterfaceError):
            # The database went away: not this file's fault. It stays ready (its transaction
            # rolled back) and the job fails saying why; a re-run carries on from it.
            raise
        except Exception as exc:
            logger.exception("importing %s failed", item.filename)
            item.status = Status.FAILED
            item.error = f"{item.filename}: could not be saved ({type(exc).__name__}: {exc})."
        else:
            continue
        ImportItem.objects.filter(pk=item.pk).update(status=item.status, error=item.error)
    batch.status = ImportBatch.Status.DONE
    batch.save(update_fields=["status"])
    _forget_files_not_imported(batch)
    counts = _counts(batch)
    if progress:
        progress.update(
            1,
            f"Imported {counts['imported']}, skipped {counts['duplicates']} duplicate(s), "
            f"{counts['failed']} failed.",
            force=True,
        )
    return counts


def _forget_rejected_files(batch: ImportBatch) -> None:
    """A file that failed or duplicates a transcript is not kept while the rest is reviewed:
    uploaded material is sensitive, and it will never be imported."""
    rejected = batch.items.filter(status__in=[Status.FAILED, Status.DUPLICATE]).exclude(file="")
    for item in rejected.defer("parsed"):
        item.file.delete(save=False)
        ImportItem.objects.filter(pk=item.pk).update(file="")


def _forget_files_not_imported(batch: ImportBatch) -> None:
    """Uploaded material that did not become a transcript is not kept (it is sensitive)."""
    for item in batch.items.exclude(status=Status.IMPORTED).exclude(file="").defer("parsed"):
        item.file.delete(save=False)
        ImportItem.objects.filter(pk=item.pk).update(file="")


class _Duplicate(Exception):
    pass


def _resolved_turns(
    turns: list[ParsedTurn], speakers: dict[str, dict[str, str]], *, group: str
) -> list[TurnSpec]:
    """Apply the mapping: renamed labels, participant labels, facilitators, merged turns."""
    out: list[TurnSpec] = []
    for turn in turns:
        choice = speaker_choice(speakers, turn.speaker) or speaker_default(
            turn.speaker, participants=set()
        )
        if not turn.speaker:
            choice = {"rename": "", "action": "none", "participant": ""}
        if choice["action"] == "merge" and out:
            out[-1] = replace(
                out[-1],
                end=turn.end,
                timestamp_end_ms=turn.timestamp_end_ms or out[-1].timestamp_end_ms,
            )
            continue
        label = choice.get("rename") or turn.speaker
        participant = ""
        if choice["action"] == "participant":
            participant = choice.get("participant") or label
        elif choice["action"] == "per_group":
            participant = f"{group} {label}"[:100]
        out.append(
            TurnSpec(
                speaker_label="" if choice["action"] == "merge" else label[:100],
                participant=participant,
                is_facilitator=choice["action"] == "facilitator",
                start=turn.start,
                end=turn.end,
                timestamp_start_ms=turn.timestamp_start_ms,
                timestamp_end_ms=turn.timestamp_end_ms,
            )
        )
    return out


def transcript_import(
    *, item: ImportItem, speakers: dict[str, dict[str, str]], user: Any = None
) -> Transcript:
    """Write one item as a transcript with its turns and participants (and, for a survey, the
    respondents' attributes). Run inside a transaction: all of it or nothing."""
    document = ParsedDocument.from_json(item.parsed or {})
    if item.unwrap and item.wrapped_breaks:
        document = unwrapped_document(document)
    table = document.table
    if table is not None:
        document = survey_document(
            table,
            respondent=item.survey_columns.get("respondent", ""),
            text_columns=list(item.survey_columns.get("text", [])),
            source_format=document.source_format,
        )
        document.encoding = item.encoding
        speakers = {
            label: {"rename": label, "action": "participant", "participant": label}
            for label in document.speakers
        }
    group = item.name.strip() or PurePosixPath(item.filename).stem
    turns = _resolved_turns(document.turns, speakers, group=group)
    try:
        transcript = transcript_create(
            project=item.batch.project,
            name=group,
            text=document.text,
            turns=turns,
            user=user,
            kind=item.kind,
            site=item.site,
            date=item.date,
            facilitator=item.facilitator,
            description=item.description,
            original_file=item.file.name if item.file else "",
            original_filename=_basename(item.filename)[:255],
            source_format=document.source_format,
            encoding=item.encoding,
        )
    except TranscriptInvalid as exc:
        raise ImportFailure(f"{item.filename}: {exc}") from None
    except TranscriptDuplicate as exc:
        raise _Duplicate(f"{item.filename}: {exc}") from None
    if table is not None:
        participants = {p.label: p for p in item.batch.project.participants.all()}
        _survey_attributes(item, table, participants)
    item.status, item.error, item.transcript = Status.IMPORTED, "", transcript
    item.turn_count = len(turns)
    item.speaker_count = len(
        {t.speaker_label.casefold() for t in turns if t.speaker_label and not t.is_facilitator}
    )
    item.content_hash = transcript.content_hash
    item.save(
        update_fields=[
            "status",
            "error",
            "transcript",
            "turn_count",
            "speaker_count",
            "content_hash",
        ]
    )
    return transcript


def _survey_attributes(item: ImportItem, table, participants) -> None:
    """Respondent attributes from the survey's attribute columns (created when new)."""
    from ..models import AttributeValue

    columns = item.survey_columns
    respondent = columns.get("respondent", "")
    if not respondent:
        return
    index = {h: i for i, h in enumerate(table.headers)}
    project = item.batch.project
    existing = {a.name.casefold(): a for a in project.attributes.all()}
    for header in columns.get("attributes", []):
        if header not in index or header == respondent:
            continue
        values = [row[index[header]] for row in table.rows]
        attribute = existing.get(header.casefold())
        if attribute is None:
            kind, choices = infer_type(values)
            attribute = attribute_create(project=project, name=header, type=kind, choices=choices)
        for row in table.rows:
            label = row[index[respondent]].strip()
            if not label or label not in participants:
                continue
            try:
                value = attribute_value_clean(attribute, row[index[header]])
            except ValueError as exc:
                raise ImportFailure(
                    f"{item.filename}, respondent {label!r}, column {header!r}: {exc}."
                ) from None
            if value:
                AttributeValue.objects.update_or_create(
                    participant=participants[label], attribute=attribute, defaults={"value": value}
                )


__all__ = [
    "ACTIONS",
    "import_batch_confirm",
    "import_batch_create",
    "import_batch_discard",
    "import_batch_read",
    "import_batch_review_save",
    "import_batch_run",
    "speaker_summary",
    "transcript_import",
]


def import_batches_expire(*, hours: int | None = None, project: Project | None = None) -> int:
    """Discard uploads left in review (never imported or discarded) longer than ``hours``
    (``FG_UPLOAD_RETENTION_HOURS``), with their stored files: uploaded material is sensitive.
    Returns how many uploads were discarded."""
    from datetime import timedelta

    from django.utils import timezone

    hours = settings.FG_UPLOAD_RETENTION_HOURS if hours is None else hours
    old = ImportBatch.objects.filter(
        status__in=[ImportBatch.Status.REVIEW, ImportBatch.Status.REJECTED],
        created_at__lt=timezone.now() - timedelta(hours=hours),
    )
    if project is not None:
        old = old.filter(project=project)
    count = 0
    for batch in old:
        import_batch_discard(batch=batch)
        count += 1
    return count
