"""The real stack: PostgreSQL and a Celery worker process consuming from Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real ``celery worker`` on its own queue, pointed at the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("the stack suite needs DATABASE_URL pointing at PostgreSQL")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker or not _redis_reachable(broker):
        pytest.skip(f"the stack suite needs Redis at CELERY_BROKER_URL (got {broker!r})")
    db = connection.settings_dict
    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from config.celery import app

    app.conf.task_default_queue = queue
    app.conf.task_always_eager = False
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}@{host}:{port}/{db['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
        if worker.stdout:
            worker.stdout.close()


def wait_for_job(job, *, timeout: float = 60.0, worker=None):
    """Poll the job row (as the page does) until it finishes or the timeout passes."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        if worker is not None and worker.poll() is not None:
            output = worker.stdout.read().decode() if worker.stdout else ""
            raise AssertionError(f"the worker exited early:\n{output}")
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} did not finish in {timeout}s (status {job.status})")


__all__ = ["wait_for_job", "settings"]
