"""REFI-QDA exchange benchmark: export a generated project as .qdpx and import it again.

Generates 40 focus groups of 10,000 words, a 30-code framework, 8,000 codings by two coders and
60 participants with attributes, on a throw-away SQLite database (the embedded default). Prints
the median of several runs and the peak Python memory (tracemalloc) of export, the check an
upload gets in the request, and the import.

    .venv/bin/python bench/bench_refi.py [--groups 40] [--codings 8000] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["FG_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-refi-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

WORDS = [
    *("data", "records", "consent", "letter", "trust", "hospital", "doctor", "research"),
    *("anonymous", "share", "opt", "out", "security", "café", "naïve", "🙂", "worry"),
    *("family", "council", "school", "privacy", "company", "insurers"),
]


def build(groups: int, codings: int):
    from coding.models import Code, Coding
    from coding.services.codes import code_create
    from transcripts.models import Attribute, AttributeValue, Participant, Transcript
    from transcripts.services.projects import project_create

    User = get_user_model()
    owner = User.objects.create_user("bench-owner", password="x" * 12)
    second = User.objects.create_user("bench-coder", password="x" * 12)
    project = project_create(name="Bench", user=owner)
    rng = random.Random(7)
    themes = [code_create(project=project, user=owner, name=f"Theme {i}") for i in range(6)]
    codes = themes + [
        code_create(project=project, user=owner, name=f"Code {i}", parent=themes[i % 6])
        for i in range(24)
    ]
    age = Attribute.objects.create(project=project, name="Age band")
    for i in range(60):
        participant = Participant.objects.create(project=project, label=f"P{i}")
        AttributeValue.objects.create(participant=participant, attribute=age, value="35-44")
    transcripts = []
    for g in range(groups):
        paragraphs = []
        for _ in range(200):
            words = " ".join(rng.choice(WORDS) for _ in range(50))
            paragraphs.append(f"P{rng.randrange(60)}: {words}")
        text = "\n\n".join(paragraphs)
        transcripts.append(
            Transcript.objects.create(
                project=project,
                name=f"FG{g}",
                text=text,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
            )
        )
    rows = []
    for n in range(codings):
        transcript = transcripts[n % groups]
        start = rng.randrange(0, len(transcript.text) - 300)
        end = start + rng.randrange(20, 300)
        rows.append(
            Coding(
                transcript=transcript,
                code=codes[n % len(codes)],
                coder=owner if n % 2 else second,
                start=start,
                end=end,
                text=transcript.text[start:end],
                memo="A memo." if n % 10 == 0 else "",
            )
        )
    Coding.objects.bulk_create(rows, batch_size=1000)
    assert Code.objects.filter(project=project).count() == 30
    return project, owner


def measure(fn, runs: int) -> tuple[float, float, object]:
    """Median wall time of ``runs`` plain runs, then one more under tracemalloc for the peak
    (tracemalloc slows Python down, so it is kept out of the timings)."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / (1 << 20), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--codings", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from coding.refi.services import project_qdpx_bytes, qdpx_check, qdpx_import

    project, owner = build(args.groups, args.codings)
    words = sum(len(t.text.split()) for t in project.transcripts.all())
    print(f"project: {args.groups} transcripts, {words:,} words, {args.codings:,} codings")
    seconds, peak, data = measure(lambda: project_qdpx_bytes(project=project), args.runs)
    print(f"export .qdpx: median {seconds:.2f} s, peak {peak:.0f} MB, {len(data) / 1e6:.1f} MB")
    seconds, peak, _plan = measure(lambda: qdpx_check(data=data, filename="b.qdpx"), args.runs)
    print(f"check .qdpx (in the request): median {seconds:.2f} s, peak {peak:.0f} MB")
    seconds, peak, report = measure(
        lambda: qdpx_import(data=data, filename="bench.qdpx", user=owner), args.runs
    )
    print(
        f"import .qdpx: median {seconds:.2f} s, peak {peak:.0f} MB "
        f"({report['codings']:,} codings, {report['transcripts']} transcripts)"
    )


if __name__ == "__main__":
    main()
