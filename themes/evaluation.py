"""The evaluation protocol of ``shared/eval/README.md`` ("few-shot deductive suggestion").

Django-free: reading the files, splitting each repeat into coded and uncoded quotes, and scoring
rankings. The management command ``evaluate_suggestions`` runs the production service between
the split and the scoring.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class EvaluationInputError(ValueError):
    """A problem with the gold or framework file, worded for the person running the command."""


@dataclass(frozen=True)
class FrameworkCode:
    code: str
    name: str
    definition: str
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""


@dataclass(frozen=True)
class Quote:
    text: str
    code: str


def read_framework(path: Path) -> list[FrameworkCode]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise EvaluationInputError(f"{path}: cannot open the framework file ({exc}).") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name", "definition"} - set(reader.fieldnames or [])
        if missing:
            raise EvaluationInputError(
                f"{path}: the framework needs the columns code, name, definition; "
                f"missing {', '.join(sorted(missing))}."
            )
        codes: list[FrameworkCode] = []
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            key = (row.get("code") or "").strip()
            if not key:
                raise EvaluationInputError(f"{path}, row {line}: the column 'code' is empty.")
            if key in seen:
                raise EvaluationInputError(f"{path}, row {line}: the code {key!r} is repeated.")
            seen.add(key)
            codes.append(
                FrameworkCode(
                    code=key,
                    name=(row.get("name") or "").strip() or key,
                    definition=(row.get("definition") or "").strip(),
                    inclusion=(row.get("inclusion") or "").strip(),
                    exclusion=(row.get("exclusion") or "").strip(),
                    example=(row.get("example") or "").strip(),
                )
            )
    if not codes:
        raise EvaluationInputError(f"{path}: the framework has no codes.")
    return codes


def read_gold(path: Path, framework: Sequence[FrameworkCode]) -> list[Quote]:
    known = {code.code for code in framework}
    quotes: list[Quote] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationInputError(f"{path}: cannot read the gold file ({exc}).") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationInputError(
                f"{path}, line {number}: not valid JSON ({exc.msg})."
            ) from exc
        if not isinstance(row, dict):
            raise EvaluationInputError(f"{path}, line {number}: expected a JSON object.")
        text, code = row.get("text"), row.get("code")
        if not isinstance(text, str) or not text.strip():
            raise EvaluationInputError(f"{path}, line {number}: 'text' is missing or empty.")
        if not isinstance(code, str) or code not in known:
            raise EvaluationInputError(
                f"{path}, line {number}: the code {code!r} is not in the framework."
            )
        quotes.append(Quote(text=text, code=code))
    if not quotes:
        raise EvaluationInputError(f"{path}: no quotes.")
    return quotes


def protocol_split(
    *, framework: Sequence[FrameworkCode], quotes: Sequence[Quote], k: int, repeat: int
) -> tuple[list[Quote], list[Quote]]:
    """Step 1 of the protocol for repeat ``repeat``: one ``random.Random(repeat)`` shared across
    the codes in framework order; each code's quotes, in file order, are shuffled with it; the
    first ``min(k, n_c - 1)`` are coded by the analyst, the rest are uncoded."""
    rng = random.Random(repeat)
    coded: list[Quote] = []
    uncoded: list[Quote] = []
    for code in framework:
        own = [quote for quote in quotes if quote.code == code.code]
        if not own:
            continue
        rng.shuffle(own)
        take = min(k, len(own) - 1)
        coded.extend(own[:take])
        uncoded.extend(own[take:])
    return coded, uncoded


@dataclass(frozen=True)
class Scores:
    top1: float
    top3: float
    macro_f1: float


def score(gold: Sequence[str], ranked: Sequence[Sequence[str]]) -> Scores:
    """Top-1 and top-3 accuracy, and macro-F1 of the first-ranked code over the gold codes."""
    n = len(gold)
    if n == 0:
        return Scores(0.0, 0.0, 0.0)
    top1 = sum(1 for g, r in zip(gold, ranked, strict=True) if r[:1] == [g] or r[:1] == (g,))
    top3 = sum(1 for g, r in zip(gold, ranked, strict=True) if g in list(r[:3]))
    predicted = [r[0] for r in ranked]
    f1s = []
    for code in dict.fromkeys(gold):
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == code)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == code and g != code)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == code and p != code)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return Scores(top1 / n, top3 / n, sum(f1s) / len(f1s))


def mean_scores(runs: Sequence[Scores]) -> Scores:
    count = len(runs)
    return Scores(
        sum(s.top1 for s in runs) / count,
        sum(s.top3 for s in runs) / count,
        sum(s.macro_f1 for s in runs) / count,
    )


@dataclass(frozen=True)
class Calibration:
    """Expected calibration error and its reliability table, over (confidence, correct) pairs
    of each quote's first-ranked code."""

    ece: float
    bins: list[tuple[float, float, int, float, float]]  # (lo, hi, n, mean confidence, accuracy)


def calibration(pairs: Sequence[tuple[float, bool]], n_bins: int = 10) -> Calibration:
    """ECE with ``n_bins`` equal-width bins: sum over bins of n_b / N * |accuracy - confidence|."""
    bins: list[tuple[float, float, int, float, float]] = []
    total = len(pairs)
    ece = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        inside = [(c, ok) for c, ok in pairs if lo <= c < hi or (b == n_bins - 1 and c == hi)]
        if not inside:
            bins.append((lo, hi, 0, 0.0, 0.0))
            continue
        confidence = sum(c for c, _ in inside) / len(inside)
        accuracy = sum(1 for _, ok in inside if ok) / len(inside)
        ece += len(inside) / total * abs(accuracy - confidence)
        bins.append((lo, hi, len(inside), confidence, accuracy))
    return Calibration(ece=ece if total else 0.0, bins=bins)


def at_threshold(pairs: Sequence[tuple[float, bool]], threshold: float) -> tuple[float, float]:
    """(precision, coverage) of the first-ranked code when only confidences >= threshold are
    shown: the share of shown suggestions that are right, and the share of quotes shown one.
    Precision is NaN when nothing is shown."""
    shown = [ok for c, ok in pairs if c >= threshold]
    coverage = len(shown) / len(pairs) if pairs else 0.0
    precision = sum(shown) / len(shown) if shown else float("nan")
    return precision, coverage


def interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and the 2.5th-97.5th percentile range of per-repeat figures (the spread a new
    split of the same data gives; NaN repeats are left out)."""
    import math

    clean = sorted(v for v in values if not math.isnan(v))
    if not clean:
        return float("nan"), float("nan"), float("nan")

    def pct(q: float) -> float:
        position = q * (len(clean) - 1)
        low = int(math.floor(position))
        high = min(low + 1, len(clean) - 1)
        return clean[low] + (clean[high] - clean[low]) * (position - low)

    return sum(clean) / len(clean), pct(0.025), pct(0.975)
