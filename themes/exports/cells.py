"""Cell values for spreadsheets: neutralised against formula injection, recoverable.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return could be run
as a formula by Excel or LibreOffice. Such a cell, and any cell that already starts with a
single quote, gets one extra single quote (``'``) in front. To recover the original text, remove
the first character of every cell that starts with ``'``. Numbers are written as numbers.
"""

from __future__ import annotations

import re
from datetime import date, datetime
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
    """Neutralised, XML-safe, and cut to Excel's cell limit with a visible note."""
    value = xml_safe(neutralise(value))
    if len(value) <= XLSX_CELL_LIMIT:
        return value
    note = " [... cut: longer than Excel allows in one cell; see the CSV export]"
    return value[: XLSX_CELL_LIMIT - len(note)] + note
