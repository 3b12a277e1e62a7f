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
from themes.evaluation import FrameworkCode, Quote, protocol_split, score
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


def test_command_prints_the_three_figures_and_leaves_nothing_behind(db, files, capsys):
    framework, gold = files
    projects = Project.objects.count()
    call_command(
        "evaluate_suggestions",
        "--gold",
        str(gold),
        "--framework",
        str(framework),
        "--k",
        "1",
        "--repeats",
        "3",
    )
    out = capsys.readouterr().out
    figures = dict(line.rsplit(" ", 1) for line in out.splitlines()[1:])
    assert set(figures) == {"top-1", "top-3", "macro-F1"}
    assert float(figures["top-1"]) >= 0.75  # the quotes share words with their definitions
    assert float(figures["top-3"]) == 1.0
    assert Project.objects.count() == projects and not Code.objects.exists()


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
    assert "top-1 " in result.stdout and "macro-F1 " in result.stdout
