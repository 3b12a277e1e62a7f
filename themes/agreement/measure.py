"""Build the units of a project's transcripts and measure how far its coders agree on them.

A unit is a participant's speaker turn (the default; facilitator turns are not data), a
sentence within such a turn, or a run of characters. A coder *applied* a code to a unit when
one of their codings of that code overlaps it. A transcript counts for a coder once they are
assigned to it and have marked it done (or, where a transcript has no assignments, once they
coded it): for anyone else it is missing data, not a string of zeros.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model

from coding.models import Code, Coding
from coding.selectors.codes import code_path
from coding.selectors.team import coders_done
from transcripts.models import Project, Transcript, Turn

from .stats import MISSING, Figure, figures

UNITS = ("turn", "sentence", "character")
UNIT_LABELS = {"turn": "speaker turn", "sentence": "sentence", "character": "character"}

# A sentence ends at . ! ? or … (with closing quotes or brackets) before whitespace, or at a
# line break: simple, predictable, and the same on every machine.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n+")


class AgreementError(Exception):
    """The selection cannot be measured; the message says why, in the analyst's words."""


@dataclass
class CodeFigure:
    code: Code
    path: str
    figure: Figure
    used_by: int  # how many coders applied it at least once in the selection


@dataclass
class Agreement:
    unit: str
    coders: list[Any]
    transcripts: list[Transcript]
    overall: Figure
    codes: list[CodeFigure]
    unassigned: list[Transcript] = field(default_factory=list)
    replicates: int = 1000
    missing: dict[str, list[str]] = field(default_factory=dict)  # coder -> transcripts not done

    def as_json(self) -> dict[str, Any]:
        def number(value: float | None) -> float | None:
            return None if value is None else round(value, 6)

        return {
            "unit": self.unit,
            "coders": [coder.get_username() for coder in self.coders],
            "transcripts": [t.name for t in self.transcripts],
            "overall": {
                "alpha": number(self.overall.alpha),
                "ci": [number(v) for v in self.overall.ci] if self.overall.ci else None,
                "units": self.overall.units,
                "values": self.overall.values,
                "agreement": number(self.overall.agreement),
                "kappa": number(self.overall.kappa),
            },
            "codes": [
                {
                    "code": row.path,
                    "alpha": number(row.figure.alpha),
                    "ci": [number(v) for v in row.figure.ci] if row.figure.ci else None,
                    "kappa": number(row.figure.kappa),
                    "agreement": number(row.figure.agreement),
                    "units": row.figure.units,
                    "values": row.figure.values,
                    "note": row.figure.reason,
                }
                for row in self.codes
            ],
        }


def code_paths(*, project: Project) -> dict[int, str]:
    """``"Theme > Sub-code"`` for every code of the project."""
    codes = {code.pk: code for code in Code.objects.filter(project=project)}
    return {pk: code_path(code=code, by_id=codes) for pk, code in codes.items()}


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, at = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.end() > at and text[at : match.end()].strip():
            spans.append((at, match.end()))
        at = match.end()
    if at < end and text[at:end].strip():
        spans.append((at, end))
    return spans


def _base_spans(
    transcript: Transcript, turns: list[tuple[int, int]], unit: str
) -> list[tuple[int, int]]:
    if not turns:
        turns = [(0, len(transcript.text))]
    if unit == "sentence":
        return [span for start, end in turns for span in _sentences(transcript.text, start, end)]
    return [(start, end) for start, end in turns if end > start]


def _character_runs(
    spans: list[tuple[int, int]], codings: list[tuple[int, int, int, int]]
) -> list[tuple[int, int]]:
    """Split the turns at every coding boundary: within a run, every coder's codes are fixed."""
    cuts = sorted({edge for _c, _k, start, end in codings for edge in (start, end)})
    runs: list[tuple[int, int]] = []
    for start, end in spans:
        inner = cuts[bisect.bisect_right(cuts, start) : bisect.bisect_left(cuts, end)]
        edges = [start, *inner, end]
        runs.extend((a, b) for a, b in zip(edges, edges[1:], strict=False) if b > a)
    return runs


def _unit_values(
    spans: list[tuple[int, int]],
    codings: list[tuple[int, int, int, int]],
    coder_index: dict[int, int],
) -> list[list[set[int]]]:
    """For each unit, each coder's set of codes on it."""
    starts = [s for s, _e in spans]
    ends = [e for _s, e in spans]
    values: list[list[set[int]]] = [[set() for _ in coder_index] for _ in spans]
    for coder_id, code_id, start, end in codings:
        column = coder_index[coder_id]
        first = bisect.bisect_right(ends, start)
        last = bisect.bisect_left(starts, end)
        for row in range(first, last):
            values[row][column].add(code_id)
    return values


def _selection(
    project: Project,
    coder_names: list[str] | None,
    code_names: list[str] | None,
    transcript_names: list[str] | None,
) -> tuple[list[Transcript], dict[int, str], set[int] | None, set[str] | None]:
    transcripts = list(Transcript.objects.filter(project=project).defer("text"))
    if transcript_names:
        wanted = {name.casefold() for name in transcript_names}
        unknown = wanted - {t.name.casefold() for t in transcripts}
        if unknown:
            raise AgreementError(f"No transcript called {', '.join(sorted(unknown))}.")
        transcripts = [t for t in transcripts if t.name.casefold() in wanted]
    paths = code_paths(project=project)
    code_ids: set[int] | None = None
    if code_names:
        by_name: dict[str, set[int]] = defaultdict(set)
        for pk, path in paths.items():
            by_name[path.casefold()].add(pk)
            by_name[path.rsplit(" > ", 1)[-1].casefold()].add(pk)
        code_ids = set()
        for name in code_names:
            found = by_name.get(name.strip().casefold())
            if not found:
                raise AgreementError(f"No code called {name!r} in the framework.")
            code_ids |= found
    coders = {name.casefold() for name in coder_names} if coder_names else None
    return transcripts, paths, code_ids, coders


def _coders(done: dict[int, set[int]], wanted: set[str] | None) -> dict[int, Any]:
    """The coders to compare (narrowing ``done`` to them)."""
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(pk__in={c for s in done.values() for c in s})
    }
    if wanted is not None:
        unknown = wanted - {u.get_username().casefold() for u in users.values()}
        if unknown:
            raise AgreementError(
                f"{', '.join(sorted(unknown))} has not finished coding any transcript in the "
                "selection (an assigned coder counts once they mark a transcript done)."
            )
        users = {pk: u for pk, u in users.items() if u.get_username().casefold() in wanted}
    for tid in done:
        done[tid] &= set(users)
    if len(users) < 2:
        raise AgreementError(
            "Agreement needs at least two coders who have finished coding the same transcript; "
            f"this selection has {len(users)}."
        )
    return users


def agreement_measure(
    *,
    project: Project,
    unit: str = "turn",
    coder_names: list[str] | None = None,
    code_names: list[str] | None = None,
    transcript_names: list[str] | None = None,
    replicates: int = 1000,
    seed: int = 0,
) -> Agreement:
    """Measure agreement over the selection. Raises :class:`AgreementError` with a message for
    a selection that cannot be measured (fewer than two coders, no shared transcript)."""
    if unit not in UNITS:
        raise AgreementError(f"The unit must be one of {', '.join(UNITS)}, not {unit!r}.")
    transcripts, paths, code_ids, coder_filter = _selection(
        project, coder_names, code_names, transcript_names
    )
    done, unassigned = coders_done(project=project, transcript_ids=[t.pk for t in transcripts])
    users = _coders(done, coder_filter)
    shared = [t for t in transcripts if len(done[t.pk]) >= 2]
    if not shared:
        raise AgreementError(
            "No transcript in the selection was finished by two or more of these coders, so "
            "there is nothing to compare."
        )
    coders = sorted(users.values(), key=lambda u: u.get_username().casefold())
    coder_index = {u.pk: i for i, u in enumerate(coders)}
    rows, weights = _rows(shared, done, coder_index, code_ids, unit)
    used = _used_codes(rows, code_ids)
    table_codes = sorted(used | (code_ids or set()), key=lambda pk: paths.get(pk, ""))
    overall_table, code_tables = _tables(rows, len(coders), table_codes)
    found = figures(
        [overall_table, *code_tables], np.asarray(weights, float), replicates=replicates, seed=seed
    )
    code_objects = Code.objects.in_bulk(table_codes)
    users_of = _users_of(rows, len(coders))
    missing = {
        coder.get_username(): [t.name for t in shared if coder.pk not in done[t.pk]]
        for coder in coders
    }
    return Agreement(
        unit=unit,
        coders=coders,
        transcripts=shared,
        overall=found[0],
        codes=[
            CodeFigure(
                code=code_objects[pk], path=paths[pk], figure=fig, used_by=users_of.get(pk, 0)
            )
            for pk, fig in zip(table_codes, found[1:], strict=True)
        ],
        unassigned=[t for t in shared if t.pk in unassigned],
        replicates=replicates,
        missing={name: names for name, names in missing.items() if names},
    )


Row = list[frozenset[int] | None]


def _rows(
    transcripts: list[Transcript],
    done: dict[int, set[int]],
    coder_index: dict[int, int],
    code_ids: set[int] | None,
    unit: str,
) -> tuple[list[Row], list[int]]:
    """One row per unit: each coder's codes on it, or ``None`` where it is missing for them."""
    texts = dict(
        Transcript.objects.filter(pk__in=[t.pk for t in transcripts]).values_list("pk", "text")
    )
    turns: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for tid, start, end in (
        Turn.objects.filter(transcript_id__in=texts, is_facilitator=False)
        .order_by("transcript_id", "start")
        .values_list("transcript_id", "start", "end")
    ):
        turns[tid].append((start, end))
    codings = Coding.objects.filter(transcript_id__in=texts, coder_id__in=coder_index).exclude(
        origin=Coding.Origin.ADJUDICATED
    )
    if code_ids is not None:
        codings = codings.filter(code_id__in=code_ids)
    by_transcript: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for tid, coder_id, code_id, start, end in codings.order_by().values_list(
        "transcript_id", "coder_id", "code_id", "start", "end"
    ):
        if coder_id in done[tid]:
            by_transcript[tid].append((coder_id, code_id, start, end))
    rows: list[Row] = []
    weights: list[int] = []
    for transcript in transcripts:
        transcript.text = texts[transcript.pk]
        spans = _base_spans(transcript, turns[transcript.pk], unit)
        marks = by_transcript[transcript.pk]
        if unit == "character":
            spans = _character_runs(spans, marks)
        present = [coder_id in done[transcript.pk] for coder_id in coder_index]
        for (start, end), values in zip(
            spans, _unit_values(spans, marks, coder_index), strict=True
        ):
            rows.append(
                [frozenset(v) if here else None for v, here in zip(values, present, strict=True)]
            )
            weights.append(end - start if unit == "character" else 1)
    return rows, weights


def _used_codes(rows: list[Row], code_ids: set[int] | None) -> set[int]:
    used: set[int] = set()
    for row in rows:
        for value in row:
            if value:
                used |= value
    return used if code_ids is None else used & code_ids


def _users_of(rows: list[Row], coders: int) -> dict[int, int]:
    users: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        for column, value in enumerate(row):
            for code_id in value or ():
                users[code_id].add(column)
    return {code_id: len(columns) for code_id, columns in users.items()}


def _tables(rows: list[Row], coders: int, codes: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    categories: dict[frozenset[int], int] = {}
    overall = np.full((len(rows), coders), MISSING, dtype=np.int64)
    present = np.zeros((len(rows), coders), dtype=bool)
    column_of = {code_id: k for k, code_id in enumerate(codes)}
    applied = np.zeros((len(rows), coders, len(codes)), dtype=np.int8)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            present[r, c] = True
            overall[r, c] = categories.setdefault(value, len(categories))
            for code_id in value:
                k = column_of.get(code_id)
                if k is not None:
                    applied[r, c, k] = 1
    per_code = [np.where(present, applied[:, :, k], MISSING) for k in range(len(codes))]
    return overall, per_code
