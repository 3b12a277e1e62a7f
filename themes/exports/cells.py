"""Cell values for spreadsheets, safe against formula injection.

CSV: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be
run as a formula by Excel or LibreOffice. Such a cell, and any cell that already starts with a
single quote, gets one extra single quote (``'``) in front. To recover the original text, remove
the first character of every cell that starts with ``'``. Numbers are written as numbers.

XLSX has cell types, so no apostrophe is added there: text is a string cell (never a formula,
whatever it starts with), marked "quote prefix" when it starts like a formula so that editing
it in Excel keeps it text; numbers, dates, times and durations are typed cells.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
# Control characters XML (so XLSX and DOCX) cannot hold: tab, newline and CR are allowed.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"
XLSX_CELL_LIMIT = 32_767  # characters Excel keeps in one cell


def neutralise(value: str) -> str:
    if value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def recover(value: str) -> str:
    """The inverse of ``neutralise``: what a script reading an export should do."""
    return value[1:] if value.startswith("'") else value


def cell_text(value: Any) -> str | int:
    """A value as written to a CSV cell."""
    if type(value) is str:  # most cells: tested first (a quote CSV writes ~17 a row)
        return "'" + value if value and value[0] in FORMULA_TRIGGERS else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def format_datetime(value: datetime) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def xml_safe(value: str) -> str:
    """Control characters (a form feed from a PDF, a vertical tab from Word) become U+FFFD:
    XLSX and DOCX cannot store them. The CSV keeps them as they are."""
    return XML_ILLEGAL.sub(REPLACEMENT, value)


def xlsx_text(value: str) -> str:
    """XML-safe, and cut to Excel's cell limit with a visible note (no apostrophe: the cell is
    typed as text by ``xlsx_typed``)."""
    value = xml_safe(value)
    if len(value) <= XLSX_CELL_LIMIT:
        return value
    note = " [... cut: longer than Excel allows in one cell; see the CSV export]"
    return value[: XLSX_CELL_LIMIT - len(note)] + note


XLSX_FORMATS = {
    datetime: "yyyy-mm-dd hh:mm:ss",
    date: "yyyy-mm-dd",
    timedelta: "[h]:mm:ss",
}


def xlsx_typed(cell: Any, value: Any) -> Any:
    """Give an openpyxl cell ``value`` with its type: text as a string cell (quote-prefixed
    when it starts like a formula), dates and times with a number format."""
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"  # openpyxl would take "=..." for a formula
        if value[:1] in FORMULA_TRIGGERS[:-1]:
            cell.quotePrefix = True
        return cell
    if isinstance(value, datetime):  # to the second, in the server's time zone, as shown
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        value = value.replace(microsecond=0)
    cell.value = value
    for kind, number_format in XLSX_FORMATS.items():
        if isinstance(value, kind):
            cell.number_format = number_format
            break
    return cell


def attribute_typed(kind: str, value: str) -> Any:
    """A stored attribute value as a number or a date for a spreadsheet (text otherwise)."""
    if not value:
        return None
    try:
        if kind == "number":
            number = float(value)
            return int(number) if number.is_integer() else number
        if kind == "date":
            return date.fromisoformat(value)
    except ValueError:
        pass
    return value
