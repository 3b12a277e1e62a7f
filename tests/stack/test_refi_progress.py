"""A REFI-QDA import is one transaction, yet its progress shows while it runs and a cancel stops
it at once: the worker writes them through a connection of its own, so nothing waits on the
import's locks."""

from __future__ import annotations

import hashlib
import random
import time

import pytest

from tests.stack.conftest import wait_for_job

pytestmark = pytest.mark.stack


def _project_file(user) -> bytes:  # type: ignore[no-untyped-def]
    from coding.models import Coding
    from coding.refi.services import project_qdpx_bytes
    from coding.services.codes import code_create
    from transcripts.models import Transcript
    from transcripts.services.projects import project_create

    rng = random.Random(3)
    project = project_create(name="To exchange", user=user)
    codes = [code_create(project=project, user=user, name=f"Code {i}") for i in range(12)]
    rows = []
    for g in range(30):
        text = "\n\n".join(
            f"P{rng.randrange(9)}: "
            + " ".join(
                rng.choice(["data", "trust", "letter", "consent"]) for _ in range(50)
            )  # fmt: skip
            for _ in range(150)
        )
        transcript = Transcript.objects.create(
            project=project, name=f"FG{g}", text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )  # fmt: skip
        for n in range(150):
            start = rng.randrange(0, len(text) - 200)
            rows.append(Coding(transcript=transcript, code=codes[n % 12], coder=user, start=start,
                               end=start + 120, text=text[start : start + 120]))  # fmt: skip
    Coding.objects.bulk_create(rows, batch_size=1000)
    return project_qdpx_bytes(project=project)


def test_refi_import_progress_shows_mid_transaction_and_cancel_stops_it(
    user, celery_worker_process
):
    from coding.refi.services import qdpx_import_start
    from jobs.models import Job
    from jobs.services import job_cancel
    from transcripts.models import Project

    data = _project_file(user)
    projects = Project.objects.count()
    job = qdpx_import_start(data=data, filename="study.qdpx", name="Imported", user=user)
    deadline, seen = time.monotonic() + 120, []
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == "running" and 0 < job.progress < 1:
            seen.append(job.progress)
            if len(seen) >= 2:
                break
        assert not job.is_finished, (job.status, job.error)
        time.sleep(0.05)
    assert len(seen) >= 2, "no progress was visible while the import ran"
    began = time.monotonic()
    job_cancel(job=Job.objects.get(pk=job.pk))  # never waits on the import's row locks
    assert time.monotonic() - began < 1
    job = wait_for_job(job, timeout=60, worker=celery_worker_process)
    assert job.status == "cancelled"
    imported = Project.objects.get(pk=job.project_id)
    assert not imported.transcripts.exists()  # rolled back whole
    assert Project.objects.count() == projects + 1
