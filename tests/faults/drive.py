"""What a user does and sees, run as its own process against the fault suite's own PostgreSQL
and Redis (tests/faults/conftest.py sets DATABASE_URL and CELERY_BROKER_URL). Each command
prints one JSON object.

    python tests/faults/drive.py setup-import FILES WORDS
    python tests/faults/drive.py setup-suggest TRANSCRIPTS
    python tests/faults/drive.py status JOB       # as the page polls it (stale check included)
    python tests/faults/drive.py rerun JOB
    python tests/faults/drive.py upload           # through the upload page, as a browser would
    python tests/faults/drive.py code TRANSCRIPT  # apply a coding through the coding screen
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Pages render without collectstatic, as in the other suites.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

WORDS = [
    "data", "consent", "trust", "letter", "hospital",
    "research", "privacy", "records", "doctor", "share",
]  # fmt: skip


def owner():
    from transcripts.models import Membership, Project

    user, _ = get_user_model().objects.get_or_create(username="faults")
    project, made = Project.objects.get_or_create(name="Fault study")
    if made:
        Membership.objects.create(project=project, user=user, role="owner")
    return user, project


def text(seed: int, words: int) -> str:
    rng = random.Random(seed)
    turns, said = [], 0
    while said < words:
        n = rng.randint(40, 120)
        speaker = "Moderator" if not turns or rng.random() < 0.1 else f"P{rng.randint(1, 8)}"
        turns.append(f"{speaker}: " + " ".join(rng.choice(WORDS) for _ in range(n)) + f" {seed}.")
        said += n
    return "\n\n".join(turns)


def setup_import(files: int, words: int) -> dict:
    from transcripts.services.uploads import (
        import_batch_confirm,
        import_batch_create,
        import_batch_read,
    )

    user, project = owner()
    uploads = [(f"FG{i + 1}.txt", io.BytesIO(text(i, words).encode())) for i in range(files)]
    batch = import_batch_create(project=project, user=user, files=uploads, enqueue=False)
    import_batch_read(batch=batch)  # read here: the import is what the worker is killed in
    with transaction.atomic():
        job = import_batch_confirm(batch=batch, user=user)
    return {"job": job.pk, "batch": batch.pk, "project": project.pk}


def setup_suggest(transcripts: int) -> dict:
    from coding.models import Code, Coding
    from themes.services import suggestion_run_start
    from transcripts.services.transcripts import TurnSpec, transcript_create

    user, project = owner()
    codes = [
        Code.objects.create(project=project, name=word.title(), definition=f"Talk of {word}.")
        for word in WORDS[:6]
    ]
    made = []
    for i in range(transcripts):
        body = text(1000 + i, 4000)
        turns, at = [], 0
        for part in body.split("\n\n"):
            label, _, words = part.partition(": ")
            start = at + len(label) + 2
            turns.append(TurnSpec(start=start, end=start + len(words), speaker_label=label,
                                  is_facilitator=label == "Moderator"))  # fmt: skip
            at += len(part) + 2
        transcript = transcript_create(project=project, text=body, turns=turns, user=user,
                                       name=f"S{i + 1}")  # fmt: skip
        made.append(transcript)
        for turn, code in zip(transcript.turns.all()[:6], codes, strict=False):
            Coding.objects.create(transcript=transcript, code=code, coder=user, start=turn.start,
                                  end=turn.end, text=body[turn.start : turn.end])  # fmt: skip
    with transaction.atomic():
        job = suggestion_run_start(project=project, user=user, transcripts=made, threshold=0.0)
    return {"job": job.pk, "project": project.pk}


def status(job_id: int) -> dict:
    from django.db.models import Count

    from jobs.models import Job
    from jobs.services import job_refresh_stale
    from themes.models import Suggestion
    from transcripts.models import ImportItem, Transcript

    job = job_refresh_stale(job=Job.objects.get(pk=job_id))
    transcripts = Transcript.objects.filter(project=job.project_id)
    hashes = transcripts.values("content_hash").annotate(n=Count("id")).filter(n__gt=1)
    items = {}
    if "batch" in job.params:
        for state in ImportItem.objects.filter(batch=job.params["batch"]).values_list(
            "status", flat=True
        ):
            items[state] = items.get(state, 0) + 1
    return {
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "transcripts": transcripts.count(),
        "without_turns": transcripts.annotate(t=Count("turns")).filter(t=0).count(),
        "duplicate_texts": hashes.count(),
        "items": items,
        "suggestions": Suggestion.objects.filter(project=job.project_id).count(),
        "pending_twice": Suggestion.objects.filter(project=job.project_id, status="pending")
        .values("transcript", "code", "start", "end")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
    }


def running(job_id: int, fraction: float, timeout: float) -> dict:
    """Wait, polling every 0.1 s in this one process, until the job runs past ``fraction``."""
    import time

    from jobs.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status == "running" and job.progress >= fraction:
            return {"status": job.status, "progress": job.progress}
        if job.is_finished:
            break
        time.sleep(0.1)
    return {"status": job.status, "progress": job.progress, "missed": True}


def rerun(job_id: int) -> dict:
    from jobs.models import Job
    from jobs.services import job_rerun

    with transaction.atomic():
        job = job_rerun(job=Job.objects.get(pk=job_id))
    return {"status": job.status}


def upload() -> dict:
    from transcripts.models import ImportBatch, ImportItem

    user, project = owner()
    client = Client()
    client.force_login(user)
    before = ImportBatch.objects.count(), ImportItem.objects.count()
    media = Path(os.environ["DJANGO_MEDIA_ROOT"])
    before_files = {str(p) for p in media.rglob("*") if p.is_file()} if media.exists() else set()
    response = client.post(
        reverse("transcripts:transcript_upload", args=[project.pk]),
        {"files": [SimpleUploadedFile("FG9.txt", text(9, 200).encode())]},
        follow=True,
    )
    after_files = {str(p) for p in media.rglob("*") if p.is_file()} if media.exists() else set()
    return {
        "code": response.status_code,
        "page": response.content.decode(errors="replace"),
        "new_batches": ImportBatch.objects.count() - before[0],
        "new_items": ImportItem.objects.count() - before[1],
        "new_files": len(after_files - before_files),
        "new_file_names": sorted(after_files - before_files),
    }


def code(transcript_id: int) -> dict:
    """Apply one coding through the coding screen at each ``post`` of ``FAULTS_STEPS`` (a JSON
    list; any other step is a shell command run in between, such as stopping the database),
    in one process, as a web worker would serve them."""
    import subprocess

    from coding.models import Code, Coding
    from transcripts.models import Transcript

    user, project = owner()
    transcript = Transcript.objects.get(pk=transcript_id)
    theme, _ = Code.objects.get_or_create(project=project, name="Restart", parent=None)
    turn = transcript.turns.filter(is_facilitator=False).order_by("order").first()
    client = Client()
    client.force_login(user)
    responses = []
    for step in json.loads(os.environ.get("FAULTS_STEPS", '["post"]')):
        if step != "post":
            done = subprocess.run(step, shell=True, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"{step} failed: {done.stdout} {done.stderr}")
            continue
        response = client.post(
            reverse("coding:coding_apply", args=[project.pk, transcript.pk]),
            {"start": turn.start, "end": turn.end, "codes": [theme.pk]},
            HTTP_HX_REQUEST="true",
        )
        responses.append([response.status_code, response.content.decode(errors="replace")[:300]])
    return {
        "responses": responses,
        "codings": Coding.objects.filter(transcript=transcript, code=theme).count(),
    }


COMMANDS = {
    "setup-import": lambda a: setup_import(int(a[0]), int(a[1])),
    "setup-suggest": lambda a: setup_suggest(int(a[0])),
    "status": lambda a: status(int(a[0])),
    "rerun": lambda a: rerun(int(a[0])),
    "running": lambda a: running(int(a[0]), float(a[1]), float(a[2])),
    "upload": lambda a: upload(),
    "code": lambda a: code(int(a[0])),
}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](sys.argv[2:])))
