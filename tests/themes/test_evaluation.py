from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from coding.models import Code
from themes.evaluation import (
    FrameworkCode,
    Quote,
    at_threshold,
    calibration,
    interval,
    protocol_split,
    score,
)
from transcripts.models import Project

FRAMEWORK_CSV = (
    "code,name,definition\n"
    "security,Data security,Hacking and cyber attacks on hospital records\n"
    "optout,Opting out,How to opt out of data sharing\n"
    "contact,Being contacted,Receiving a letter or a phone call from the GP\n"
)
GOLD = [
    ("Hackers attacked the hospital records last year.", "security"),
    ("Cyber attacks on records scare me.", "security"),
    ("I fear hacking of my hospital data.", "security"),
    ("How do I opt out of sharing?", "optout"),
    ("Opting out of data sharing should be easy.", "optout"),
    ("I prefer a letter from my GP.", "contact"),
    ("A phone call from the GP is fine.", "contact"),
]


@pytest.fixture
def files(tmp_path):
    framework = tmp_path / "framework.csv"
    framework.write_text(FRAMEWORK_CSV)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps({"text": t, "code": c}) for t, c in GOLD) + "\n")
    return framework, gold


def test_split_shuffles_each_code_with_one_generator_per_repeat_in_framework_order():
    framework = [
        FrameworkCode("b", "B", ""),
        FrameworkCode("a", "A", ""),
        FrameworkCode("c", "C", ""),
    ]
    quotes = [Quote(f"a{i}", "a") for i in range(4)] + [Quote(f"b{i}", "b") for i in range(5)]
    quotes.append(Quote("c0", "c"))
    coded, uncoded = protocol_split(framework=framework, quotes=quotes, k=2, repeat=7)

    rng = random.Random(7)
    b = [f"b{i}" for i in range(5)]
    rng.shuffle(b)  # framework order: b first, then a, with the same generator
    a = [f"a{i}" for i in range(4)]
    rng.shuffle(a)
    c = ["c0"]
    rng.shuffle(c)
    assert [q.text for q in coded] == b[:2] + a[:2]  # c has one quote: k = min(2, 0) = 0
    assert [q.text for q in uncoded] == b[2:] + a[2:] + ["c0"]


def test_split_keeps_one_uncoded_quote_when_k_reaches_the_code_size():
    framework = [FrameworkCode("a", "A", "")]
    quotes = [Quote("x", "a"), Quote("y", "a")]
    coded, uncoded = protocol_split(framework=framework, quotes=quotes, k=5, repeat=0)
    assert len(coded) == 1 and len(uncoded) == 1
    coded, uncoded = protocol_split(framework=framework, quotes=quotes, k=0, repeat=0)
    assert coded == [] and len(uncoded) == 2


def test_scores_top1_top3_and_macro_f1_over_gold_codes():
    gold = ["a", "a", "b", "c"]
    ranked = [["a", "b", "c"], ["b", "a", "c"], ["b", "c", "a"], ["a", "b", "d", "c"]]
    result = score(gold, ranked)
    assert result.top1 == 0.5
    assert result.top3 == 0.75
    # a: tp 1, fp 1, fn 1 -> 0.5; b: tp 1, fp 1 -> 2/3; c: 0
    assert result.macro_f1 == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_ece_is_the_weighted_gap_between_confidence_and_accuracy_per_bin():
    pairs = [(0.95, True), (0.92, True), (0.91, False), (0.15, False), (0.12, True)]
    table = calibration(pairs)
    top = table.bins[9]
    assert top[2] == 3 and top[3] == pytest.approx((0.95 + 0.92 + 0.91) / 3)
    assert top[4] == pytest.approx(2 / 3)
    low = table.bins[1]
    assert low[2] == 2 and low[4] == 0.5
    expected = 3 / 5 * abs(2 / 3 - top[3]) + 2 / 5 * abs(0.5 - low[3])
    assert table.ece == pytest.approx(expected)
    assert calibration([(1.0, True)]).ece == 0.0  # a confidence of 1 falls in the last bin


def test_precision_and_coverage_at_a_threshold():
    pairs = [(0.9, True), (0.8, False), (0.75, True), (0.3, True)]
    precision, coverage = at_threshold(pairs, 0.7)
    assert precision == pytest.approx(2 / 3) and coverage == 0.75
    precision, coverage = at_threshold(pairs, 0.95)
    assert precision != precision and coverage == 0.0  # nothing shown: NaN, not 0 or 1


def test_interval_is_the_mean_and_the_central_95_percent_of_the_repeats():
    mean, lo, hi = interval([float(v) for v in range(41)])
    assert mean == 20 and lo == pytest.approx(1.0) and hi == pytest.approx(39.0)


def _table(out: str) -> dict[int, dict[str, float]]:
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("K "))
    names = ["top-1", "top-3", "macro-F1", "ECE", "precision", "coverage"]
    rows: dict[int, dict[str, float]] = {}
    for line in lines[header + 1 :]:
        if not line.strip():
            break
        k, rest = line.split(None, 1)
        means = [part.split(" [")[0] for part in rest.split("]") if part.strip()]
        rows[int(k)] = {
            name: float(value) if value.strip() != "-" else float("nan")
            for name, value in zip(names, (m.strip() for m in means), strict=False)
        }
    return rows


def test_command_prints_the_learning_curve_calibration_and_threshold_figures(db, files, capsys):
    framework, gold = files
    projects = Project.objects.count()
    call_command(
        "evaluate_suggestions",
        "--gold",
        str(gold),
        "--framework",
        str(framework),
        "--k",
        "0,1",
        "--repeats",
        "3",
    )
    out = capsys.readouterr().out
    rows = _table(out)
    assert set(rows) == {0, 1}
    for figures in rows.values():
        assert figures["top-1"] >= 0.75  # the quotes share words with their definitions
        assert figures["top-3"] == 1.0
        assert 0 <= figures["ECE"] <= 1 and 0 <= figures["coverage"] <= 1
    assert "Reliability at K=1" in out and "0.9-1.0" in out
    assert Project.objects.count() == projects and not Code.objects.exists()


def test_command_refuses_a_malformed_k_list(db, files):
    framework, gold = files
    with pytest.raises(CommandError, match="such as 0,2,5,10"):
        call_command(
            "evaluate_suggestions",
            "--gold",
            str(gold),
            "--framework",
            str(framework),
            "--k",
            "2,five",
        )


def test_command_names_the_line_of_a_gold_quote_with_an_unknown_code(db, files):
    framework, gold = files
    gold.write_text('{"text": "fine", "code": "security"}\n{"text": "x", "code": "nope"}\n')
    with pytest.raises(CommandError, match=r"gold.jsonl, line 2: the code 'nope'"):
        call_command("evaluate_suggestions", "--gold", str(gold), "--framework", str(framework))


def test_command_names_missing_framework_columns(db, files):
    framework, gold = files
    framework.write_text("code,title\nsecurity,Security\n")
    with pytest.raises(CommandError, match="missing definition, name"):
        call_command("evaluate_suggestions", "--gold", str(gold), "--framework", str(framework))


def test_command_runs_on_a_fresh_checkout_without_a_migrated_database(files, tmp_path):
    framework, gold = files
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env["FG_VAR_DIR"] = str(tmp_path / "fresh")
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "evaluate_suggestions",
            "--gold",
            str(gold),
            "--framework",
            str(framework),
            "--k",
            "1",
            "--repeats",
            "2",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "top-1" in result.stdout and "Reliability at K=1" in result.stdout
