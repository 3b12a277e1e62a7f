"""Benchmark the cross-case tables: co-occurrence and comparison by group and by attribute.

Generates 200 transcripts of 50 participant turns (10,000 turns, 8 participants a group with a
"Role" attribute), 100 codes (10 themes of 9 sub-codes) and 20,000 codings by 2 coders, in an
embedded default database (SQLite) in a temporary folder, then times each page through Django's
test client (server time), with the cache cleared before every run (a cached page is a
dictionary lookup), and once warm.

    .venv/bin/python bench/bench_crosscase.py [--runs 7]

Then builds the DOCX and the HTML report with both charts (every quote, themes x 200 groups),
the cache cleared before each, in-process as the export job does.

Target: each table's page < 300 ms; the report with two charts < 5 s.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import django_setup, report  # noqa: E402

os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
TRANSCRIPTS, TURNS, CODINGS = 200, 50, 20_000


def build():
    from django.contrib.auth import get_user_model

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

    rng = random.Random(11)
    owner = get_user_model().objects.create_user("owner", password="x")
    second = get_user_model().objects.create_user("second", password="x")
    project = Project.objects.create(name="Cross-case bench")
    Membership.objects.create(project=project, user=owner, role="owner")
    Membership.objects.create(project=project, user=second, role="coder")
    role = Attribute.objects.create(project=project, name="Role")
    participants = []
    for i in range(TRANSCRIPTS * 8 // 4):  # people come to several groups
        participants.append(Participant.objects.create(project=project, label=f"P{i + 1}"))
    AttributeValue.objects.bulk_create(
        AttributeValue(
            participant=p, attribute=role, value=rng.choice(["carer", "patient", "staff"])
        )
        for p in participants
    )
    codes = []
    for t in range(10):
        theme = Code.objects.create(project=project, name=f"Theme {t}", order=t)
        codes.append(theme)
        codes += [Code.objects.create(project=project, name=f"Code {t}.{k}", parent=theme)
                  for k in range(9)]  # fmt: skip
    spans_of = {}
    for t in range(TRANSCRIPTS):
        parts, spans, at = [], [], 0
        for turn in range(TURNS):
            words = " ".join(rng.choice(["data", "letter", "consent", "trust", "the"])
                             for _ in range(rng.randint(10, 40)))  # fmt: skip
            label = f"P{turn % 8}: "
            spans.append((at + len(label), at + len(label) + len(words)))
            parts.append(label + words)
            at += len(label) + len(words) + 2
        text = "\n\n".join(parts)
        transcript = Transcript.objects.create(
            project=project, name=f"FG{t + 1}", text=text, order=t,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )  # fmt: skip
        group = rng.sample(participants, 8)
        Turn.objects.bulk_create(
            Turn(
                transcript=transcript,
                order=i,
                speaker_label=f"P{i % 8}",
                start=s,
                end=e,
                participant=group[i % 8],
            )  # fmt: skip
            for i, (s, e) in enumerate(spans)
        )
        spans_of[transcript.pk] = (transcript, spans)
    rows, seen = [], set()
    transcripts = list(spans_of.values())
    while len(rows) < CODINGS:
        transcript, spans = rng.choice(transcripts)
        start, end = rng.choice(spans)
        code, coder = rng.choice(codes), rng.choice([owner, second])
        key = (transcript.pk, code.pk, coder.pk, start)
        if key in seen:
            continue
        seen.add(key)
        rows.append(Coding(transcript=transcript, code=code, coder=coder, start=start, end=end,
                           text=transcript.text[start:end]))  # fmt: skip
    Coding.objects.bulk_create(rows, batch_size=2000)
    return project, owner, role


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    django_setup()
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from coding.models import Coding

    started = time.perf_counter()
    project, owner, role = build()
    print(f"built {Coding.objects.count()} codings over {TRANSCRIPTS} transcripts in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    client = Client()
    client.force_login(owner)
    pages = [
        ("coverage and progress (project page card)", "themes:project_progress", {}),
        ("co-occurrence, themes", "themes:crosscase_cooccurrence", {}),
        ("co-occurrence, 100 codes", "themes:crosscase_cooccurrence", {"rows": "codes"}),
        (
            "co-occurrence, 100 codes, overlapping codings",
            "themes:crosscase_cooccurrence",
            {"rows": "codes", "unit": "span"},
        ),
        ("compare by group (200 columns), themes", "themes:crosscase_compare", {}),
        ("compare by group, 100 codes", "themes:crosscase_compare", {"rows": "codes"}),
        (
            "compare by Role, 100 codes",
            "themes:crosscase_compare",
            {"rows": "codes", "by": f"attribute:{role.pk}"},
        ),  # fmt: skip
    ]
    for label, name, params in pages:
        url = reverse(name, args=[project.pk])
        cold = []
        for _ in range(args.runs):
            cache.clear()
            began = time.perf_counter()
            response = client.get(url, params)
            cold.append(time.perf_counter() - began)
            assert response.status_code == 200, response.status_code
        report(f"{label}, computed", cold, target=0.3)
        warm = []
        for _ in range(args.runs):
            began = time.perf_counter()
            client.get(url, params)
            warm.append(time.perf_counter() - began)
        report(f"{label}, cached", warm)
    report_with_charts(project, owner, args.runs)


def report_with_charts(project, owner, runs: int) -> None:
    import tempfile

    from django.core.cache import cache

    from themes.exports.records import ExportFilters
    from themes.exports.report import Attribution, report_build, report_docx_write, report_html

    for kind in ("docx", "html"):
        times = []
        for _ in range(runs):
            cache.clear()
            began = time.perf_counter()
            built = report_build(project=project, filters=ExportFilters(viewer=owner),
                                 attribution=Attribution("group"), which="all",
                                 charts=True)  # fmt: skip
            with tempfile.TemporaryDirectory() as folder:
                if kind == "docx":
                    report_docx_write(built, str(Path(folder) / "report.docx"))
                else:
                    (Path(folder) / "report.html").write_text(report_html(built))
            times.append(time.perf_counter() - began)
        report(f"{kind.upper()} report with two charts, every quote", times, target=5.0)


if __name__ == "__main__":
    main()
