"""Benchmark: the theme-quote CSV export of 100,000 codings, through the real view.

Generates a project on the embedded default (SQLite in a temporary folder): 12 groups of 500
turns, 80 participants with 3 attributes, a framework of 6 themes x 5 sub-codes, and 100,000
codings (bulk_create). Each measured run is a fresh process that logs in, requests
``/projects/<id>/exports/quotes.csv`` and reads the streamed response to the end, reporting the
time to the first byte, the total time and its peak resident memory (VmHWM of the whole
process: Python, Django, SQLite and the export). Prints the median of the runs.

    .venv/bin/python bench/bench_export.py [--codings 100000] [--runs 5]

Targets: first byte < 1 s, total < 20 s, peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"first_byte_s": 1.0, "total_s": 20.0, "peak_mb": 300.0}


def django_setup(var_dir: str) -> None:
    os.environ["FG_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(codings: int) -> int:
    import hashlib

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from coding.models import Code, Coding
    from transcripts.models import (
        Attribute,
        AttributeValue,
        Membership,
        Participant,
        Project,
        Transcript,
        Turn,
    )

    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    words = [
        "data",
        "letter",
        "safe",
        "hacking",
        "trust",
        "consent",
        "NHS",
        "research",
        "records",
        "share",
        "anonymous",
        "council",
        "worry",
        "email",
        "training",
        "insurers",
        "opt",
        "out",
        "leaflet",
        "phone",
        "call,",
        "families",
        "—",
        "café",
        "naïve",
        "😟",
    ]
    with transaction.atomic():
        users = [
            get_user_model().objects.create_user(f"coder{i}", password="bench-password")
            for i in range(4)
        ]
        project = Project.objects.create(name="Bench export")
        for user in users:
            Membership.objects.create(project=project, user=user, role="owner")
        attributes = [
            Attribute.objects.create(project=project, name=name, order=i)
            for i, name in enumerate(["Age band", "Gender", "Carer"])
        ]
        values = [
            ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
            ["F", "M", "X"],
            ["Yes", "No"],
        ]
        participants = Participant.objects.bulk_create(
            Participant(project=project, label=f"P{i}") for i in range(80)
        )
        AttributeValue.objects.bulk_create(
            AttributeValue(participant=p, attribute=a, value=rng.choice(values[i]))
            for p in participants
            for i, a in enumerate(attributes)
        )
        codes = []
        for t in range(6):
            theme = Code.objects.create(project=project, name=f"Theme {t}", order=t)
            codes.append(theme)
            codes += [
                Code.objects.create(
                    project=project, parent=theme, name=f"Sub-code {t}.{s}", order=s
                )
                for s in range(5)
            ]
        for g in range(12):
            per_transcript = codings // 12 + (1 if g < codings % 12 else 0)
            parts, turns, position = [], [], 0
            for order in range(500):
                speaker = rng.choice(participants[g * 6 : g * 6 + 8])
                label = f"{speaker.label}: "
                sentence = " ".join(rng.choice(words) for _ in range(rng.randint(15, 60)))
                start = position + len(label)
                parts.append(label + sentence)
                turns.append((order, speaker, start, start + len(sentence)))
                position += len(label) + len(sentence) + 2
            text = "\n\n".join(parts)
            transcript = Transcript.objects.create(
                project=project, name=f"FG{g + 1}", site=f"Site {g % 4}", text=text,
                content_hash=hashlib.sha256(text.encode()).hexdigest(), order=g,
            )  # fmt: skip
            Turn.objects.bulk_create(
                Turn(
                    transcript=transcript,
                    order=o,
                    speaker_label=p.label,
                    participant=p,
                    start=s,
                    end=e,
                    timestamp_start_ms=o * 9000,
                )  # fmt: skip
                for o, p, s, e in turns
            )
            batch = []
            seen = set()
            while len(batch) < per_transcript:
                _, _, s, e = rng.choice(turns)
                start = rng.randint(s, max(s, e - 20))
                end = min(e, start + rng.randint(20, 300))
                code, coder = rng.choice(codes), rng.choice(users)
                key = (code.pk, coder.pk, start, end)
                if end <= start or key in seen:
                    continue
                seen.add(key)
                batch.append(
                    Coding(
                        transcript=transcript,
                        code=code,
                        coder=coder,
                        start=start,
                        end=end,
                        text=text[start:end],
                        memo=rng.choice(["", "", "=check", "note, see P2"]),
                        starred=rng.random() < 0.02,
                    )  # fmt: skip
                )
            Coding.objects.bulk_create(batch, batch_size=5000)
    return project.pk


def measure(project_id: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="coder0"))
    started = time.perf_counter()
    response = client.get(f"/projects/{project_id}/exports/quotes.csv")
    chunks = iter(response.streaming_content)
    first = next(chunks)
    first_byte = time.perf_counter() - started
    size, lines = len(first), first.count(b"\r\n")
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    total = time.perf_counter() - started
    return {
        "first_byte_s": first_byte,
        "total_s": total,
        "peak_mb": peak_rss_mb(),
        "rows": lines - 1,
        "bytes": size,
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: on Linux ru_maxrss carries
    the parent's size across fork and exec, which would count the data generator's memory."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: "<var_dir>:<project>"
    args = parser.parse_args()
    if args.measure:
        var_dir, project_id = args.measure.rsplit(":", 1)
        django_setup(var_dir)
        print(json.dumps(measure(int(project_id))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-export-") as var_dir:
        django_setup(var_dir)
        started = time.perf_counter()
        project_id = generate(args.codings)
        print(f"generated {args.codings} codings in {time.perf_counter() - started:.1f} s")
        results = []
        for run in range(args.runs):
            output = subprocess.run(
                [sys.executable, __file__, "--measure", f"{var_dir}:{project_id}"],
                check=True, capture_output=True, text=True, cwd=ROOT,
            ).stdout  # fmt: skip
            result = json.loads(output.strip().splitlines()[-1])
            results.append(result)
            print(
                f"run {run + 1}: first byte {result['first_byte_s']:.3f} s, total "
                f"{result['total_s']:.2f} s, peak {result['peak_mb']:.0f} MB, "
                f"{result['rows']} rows, {result['bytes'] / 1e6:.1f} MB"
            )
        assert all(r["rows"] == results[0]["rows"] for r in results)
        print(f"\nCSV export of {results[0]['rows']} codings (median of {args.runs} runs):")
        for key, label in (("first_byte_s", "time to first byte"), ("total_s", "total time"),
                           ("peak_mb", "peak memory")):  # fmt: skip
            median = statistics.median(r[key] for r in results)
            unit = "MB" if key == "peak_mb" else "s"
            verdict = "ok" if median < TARGETS[key] else "OVER TARGET"
            print(
                f"  {label:20} {median:8.3f} {unit}  (target < {TARGETS[key]:g} {unit}: {verdict})"
            )


if __name__ == "__main__":
    main()
