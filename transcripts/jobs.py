"""The one mechanism for background work.

A ``Job`` row holds the state (status, progress, message, error, result). A service creates it
with ``job_create`` and enqueues its Celery task on commit with ``job_enqueue``; the task calls
``job_run(job_id, handler)``, which marks it running, gives the handler a ``JobProgress`` to report
through, and records how it ended. Pages poll the row (never the Celery result backend) and call
``job_refresh_stale`` so a lost worker cannot leave a page spinning forever.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Job, Project

logger = logging.getLogger(__name__)


def job_kind_register(kind: str, label: str) -> None:
    """Give a kind of job the name the pages show (call it from an app's ``ready``)."""
    Job.LABELS[kind] = label


class JobCancelled(Exception):
    """Raised inside a handler when the analyst cancelled the job."""


class JobError(Exception):
    """A failure whose message is written for the analyst, shown as is."""


class JobProgress:
    """Reports progress to the job row, at most every ``interval`` seconds, and notices cancel."""

    def __init__(self, job: Job, interval: float = 0.5) -> None:
        self.job = job
        self.interval = interval
        self._last = 0.0

    def update(self, fraction: float, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        fraction = min(max(fraction, 0.0), 1.0)
        Job.objects.filter(pk=self.job.pk).update(
            progress=fraction, message=message[:500], updated_at=timezone.now()
        )
        self.job.progress, self.job.message = fraction, message[:500]
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled

    def check_cancelled(self) -> None:
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled


Handler = Callable[[Job, JobProgress], dict[str, Any] | None]


def job_create(
    *, project: Project, kind: str, user: Any = None, params: dict[str, Any] | None = None
) -> Job:
    return Job.objects.create(
        project=project,
        kind=kind,
        created_by=user if user is not None and user.is_authenticated else None,
        params=params or {},
    )


def job_enqueue(*, job: Job, task: Any) -> None:
    """Send the job's task once the surrounding transaction commits."""
    transaction.on_commit(lambda: task.delay(job.pk))


def job_run(job_id: int, handler: Handler) -> None:
    """Run ``handler`` for the job and record the outcome on the row. Called by thin tasks."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s vanished before it ran", job_id)
        return
    if job.is_finished:
        return
    now = timezone.now()
    if job.cancel_requested:
        _finish(job, Job.Status.CANCELLED, message="Cancelled before it started.")
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, updated_at=now)
    job.status = Job.Status.RUNNING
    try:
        result = handler(job, JobProgress(job)) or {}
    except JobCancelled:
        _finish(job, Job.Status.CANCELLED, message="Cancelled.")
    except JobError as exc:
        _finish(job, Job.Status.FAILED, message="Failed.", error=str(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            Job.Status.FAILED,
            message="Failed.",
            error=f"Unexpected error: {type(exc).__name__}: {exc}",
        )
    else:
        _finish(job, Job.Status.DONE, message=job.message or "Done.", result=result, progress=1)


def _finish(
    job: Job,
    status: str,
    *,
    message: str,
    error: str = "",
    result: dict[str, Any] | None = None,
    progress: float | None = None,
) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": status,
        "message": message[:500],
        "error": error,
        "finished_at": now,
        "updated_at": now,
    }
    if result is not None:
        fields["result"] = result
    if progress is not None:
        fields["progress"] = progress
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def job_cancel(*, job: Job) -> Job:
    """Ask a job to stop. A queued job is cancelled at once; a running one stops at its next
    progress report."""
    if job.is_finished:
        return job
    if job.status == Job.Status.QUEUED:
        _finish(job, Job.Status.CANCELLED, message="Cancelled before it started.")
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    job.cancel_requested = True
    return job


def job_refresh_stale(*, job: Job) -> Job:
    """Mark a job failed when it has not advanced for ``JOB_STALE_AFTER_SECONDS``."""
    if job.is_finished:
        return job
    limit = timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    if timezone.now() - job.updated_at > limit:
        minutes = max(1, round(limit.total_seconds() / 60))
        updated = Job.objects.filter(pk=job.pk, updated_at=job.updated_at).exclude(
            status__in=Job.FINISHED
        )
        error = (
            f"No progress for {minutes} minute(s): the background worker stopped or is not "
            "running. Start it again and re-run this job."
        )
        now = timezone.now()
        if updated.update(
            status=Job.Status.FAILED, message="Failed.", error=error, finished_at=now
        ):
            job.status, job.message, job.error, job.finished_at = (
                Job.Status.FAILED,
                "Failed.",
                error,
                now,
            )
        else:
            job.refresh_from_db()
    return job
