"""Faults on the real stack, each judged by what the user sees within a minute: no half rows, no
duplicate transcripts, a job that says what happened and can be re-run.

The suite starts its own PostgreSQL and Redis (tests/faults/conftest.py), so restarting them
never touches the machine's shared services."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.faults.conftest import ROOT

pytestmark = pytest.mark.stack

FILES, WORDS = 120, 6000  # an import of about 30 s on these machines: long enough to kill


def _running(stack, job: int, fraction: float = 0.15) -> None:  # type: ignore[no-untyped-def]
    seen = stack.drive("running", job, fraction, 120)
    assert not seen.get("missed"), f"the job was never seen running past {fraction}: {seen}"


def _killed_at(stack, job: int, worker) -> float:  # type: ignore[no-untyped-def]
    _running(stack, job)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    return time.monotonic()


def _consistent(seen: dict, files: int) -> None:
    """Every imported file is exactly one whole transcript; the rest wait to be imported."""
    assert seen["duplicate_texts"] == 0 and seen["without_turns"] == 0, seen
    assert seen["transcripts"] == seen["items"].get("imported", 0), seen
    assert seen["items"].get("imported", 0) + seen["items"].get("ready", 0) == files, seen


def test_kill_9_of_the_worker_mid_import_fails_within_a_minute_and_rerun_finishes(own_stack):
    stack = own_stack
    job = stack.drive("setup-import", FILES, WORDS)["job"]
    killed = _killed_at(stack, job, stack.start_worker())
    seen = stack.wait(job, lambda s: s["status"] == "failed", timeout=75)
    assert time.monotonic() - killed < 60 + 3  # the last poll's own start-up included
    assert "stopped answering" in seen["error"] and "re-run" in seen["error"]
    _consistent(seen, FILES)
    assert 0 < seen["transcripts"] < FILES
    stack.start_worker()
    assert stack.drive("rerun", job)["status"] == "queued"
    done = stack.wait(job, lambda s: s["status"] == "done", timeout=180)
    assert done["transcripts"] == FILES and done["duplicate_texts"] == 0, done
    assert done["without_turns"] == 0


def test_kill_9_of_the_worker_mid_suggestion_run_fails_and_rerun_does_not_double(own_stack):
    stack = own_stack
    job = stack.drive("setup-suggest", 30)["job"]
    worker = stack.start_worker()
    _running(stack, job, 0.01)
    os.killpg(worker.pid, signal.SIGKILL)
    killed = time.monotonic()
    seen = stack.wait(job, lambda s: s["status"] == "failed", timeout=75)
    assert time.monotonic() - killed < 60 + 3
    assert "stopped answering" in seen["error"]
    stack.start_worker()
    stack.drive("rerun", job)
    done = stack.wait(job, lambda s: s["status"] == "done", timeout=240)
    assert done["suggestions"] > 0 and done["pending_twice"] == 0, done


def test_a_postgresql_restart_mid_import_says_so_and_rerun_finishes(own_stack):
    stack = own_stack
    job = stack.drive("setup-import", FILES, WORDS)["job"]
    stack.start_worker()
    _running(stack, job)
    restarted = time.monotonic()
    stack.restart_postgres()
    seen = stack.wait(job, lambda s: s["status"] == "failed", timeout=60)
    assert time.monotonic() - restarted < 60
    assert "database connection broke" in seen["error"], seen["error"]
    assert "worker" not in seen["error"]  # not blamed on the worker
    _consistent(seen, FILES)
    stack.drive("rerun", job)
    done = stack.wait(job, lambda s: s["status"] == "done", timeout=180)
    assert done["transcripts"] == FILES and done["duplicate_texts"] == 0, done


def test_a_postgresql_restart_mid_coding_loses_nothing_and_the_next_request_works(own_stack):
    import json
    import shlex

    stack = own_stack
    job = stack.drive("setup-import", 1, 300)["job"]
    stack.start_worker()
    assert stack.wait(job, lambda s: s["status"] == "done", timeout=60, every=0.5)["transcripts"]
    transcript = _first_transcript(stack)
    stop, start = (shlex.join(command) for command in stack.postgres_commands())
    # One web process: a coding, the database stops (a coding then), it comes back (a coding
    # then, on a pooled connection that died with the old server), and once more.
    steps = ["post", stop, "post", start, "post", "post"]
    seen = stack.drive("code", transcript, FAULTS_STEPS=json.dumps(steps))
    codes = [code for code, _ in seen["responses"]]
    assert codes == [200, 503, 200, 200], seen
    assert "nothing was saved" in seen["responses"][1][1]
    assert seen["codings"] == 1  # the same span and code, applied three times: one coding


def _first_transcript(stack) -> int:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from transcripts.models import Transcript; print(Transcript.objects.first().pk)"],
        cwd=ROOT, env=stack.env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(out.stdout.strip().splitlines()[-1])


def test_redis_stopped_while_a_user_starts_an_import_says_so_and_writes_nothing(own_stack):
    stack = own_stack
    stack.stop_redis()
    try:
        seen = stack.drive("upload")
    finally:
        stack.start_redis()
    assert seen["code"] == 200  # back on the upload page, with the message
    assert "queue cannot be reached right now, so nothing was" in seen["page"]
    assert (seen["new_batches"], seen["new_items"], seen["new_files"]) == (0, 0, 0), seen[
        "new_file_names"
    ]
    stack.start_worker()
    again = stack.drive("upload")
    assert again["new_batches"] == 1 and again["new_files"] == 1
