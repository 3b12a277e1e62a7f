"""Benchmark the largest upload the limits allow: one zip of FG_MAX_UPLOAD_BYTES at most that
expands to FG_MAX_ZIP_TOTAL_BYTES of transcripts (each under the per-file limit, each
compressed less than FG_MAX_ZIP_RATIO to one), uploaded, read, reviewed and imported.

Requests (the upload POST, each view of the review, the confirm POST, the report) are timed
through Django's test client against the budget of 2 s; the two background jobs (reading, then
importing) run in this same process as a worker would run them, and the process's peak memory
is the budget's check (1 GB). Since one process does everything here, that figure is an upper
bound of a worker's.

    .venv/bin/python bench/bench_upload_limits.py [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import django_setup, peak_rss_mb, report  # noqa: E402

os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")

WORDS = [
    "data", "consent", "trust", "letter", "hospital", "research", "privacy", "records",
    "doctor", "share", "opt", "out", "nurse", "system", "phone", "safe", "secure", "worry",
    "benefit", "public", "private",
]  # fmt: skip


def transcript(rng: random.Random, size: int, seed: int) -> bytes:
    """Speaker turns of plain words, as a typed transcript compresses (about 3:1)."""
    out, length, turn = [], 0, 0
    while length < size:
        speaker = "Moderator" if turn % 9 == 0 else f"P{rng.randint(1, 8)}"
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 90)))
        line = f"{speaker}: {words} ({seed}.{turn})\n\n"
        out.append(line)
        length += len(line)
        turn += 1
    return "".join(out).encode()[:size]


def largest_zip() -> tuple[bytes, int, int]:
    from django.conf import settings

    rng = random.Random(5)
    per_file = min(settings.FG_MAX_UPLOAD_BYTES - 1024, 5 * 1024 * 1024)
    total, files, out = 0, 0, io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        while total + per_file <= settings.FG_MAX_ZIP_TOTAL_BYTES:
            data = transcript(rng, per_file, files)
            candidate = out.tell() + len(data) // 3
            if candidate > settings.FG_MAX_UPLOAD_BYTES - 256 * 1024:
                break  # the zip itself must stay within the per-file upload limit
            archive.writestr(f"groups/FG{files + 1}.txt", data)
            total += len(data)
            files += 1
    return out.getvalue(), files, total


def one_run(client, project, user, data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from jobs.runner import job_run
    from tests.transcripts.upload_helpers import review_data
    from transcripts.models import ImportBatch
    from transcripts.services.uploads import import_batch_read_job, import_batch_run_job

    timings: dict[str, float] = {}

    def request(label: str, call):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        response = call()
        timings[label] = max(timings.get(label, 0.0), time.perf_counter() - began)
        assert response.status_code in (200, 302), (label, response.status_code)
        return response

    upload = reverse("transcripts:transcript_upload", args=[project.pk])
    request("upload POST", lambda: client.post(
        upload, {"files": [SimpleUploadedFile("study.zip", data)]}))  # fmt: skip
    batch = ImportBatch.objects.filter(project=project).latest("pk")
    began = time.perf_counter()
    job_run(batch.read_job_id, import_batch_read_job)
    timings["read job"] = time.perf_counter() - began
    batch.refresh_from_db()
    assert batch.status == "review", batch.status
    page = reverse("transcripts:import_batch", args=[project.pk, batch.pk])
    for _ in range(3):
        request("review page GET", lambda: client.get(page))
    review = reverse("transcripts:import_batch_review", args=[project.pk, batch.pk])
    request("review confirm POST", lambda: client.post(review, review_data(batch)))
    batch.refresh_from_db()
    began = time.perf_counter()
    job_run(batch.import_job_id, import_batch_run_job)
    timings["import job"] = time.perf_counter() - began
    batch.refresh_from_db()
    request("report page GET", lambda: client.get(page))
    imported = batch.items.filter(status="imported").count()
    return timings, imported


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    import transcripts.services.uploads as uploads
    from config.celery import app
    from transcripts.models import Membership, Project

    # The jobs are run below, as a worker runs them: the requests only enqueue them.
    app.conf.task_always_eager = False
    uploads.job_enqueue = lambda *, job: None  # type: ignore[assignment]
    uploads.broker_check = lambda: None  # type: ignore[assignment]
    import jobs.services

    jobs.services.broker_check = lambda: None  # type: ignore[assignment]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    data, files, total = largest_zip()
    print(
        f"largest allowed upload: a {len(data) / 2**20:.1f} MB zip of {files} transcripts, "
        f"{total / 2**20:.0f} MB of text (limits: {settings.FG_MAX_UPLOAD_BYTES / 2**20:.0f} MB "
        f"a file, {settings.FG_MAX_ZIP_TOTAL_BYTES / 2**20:.0f} MB expanded)",
        flush=True,
    )
    user = get_user_model().objects.create_user("bench", password="x")
    client = Client()
    client.force_login(user)
    results: dict[str, list[float]] = {}
    for run in range(args.runs):
        project = Project.objects.create(name=f"Upload bench {run}")
        Membership.objects.create(project=project, user=user, role="owner")
        timings, imported = one_run(client, project, user, data)
        assert imported == files, (imported, files)
        for label, seconds in timings.items():
            results.setdefault(label, []).append(seconds)
    for label, seconds in results.items():
        report(label, seconds, target=None if label.endswith("job") else 2.0)
    rss = peak_rss_mb()
    print(f"peak memory of the process (upper bound of a worker's): {rss:.0f} MB; "
          f"target < 1024 MB: {'met' if rss < 1024 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
