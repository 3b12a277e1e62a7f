"""The units (participants' speaker turns) of a transcript, each coder's codes on them, and
where they disagree: what the adjudication page lists."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from transcripts.models import Transcript, Turn

from ..models import Adjudication, Code, Coding
from .team import coders_done


@dataclass
class UnitView:
    turn: Turn
    text: str
    versions: list[tuple[Any, list[Code]]]  # (coder, their codes), coders in name order
    agreed_codes: list[Code] = field(default_factory=list)  # in the agreed set now
    adjudication: Adjudication | None = None

    @property
    def disagree(self) -> bool:
        sets = {frozenset(code.pk for code in codes) for _coder, codes in self.versions}
        return len(sets) > 1

    @property
    def union(self) -> list[Code]:
        seen: dict[int, Code] = {}
        for _coder, codes in self.versions:
            for code in codes:
                seen.setdefault(code.pk, code)
        return sorted(seen.values(), key=lambda code: (code.order, code.name))


@dataclass
class AdjudicationView:
    transcript: Transcript
    coders: list[Any]
    units: list[UnitView]

    @property
    def disagreements(self) -> list[UnitView]:
        return [unit for unit in self.units if unit.disagree]

    @property
    def settled(self) -> int:
        return sum(1 for unit in self.disagreements if unit.adjudication is not None)


def _sets(
    turns: list[Turn], codings: list[tuple[int, int, int, int, str]]
) -> dict[tuple[int, int], set[int]]:
    """``(turn index, coder id) -> code ids`` for codings overlapping each turn."""
    starts = [turn.start for turn in turns]
    ends = [turn.end for turn in turns]
    found: dict[tuple[int, int], set[int]] = {}
    for coder_id, code_id, start, end, _origin in codings:
        for index in range(bisect.bisect_right(ends, start), bisect.bisect_left(starts, end)):
            found.setdefault((index, coder_id), set()).add(code_id)
    return found


def adjudication_view(*, transcript: Transcript) -> AdjudicationView:
    """Every participant turn with each finished coder's codes on it and the agreed set."""
    done, _unassigned = coders_done(project=transcript.project, transcript_ids=[transcript.pk])
    coders = sorted(
        get_user_model().objects.filter(pk__in=done[transcript.pk]),
        key=lambda user: user.get_username().casefold(),
    )
    turns = list(
        Turn.objects.filter(transcript=transcript, is_facilitator=False)
        .select_related("participant")
        .order_by("start")
    )
    codes = Code.objects.filter(project_id=transcript.project_id).in_bulk()
    rows = list(
        Coding.objects.filter(transcript=transcript)
        .order_by()
        .values_list("coder_id", "code_id", "start", "end", "origin")
    )
    own = _sets(turns, [row for row in rows if row[4] != Coding.Origin.ADJUDICATED])
    agreed = _sets(turns, [(0, *row[1:]) for row in rows if row[4] == Coding.Origin.ADJUDICATED])
    decisions = {
        (a.start, a.end): a
        for a in Adjudication.objects.filter(transcript=transcript).select_related(
            "decided_by", "kept_coder"
        )
    }

    def named(ids: set[int]) -> list[Code]:
        return sorted((codes[pk] for pk in ids if pk in codes), key=lambda c: (c.order, c.name))

    units = [
        UnitView(
            turn=turn,
            text=transcript.text[turn.start : turn.end],
            versions=[(coder, named(own.get((index, coder.pk), set()))) for coder in coders],
            agreed_codes=named(agreed.get((index, 0), set())),
            adjudication=decisions.get((turn.start, turn.end)),
        )
        for index, turn in enumerate(turns)
    ]
    return AdjudicationView(transcript=transcript, coders=coders, units=units)
