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


def spans_write(
    model: Any,
    rows: Sequence[Any],
    *,
    fields: Sequence[str] = ("start", "end", "text"),
    unique: bool = False,
) -> None:
    """Store ``fields`` of ``rows`` (instances of ``model``, ``start`` and ``end`` among
    them), one UPDATE per row in a single ``executemany``."""
    if not rows:
        return
    if unique:
        model.objects.filter(pk__in=[row.pk for row in rows]).update(
            start=F("start") + PARKED, end=F("end") + PARKED
        )
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(field)} = %s" for field in fields)
    sql = f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {q('id')} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(*(getattr(row, field) for field in fields), row.pk) for row in rows]
        )
