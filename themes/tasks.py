"""The themes app's background jobs: thin tasks over the services (see ``jobs.registry``)."""

from jobs.models import Job
from jobs.registry import job_task
from jobs.runner import JobProgress

from .exports.services import export_run
from .services import candidate_run_execute, suggestion_run_execute


@job_task("themes.suggest", label="Suggestion run")
def suggestions_task(job: Job, progress: JobProgress) -> dict | None:
    return suggestion_run_execute(job=job, progress=progress)


@job_task("themes.cluster", label="Candidate themes run")
def candidates_task(job: Job, progress: JobProgress) -> dict | None:
    return candidate_run_execute(job=job, progress=progress)


@job_task("themes.export", label="Export")
def export_task(job: Job, progress: JobProgress) -> dict | None:
    """Write one export file in the background and keep it for download."""
    return export_run(job, progress)
