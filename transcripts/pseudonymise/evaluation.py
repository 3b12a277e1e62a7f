"""The identifier-detection protocol of ``shared/eval/pseudonymisation/README.md``, written from
its text (the product never imports anything from ``shared``): per-type and pooled precision,
recall and F1 with exact and overlap matching, the leak rate, and the identifier-free passages'
burden."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TYPES = ("PERSON", "PLACE", "ORG", "CONTACT", "ID", "DATE")
LEAK_TYPES = ("PERSON", "CONTACT", "ID")
Span = tuple[int, int, str]


class GoldError(ValueError):
    """A problem with the gold file, naming its line."""


@dataclass(frozen=True)
class Passage:
    id: str
    text: str
    entities: frozenset[Span]


def read_gold(path: Path) -> list[Passage]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read the gold file ({exc}).") from exc
    passages: list[Passage] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pid, text = str(row["id"]), row["text"]
            spans = frozenset(
                (int(e["start"]), int(e["end"]), str(e["type"])) for e in row["entities"]
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise GoldError(
                f"{path}, line {number}: expected {{id, text, entities}} ({exc})."
            ) from exc
        if pid in seen:
            raise GoldError(f"{path}, line {number}: the id {pid!r} is repeated.")
        seen.add(pid)
        for start, end, kind in spans:
            if kind not in TYPES or not 0 <= start < end <= len(text):
                raise GoldError(f"{path}, line {number}: bad entity {start}-{end} {kind}.")
        passages.append(Passage(pid, text, spans))
    if not passages:
        raise GoldError(f"{path}: no passages.")
    return passages


def _prf(correct_p: int, n_p: int, found: int, n_g: int) -> dict[str, float]:
    p = correct_p / n_p if n_p else 0.0
    r = found / n_g if n_g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f}


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(passages: Sequence[Passage], predicted: dict[str, set[Span]]) -> dict:
    """The figures of the protocol; ``predicted`` maps passage id to its spans."""
    rows: dict[str, dict] = {}
    totals = {"gold": 0, "pred": 0, "exact": 0, "found": 0, "correct": 0}
    for kind in TYPES:
        n_g, n_p, exact, found, correct = _counts(passages, predicted, kind)
        rows[kind] = {
            "gold": n_g,
            "predicted": n_p,
            "exact": _prf(exact, n_p, exact, n_g),
            "overlap": _prf(correct, n_p, found, n_g),
        }
        for key, value in zip(totals, (n_g, n_p, exact, found, correct), strict=True):
            totals[key] += value
    rows["ALL"] = {
        "gold": totals["gold"],
        "predicted": totals["pred"],
        "exact": _prf(totals["exact"], totals["pred"], totals["exact"], totals["gold"]),
        "overlap": _prf(totals["correct"], totals["pred"], totals["found"], totals["gold"]),
    }
    return {"types": rows, **_leaks_and_burden(passages, predicted)}


def _counts(
    passages: Sequence[Passage], predicted: dict[str, set[Span]], kind: str
) -> tuple[int, int, int, int, int]:
    """gold, predicted, exact matches, gold found by overlap, predictions overlapping gold."""
    n_g = n_p = exact = found = correct = 0
    for passage in passages:
        gold = {s for s in passage.entities if s[2] == kind}
        pred = {s for s in predicted.get(passage.id, set()) if s[2] == kind}
        n_g += len(gold)
        n_p += len(pred)
        exact += len(gold & pred)
        found += sum(1 for g in gold if any(_overlap(g, p) for p in pred))
        correct += sum(1 for p in pred if any(_overlap(p, g) for g in gold))
    return n_g, n_p, exact, found, correct


def _leaks_and_burden(passages: Sequence[Passage], predicted: dict[str, set[Span]]) -> dict:
    leaked = dict.fromkeys(LEAK_TYPES, 0)
    at_risk = dict.fromkeys(LEAK_TYPES, 0)
    for passage in passages:
        pred = predicted.get(passage.id, set())
        for g in passage.entities:
            if g[2] in LEAK_TYPES:
                at_risk[g[2]] += 1
                if not any(_overlap(g, p) for p in pred):
                    leaked[g[2]] += 1
    total_risk = sum(at_risk.values())
    empty = [p for p in passages if not p.entities]
    flagged = [p for p in empty if predicted.get(p.id)]
    return {
        "leak": {
            "rate": sum(leaked.values()) / total_risk if total_risk else 0.0,
            "leaked": leaked,
            "gold": at_risk,
        },
        "identifier_free": {
            "passages": len(empty),
            "with_detection": len(flagged),
            "spans": sum(len(predicted.get(p.id, set())) for p in empty),
        },
    }


def render(result: dict) -> str:
    lines = [
        f"{'type':<8} {'gold':>5} {'pred':>5}  {'exact P':>7} {'exact R':>7} {'exact F1':>8}  "
        f"{'overlap P':>9} {'overlap R':>9} {'overlap F1':>10}"
    ]
    for kind in (*TYPES, "ALL"):
        row = result["types"][kind]
        e, o = row["exact"], row["overlap"]
        lines.append(
            f"{kind:<8} {row['gold']:>5} {row['predicted']:>5}  {e['p']:>7.2f} {e['r']:>7.2f} "
            f"{e['f1']:>8.2f}  {o['p']:>9.2f} {o['r']:>9.2f} {o['f1']:>10.2f}"
        )
    leak = result["leak"]
    parts = ", ".join(f"{k} {leak['leaked'][k]} of {leak['gold'][k]}" for k in LEAK_TYPES)
    lines.append(f"leak rate {leak['rate']:.3f} (not flagged at all: {parts})")
    free = result["identifier_free"]
    lines.append(
        f"identifier-free passages: {free['with_detection']} of {free['passages']} get a "
        f"detection, {free['spans']} spans in all"
    )
    return "\n".join(lines)
