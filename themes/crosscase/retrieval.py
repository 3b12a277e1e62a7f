"""Boolean retrieval of turns by their codes: all of, any of, none of, "near" (a turn with
one code within N turns of a turn with another), and "overlapping" (the first two "all of" codes
on the same words, not only the same turn), in SQL over the (turn, row) pairs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transcripts.models import Project, Turn

from .tables import (
    CODINGS_OVERLAP,
    Selection,
    _fetch,
    _longest_coding,
    _q,
    pairs_sql,
    row_codes,
    spans_sql,
)

LIMIT = 300


@dataclass
class Query:
    all_of: list[int] = field(default_factory=list)
    any_of: list[int] = field(default_factory=list)
    none_of: list[int] = field(default_factory=list)
    near: int | None = None  # a row that must occur within ``within`` turns
    within: int = 1
    overlap: bool = False  # the first two all_of rows' codings overlap each other

    @property
    def empty(self) -> bool:
        return not (self.all_of or self.any_of)  # "near" needs a code to be near to


def _overlap_cte(
    project: Project, selection: Selection, mapping: dict[int, int], user: Any, query: Query
) -> tuple[str, list[Any]]:
    """``, cs AS (...), overlapping AS (...)``: participant turns that the shared words of a
    coding of the first "all of" row and one of the second overlap."""
    spans, span_params = spans_sql(project, selection, mapping, user)
    turn = _q("transcripts_turn")
    start, end = _q("start"), _q("end")
    sql = (
        f", cs AS MATERIALIZED ({spans}), overlapping AS MATERIALIZED ("
        f"SELECT DISTINCT t.id AS turn_id FROM cs a JOIN cs b ON {CODINGS_OVERLAP} "
        "AND a.row_id = %s AND b.row_id = %s "
        f"JOIN {turn} t ON t.transcript_id = a.transcript_id "
        f"AND t.{start} < a.e AND t.{start} < b.e AND t.{end} > a.s AND t.{end} > b.s "
        "WHERE t.is_facilitator = %s)"
    )
    longest = _longest_coding(project)
    return sql, [*span_params, longest + 1, query.all_of[0], query.all_of[1], False]


def turns_matching(
    project: Project, selection: Selection, user: Any, query: Query
) -> tuple[int, list[Turn], dict[int, set[int]]]:
    """``(how many turns match, the first LIMIT of them, {turn id: its rows})``."""
    rows, mapping = row_codes(project, selection.rows)
    if query.empty:
        return 0, [], {}
    inner, params = pairs_sql(project, selection, mapping, user)
    having, having_params = [], []
    for row in query.all_of:
        having.append("SUM(CASE WHEN row_id = %s THEN 1 ELSE 0 END) > 0")
        having_params.append(row)
    if query.any_of:
        marks = ", ".join("%s" for _ in query.any_of)
        having.append(f"SUM(CASE WHEN row_id IN ({marks}) THEN 1 ELSE 0 END) > 0")
        having_params += query.any_of
    for row in query.none_of:
        having.append("SUM(CASE WHEN row_id = %s THEN 1 ELSE 0 END) = 0")
        having_params.append(row)
    turn = _q("transcripts_turn")
    base = f"SELECT turn_id FROM pairs GROUP BY turn_id HAVING {' AND '.join(having) or '1 = 1'}"
    near_params: list[Any] = []
    if query.near is not None:
        # keep the matches that have a turn with the "near" row within N turns of them
        base = (
            f"SELECT m.turn_id FROM ({base}) m JOIN {turn} mt ON mt.id = m.turn_id "
            f"WHERE EXISTS (SELECT 1 FROM pairs q JOIN {turn} qt ON qt.id = q.turn_id "
            f"WHERE q.row_id = %s AND qt.transcript_id = mt.transcript_id "
            f"AND qt.{_q('order')} BETWEEN mt.{_q('order')} - %s AND mt.{_q('order')} + %s)"
        )
        near_params = [query.near, query.within, query.within]
    overlap_cte, overlap_params = "", list[Any]()
    if query.overlap and len(query.all_of) >= 2:
        overlap_cte, overlap_params = _overlap_cte(project, selection, mapping, user, query)
        base = f"SELECT turn_id FROM ({base}) x WHERE turn_id IN (SELECT turn_id FROM overlapping)"
    sql = f"WITH pairs AS MATERIALIZED ({inner}){overlap_cte} {base}"
    ids = [row[0] for row in _fetch(sql, params + overlap_params + having_params + near_params)]
    turns = list(
        Turn.objects.filter(pk__in=ids)
        .select_related("transcript", "participant")
        .order_by("transcript__order", "transcript_id", "order")[:LIMIT]
    )
    shown = [t.pk for t in turns]
    found: dict[int, set[int]] = {pk: set() for pk in shown}
    if shown:
        marks = ", ".join("%s" for _ in shown)
        for turn_id, row in _fetch(
            f"WITH pairs AS MATERIALIZED ({inner}) "
            f"SELECT turn_id, row_id FROM pairs WHERE turn_id IN ({marks})",
            params + shown,
        ):
            found[turn_id].add(row)

    return len(ids), turns, found
