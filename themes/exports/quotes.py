"""The theme-quote matrix: one row per coded quote, as CSV (streamed) or XLSX.

The columns and their order are part of the contract (README, "Exports"): never reorder them;
add new columns only at the end.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from transcripts.models import Project

from .cells import attribute_typed, cell_text, xlsx_typed
from .records import ExportFilters, ProjectIndex, QuoteRecord, quote_records

BOM = "\ufeff"
ROWS_PER_CHUNK = 200

FIXED_BEFORE_ATTRIBUTES = (
    "Theme",
    "Code",
    "Quote",
    "Transcript",
    "Group",
    "Site",
    "Date",
    "Speaker",
    "Participant",
)
FIXED_AFTER_ATTRIBUTES = (
    "Turn",
    "Timestamp",
    "Start",
    "End",
    "Coder",
    "Memo",
    "Origin",
    "Coded at",
)
ATTRIBUTE_PREFIX = "Participant: "


PSEUDONYMISED_COLUMN = "Pseudonymised"
PSEUDONYMISED_VALUE = "yes: identifiers replaced; the key is kept apart"


def quote_columns(index: ProjectIndex) -> list[str]:
    """The header row; a pseudonymised project's export says so in a last column."""
    return [
        *FIXED_BEFORE_ATTRIBUTES,
        *(ATTRIBUTE_PREFIX + attribute.name for attribute in index.attributes),
        *FIXED_AFTER_ATTRIBUTES,
        *([PSEUDONYMISED_COLUMN] if index.pseudonymised else []),
    ]


def quote_values(record: QuoteRecord, index: ProjectIndex) -> list[object]:
    group = record.group
    return [
        record.theme.name,
        record.code_path,
        record.text,
        group.file,
        group.name,
        group.site,
        group.date,
        record.speaker,
        record.participant.label if record.participant else "",
        *(record.attributes.get(attribute.pk, "") for attribute in index.attributes),
        record.turn.order + 1 if record.turn else None,
        record.timestamp,
        record.start,
        record.end,
        record.coder,
        record.memo,
        record.origin,
        record.created_at,
        *([PSEUDONYMISED_VALUE] if index.pseudonymised else []),
    ]


class _Line:
    """A file-like object whose ``write`` returns what it was given (csv.writer -> str)."""

    def write(self, value: str) -> str:
        return value


def quotes_csv_chunks(
    project: Project,
    filters: ExportFilters,
    *,
    bom: bool = False,
    index: ProjectIndex | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The CSV as text chunks. The header goes out before the codings are queried, so a
    download starts at once; then ``ROWS_PER_CHUNK`` rows at a time (``on_rows`` hears how
    many rows each chunk holds)."""
    index = index or ProjectIndex(project)
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield (BOM if bom else "") + writer.writerow(quote_columns(index))
    batch: list[str] = []
    for record in quote_records(project, filters, index):
        batch.append(writer.writerow([cell_text(v) for v in quote_values(record, index)]))
        if len(batch) >= ROWS_PER_CHUNK:
            if on_rows is not None:
                on_rows(len(batch))
            yield "".join(batch)
            batch = []
    if batch:
        if on_rows is not None:
            on_rows(len(batch))
        yield "".join(batch)


def encode_chunks(chunks: Iterable[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


def quotes_xlsx_write(
    project: Project, filters: ExportFilters, path, *, index: ProjectIndex | None = None
) -> int:
    """Write the same table to an XLSX file (write-only mode: rows are not kept in memory).
    Returns the number of quotes written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    index = index or ProjectIndex(project)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Quotes")
    columns = quote_columns(index)
    widths = {"Quote": 70, "Memo": 40, "Code": 30, "Theme": 24, "Coded at": 20}
    for number, name in enumerate(columns, start=1):
        sheet.column_dimensions[_letter(number)].width = widths.get(name, 14)
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header = []
    for name in columns:
        cell = xlsx_typed(WriteOnlyCell(sheet), name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    kinds = [attribute.type for attribute in index.attributes]
    first_attribute = len(FIXED_BEFORE_ATTRIBUTES)
    timestamp = columns.index("Timestamp")
    for record in quote_records(project, filters, index):
        values = quote_values(record, index)
        for column, kind in enumerate(kinds, start=first_attribute):
            values[column] = attribute_typed(kind, str(values[column] or ""))
        if record.turn is not None and record.turn.timestamp_ms is not None:
            values[timestamp] = timedelta(milliseconds=record.turn.timestamp_ms)
        row = []
        for value in values:
            cell = xlsx_typed(WriteOnlyCell(sheet), value)
            if isinstance(value, str):
                cell.alignment = wrap
            row.append(cell)
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


def _letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(number)
