"""Writes for participants and their typed attributes, including the CSV/XLSX import.

Attribute values are stored as text in the attribute's format: numbers as written (``42``,
``3.5``), dates as ISO 8601, choices exactly as one of the attribute's choices.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from ..importers.base import ImportFailure, extension_of
from ..models import Attribute, AttributeValue, Participant, Project

LABEL_HEADERS = re.compile(
    r"^(?:label|participant|participant label|participant id|respondent|respondent id|id|"
    r"pseudonym|code)$",
    re.IGNORECASE,
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def attribute_value_clean(attribute: Attribute, raw: str) -> str:
    """The value in the attribute's stored format; ``ValueError`` with a readable reason."""
    value = " ".join(str(raw).split())
    if not value:
        return ""
    if len(value) > 500:
        raise ValueError("is longer than 500 characters")
    if attribute.type == Attribute.Type.NUMBER:
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        return str(int(number)) if number.is_integer() else repr(number)
    if attribute.type == Attribute.Type.DATE:
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(value, fmt).date().isoformat()
            except ValueError:
                continue
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)")
    if attribute.type == Attribute.Type.CHOICE:
        for choice in attribute.choices:
            if choice.casefold() == value.casefold():
                return choice
        raise ValueError(f"{value!r} is not one of: {', '.join(attribute.choices)}")
    return value


def _choices_from(text: str | list[str]) -> list[str]:
    items = text if isinstance(text, list) else text.replace("\n", ",").split(",")
    seen: list[str] = []
    for item in items:
        item = " ".join(item.split())
        if item and item not in seen:
            seen.append(item)
    return seen


@transaction.atomic
def attribute_create(
    *, project: Project, name: str, type: str, choices: str | list[str] = ""
) -> Attribute:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "An attribute needs a name."})
    if type not in Attribute.Type.values:
        raise ValidationError({"type": f"Unknown type {type!r}."})
    if project.attributes.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already an attribute called {name!r}."})
    options = _choices_from(choices)
    if type == Attribute.Type.CHOICE and not options:
        raise ValidationError({"choices": "A choice attribute needs its choices."})
    order = project.attributes.count()
    return Attribute.objects.create(
        project=project, name=name, type=type, choices=options, order=order
    )


@transaction.atomic
def participant_create(*, project: Project, label: str, notes: str = "") -> Participant:
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "A participant needs a label."})
    if project.participants.filter(label=label).exists():
        raise ValidationError({"label": f"There is already a participant {label!r}."})
    return Participant.objects.create(project=project, label=label, notes=notes.strip())


def participants_ensure(*, project: Project, labels: set[str]) -> dict[str, Participant]:
    """Participants by label, created when missing. Call inside the caller's transaction."""
    found = {p.label: p for p in Participant.objects.filter(project=project, label__in=labels)}
    for label in sorted(labels - found.keys()):
        found[label], _ = Participant.objects.get_or_create(project=project, label=label)
    return found


@transaction.atomic
def participant_update(
    *, participant: Participant, label: str, notes: str, values: dict[int, str]
) -> Participant:
    """Set the label, notes and attribute values (``attribute id -> raw value``; blank clears).
    Every value is checked before anything is written."""
    label = " ".join(label.split())
    errors: dict[str, str] = {}
    if not label:
        errors["label"] = "A participant needs a label."
    elif (
        Participant.objects.filter(project_id=participant.project_id, label=label)
        .exclude(pk=participant.pk)
        .exists()
    ):
        errors["label"] = f"There is already a participant {label!r}."
    attributes = {a.pk: a for a in Attribute.objects.filter(project_id=participant.project_id)}
    cleaned: dict[int, str] = {}
    for attribute_id, raw in values.items():
        attribute = attributes.get(attribute_id)
        if attribute is None:
            continue
        try:
            cleaned[attribute_id] = attribute_value_clean(attribute, raw)
        except ValueError as exc:
            errors[f"attr_{attribute_id}"] = f"{attribute.name}: {exc}."
    if errors:
        raise ValidationError(errors)
    participant.label, participant.notes = label, notes.strip()
    participant.save(update_fields=["label", "notes"])
    for attribute_id, value in cleaned.items():
        _value_set(participant, attributes[attribute_id], value)
    return participant


def _value_set(participant: Participant, attribute: Attribute, value: str) -> None:
    if value:
        AttributeValue.objects.update_or_create(
            participant=participant, attribute=attribute, defaults={"value": value}
        )
    else:
        AttributeValue.objects.filter(participant=participant, attribute=attribute).delete()


def infer_type(values: list[str]) -> tuple[str, list[str]]:
    """A type for a new attribute from its values: number, date, choice (12 or fewer distinct
    short values, some repeated) or text."""
    values = [v for v in (" ".join(str(v).split()) for v in values) if v]
    if not values:
        return Attribute.Type.TEXT, []
    probe = Attribute(type=Attribute.Type.NUMBER)
    for kind in (Attribute.Type.NUMBER, Attribute.Type.DATE):
        probe.type = kind
        try:
            for value in values:
                attribute_value_clean(probe, value)
        except ValueError:
            continue
        return kind, []
    distinct = _choices_from(values)
    if len(distinct) <= 12 and len(distinct) < len(values) and all(len(v) <= 40 for v in values):
        return Attribute.Type.CHOICE, sorted(distinct, key=str.casefold)
    return Attribute.Type.TEXT, []


@dataclass
class AttributeImportSummary:
    participants_created: list[str] = field(default_factory=list)
    participants_updated: list[str] = field(default_factory=list)
    attributes_created: list[str] = field(default_factory=list)
    values_set: int = 0


def read_rows(*, filename: str, data: bytes) -> list[list[str]]:
    """Rows of a CSV or XLSX file as text (``ImportFailure`` naming the file)."""
    from ..importers import survey

    ext = extension_of(filename)
    if not data.strip():
        raise ImportFailure(f"{filename}: the file is empty.")
    try:
        if ext == "csv":
            table = survey.parse_csv(data).table
        elif ext == "xlsx":
            table = survey.parse_xlsx(data).table
        else:
            raise ImportFailure(f"unsupported file type .{ext}; upload a .csv or .xlsx file.")
    except ImportFailure as exc:
        raise ImportFailure(f"{filename}: {exc}") from None
    assert table is not None
    return [table.headers, *table.rows]


@transaction.atomic
def participant_attributes_import(
    *, project: Project, filename: str, data: bytes, create_missing: bool = True
) -> AttributeImportSummary:
    """Participant attributes from a spreadsheet keyed by label: the label column (``label``,
    ``participant``, ``id`` ... else the first column) and one column per attribute. New
    attributes get a type inferred from their values; empty cells leave a value as it is.
    All or nothing: any error (reported by row and column) and nothing is written."""
    try:
        rows = read_rows(filename=filename, data=data)
    except ImportFailure as exc:
        raise ValidationError(str(exc)) from None
    headers, body = rows[0], rows[1:]
    key = next((i for i, h in enumerate(headers) if LABEL_HEADERS.match(h.strip())), 0)
    summary = AttributeImportSummary()
    columns = _attribute_columns(project, headers, body, key=key, summary=summary)
    known = {p.label: p for p in project.participants.all()}
    labels, writes, errors = _attribute_rows(
        filename, headers, body, key=key, columns=columns, known=known, create=create_missing
    )
    if errors:
        raise ValidationError(errors)
    participants = participants_ensure(project=project, labels=set(labels))
    for label in labels:
        target = summary.participants_updated if label in known else summary.participants_created
        target.append(label)
    for label, attribute, value in writes:
        _value_set(participants[label], attribute, value)
        summary.values_set += 1
    return summary


def _attribute_columns(
    project: Project,
    headers: list[str],
    body: list[list[str]],
    *,
    key: int,
    summary: AttributeImportSummary,
) -> dict[int, Attribute]:
    """The attribute of each column but the label's, created (with an inferred type) if new."""
    existing = {a.name.casefold(): a for a in project.attributes.all()}
    columns: dict[int, Attribute] = {}
    for index, header in enumerate(headers):
        if index == key:
            continue
        attribute = existing.get(header.casefold())
        if attribute is None:
            kind, choices = infer_type([row[index] for row in body])
            attribute = attribute_create(project=project, name=header, type=kind, choices=choices)
            existing[header.casefold()] = attribute
            summary.attributes_created.append(header)
        columns[index] = attribute
    return columns


def _attribute_rows(
    filename: str,
    headers: list[str],
    body: list[list[str]],
    *,
    key: int,
    columns: dict[int, Attribute],
    known: dict[str, Participant],
    create: bool,
) -> tuple[dict[str, int], list[tuple[str, Attribute, str]], list[str]]:
    """Each row's label (with its row number), the values to write, and every error found."""
    errors: list[str] = []
    labels: dict[str, int] = {}
    writes: list[tuple[str, Attribute, str]] = []
    for number, row in enumerate(body, start=2):
        label = " ".join(row[key].split())
        if not label:
            errors.append(
                f"{filename}, row {number}: no participant label in column {headers[key]!r}."
            )
            continue
        if label in labels:
            errors.append(
                f"{filename}, row {number}: participant {label!r} is also on row {labels[label]}."
            )
            continue
        labels[label] = number
        if label not in known and not create:
            errors.append(f"{filename}, row {number}: no participant {label!r} in the project.")
            continue
        for index, attribute in columns.items():
            try:
                value = attribute_value_clean(attribute, row[index])
            except ValueError as exc:
                errors.append(f"{filename}, row {number}, column {headers[index]!r}: {exc}.")
                continue
            if value:
                writes.append((label, attribute, value))
    return labels, writes, errors
