"""Running a job: ``job_run(job_id, handler)`` marks the row running, hands the handler a
``JobProgress`` to report through (which also notices a cancel), and records how it ended.
A handler raises ``JobError`` with a message written for the analyst, shown as is."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)


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
        finish(job, Job.Status.CANCELLED, message="Cancelled before it started.")
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=now, updated_at=now)
    job.status = Job.Status.RUNNING
    try:
        result = handler(job, JobProgress(job)) or {}
    except JobCancelled:
        finish(job, Job.Status.CANCELLED, message="Cancelled.")
    except JobError as exc:
        finish(job, Job.Status.FAILED, message="Failed.", error=str(exc))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        finish(
            job,
            Job.Status.FAILED,
            message="Failed.",
            error=f"Unexpected error: {type(exc).__name__}: {exc}",
        )
    else:
        finish(job, Job.Status.DONE, message=job.message or "Done.", result=result, progress=1)


def finish(
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
