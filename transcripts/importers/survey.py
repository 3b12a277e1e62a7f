"""Survey free-text answers in a spreadsheet (.csv, .xlsx): one row per respondent.

The first row holds the column names. The analyst picks the respondent column (its values
become participant labels), the text column(s) to code, and the columns that are respondent
attributes; ``survey_document`` then writes one section per text column with one turn per
answer: ``R12: the answer``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from typing import Any

from .base import ImportFailure, ParsedDocument, ParsedTurn, SurveyTable, canonical_text
from .text import decode

RESPONDENT_HEADERS = re.compile(
    r"^(?:respondent|participant|label|id|respondent id|participant id|code|pseudonym|ref)"
    r"(?:[ _-]?(?:id|no|number|label|code))?$",
    re.IGNORECASE,
)


def parse_csv(data: bytes) -> ParsedDocument:
    raw, encoding, warnings = decode(data)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    try:
        dialect = csv.Sniffer().sniff(raw[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(raw), dialect))
    except csv.Error as exc:
        raise ImportFailure(f"not a readable CSV file: {exc}.") from None
    document = ParsedDocument(
        source_format="csv", encoding=encoding, warnings=warnings, table=_table(rows)
    )
    return document


def parse_xlsx(data: bytes) -> ParsedDocument:
    return ParsedDocument(source_format="xlsx", table=_table(read_xlsx_rows(data)))


def read_xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailure(
            f"not a readable Excel workbook (corrupt or not .xlsx): {exc}"
        ) from None
    except Exception as exc:
        raise ImportFailure(f"not a readable Excel workbook: {type(exc).__name__}") from None
    try:
        sheet = workbook.worksheets[0]
        return [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return canonical_text(str(value))


def _table(rows: list[list[str]]) -> SurveyTable:
    rows = [[canonical_text(cell).strip() for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise ImportFailure("the spreadsheet is empty.")
    width = max(len(row) for row in rows)
    headers: list[str] = []
    for index, name in enumerate(rows[0] + [""] * (width - len(rows[0]))):
        name = name or f"Column {index + 1}"
        while name in headers:
            name = f"{name} ({index + 1})"
        headers.append(name)
    body = [row + [""] * (width - len(row)) for row in rows[1:]]
    if not body:
        raise ImportFailure("the spreadsheet has a header row but no answers.")
    return SurveyTable(headers=headers, rows=body)


def default_columns(table: SurveyTable) -> dict[str, Any]:
    """A first guess: the respondent column by name (else none), text columns are those whose
    answers are long (on average 30+ characters), the rest are attributes."""
    respondent = next((h for h in table.headers if RESPONDENT_HEADERS.match(h.strip())), "")
    texts: list[str] = []
    attributes: list[str] = []
    for index, header in enumerate(table.headers):
        if header == respondent:
            continue
        values = [row[index] for row in table.rows if row[index]]
        average = sum(len(v) for v in values) / len(values) if values else 0
        (texts if average >= 30 else attributes).append(header)
    if not texts:
        candidates = [h for h in table.headers if h != respondent]
        if candidates:
            texts = [candidates[-1]]
            attributes = [h for h in attributes if h != texts[0]]
    return {"respondent": respondent, "text": texts, "attributes": attributes}


def survey_document(
    table: SurveyTable, *, respondent: str, text_columns: list[str], source_format: str
) -> ParsedDocument:
    """One section per text column (``## Question``) and one turn per non-empty answer."""
    missing = [c for c in [respondent, *text_columns] if c and c not in table.headers]
    if missing:
        raise ImportFailure(f"no column called {missing[0]!r}.")
    if not text_columns:
        raise ImportFailure("choose at least one text column to import.")
    index = {h: i for i, h in enumerate(table.headers)}
    parts: list[str] = []
    turns: list[ParsedTurn] = []
    position = 0

    def add(chunk: str) -> int:
        nonlocal position
        at = position
        parts.append(chunk)
        position += len(chunk) + 2
        return at

    for column in text_columns:
        if len(text_columns) > 1:
            add(f"## {column}")
        for number, row in enumerate(table.rows, start=1):
            answer = " ".join(row[index[column]].split("\n")).strip()
            if not answer:
                continue
            label = row[index[respondent]].strip() if respondent else ""
            label = label or f"Respondent {number}"
            prefix = f"{label}: "
            at = add(prefix + answer)
            turns.append(ParsedTurn(label, at + len(prefix), at + len(prefix) + len(answer)))
    if not turns:
        raise ImportFailure("the chosen text column(s) have no answers.")
    return ParsedDocument(source_format=source_format, text="\n\n".join(parts), turns=turns)
