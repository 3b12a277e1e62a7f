"""The cross-case tables, computed in SQL over (turn, code) pairs.

The unit is a participant's speaker turn, as for agreement: a code is *on* a turn when a
coding of it overlaps the turn. Every table starts from the distinct (turn, row) pairs of the
project's visible codings, written once as a SQL subquery (the overlap join of codings and
turns is not expressible in the ORM), so no coding is loaded into Python. Results are cached
per project *version* (the newest audit event: every change of a coding is audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection

from coding.models import AuditEvent, Code, Coding
from coding.selectors.codes import code_path
from coding.selectors.team import AGREED, AUTO, agreed_set_exists, blind_scope, sees_all_coders
from transcripts.models import Project, Transcript

LOW_COUNT = 5  # cells below this many passages are flagged: too few to compare shares


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@dataclass(frozen=True)
class Selection:
    """What the tables count: which codings (agreed set or coders' own, some coders), and
    whether rows are themes (a theme with its sub-codes) or every code."""

    rows: str = "themes"  # or "codes"
    coding_set: str = AUTO
    coder_ids: tuple[int, ...] = ()

    def key(self) -> str:
        return f"{self.rows}:{self.coding_set}:{','.join(map(str, self.coder_ids))}"


@dataclass
class RowCode:
    pk: int
    label: str
    colour: str


def project_version(project: Project) -> str:
    """What the cached tables depend on: the newest audit event (every change of a coding or a
    code is audited) and the project's transcripts (an import or a deletion changes turns)."""
    from django.db.models import Count, Max

    event = (
        AuditEvent.objects.filter(project=project)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    found = Transcript.objects.filter(project=project).aggregate(n=Count("pk"), newest=Max("pk"))
    return f"{event or 0}.{found['n']}.{found['newest'] or 0}"


def row_codes(project: Project, rows: str) -> tuple[list[RowCode], dict[int, int]]:
    """The table's rows and ``{code id: row code id}`` (a sub-code counts for its theme)."""
    codes = {code.pk: code for code in Code.objects.filter(project=project)}

    def theme_of(code: Code) -> Code:
        seen = set()
        while code.parent_id is not None and code.parent_id in codes and code.pk not in seen:
            seen.add(code.pk)
            code = codes[code.parent_id]
        return code

    ordered = sorted(codes.values(), key=lambda c: code_path(code=c, by_id=codes).casefold())
    if rows == "codes":
        return (
            [RowCode(c.pk, code_path(code=c, by_id=codes), c.colour) for c in ordered],
            {pk: pk for pk in codes},
        )
    themes = sorted(
        (c for c in codes.values() if c.parent_id is None), key=lambda c: (c.order, c.name)
    )
    return [RowCode(t.pk, t.name, t.colour) for t in themes], {
        pk: theme_of(code).pk for pk, code in codes.items()
    }


def _visible(
    project: Project, selection: Selection, mapping: dict[int, int], user: Any
) -> tuple[str, list[str], list[Any]]:
    """The row expression of a coding ``c`` (a sub-code folded into its theme), and the WHERE
    clauses with their parameters that keep the codings this selection counts and this user
    may see (``tr`` is the coding's transcript)."""
    params: list[Any] = []
    # Whole numbers from the database, written as literals so both engines type them as such.
    folded = {int(code): int(row) for code, row in mapping.items() if code != row}
    cases = " ".join(f"WHEN {code} THEN {row}" for code, row in sorted(folded.items()))
    row = f"CASE c.code_id {cases} ELSE c.code_id END" if folded else "c.code_id"
    where = ["tr.project_id = %s"]
    params.append(project.pk)
    which = selection.coding_set
    if which == AUTO:
        which = AGREED if agreed_set_exists(project=project) else "coders"
    where.append("c.origin = %s" if which == AGREED else "c.origin <> %s")
    params.append(Coding.Origin.ADJUDICATED)
    if selection.coder_ids:
        where.append(f"c.coder_id IN ({', '.join('%s' for _ in selection.coder_ids)})")
        params += list(selection.coder_ids)
    whole, blind_ids = blind_scope(project=project)
    if (whole or blind_ids) and not sees_all_coders(user=user, project=project):
        if whole:
            where.append("c.coder_id = %s")
            params.append(user.pk)
        else:
            ids = ", ".join("%s" for _ in blind_ids)
            where.append(f"(c.coder_id = %s OR c.transcript_id NOT IN ({ids}))")
            params += [user.pk, *sorted(blind_ids)]
    return row, where, params


def _turn_overlap(turn: str, coding: str, longest: int) -> tuple[str, list[Any]]:
    """Turn ``turn`` overlaps coding ``coding``. Turns do not overlap, so a turn overlapping a
    coding starts less than the longest turn before it: that bound makes the join a bounded
    range scan of the (transcript, start) index."""
    start, end = _q("start"), _q("end")
    return (
        f"{turn}.transcript_id = {coding}.transcript_id AND {turn}.{start} < {coding}.{end} "
        f"AND {turn}.{start} > {coding}.{start} - %s AND {turn}.{end} > {coding}.{start}",
        [longest + 1],
    )


def pairs_sql(
    project: Project, selection: Selection, mapping: dict[int, int], user: Any, extra: str = ""
) -> tuple[str, list[Any]]:
    """``SELECT DISTINCT turn_id, row_id[, extra]`` over the visible codings of the project."""
    coding, turn = _q(Coding._meta.db_table), _q("transcripts_turn")
    transcript = _q(Transcript._meta.db_table)
    row, where, params = _visible(project, selection, mapping, user)
    on, on_params = _turn_overlap("t", "c", _longest_turn(project))
    sql = (
        f"SELECT DISTINCT t.id AS turn_id, {row} AS row_id{extra} "
        f"FROM {coding} c "
        f"JOIN {turn} t ON {on} "
        f"JOIN {transcript} tr ON tr.id = c.transcript_id "
        f"WHERE t.is_facilitator = %s AND {' AND '.join(where)}"
    )
    return sql, [*on_params, False, *params]


def spans_sql(
    project: Project, selection: Selection, mapping: dict[int, int], user: Any
) -> tuple[str, list[Any]]:
    """``SELECT id, transcript_id, start, end, row_id`` of the visible codings that touch a
    participant's turn (codings of a facilitator's words alone are left out, as for turns)."""
    coding, turn = _q(Coding._meta.db_table), _q("transcripts_turn")
    transcript = _q(Transcript._meta.db_table)
    row, where, params = _visible(project, selection, mapping, user)
    on, on_params = _turn_overlap("t", "c", _longest_turn(project))
    start, end = _q("start"), _q("end")
    sql = (
        f"SELECT c.id AS id, c.transcript_id AS transcript_id, c.{start} AS s, c.{end} AS e, "
        f"{row} AS row_id FROM {coding} c "
        f"JOIN {transcript} tr ON tr.id = c.transcript_id "
        f"WHERE {' AND '.join(where)} AND EXISTS (SELECT 1 FROM {turn} t WHERE {on} "
        "AND t.is_facilitator = %s)"
    )
    return sql, [*params, *on_params, False]


def _longest(model: Any, project: Project) -> int:
    """The longest span (``end - start``) of the project's turns or codings: the bound that
    turns an overlap join into a range scan of the (transcript, start) index."""
    from django.db.models import F, Max

    found = model.objects.filter(transcript__project=project).aggregate(
        longest=Max(F("end") - F("start"))
    )["longest"]
    return int(found or 0)


def _longest_turn(project: Project) -> int:
    from transcripts.models import Turn

    return _longest(Turn, project)


def _longest_coding(project: Project) -> int:
    return _longest(Coding, project)


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Codings ``a`` and ``b`` of ``spans_sql`` share words; %s is the longest coding (b starts
# after a's start less it, which keeps the self-join a range).
CODINGS_OVERLAP = "a.transcript_id = b.transcript_id AND a.s < b.e AND b.s < a.e AND b.s > a.s - %s"
SPANS = "span"  # co-occurrence unit: overlapping codings rather than shared speaker turns


@dataclass
class Cooccurrence:
    rows: list[RowCode]
    counts: dict[tuple[int, int], int]  # (row a, row b) -> turns with both; (a, a): with a
    turns: int  # participant turns in the project
    unit: str = "turn"  # or SPANS: pairs of overlapping codings; (a, a): codings of a

    def count(self, a: int, b: int) -> int:
        return self.counts.get((min(a, b), max(a, b)), 0)

    @property
    def peak(self) -> int:
        return max((n for (a, b), n in self.counts.items() if a != b), default=0)


def cooccurrence(
    project: Project, selection: Selection, user: Any, *, unit: str = "turn"
) -> Cooccurrence:
    """How many turns carry both of two rows' codes (the diagonal: turns with the row); with
    ``unit=SPANS``, how many pairs of their codings overlap (the diagonal: the row's codings)."""
    unit = SPANS if unit == SPANS else "turn"
    version = project_version(project)
    key = f"fg:cooc:{project.pk}:{version}:{selection.key()}:{unit}:{_viewer_key(project, user)}"
    rows, mapping = row_codes(project, selection.rows)
    cached = cache.get(key)
    if cached is None:
        if unit == SPANS:
            sql, params = _span_pairs_sql(project, selection, mapping, user)
        else:
            inner, params = pairs_sql(project, selection, mapping, user)
            sql = (
                f"WITH pairs AS MATERIALIZED ({inner}) "
                "SELECT a.row_id, b.row_id, COUNT(*) FROM pairs a "
                "JOIN pairs b ON a.turn_id = b.turn_id AND a.row_id <= b.row_id "
                "GROUP BY a.row_id, b.row_id"
            )
        cached = {(a, b): n for a, b, n in _fetch(sql, params)}
        cache.set(key, cached, 3600)
    return Cooccurrence(rows=rows, counts=cached, turns=_participant_turns(project), unit=unit)


def _span_pairs_sql(
    project: Project, selection: Selection, mapping: dict[int, int], user: Any
) -> tuple[str, list[Any]]:
    inner, params = spans_sql(project, selection, mapping, user)
    longest = _longest_coding(project)
    sql = (
        f"WITH cs AS MATERIALIZED ({inner}) "
        "SELECT row_id, row_id, COUNT(*) FROM cs GROUP BY row_id "
        "UNION ALL "
        f"SELECT a.row_id, b.row_id, COUNT(*) FROM cs a JOIN cs b ON {CODINGS_OVERLAP} "
        "AND a.row_id < b.row_id GROUP BY a.row_id, b.row_id"
    )
    return sql, [*params, longest + 1]


def _participant_turns(project: Project) -> int:
    from transcripts.models import Turn

    return Turn.objects.filter(transcript__project=project, is_facilitator=False).count()


def _viewer_key(project: Project, user: Any) -> str:
    whole, ids = blind_scope(project=project)
    if not (whole or ids) or sees_all_coders(user=user, project=project):
        return "all"
    return f"u{user.pk}"


@dataclass
class Column:
    key: str  # the value the cell links with: a transcript id, attribute value or coder id
    label: str
    turns: int  # the column's participant turns (the share's denominator)


@dataclass
class Comparison:
    rows: list[RowCode]
    columns: list[Column]
    by: str  # "group", "attribute" or "coder"
    measure: str  # "passages", "participants" or "groups"
    counts: dict[tuple[int, str], int] = field(default_factory=dict)
    coded: dict[tuple[int, str], int] = field(default_factory=dict)  # coded turns, for shares
    attribute: Any = None  # the Attribute (or GroupAttribute) whose values are the columns

    def count(self, row: int, column: str) -> int:
        return self.counts.get((row, column), 0)

    def share(self, row: int, column: Column) -> float:
        return self.coded.get((row, column.key), 0) / column.turns if column.turns else 0.0

    @property
    def peak_share(self) -> float:
        return max((self.share(r.pk, c) for r in self.rows for c in self.columns), default=0.0)

    def low(self, row: int, column: str) -> bool:
        return 0 < self.coded.get((row, column), 0) < LOW_COUNT


MEASURES = {
    "passages": "COUNT(DISTINCT p.turn_id)",
    "participants": "COUNT(DISTINCT t.participant_id)",
    "groups": "COUNT(DISTINCT t.transcript_id)",
}


def comparison(
    project: Project,
    selection: Selection,
    user: Any,
    *,
    by: str = "group",
    attribute: Any = None,  # an Attribute, or a GroupAttribute when by == "group_attribute"
    measure: str = "passages",
) -> Comparison:
    """Rows x (groups | an attribute's values | coders): the measure in each cell, and the
    share of the column's participant turns that carry the row's codes."""
    if measure not in MEASURES:
        measure = "passages"
    rows, mapping = row_codes(project, selection.rows)
    columns, column_sql, join = _columns(project, by, attribute)
    version = project_version(project)
    key = (
        f"fg:cmp:{project.pk}:{version}:{selection.key()}:{by}:{attribute.pk if attribute else 0}"
        f":{_viewer_key(project, user)}"
    )
    cached = cache.get(key)
    if cached is None:
        extra = ", c.coder_id AS coder_id" if by == "coder" else ""
        inner, params = pairs_sql(project, selection, mapping, user, extra=extra)
        turn = _q("transcripts_turn")
        sql = (
            f"WITH pairs AS MATERIALIZED ({inner}) "
            f"SELECT p.row_id, {column_sql}, {MEASURES['passages']}, "
            f"{MEASURES['participants']}, {MEASURES['groups']} "
            f"FROM pairs p JOIN {turn} t ON t.id = p.turn_id {join} "
            f"GROUP BY p.row_id, {column_sql}"
        )
        by_value = attribute is not None and by in ("attribute", "group_attribute")
        extra_params = [attribute.pk] if by_value else []
        cached = _fetch(sql, params + extra_params)
        cache.set(key, cached, 3600)
    table = Comparison(rows=rows, columns=columns, by=by, measure=measure, attribute=attribute)
    index = {"passages": 2, "participants": 3, "groups": 4}[measure]
    for record in cached:
        column = str(record[1])
        table.counts[(record[0], column)] = record[index]
        table.coded[(record[0], column)] = record[2]
    return table


def _columns(project: Project, by: str, attribute: Any) -> tuple[list[Column], str, str]:
    """The columns, the SQL naming a pair's column, and any join it needs."""
    from django.db.models import Count, Q

    from transcripts.models import AttributeValue, Turn

    participant_turns = Turn.objects.filter(transcript__project=project, is_facilitator=False)
    if by == "group_attribute" and attribute is not None:
        from transcripts.models import GroupAttributeValue

        group_value = _q(GroupAttributeValue._meta.db_table)
        totals = dict(
            GroupAttributeValue.objects.filter(attribute=attribute)
            .values_list("value")
            .annotate(
                n=Count("transcript__turns", filter=Q(transcript__turns__is_facilitator=False))
            )
            .order_by()
        )
        listed = [str(c) for c in attribute.choices or [] if str(c) in totals]
        ordered = listed + sorted(set(totals) - set(listed), key=str.casefold)
        join = (
            f"JOIN {group_value} gv ON gv.transcript_id = t.transcript_id AND gv.attribute_id = %s"
        )
        return [Column(v, v, totals[v]) for v in ordered], "gv.value", join
    if by == "attribute" and attribute is not None:
        value = _q(AttributeValue._meta.db_table)
        totals = dict(
            AttributeValue.objects.filter(attribute=attribute)
            .values_list("value")
            .annotate(
                n=Count("participant__turns", filter=Q(participant__turns__is_facilitator=False))
            )
        )
        columns = [Column(v, v, totals[v]) for v in sorted(totals, key=str.casefold)]
        join = f"JOIN {value} av ON av.participant_id = t.participant_id AND av.attribute_id = %s"
        return columns, "av.value", join
    if by == "coder":
        from django.contrib.auth import get_user_model

        coder_ids = (
            Coding.objects.filter(transcript__project=project)
            .order_by()
            .values_list("coder_id", flat=True)
            .distinct()
        )
        total = participant_turns.count()
        users = get_user_model().objects.filter(pk__in=list(coder_ids)).order_by("username")
        return [Column(str(u.pk), u.get_username(), total) for u in users], "p.coder_id", ""
    counts = dict(participant_turns.values_list("transcript_id").annotate(n=Count("id")).order_by())
    transcripts = Transcript.objects.filter(project=project).only("id", "name", "order")
    return (
        [Column(str(t.pk), t.name, counts.get(t.pk, 0)) for t in transcripts],
        "t.transcript_id",
        "",
    )
