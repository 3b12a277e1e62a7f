"""The two jobs of an upload: read the files, then import the reviewed ones."""

from jobs.models import Job
from jobs.registry import job_task
from jobs.runner import JobProgress

from .services.uploads import import_batch_read_job, import_batch_run_job


@job_task("transcripts.import_read", label="Reading the uploaded files")
def import_batch_read_task(job: Job, progress: JobProgress) -> dict | None:
    return import_batch_read_job(job, progress)


@job_task("transcripts.import_run", label="Transcript import")
def import_batch_run_task(job: Job, progress: JobProgress) -> dict | None:
    return import_batch_run_job(job, progress)


@job_task("transcripts.detect_identifiers", label="Finding identifiers")
def detect_identifiers_task(job: Job, progress: JobProgress) -> dict | None:
    from .pseudonymise.services import detection_execute

    return detection_execute(job, progress)
