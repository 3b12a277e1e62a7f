"""Writes on job rows: create one, start it (enqueue its task once the transaction commits),
cancel it, and notice one that stopped advancing.

A service starts background work with ``job_start(project=..., kind="themes.suggest", ...)``;
the kind is the name of a task declared with ``jobs.registry.job_task``. Pages poll the row (never
the Celery result backend) and call ``job_refresh_stale`` so a lost worker cannot leave a page
spinning forever.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Job
from .registry import job_kind_task
from .runner import finish

logger = logging.getLogger(__name__)


class JobsUnavailable(ValidationError):
    """The queue the background workers read (the broker) cannot be reached: nothing is started
    and nothing is written, and the page says so."""


def broker_check() -> None:
    """Raise ``JobsUnavailable`` when tasks go to a broker that does not answer (in-process
    tasks, the embedded default, need none)."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        return
    try:
        # the configured URL (``conf.broker_url`` would prefer the CELERY_BROKER_URL variable)
        url = current_app.conf.get("broker_url") or current_app.conf.broker_url
        with current_app.connection_for_write(url) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:
        logger.warning("broker unreachable: %s", exc)
        raise JobsUnavailable(
            "The background workers' queue cannot be reached right now, so nothing was "
            "started and nothing was saved. Try again in a minute; if it goes on, tell whoever "
            "runs this server that the broker (Redis) is down."
        ) from None


def job_create(
    *, project: Any, kind: str, user: Any = None, params: dict[str, Any] | None = None
) -> Job:
    """A queued job row, not yet enqueued (``job_start`` does both). Refuses with
    ``JobsUnavailable``, before writing anything, when the broker is down."""
    broker_check()
    return Job.objects.create(
        project=project,
        kind=kind,
        created_by=user if user is not None and user.is_authenticated else None,
        params=params or {},
    )


def job_enqueue(*, job: Job) -> None:
    """Send the job's task once the surrounding transaction commits. Should the broker fail in
    between, the job is marked failed with the reason (it would otherwise wait forever)."""
    task = job_kind_task(job.kind)

    def send() -> None:
        try:
            task.delay(job.pk)
        except Exception as exc:
            logger.exception("could not send job %s", job.pk)
            finish(
                job,
                Job.Status.FAILED,
                message="Failed.",
                error="The background workers' queue could not be reached, so this job never "
                f"started ({type(exc).__name__}). Start it again.",
            )

    transaction.on_commit(send)


def job_start(
    *, project: Any, kind: str, user: Any = None, params: dict[str, Any] | None = None
) -> Job:
    """Create the job row and enqueue its task on commit. ``LookupError`` for an unknown kind,
    before anything is written."""
    job_kind_task(kind)
    job = job_create(project=project, kind=kind, user=user, params=params)
    job_enqueue(job=job)
    return job


def job_cancel(*, job: Job) -> Job:
    """Ask a job to stop. A queued job is cancelled at once; a running one stops at its next
    progress report."""
    if job.is_finished:
        return job
    if job.status == Job.Status.QUEUED:
        finish(job, Job.Status.CANCELLED, message="Cancelled before it started.")
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    job.cancel_requested = True
    return job


def job_rerun(*, job: Job) -> Job:
    """Run a failed or cancelled job again, on the same row, from where it stopped: every kind
    of job is written to be run twice safely (an import skips what it already imported, a
    suggestion run replaces its own pending suggestions, an export writes a new file).
    ``JobsUnavailable`` before anything changes when the broker is down."""
    if job.status not in (Job.Status.FAILED, Job.Status.CANCELLED):
        raise ValidationError("Only a job that failed or was cancelled can be re-run.")
    broker_check()
    now = timezone.now()
    with transaction.atomic():
        updated = Job.objects.filter(
            pk=job.pk, status__in=[Job.Status.FAILED, Job.Status.CANCELLED]
        ).update(
            status=Job.Status.QUEUED,
            progress=0.0,
            message="Queued again.",
            error="",
            cancel_requested=False,
            started_at=None,
            finished_at=None,
            updated_at=now,
        )
        if not updated:
            raise ValidationError("Someone re-ran this job already.")
        job.refresh_from_db()
        job_enqueue(job=job)
    return job


def _in_process() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def job_refresh_stale(*, job: Job) -> Job:
    """Mark a job failed, with the likely cause, when it stopped advancing: a running job whose
    worker's heartbeat stopped for ``JOB_STALE_AFTER_SECONDS`` (the worker was killed or lost),
    or a queued job no worker started within ``JOB_QUEUED_STALE_AFTER_SECONDS``."""
    if job.is_finished:
        return job
    if job.status == Job.Status.QUEUED:
        seconds = settings.JOB_QUEUED_STALE_AFTER_SECONDS
        error = (
            f"No background worker started this job within {max(1, round(seconds / 60))} "
            "minute(s): the workers are not running or are all busy. Re-run it once they are."
        )
    else:
        # In-process jobs (the embedded default) have no heartbeat: their request runs them.
        seconds = settings.JOB_STALE_AFTER_SECONDS * (10 if _in_process() else 1)
        error = (
            f"The background worker running this job stopped answering {round(seconds)} s ago: "
            "it was killed, restarted or lost. What the job had finished is kept; re-run it "
            "to carry on."
        )
    if timezone.now() - job.updated_at > timedelta(seconds=seconds):
        updated = Job.objects.filter(pk=job.pk, updated_at=job.updated_at).exclude(
            status__in=Job.FINISHED
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
