"""Coverage and progress: per transcript and per coder, the share of participant turns coded,
the codes used, the open suggestions, and the turns nobody has coded yet.

Counted in SQL over the same (turn, code) pairs as the cross-case tables (coders' own
codings, not the agreed set; blind coding narrows them as everywhere), in one statement, and
cached per project version. Open suggestions are counted afresh: a suggestion run writes no
audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Q

from coding.models import Assignment
from coding.selectors.team import CODERS
from transcripts.models import Project, Transcript, Turn

from .tables import Selection, _fetch, _q, _viewer_key, pairs_sql, project_version, row_codes


@dataclass
class Progress:
    label: str
    turns: int  # participant turns in scope (the share's denominator)
    coded: int = 0  # of them, turns with at least one coding
    codes: int = 0  # distinct codes used
    suggestions: int = 0  # open (pending) suggestions
    first_uncoded: int | None = None  # a turn id to start from
    first_uncoded_at: int = 0  # and where it starts in the text (the screen's ?at=)
    key: int = 0  # the transcript or coder id
    done: str = ""  # for coders: "2 of 3 assigned marked done"

    @property
    def share(self) -> float:
        return self.coded / self.turns if self.turns else 0.0

    @property
    def uncoded(self) -> int:
        return max(self.turns - self.coded, 0)


@dataclass
class Coverage:
    transcripts: list[Progress] = field(default_factory=list)
    coders: list[Progress] = field(default_factory=list)
    codes_total: int = 0
    turns: int = 0
    coded: int = 0
    suggestions: int = 0

    @property
    def share(self) -> float:
        return self.coded / self.turns if self.turns else 0.0

    @property
    def uncoded(self) -> int:
        return max(self.turns - self.coded, 0)


def coverage(project: Project, user: Any) -> Coverage:
    rows, mapping = row_codes(project, "codes")
    selection = Selection(rows="codes", coding_set=CODERS)
    key = f"fg:cov:{project.pk}:{project_version(project)}:{_viewer_key(project, user)}"
    counted = cache.get(key)
    if counted is None:
        counted = _count(project, selection, mapping, user)
        cache.set(key, counted, 3600)
    per_transcript, per_coder, first_uncoded, project_coded = counted

    participant_turns = Turn.objects.filter(transcript__project=project, is_facilitator=False)
    totals = dict(participant_turns.values_list("transcript_id").annotate(n=Count("id")).order_by())
    pending = dict(
        project.suggestions.filter(status="pending")
        .values_list("transcript_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    start_at = _turn_ids(first_uncoded)
    result = Coverage(codes_total=len(rows), turns=sum(totals.values()), coded=project_coded)
    for transcript in Transcript.objects.filter(project=project).only("id", "name", "order"):
        coded, codes = per_transcript.get(transcript.pk, (0, 0))
        first_turn, first_at = start_at.get(transcript.pk, (None, 0))
        result.transcripts.append(
            Progress(
                label=transcript.name,
                key=transcript.pk,
                turns=totals.get(transcript.pk, 0),
                coded=coded,
                codes=codes,
                suggestions=pending.get(transcript.pk, 0),
                first_uncoded=first_turn,
                first_uncoded_at=first_at,
            )
        )
    result.suggestions = sum(pending.values())
    result.coders = _coders(project, per_coder, totals)
    return result


def _coders(
    project: Project, per_coder: dict[int, tuple[int, int]], totals: dict[int, int]
) -> list[Progress]:
    """Each coder's share of the participant turns they are assigned (of the whole project
    when they have no assignment)."""
    assigned: dict[int, list[tuple[int, bool]]] = {}
    for coder_id, transcript_id, done_at in Assignment.objects.filter(
        transcript__project=project
    ).values_list("coder_id", "transcript_id", "done_at"):
        assigned.setdefault(coder_id, []).append((transcript_id, done_at is not None))
    ids = set(per_coder) | set(assigned)
    people = get_user_model().objects.filter(pk__in=ids).order_by("username")
    everything = sum(totals.values())
    out = []
    for person in people:
        mine = assigned.get(person.pk, [])
        coded, codes = per_coder.get(person.pk, (0, 0))
        turns = sum(totals.get(t, 0) for t, _ in mine) if mine else everything
        done = f"{sum(d for _, d in mine)} of {len(mine)} assigned marked done" if mine else ""
        out.append(
            Progress(
                label=person.get_username(),
                key=person.pk,
                turns=turns,
                coded=coded,  # counted within their assignments (the SQL's own condition)
                codes=codes,
                done=done,
            )
        )
    return out


def _count(
    project: Project, selection: Selection, mapping: dict[int, int], user: Any
) -> tuple[dict, dict, dict, int]:
    """One statement: coded turns and codes per transcript and per coder, coded turns in the
    project, and the first uncoded participant turn of each transcript."""
    inner, params = pairs_sql(
        project,
        selection,
        mapping,
        user,
        extra=", c.coder_id AS coder_id, c.transcript_id AS transcript_id",
    )
    turn, transcript = _q("transcripts_turn"), _q(Transcript._meta.db_table)
    order = _q("order")
    assigned = _q(Assignment._meta.db_table)
    # A coder's coded turns count only within what they are assigned, when they have any.
    sql = (
        f"WITH pairs AS MATERIALIZED ({inner}) "
        "SELECT 't', transcript_id, COUNT(DISTINCT turn_id), COUNT(DISTINCT row_id) FROM pairs "
        "GROUP BY transcript_id "
        "UNION ALL "
        "SELECT 'c', p.coder_id, COUNT(DISTINCT p.turn_id), COUNT(DISTINCT p.row_id) FROM pairs p "
        f"WHERE NOT EXISTS (SELECT 1 FROM {assigned} a WHERE a.coder_id = p.coder_id) "
        f"OR EXISTS (SELECT 1 FROM {assigned} a WHERE a.coder_id = p.coder_id "
        "AND a.transcript_id = p.transcript_id) "
        "GROUP BY p.coder_id "
        "UNION ALL "
        "SELECT 'p', 0, COUNT(DISTINCT turn_id), 0 FROM pairs "
        "UNION ALL "
        f"SELECT 'u', t.transcript_id, MIN(t.{order}), 0 FROM {turn} t "
        f"JOIN {transcript} tr ON tr.id = t.transcript_id "
        "WHERE tr.project_id = %s AND t.is_facilitator = %s "
        "AND t.id NOT IN (SELECT turn_id FROM pairs) GROUP BY t.transcript_id"
    )
    per_transcript: dict[int, tuple[int, int]] = {}
    per_coder: dict[int, tuple[int, int]] = {}
    first_uncoded: dict[int, int] = {}
    project_coded = 0
    for kind, key, a, b in _fetch(sql, [*params, project.pk, False]):
        if kind == "t":
            per_transcript[key] = (a, b)
        elif kind == "c":
            per_coder[key] = (a, b)
        elif kind == "p":
            project_coded = a
        else:
            first_uncoded[key] = a
    return per_transcript, per_coder, first_uncoded, project_coded


def _turn_ids(first_uncoded: dict[int, int]) -> dict[int, tuple[int, int]]:
    """``{transcript id: (turn id, its start)}`` of each transcript's first uncoded turn."""
    if not first_uncoded:
        return {}
    match = reduce(or_, (Q(transcript_id=t, order=o) for t, o in first_uncoded.items()))
    rows = Turn.objects.filter(match).values_list("pk", "transcript_id", "start")
    return {t: (pk, start) for pk, t, start in rows}
