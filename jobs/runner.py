"""Running a job: ``job_run(job_id, handler)`` marks the row running, hands the handler a
``JobProgress`` to report through (which also notices a cancel), and records how it ended.
A handler raises ``JobError`` with a message written for the analyst, shown as is."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, connection, models
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised inside a handler when the analyst cancelled the job."""


class JobError(Exception):
    """A failure whose message is written for the analyst, shown as is."""


class _SideConnection:
    """An autocommit connection of its own to PostgreSQL, for progress written while the work
    holds a transaction open (a REFI-QDA import is one transaction): written on the work's
    connection, the progress would stay invisible until the end and keep the job row locked,
    so a status page or a cancel would wait on it. SQLite has one writer at a time, so there
    the progress is written on the work's connection, as before."""

    def __init__(self) -> None:
        self._connection: Any = None

    def wanted(self) -> bool:
        # Only in a worker: a job run in-process (eagerly, as the tests run them) may live in a
        # transaction of its caller's that a second connection could not see into.
        return (
            connection.vendor == "postgresql" and connection.in_atomic_block and _heartbeat_wanted()
        )

    def execute(self, sql: str, params: list[Any]) -> list[tuple]:
        if self._connection is None or self._connection.closed:
            import psycopg

            params_ = connection.get_connection_params()
            params_.pop("cursor_factory", None)
            params_.pop("context", None)
            self._connection = psycopg.connect(**params_, autocommit=True)
        with self._connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class JobProgress:
    """Reports progress to the job row, at most every ``interval`` seconds, and notices cancel.
    Inside a transaction on PostgreSQL it writes through a connection of its own, so the page
    sees it at once and nothing the page does waits on the work's locks."""

    def __init__(self, job: Job, interval: float = 0.5) -> None:
        self.job = job
        self.interval = interval
        self._last = 0.0
        self._side = _SideConnection()

    def update(self, fraction: float, message: str = "", *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        fraction = min(max(fraction, 0.0), 1.0)
        if self._side.wanted():
            table = Job._meta.db_table
            self._side.execute(
                f'UPDATE "{table}" SET progress = %s, message = %s, updated_at = %s WHERE id = %s',
                [fraction, message[:500], timezone.now(), self.job.pk],
            )
        else:
            Job.objects.filter(pk=self.job.pk).update(
                progress=fraction, message=message[:500], updated_at=timezone.now()
            )
        self.job.progress, self.job.message = fraction, message[:500]
        self.check_cancelled()

    def check_cancelled(self) -> None:
        if self._side.wanted():
            table = Job._meta.db_table
            rows = self._side.execute(
                f'SELECT 1 FROM "{table}" WHERE id = %s AND cancel_requested', [self.job.pk]
            )
            cancelled = bool(rows)
        else:
            cancelled = Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()
        if cancelled:
            raise JobCancelled

    def close(self) -> None:
        self._side.close()


HEARTBEAT_SECONDS = 10.0


class _Heartbeat:
    """While a job runs in a worker, its row's ``updated_at`` moves on every few seconds from a
    thread of its own (its own connection), so a job that stops advancing is one whose worker
    died, not one busy with a long step: pages mark it failed after ``JOB_STALE_AFTER_SECONDS``
    (45 s by default)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat",
                                        daemon=True)  # fmt: skip

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=HEARTBEAT_SECONDS)

    def _beat(self) -> None:
        from django.db import connection as own

        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                        updated_at=timezone.now()
                    )
                except DatabaseError:
                    own.close()  # reconnect on the next beat
        finally:
            own.close()


def _heartbeat_wanted() -> bool:
    from celery import current_app

    return not current_app.conf.task_always_eager  # in-process jobs end with their request


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
    if not _claim(job, now):
        logger.info("job %s is being run by another worker; this delivery stops", job.pk)
        return
    job.status = Job.Status.RUNNING
    progress = JobProgress(job)
    try:
        if _heartbeat_wanted():
            with _Heartbeat(job.pk):
                result = handler(job, progress) or {}
        else:
            result = handler(job, progress) or {}
    except JobCancelled:
        finish(job, Job.Status.CANCELLED, message="Cancelled.")
    except JobError as exc:
        finish(job, Job.Status.FAILED, message="Failed.", error=str(exc))
    except (OperationalError, InterfaceError) as exc:
        logger.exception("job %s (%s) lost its database connection", job.pk, job.kind)
        _finish_after_database_error(job, exc)
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
    finally:
        progress.close()


def _claim(job: Job, now: Any) -> bool:
    """Take the job, once: a queued job, or a running one whose worker stopped beating (a task
    redelivered after its worker died carries on with it). A second delivery of a job another
    worker is running finds it taken and stops, so two workers never run one job."""
    from datetime import timedelta

    from django.conf import settings

    silent = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    taken = (
        Job.objects.filter(pk=job.pk)
        .filter(
            models.Q(status=Job.Status.QUEUED)
            | models.Q(status=Job.Status.RUNNING, updated_at__lt=silent)
        )
        .update(status=Job.Status.RUNNING, started_at=now, updated_at=now)
    )
    return bool(taken)


DATABASE_LOST = (
    "The database connection broke while this job ran (the database restarted or could not be "
    "reached), so it stopped; what it had finished is kept. Re-run it to carry on."
)


def _finish_after_database_error(job: Job, exc: Exception, attempts: int = 10) -> None:
    """Record the real cause once the database answers again (a restart takes seconds); if it
    never does, the stale check marks the job failed later."""
    for attempt in range(attempts):
        try:
            if not connection.in_atomic_block:  # a worker's, after the work rolled back
                connection.close()
            finish(job, Job.Status.FAILED, message="Failed.",
                   error=f"{DATABASE_LOST} ({type(exc).__name__})")  # fmt: skip
            return
        except DatabaseError:
            time.sleep(min(2.0, 0.5 * (attempt + 1)))


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
