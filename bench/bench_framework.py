"""Benchmark the framework page, its CSV export/import, merge and delete.

Generates its own data in a throw-away embedded database (SQLite in a temporary FG_VAR_DIR):
a framework of 100 codes (10 themes x 9 sub-codes), 12 transcripts and 20,000 codings.
Prints the median of several runs of each step and the peak memory of the process.

    .venv/bin/python bench/bench_framework.py [--codings 20000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["FG_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-framework-")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

WORDS = [
    "data",
    "safety",
    "sharing",
    "consent",
    "letter",
    "hospital",
    "records",
    "trust",
    "research",
    "privacy",
]


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    from coding.models import Code, Coding
    from coding.services.codebook_csv import framework_csv_text, framework_import_csv
    from coding.services.codes import code_create, code_delete, code_merge
    from transcripts.models import Membership, Project, Transcript

    rng = random.Random(4)
    user = get_user_model().objects.create_user("bench", password="bench-password-123")
    project = Project.objects.create(name="Bench")
    Membership.objects.create(project=project, user=user, role="owner")
    transcripts = []
    for index in range(12):
        text = " ".join(rng.choice(WORDS) for _ in range(20_000))
        transcripts.append(
            Transcript.objects.create(
                project=project, name=f"FG{index + 1}", text=text, content_hash=str(index)
            )
        )
    codes = []
    for theme_index in range(10):
        theme = code_create(
            project=project, user=user, name=f"Theme {theme_index}", definition="d " * 40
        )
        codes.append(theme)
        for sub_index in range(9):
            codes.append(
                code_create(project=project, user=user, name=f"Sub {sub_index}", parent=theme)
            )
    spans = set()
    batch = []
    while len(batch) < args.codings:
        transcript = rng.choice(transcripts)
        code = rng.choice(codes)
        start = rng.randrange(0, 100_000)
        key = (transcript.pk, code.pk, start)
        if key in spans:
            continue
        spans.add(key)
        batch.append(
            Coding(
                transcript=transcript,
                code=code,
                coder=user,
                start=start,
                end=start + 40,
                text=transcript.text[start : start + 40],
            )
        )
    Coding.objects.bulk_create(batch, batch_size=2000)

    client = Client()
    client.force_login(user)
    page_url = reverse("coding:framework", args=[project.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page_url).status_code == 200
    page_ms, _ = timed(lambda: client.get(page_url), args.runs)
    htmx_ms, _ = timed(
        lambda: client.get(page_url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="count-table"),
        args.runs,
    )
    export_ms, text = timed(lambda: framework_csv_text(project=project), args.runs)

    def import_fresh():
        fresh = Project.objects.create(name="Fresh")
        framework_import_csv(project=fresh, user=user, data=text.encode())
        fresh.delete()

    import_ms, _ = timed(import_fresh, max(3, args.runs // 3))
    reimport_ms, _ = timed(
        lambda: framework_import_csv(project=project, user=user, data=text.encode()),
        max(3, args.runs // 3),
    )
    busiest = max(codes[1:], key=lambda c: Coding.objects.filter(code=c).count())
    source_codings = Coding.objects.filter(code=busiest).count()
    target = next(c for c in codes if c.parent_id is None and c.pk != busiest.parent_id)
    start = time.perf_counter()
    code_merge(source=Code.objects.get(pk=busiest.pk), target=target, user=user)
    merge_ms = (time.perf_counter() - start) * 1000
    theme = Code.objects.get(pk=target.pk)
    theme_codings = Coding.objects.filter(code__in=[theme, *theme.children.all()]).count()
    start = time.perf_counter()
    code_delete(code=theme, user=user)
    delete_ms = (time.perf_counter() - start) * 1000
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"framework: {len(codes)} codes, {len(transcripts)} transcripts, {args.codings} codings")
    print(f"framework page (full, {len(queries)} queries)   median {page_ms:7.1f} ms")
    print(f"count table partial (htmx)           median {htmx_ms:7.1f} ms")
    print(f"CSV export                           median {export_ms:7.1f} ms")
    print(f"CSV import into a fresh project      median {import_ms:7.1f} ms")
    print(f"CSV re-import (all unchanged)        median {reimport_ms:7.1f} ms")
    print(f"merge a code with {source_codings} codings          {merge_ms:7.1f} ms")
    print(f"delete a theme with {theme_codings} codings        {delete_ms:7.1f} ms")
    print(f"peak memory (max RSS)                       {peak_mb:7.1f} MB")


if __name__ == "__main__":
    main()
