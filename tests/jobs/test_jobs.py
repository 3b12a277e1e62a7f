from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from jobs.runner import JobCancelled, JobError, job_run
from jobs.services import job_cancel, job_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_job_records_progress_and_its_result(project):
    job = job_create(project=project, kind="test")
    seen = []

    def handler(job, progress):
        progress.update(0.5, "Half way", force=True)
        seen.append(Job.objects.get(pk=job.pk).progress)
        return {"turns": 12}

    job_run(job.pk, handler)
    job.refresh_from_db()
    assert seen == [0.5]
    assert (job.status, job.progress, job.result) == ("done", 1.0, {"turns": 12})
    assert job.started_at and job.finished_at


def test_a_failing_job_ends_failed_with_a_readable_message(project):
    job = job_create(project=project, kind="test")

    def handler(job, progress):
        raise JobError("FG3.docx is not a Word document.")

    job_run(job.pk, handler)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "FG3.docx is not a Word document."


def test_an_unexpected_exception_is_recorded_not_lost(project):
    job = job_create(project=project, kind="test")
    job_run(job.pk, lambda job, progress: 1 / 0)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "ZeroDivisionError" in job.error


def test_a_running_job_stops_at_its_next_report_after_cancel(project):
    job = job_create(project=project, kind="test")
    reached = []

    def handler(job, progress):
        job_cancel(job=Job.objects.get(pk=job.pk))
        progress.update(0.2, force=True)
        reached.append("after cancel")

    job_run(job.pk, handler)
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert reached == []


def test_a_queued_job_cancelled_never_runs(project):
    job = job_create(project=project, kind="test")
    job_cancel(job=job)
    ran = []
    job_run(job.pk, lambda job, progress: ran.append(1))
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert ran == []
    assert JobCancelled is not None


def poll(client, project, job):
    return client.get(
        reverse("transcripts:job_status", args=[project.pk, job.pk]), HTTP_HX_REQUEST="true"
    )


def test_the_job_partial_polls_while_running_and_stops_when_finished(client, user, project):
    job = job_create(project=project, kind="test")
    client.login(username=user.username, password=PASSWORD)
    html = poll(client, project, job).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "<html" not in html  # a partial, not the page
    Job.objects.filter(pk=job.pk).update(status="done", progress=1)
    html = poll(client, project, job).content.decode()
    assert "hx-trigger" not in html
    assert 'value="100"' in html


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("themes.suggest", "Suggestion run"),
        ("themes.cluster", "Candidate themes run"),
        ("themes.export", "Export"),
        ("transcripts.import_run", "Transcript import"),
        ("transcripts.import_read", "Reading the uploaded files"),
        ("coding.refi_import", "REFI-QDA project import"),
        ("coding.verify", "Check of codings against their text"),
    ],
)
def test_the_job_partial_names_the_work_in_words(client, user, project, kind, label):
    job = job_create(project=project, kind=kind)
    client.login(username=user.username, password=PASSWORD)
    html = poll(client, project, job).content.decode()
    assert f"<strong>{label}</strong>" in html


@pytest.fixture
def real_workers():
    """Jobs go to workers (the heartbeat runs), not in-process."""
    from config.celery import app

    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_a_job_whose_worker_vanished_is_marked_failed_on_poll(
    client, user, project, settings, real_workers
):
    settings.JOB_STALE_AFTER_SECONDS = 60
    job = Job.objects.create(project=project, kind="test")
    Job.objects.filter(pk=job.pk).update(
        status="running", updated_at=timezone.now() - timedelta(minutes=5)
    )
    client.login(username=user.username, password=PASSWORD)
    html = poll(client, project, job).content.decode()
    job.refresh_from_db()
    assert job.status == "failed"
    assert "worker running this job stopped answering 60 s ago" in job.error
    assert "re-run it" in job.error
    assert "hx-trigger" not in html
    assert "Re-run</button>" in html


def test_a_queued_job_no_worker_started_fails_later_and_says_why(
    client, user, project, settings, real_workers
):
    job = Job.objects.create(project=project, kind="test")
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    client.login(username=user.username, password=PASSWORD)
    poll(client, project, job)
    job.refresh_from_db()
    assert job.status == "queued"  # busy workers are not dead workers
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=16))
    poll(client, project, job)
    job.refresh_from_db()
    assert job.status == "failed" and "No background worker started this job" in job.error


def test_a_failed_job_is_rerun_on_its_row_from_the_page(
    client, user, project, django_capture_on_commit_callbacks
):
    from jobs.registry import _LABELS, _TASKS

    runs = []

    class Task:
        def delay(self, job_id):
            job_run(job_id, lambda job, progress: runs.append(job.pk) or {"ok": 1})

    _TASKS["test.rerun"], _LABELS["test.rerun"] = Task(), "Rerun test"
    try:
        job = job_create(project=project, kind="test.rerun")
        job_run(job.pk, lambda job, progress: 1 / 0)
        client.login(username=user.username, password=PASSWORD)
        url = reverse("transcripts:job_rerun", args=[project.pk, job.pk])
        with django_capture_on_commit_callbacks(execute=True):
            html = client.post(url, HTTP_HX_REQUEST="true").content.decode()
        job.refresh_from_db()
        assert runs == [job.pk] and job.status == "done" and job.error == ""
        assert job.result == {"ok": 1} and "Re-run</button>" not in html
        client.post(url)  # a done job is not re-run
        assert runs == [job.pk]
    finally:
        del _TASKS["test.rerun"], _LABELS["test.rerun"]


def test_viewers_cannot_rerun(client, project, viewer):
    job = Job.objects.create(project=project, kind="test", status="failed")
    client.force_login(viewer)
    response = client.post(reverse("transcripts:job_rerun", args=[project.pk, job.pk]))
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_database_error_is_recorded_as_such(project):
    from django.db import OperationalError

    job = job_create(project=project, kind="test")

    def handler(job, progress):
        raise OperationalError("server closed the connection unexpectedly")

    job_run(job.pk, handler)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith("The database connection broke while this job ran")


def test_a_slow_but_advancing_job_is_not_marked_stale(client, user, project, settings):
    settings.JOB_STALE_AFTER_SECONDS = 60  # in-process jobs get ten times as long
    job = job_create(project=project, kind="test")
    Job.objects.filter(pk=job.pk).update(
        status="running", updated_at=timezone.now() - timedelta(minutes=5)
    )
    client.login(username=user.username, password=PASSWORD)
    poll(client, project, job)
    job.refresh_from_db()
    assert job.status == "running"


def test_every_job_kind_is_the_name_of_the_celery_task_that_runs_it():
    from config.celery import app
    from jobs.registry import job_kind_task, job_kinds

    kinds = job_kinds()
    assert len(kinds) == 8
    for kind in kinds:
        assert job_kind_task(kind).name == kind
        assert app.tasks[kind].name == kind


def test_starting_an_undeclared_kind_of_job_writes_nothing(project):
    from jobs.services import job_start

    with pytest.raises(LookupError, match="No job kind 'themes.sugest'"):
        job_start(project=project, kind="themes.sugest")
    assert not Job.objects.exists()


@pytest.fixture
def broker_down(settings):
    """Tasks go to a broker nobody listens on (as when Redis is stopped)."""
    from config.celery import app

    previous = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    yield
    app.conf.task_always_eager, app.conf.broker_url = previous


def test_with_the_broker_down_an_upload_says_so_and_writes_nothing(
    client, user, project, broker_down, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from transcripts.models import ImportBatch, ImportItem

    client.login(username=user.username, password=PASSWORD)
    response = client.post(
        reverse("transcripts:transcript_upload", args=[project.pk]),
        {"files": [SimpleUploadedFile("FG1.txt", b"P1: Hello.")]},
    )
    assert response.status_code == 200
    assert "queue cannot be reached right now" in response.content.decode()
    assert not ImportBatch.objects.exists() and not ImportItem.objects.exists()
    assert not Job.objects.exists()
    media = settings.MEDIA_ROOT
    assert not [p for p in media.rglob("*") if p.is_file()] if media.exists() else True


def test_with_the_broker_down_a_refi_import_leaves_no_project_or_file(client, user, broker_down):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.coding.refi_support import sample
    from transcripts.models import Project

    client.login(username=user.username, password=PASSWORD)
    data = sample("qc-1.3.2_demo.qdpx")
    response = client.post(
        reverse("coding:qdpx_import"), {"file": SimpleUploadedFile("qc.qdpx", data)}
    )
    assert "queue cannot be reached right now" in response.content.decode()
    assert not Project.objects.exists() and not Job.objects.exists()
    assert (
        not default_storage.exists("refi-imports") or not default_storage.listdir("refi-imports")[1]
    )


def test_a_job_whose_task_cannot_be_sent_after_commit_is_marked_failed(
    project, monkeypatch, django_capture_on_commit_callbacks
):
    from jobs.registry import job_kind_task
    from jobs.services import job_enqueue

    task = job_kind_task("coding.verify")
    job = job_create(project=project, kind="coding.verify")

    def refuse(*args, **kwargs):
        raise ConnectionError("broker gone")

    monkeypatch.setattr(task, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue(job=job)
    job.refresh_from_db()
    assert job.status == "failed" and "never started (ConnectionError)" in job.error


def test_with_the_broker_down_starting_a_suggestion_run_says_so_and_writes_nothing(
    client, user, project, broker_down
):
    from tests.factories import TranscriptFactory
    from themes.models import SuggestionRun

    transcript = TranscriptFactory(project=project, text="P1: Letters.")
    client.login(username=user.username, password=PASSWORD)
    url = reverse("themes:suggestion_run", args=[project.pk])
    data = {"transcripts": [transcript.pk], "threshold": "0.3"}
    htmx = client.post(url, data, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 503 and "queue cannot be reached" in htmx.content.decode()
    plain = client.post(
        url, data, HTTP_REFERER=f"http://testserver/projects/{project.pk}/suggestions/"
    )
    assert plain.status_code == 302
    page = client.get(plain["Location"]).content.decode()
    assert "queue cannot be reached" in page
    assert not Job.objects.exists() and not SuggestionRun.objects.exists()


def test_a_second_delivery_of_a_running_job_stops_and_a_dead_workers_job_is_taken_over(
    project, settings
):
    settings.JOB_STALE_AFTER_SECONDS = 45
    job = Job.objects.create(project=project, kind="test", status="running",
                             updated_at=timezone.now())  # fmt: skip
    ran = []
    job_run(job.pk, lambda job, progress: ran.append(1))
    assert ran == []  # another worker is beating on it
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    job_run(job.pk, lambda job, progress: ran.append(1))
    job.refresh_from_db()
    assert ran == [1] and job.status == "done"  # redelivered after its worker died: carried on


def test_a_lost_database_answers_503_saying_nothing_was_saved(client, user, project, monkeypatch):
    from django.db import OperationalError

    from transcripts.views import projects

    def down(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(projects, "render", down)
    client.force_login(user)
    response = client.get(reverse("transcripts:project_detail", args=[project.pk]))
    assert response.status_code == 503
    assert "nothing was saved" in response.content.decode()
