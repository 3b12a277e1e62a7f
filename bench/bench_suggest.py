"""Benchmark: a suggestion run over 5,000 generated turns with a 30-code framework, and a
clustering run over 5,000 turns, on the embedded default (SQLite, eager Celery). With the
embeddings extra installed, also a suggestion run with sentence embeddings: the first run, which
encodes every turn once, and a re-run, which reads the stored vectors.

Each measurement runs in a fresh process (so its peak memory is its own) on a temporary SQLite
database; it times the job itself (preprocessing, models, writing the rows), not the data set-up.
Prints the median time and the peak resident memory of several runs.

    .venv/bin/python bench/bench_suggest.py [--turns 5000] [--codes 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FILLER_TEXT = (
    "I think that the thing is we were talking about it and you know it was really "
    "quite something when they told us about what happens next at the practice"
)
FILLER = FILLER_TEXT.split()


def _words(rng: random.Random, n: int) -> list[str]:
    alphabet = "bcdfghjklmnprstvz"
    vowels = "aeiou"
    return [
        "".join(rng.choice(alphabet) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))
        for _ in range(n)
    ]


def child(kind: str, turns: int, codes: int) -> dict[str, float]:
    import resource
    import time

    os.environ["FG_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-suggest-")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SECRET_KEY"] = "bench-only"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if kind == "suggest":
        os.environ["SUGGESTION_EMBEDDING_MODEL"] = "off"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import hashlib

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from coding.models import Code, Coding
    from jobs.runner import JobProgress
    from jobs.services import job_create
    from themes import services
    from themes.models import SuggestionRun
    from transcripts.models import Project, Transcript, Turn

    call_command("migrate", verbosity=0)
    rng = random.Random(0)
    user = get_user_model().objects.create(username="bench")
    project = Project.objects.create(name="Bench")
    topics = [_words(rng, 12) for _ in range(codes)]
    code_rows = [
        Code.objects.create(
            project=project,
            name=f"Theme {i} {topic[0]}",
            definition=" ".join(topic[:6]),
            inclusion=" ".join(topic[6:9]),
            order=i,
        )
        for i, topic in enumerate(topics)
    ]
    per_transcript = 100
    made = []
    for t in range(turns // per_transcript):
        text, spans = "", []
        for _ in range(per_transcript):
            topic = rng.randrange(codes)
            words = rng.choices(topics[topic], k=rng.randint(3, 8)) + rng.choices(
                FILLER, k=rng.randint(8, 40)
            )
            rng.shuffle(words)
            line = " ".join(words).capitalize() + "."
            if text:
                text += "\n\n"
            text += "P1: "
            spans.append((len(text), len(text) + len(line), topic))
            text += line
        transcript = Transcript.objects.create(
            project=project,
            name=f"FG{t}",
            text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )
        Turn.objects.bulk_create(
            Turn(transcript=transcript, order=i, speaker_label="P1", start=s, end=e)
            for i, (s, e, _) in enumerate(spans)
        )
        # The analyst has coded the first three turns of the first ten transcripts.
        if t < 10:
            Coding.objects.bulk_create(
                Coding(
                    transcript=transcript,
                    code=code_rows[topic],
                    coder=user,
                    start=s,
                    end=e,
                    text=text[s:e],
                )
                for s, e, topic in spans[:3]
            )
        made.append(transcript)

    def execute() -> tuple[float, dict[str, Any]]:
        job = job_create(project=project, kind=f"bench.{kind}", user=user)
        run = SuggestionRun.objects.create(
            project=project,
            job=job,
            kind=SuggestionRun.Kind.CLUSTER if kind == "cluster" else SuggestionRun.Kind.SUGGEST,
        )
        run.transcripts.set(made)
        started = time.perf_counter()
        if kind == "cluster":
            result = services.candidate_run_execute(job=job, progress=JobProgress(job))
        else:
            result = services.suggestion_run_execute(job=job, progress=JobProgress(job))
        return time.perf_counter() - started, result

    seconds, result = execute()
    out: dict[str, Any] = {"seconds": seconds}
    if kind == "suggest-embeddings":
        out["first_run_seconds"] = seconds  # encodes every turn once
        out["seconds"], result = execute()  # the re-run reads the stored vectors
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {**out, "peak_mb": peak_mb, **result}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=5000)
    parser.add_argument("--codes", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["suggest", "suggest-embeddings", "cluster"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.turns, args.codes)))
        return
    kinds = ["suggest", "cluster"]
    try:
        import sentence_transformers  # noqa: F401

        kinds.append("suggest-embeddings")
    except ImportError:
        print("(the embeddings extra is not installed: no run with sentence embeddings)")
    for kind in kinds:
        results = []
        for _ in range(args.runs):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    kind,
                    "--turns",
                    str(args.turns),
                    "--codes",
                    str(args.codes),
                ],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        times = [r["seconds"] for r in results]
        peaks = [r["peak_mb"] for r in results]
        extra = {
            k: v
            for k, v in results[-1].items()
            if k not in ("seconds", "peak_mb", "first_run_seconds")
        }
        label = {
            "suggest": "suggestion run (words)",
            "cluster": "clustering run",
            "suggest-embeddings": "suggestion re-run with embeddings (turns already encoded)",
        }[kind]
        if kind == "suggest-embeddings":
            firsts = [r["first_run_seconds"] for r in results]
            print(
                f"first suggestion run with embeddings (encodes every turn once): median "
                f"{statistics.median(firsts):.1f} s (min {min(firsts):.1f}, max {max(firsts):.1f})"
            )
        print(
            f"{label}: {args.turns} turns, {args.codes} codes, {args.runs} runs: "
            f"median {statistics.median(times):.1f} s "
            f"(min {min(times):.1f}, max {max(times):.1f}), "
            f"peak memory {max(peaks):.0f} MB; {extra}"
        )


if __name__ == "__main__":
    main()
