"""Rewriting many stored spans at once, for the apps whose rows point into a transcript's text.

``bulk_update`` builds one CASE expression per field and batch, which SQLite evaluates slowly
for thousands of rows; an ``executemany`` of one small UPDATE per row is many times faster. A
table with a unique constraint over its offsets has its rows parked above every real offset
first, so no row collides with another's old offsets on the way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import F

PARKED = 1_000_000_000  # above any offset into a text (transcripts are far below 1 GB)


def spans_write(model: Any, rows: Sequence[Any], *, unique: bool = False) -> None:
    """Store ``start``, ``end`` and ``text`` of ``rows`` (instances of ``model``)."""
    if not rows:
        return
    if unique:
        model.objects.filter(pk__in=[row.pk for row in rows]).update(
            start=F("start") + PARKED, end=F("end") + PARKED
        )
    table = connection.ops.quote_name(model._meta.db_table)
    q = connection.ops.quote_name
    sql = f"UPDATE {table} SET {q('start')} = %s, {q('end')} = %s, {q('text')} = %s WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(row.start, row.end, row.text, row.pk) for row in rows])
