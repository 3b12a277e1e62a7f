"""Kinds of job, declared once beside their Celery task: the kind is the task's name.

    @job_task("themes.suggest", label="Suggestion run")
    def suggestion_run_task(job: Job, progress: JobProgress) -> dict | None:
        return suggestion_run_execute(job=job, progress=progress)

makes a Celery task named ``themes.suggest`` that runs the handler through ``job_run``, and lets
``job_start(kind="themes.suggest", ...)`` enqueue it without importing the task module (so a
service never imports its own task). Each app imports its ``tasks`` module in ``ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import shared_task

from .runner import Handler, job_run

_TASKS: dict[str, Any] = {}
_LABELS: dict[str, str] = {}


def job_task(name: str, *, label: str, **options: Any) -> Callable[[Handler], Any]:
    """Declare the kind of job ``name``, shown on the pages as ``label``."""

    def declare(handler: Handler) -> Any:
        if name in _TASKS:
            raise ValueError(f"The job kind {name!r} is declared twice.")

        def run(job_id: int) -> None:
            job_run(job_id, handler)

        run.__name__ = run.__qualname__ = getattr(handler, "__name__", name.replace(".", "_"))
        run.__module__ = handler.__module__
        run.__doc__ = handler.__doc__
        task = shared_task(name=name, **options)(run)
        _TASKS[name] = task
        _LABELS[name] = label
        return task

    return declare


def job_kind_task(kind: str) -> Any:
    """The Celery task of a declared kind; ``LookupError`` names an undeclared one."""
    try:
        return _TASKS[kind]
    except KeyError:
        known = ", ".join(sorted(_TASKS)) or "none"
        raise LookupError(f"No job kind {kind!r} is declared (declared: {known}).") from None


def job_label(kind: str) -> str:
    """What the pages call a kind of job ("Suggestion run"); an unknown kind shows as is."""
    return _LABELS.get(kind, kind)


def job_kinds() -> dict[str, str]:
    return dict(_LABELS)
