"""The framework matrix (Framework Method charting): cases down the side, themes or codes
across the top; each cell holds its quotes with short references, or a count, and the
analyst's summary.

Exports (CSV and XLSX) put two columns per theme or code, side by side:
``<name>: summary`` then ``<name>: quotes`` (or ``<name>: quotes (count)``), after a first
``Case`` column. Quotes in one cell are separated by a blank line, each written
``"quote text" (FG3, P2, 00:12:31)``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from coding.models import Code
from transcripts.models import Attribute, Project

from ..models import MatrixCellSummary
from .cells import cell_text, neutralise, xlsx_text, xlsx_typed
from .records import ExportFilters, ProjectIndex, QuoteRecord, quote_records

ROW_PARTICIPANT = "participant"
ROW_TRANSCRIPT = "transcript"
ROW_ATTRIBUTE = "attribute"
ROW_GROUP_ATTRIBUTE = "group_attribute"  # a group attribute's values: "Urban", "Rural"
NO_CASE = "(not attributed)"
SHOWN_IN_BROWSER = 20  # quotes per cell on the matrix page; exports hold them all


@dataclass(frozen=True)
class MatrixOptions:
    rows: str = ROW_PARTICIPANT  # participant | transcript | attribute
    attribute: Attribute | None = None  # when rows == attribute
    group_attribute: Any = None  # when rows == group_attribute
    columns: str = "themes"  # themes | codes
    cells: str = "quotes"  # quotes | counts


@dataclass
class Case:
    key: str  # participant id, transcript id, or the attribute value ("" = none)
    label: str
    participant_id: int | None = None
    transcript_id: int | None = None
    attribute_value: str | None = None

    def post_fields(self, options: MatrixOptions) -> dict[str, str]:
        """What the summary form posts to name this row; empty for the "not attributed" row."""
        if not self.key or options.rows == ROW_GROUP_ATTRIBUTE:
            return {}  # summaries are kept for participant, group and attribute rows
        fields = {"case_kind": options.rows}
        if options.rows == ROW_PARTICIPANT:
            fields["participant"] = str(self.participant_id)
        elif options.rows == ROW_TRANSCRIPT:
            fields["transcript"] = str(self.transcript_id)
        elif options.attribute is not None:
            fields.update(attribute=str(options.attribute.pk), attribute_value=self.key)
        return fields


@dataclass
class Cell:
    """A case's quotes under a theme or code. A span coded twice in one cell (by two coders,
    or with a theme's two sub-codes) is one quote and counts once."""

    quotes: list[QuoteRecord] = field(default_factory=list)
    count: int = 0
    summary: str = ""
    spans: set[tuple[int, int, int]] = field(default_factory=set)

    @property
    def shown_quotes(self) -> list[QuoteRecord]:
        return self.quotes[:SHOWN_IN_BROWSER]

    @property
    def more_count(self) -> int:
        return max(self.count - SHOWN_IN_BROWSER, 0)


@dataclass
class FrameworkMatrix:
    options: MatrixOptions
    cases: list[Case]
    columns: list[Code]
    column_paths: dict[int, str]
    cells: dict[tuple[str, int], Cell]
    total: int

    def cell(self, case: Case, column: Code) -> Cell:
        return self.cells.get((case.key, column.pk)) or Cell()

    def rows(self) -> Iterator[tuple[Case, list[tuple[Code, Cell]]]]:
        for case in self.cases:
            yield case, [(column, self.cell(case, column)) for column in self.columns]

    def page_rows(self) -> list[dict[str, Any]]:
        """Rows for the page: each case with its summary form fields and its cells."""
        return [
            {"case": case, "fields": case.post_fields(self.options), "cells": cells}
            for case, cells in self.rows()
        ]

    @property
    def column_heads(self) -> list[tuple[Code, str]]:
        return [(column, self.column_paths[column.pk]) for column in self.columns]

    @property
    def case_heading(self) -> str:
        return case_heading(self.options)


def case_for(record: QuoteRecord, options: MatrixOptions) -> tuple[str, str] | None:
    """The (key, label) of the row a quote belongs to, or None when it has none."""
    if options.rows == ROW_TRANSCRIPT:
        return str(record.group.id), record.group.name
    if options.rows == ROW_ATTRIBUTE and options.attribute is not None:
        value = record.attributes.get(options.attribute.pk, "")
        return (value, value) if value else None
    if options.rows == ROW_GROUP_ATTRIBUTE and options.group_attribute is not None:
        value = record.group.values.get(options.group_attribute.pk, "")
        return (value, value) if value else None
    if record.participant is not None:
        return str(record.participant.pk), record.participant.label
    return None


def framework_matrix_build(
    *,
    project: Project,
    filters: ExportFilters,
    options: MatrixOptions,
    quotes_per_cell: int | None = None,
) -> FrameworkMatrix:
    """Read the filtered quotes once and chart them into cells. Quotes without a case (a
    facilitator's words when rows are participants) go to a last ``(not attributed)`` row.
    ``quotes_per_cell`` keeps only the first quotes of each cell (the page); counts are
    always complete, and exports keep every quote."""
    index = ProjectIndex(project)
    columns, column_of = _matrix_columns(index, options, filters)
    cases = initial_cases(index, options, filters)
    known = {case.key for case in cases}
    cells: dict[tuple[str, int], Cell] = {}
    total = 0
    unattributed = False
    for record in quote_records(project, filters, index):
        found = case_for(record, options)
        key = found[0] if found else ""
        if found is None:
            unattributed = True
        elif key not in known:  # an attribute value outside the listed choices
            cases.append(Case(key=key, label=found[1], attribute_value=key))
            known.add(key)
        cell = cells.setdefault((key, column_of[record.code.pk]), Cell())
        span = (record.group.id, record.start, record.end)
        if span in cell.spans:
            continue
        cell.spans.add(span)
        cell.count += 1
        total += 1
        if options.cells == "quotes" and (
            quotes_per_cell is None or len(cell.quotes) < quotes_per_cell
        ):
            cell.quotes.append(record)
    if unattributed:
        cases.append(Case(key="", label=NO_CASE))
    for summary in summaries_for(project, options):
        summary_case = summary_key(summary, options)
        if summary_case is not None:
            cells.setdefault((summary_case, summary.code_id), Cell()).summary = summary.text
    paths = {column.pk: index.paths[column.pk] for column in columns}
    return FrameworkMatrix(options, cases, columns, paths, cells, total)


def _matrix_columns(
    index: ProjectIndex, options: MatrixOptions, filters: ExportFilters
) -> tuple[list[Any], dict[int, int]]:
    """The matrix's columns (codes, or themes), and the column each code's quotes go to."""
    if options.columns == "codes":
        columns = [node.code for node in index.nodes]
        column_of = {pk: pk for pk in index.codes}
    else:
        columns = list(index.themes)
        column_of = {pk: theme.pk for pk, theme in index.theme_of.items()}
    if filters.codes:
        from .records import descendants

        wanted: set[int] = set()
        for code in filters.codes:
            wanted.update(descendants(code.pk, index))
        shown = {column_of[pk] for pk in wanted}
        columns = [column for column in columns if column.pk in shown]
    return columns, column_of


def initial_cases(
    index: ProjectIndex, options: MatrixOptions, filters: ExportFilters
) -> list[Case]:
    if options.rows == ROW_TRANSCRIPT:
        chosen = {t.pk for t in filters.transcripts}
        return [
            Case(key=str(group.id), label=group.name, transcript_id=group.id)
            for group in index.groups.values()
            if not chosen or group.id in chosen
        ]
    if options.rows == ROW_ATTRIBUTE and options.attribute is not None:
        return _attribute_cases(index, options.attribute, filters)
    if options.rows == ROW_GROUP_ATTRIBUTE and options.group_attribute is not None:
        return _group_attribute_cases(index, options.group_attribute, filters)
    chosen = {t.pk for t in filters.transcripts} or set(index.groups)
    speaking = {
        turn.participant_id
        for transcript_id in chosen
        for turn in index.turns.get(transcript_id, [])
        if turn.participant_id is not None
    }
    return [
        Case(key=str(p.pk), label=p.label, participant_id=p.pk)
        for p in sorted(index.participants.values(), key=lambda p: (p.label, p.pk))
        if p.pk in speaking and participant_matches(p.pk, index, filters)
    ]


def _attribute_cases(index: ProjectIndex, attribute: Any, filters: ExportFilters) -> list[Case]:
    """A row per value of the participant attribute."""
    seen = {
        value
        for by_attribute in index.attribute_values.values()
        for attribute_id, value in by_attribute.items()
        if attribute_id == attribute.pk
    }
    return _value_cases(attribute, seen, filters.attribute_values)


def _group_attribute_cases(
    index: ProjectIndex, attribute: Any, filters: ExportFilters
) -> list[Case]:
    """A row per value of the group attribute."""
    seen = {
        group.values[attribute.pk]
        for group in index.groups.values()
        if attribute.pk in group.values
    }
    return _value_cases(attribute, seen, filters.group_values)


def _value_cases(attribute: Any, seen: set[str], chosen: list[tuple[Any, str]]) -> list[Case]:
    """An attribute's choices in order, then any other value used; only the values chosen
    in the filter, when some are."""
    values = [str(choice) for choice in attribute.choices or []]
    values += sorted(seen - set(values))
    allowed = {value for a, value in chosen if a.pk == attribute.pk}
    return [
        Case(key=value, label=value, attribute_value=value)
        for value in values
        if not allowed or value in allowed
    ]


def participant_matches(participant_id: int, index: ProjectIndex, filters: ExportFilters) -> bool:
    wanted: dict[int, set[str]] = {}
    for attribute, value in filters.attribute_values:
        wanted.setdefault(attribute.pk, set()).add(value)
    values = index.attribute_values.get(participant_id, {})
    return all(values.get(attribute_id) in allowed for attribute_id, allowed in wanted.items())


def summaries_for(project: Project, options: MatrixOptions):
    if options.rows == ROW_GROUP_ATTRIBUTE:
        return MatrixCellSummary.objects.none()
    summaries = MatrixCellSummary.objects.filter(project=project, case_kind=options.rows)
    if options.rows == ROW_ATTRIBUTE:
        summaries = summaries.filter(attribute=options.attribute)
    return summaries


def summary_key(summary: MatrixCellSummary, options: MatrixOptions) -> str | None:
    if options.rows == ROW_PARTICIPANT:
        return str(summary.participant_id)
    if options.rows == ROW_TRANSCRIPT:
        return str(summary.transcript_id)
    return summary.attribute_value


def quote_line(record: QuoteRecord) -> str:
    return f'"{record.text}" {record.reference}'


def cell_quotes_text(cell: Cell) -> str:
    return "\n\n".join(quote_line(record) for record in cell.quotes)


def header_row(matrix: FrameworkMatrix) -> list[str]:
    second = "quotes (count)" if matrix.options.cells == "counts" else "quotes"
    header = [case_heading(matrix.options)]
    for column in matrix.columns:
        name = matrix.column_paths[column.pk]
        header += [f"{name}: summary", f"{name}: {second}"]
    return header


def case_heading(options: MatrixOptions) -> str:
    if options.rows == ROW_TRANSCRIPT:
        return "Group"
    if options.rows == ROW_ATTRIBUTE and options.attribute is not None:
        return options.attribute.name
    if options.rows == ROW_GROUP_ATTRIBUTE and options.group_attribute is not None:
        return options.group_attribute.name
    return "Participant"


def body_rows(matrix: FrameworkMatrix) -> Iterator[list[Any]]:
    counts = matrix.options.cells == "counts"
    for case, cells in matrix.rows():
        row: list[Any] = [case.label]
        for _column, cell in cells:
            row += [cell.summary, cell.count if counts else cell_quotes_text(cell)]
        yield row


def framework_csv_chunks(matrix: FrameworkMatrix, *, bom: bool = False) -> Iterator[str]:
    class Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Line(), lineterminator="\r\n")
    yield ("\ufeff" if bom else "") + writer.writerow([neutralise(h) for h in header_row(matrix)])
    for row in body_rows(matrix):
        yield writer.writerow([cell_text(value) for value in row])


def framework_xlsx_write(matrix: FrameworkMatrix, path, *, about: list[str] | None = None) -> None:
    """One sheet, header row and case column frozen, text wrapped at the top of each cell,
    summary columns 40 wide and quote columns 60 wide; an "About" sheet says what it holds."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Framework matrix"
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    summary_fill = PatternFill("solid", fgColor="FFF7E0")
    sheet.append([xlsx_text(h) for h in header_row(matrix)])
    for row in body_rows(matrix):
        sheet.append([xlsx_text(v) if isinstance(v, str) else v for v in row])
    sheet.column_dimensions["A"].width = 22
    for index in range(len(matrix.columns)):
        summary_letter = get_column_letter(2 + 2 * index)
        quotes_letter = get_column_letter(3 + 2 * index)
        sheet.column_dimensions[summary_letter].width = 40
        sheet.column_dimensions[quotes_letter].width = (
            12 if matrix.options.cells == "counts" else 60
        )
    for row in sheet.iter_rows():
        for cell in row:
            xlsx_typed(cell, cell.value)
            cell.alignment = wrap
            if cell.row == 1 or cell.column == 1:
                cell.font = bold
            elif cell.column % 2 == 0:
                cell.fill = summary_fill
    sheet.freeze_panes = "B2"
    info = workbook.create_sheet("About")
    for line in about or []:
        info.append([line])
        xlsx_typed(info.cell(row=info.max_row, column=1), line)
    info.column_dimensions["A"].width = 100
    workbook.save(path)
