"""Benchmark: identifier detection over 200 generated transcripts of 10,000 words (target under
60 s and 1 GB), and applying 5,000 replacements across a project with 20,000 codings (target
under 30 s), on the embedded default (SQLite, eager Celery). Times the job and the apply
service themselves, not the data set-up; the gazetteers' one-time build is excluded (the
first run of a worker builds them once, see the note printed).

    .venv/bin/python bench/bench_pseudonymise.py [--transcripts 200] [--words 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    "i",
    "think",
    "the",
    "data",
    "should",
    "be",
    "kept",
    "safe",
    "and",
    "they",
    "never",
    "told",
    "us",
    "what",
    "happens",
    "to",
    "it",
    "when",
    "we",
    "asked",
    "at",
    "the",
    "surgery",
    "about",
    "the",
    "letter",
    "and",
    "the",
    "records",
    "and",
    "the",
    "hospital",
    "appointment",
    "my",
    "mum",
    "was",
    "worried",
    "because",
    "nobody",
    "explained",
    "how",
    "to",
    "opt",
    "out",
    "or",
    "who",
    "can",
    "see",
    "it",
]
NAMES = ["Sophie", "Derek", "Nadia", "Bev", "Callum", "Amira", "Gwen", "Tariq"]
PLACES = ["Halifax", "Todmorden", "Elland", "Brighouse", "Keighley"]
ORGS = ["Riverside Medical Practice", "St Aidan's Hospital", "Kennet Vale Surgery"]


def _text(rng: random.Random, words: int) -> str:
    turns, count = [], 0
    while count < words:
        body = [rng.choice(WORDS) for _ in range(rng.randint(20, 60))]
        if rng.random() < 0.3:
            body.insert(rng.randrange(len(body)), f"my daughter {rng.choice(NAMES)}")
        if rng.random() < 0.2:
            body.insert(rng.randrange(len(body)), f"in {rng.choice(PLACES)}")
        if rng.random() < 0.1:
            body.insert(rng.randrange(len(body)), f"at {rng.choice(ORGS)}")
        if rng.random() < 0.05:
            body.insert(rng.randrange(len(body)), f"on 07700 900{rng.randrange(1000):03d}")
        turns.append(f"P{rng.randint(1, 8)}: " + " ".join(body).capitalize() + ".")
        count += len(body)
    return "\n\n".join(turns)


def child(kind: str, transcripts: int, words: int) -> dict[str, float]:
    from bench.harness import django_setup, peak_rss_mb

    django_setup()
    from django.contrib.auth import get_user_model
    from django.test import TestCase

    from coding.models import Code, Coding
    from transcripts.models import Identifier, IdentifierOccurrence, Project, Transcript, Turn
    from transcripts.pseudonymise import gazetteers, services

    t0 = time.perf_counter()
    gazetteers.person_names(), gazetteers.uk_places(), gazetteers.english_words()
    gazetteer_seconds = time.perf_counter() - t0
    rng = random.Random(0)
    user = get_user_model().objects.create(username="bench")
    project = Project.objects.create(name="Bench", created_by=user)
    made = []
    for n in range(transcripts):
        text = _text(rng, words)
        transcript = Transcript.objects.create(
            project=project, name=f"FG{n}", text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(), order=n,
        )  # fmt: skip
        spans, offset = [], 0
        for i, block in enumerate(text.split("\n\n")):
            label = block.split(":")[0]
            spans.append(Turn(transcript=transcript, order=i, speaker_label=label,
                              start=offset + len(label) + 2, end=offset + len(block)))  # fmt: skip
            offset += len(block) + 2
        Turn.objects.bulk_create(spans)
        made.append((transcript, spans))
    if kind == "detect":
        started = time.perf_counter()
        with TestCase.captureOnCommitCallbacks(execute=True):
            job = services.detection_start(project=project, user=user)
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        assert job.status == "done", job.error
        return {
            "seconds": seconds,
            "peak_mb": peak_rss_mb(),
            "gazetteers_seconds": gazetteer_seconds,
            "occurrences": IdentifierOccurrence.objects.count(),
            "words": transcripts * words,
        }
    # apply: 20,000 codings over the turns, and identifiers accepted until 5,000 replacements
    code = Code.objects.create(project=project, name="Theme")
    codings = []
    per = max(1, 20000 // sum(len(s) for _, s in made))
    for transcript, spans in made:
        for turn in spans:
            for k in range(per):
                codings.append(Coding(transcript=transcript, code=code, coder=user,
                                      start=turn.start + k, end=turn.end,
                                      text=transcript.text[turn.start + k : turn.end]))  # fmt: skip
    Coding.objects.bulk_create(codings[:20000], batch_size=1000)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.detection_start(project=project, user=user)
    total = 0
    for identifier in Identifier.objects.filter(project=project).order_by("-id"):
        count = identifier.occurrences.count()
        if total + count > 5000:
            continue
        services.identifier_decide(identifier=identifier, user=user, status="accepted")
        total += count
    started = time.perf_counter()
    result = services.identifiers_apply(project=project, user=user)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": peak_rss_mb(),
        "replacements": result["replacements"],
        "codings": Coding.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transcripts", type=int, default=200)
    parser.add_argument("--words", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["detect", "apply"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.transcripts, args.words)))
        return
    for kind, label, target in (
        ("detect", "detection", 60),
        ("apply", "applying replacements", 30),
    ):
        results = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, __file__, "--child", kind, "--transcripts",
                 str(args.transcripts if kind == "detect" else 40), "--words", str(args.words)],
                check=True, capture_output=True, text=True, cwd=ROOT,
            )  # fmt: skip
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        times = [r["seconds"] for r in results]
        extra = {k: v for k, v in results[-1].items() if k not in ("seconds", "peak_mb")}
        print(
            f"{label}: median {statistics.median(times):.1f} s (min {min(times):.1f}, "
            f"max {max(times):.1f}) over {len(times)} runs, peak memory "
            f"{max(r['peak_mb'] for r in results):.0f} MB; target < {target} s; {extra}",
            flush=True,
        )


if __name__ == "__main__":
    main()
