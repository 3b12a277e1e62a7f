"""The fault suite's own stack: a PostgreSQL cluster and a Redis server started here on ports of
their own (the machine's shared services are never restarted), a real Celery worker, and the
user's side played by ``tests/faults/drive.py`` in processes of its own pointed at them."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVE = Path(__file__).with_name("drive.py")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    return None


def _as_postgres(args: list[str], **kwargs):  # type: ignore[no-untyped-def]
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


class OwnStack:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pg_port, self.redis_port = _free_port(), _free_port()
        self.data = folder / "pg"
        self.media = folder / "media"
        self.redis: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    # -- services ---------------------------------------------------------------------------
    def start_postgres(self) -> None:
        _as_postgres([self.pg_ctl, "-D", str(self.data), "-l", str(self.folder / "pg.log"),
                      "-o", f"-p {self.pg_port} -k {self.folder} -c listen_addresses=127.0.0.1",
                      "-w", "start"])  # fmt: skip

    def stop_postgres(self) -> None:
        _as_postgres([self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def restart_postgres(self) -> None:
        # stop, then start with its log file: a restarted server would keep our output pipe
        self.stop_postgres()
        self.start_postgres()

    def postgres_commands(self) -> tuple[list[str], list[str]]:
        """The commands that stop and start this cluster, for a process that runs them."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        options = f"-p {self.pg_port} -k {self.folder} -c listen_addresses=127.0.0.1"
        stop = [*prefix, self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"]
        start = [*prefix, self.pg_ctl, "-D", str(self.data), "-l", str(self.folder / "pg.log"),
                 "-o", options, "-w", "start"]  # fmt: skip
        return stop, start

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            [
                self.redis_server,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.redis_port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("the fault suite's Redis did not start")

    def stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(timeout=10)
            self.redis = None

    # -- the app ----------------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/faults",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_TASK_DEFAULT_QUEUE": "faults",
            "DJANGO_SECRET_KEY": "faults-only",
            "DJANGO_MEDIA_ROOT": str(self.media),
            "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
            "SUGGESTION_EMBEDDING_MODEL": "off",
            "FG_JOB_STALE_AFTER_SECONDS": "45",
        }

    def drive(self, *args: object, check: bool = True, **env: str) -> dict:
        done = subprocess.run(
            [sys.executable, str(DRIVE), *map(str, args)],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            if check:
                raise AssertionError(f"drive {args} failed:\n{done.stderr[:3000]}")
            return {"returncode": done.returncode, "stderr": done.stderr[-3000:]}
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start_worker(self, pool: str = "solo") -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "-Q",
                "faults",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.workers.append(worker)
        return worker

    def kill_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
        self.workers = []

    def wait(self, job: int, predicate, *, timeout: float, every: float = 2.0) -> dict:  # type: ignore[no-untyped-def]
        """Poll the job as its page does until ``predicate(status)`` holds."""
        deadline = time.monotonic() + timeout
        seen: dict = {}
        while time.monotonic() < deadline:
            seen = self.drive("status", job)
            if predicate(seen):
                return seen
            time.sleep(every)
        raise AssertionError(f"job {job} never got there in {timeout:.0f} s; last seen {seen}")

    def reset_database(self) -> None:
        psql = [self.psql, "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres"]
        subprocess.run([*psql, "-c", "DROP DATABASE IF EXISTS faults WITH (FORCE)"], check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run([*psql, "-c", "CREATE DATABASE faults"], check=True, capture_output=True)
        migrated = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT, env=self.env, capture_output=True, text=True,
        )  # fmt: skip
        assert migrated.returncode == 0, migrated.stderr[-3000:]


@pytest.fixture(scope="session")
def _own_services():
    pg_ctl, initdb, psql = _tool("pg_ctl"), _tool("initdb"), _tool("psql")
    redis_server = shutil.which("redis-server")
    if not (pg_ctl and initdb and psql and redis_server):
        pytest.skip("the fault suite starts its own PostgreSQL (initdb, pg_ctl) and redis-server")
    folder = Path(tempfile.mkdtemp(prefix="fg-faults-"))
    os.chmod(folder, 0o777)
    stack = OwnStack(folder)
    stack.pg_ctl, stack.psql, stack.redis_server = pg_ctl, psql, redis_server  # type: ignore[attr-defined]
    stack.data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(stack.data, "postgres")
    os.chmod(stack.data, 0o700)
    _as_postgres([initdb, "-D", str(stack.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
    stack.start_postgres()
    stack.start_redis()
    try:
        yield stack
    finally:
        stack.kill_workers()
        stack.stop_redis()
        try:
            stack.stop_postgres()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def own_stack(_own_services):
    """A fresh database, a running Redis, no worker yet; every worker killed afterwards."""
    stack = _own_services
    if stack.redis is None:
        stack.start_redis()
    stack.reset_database()
    yield stack
    stack.kill_workers()
