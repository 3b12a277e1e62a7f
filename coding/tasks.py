"""The coding app's background jobs: the integrity check and the REFI-QDA project import."""

from django.core.files.storage import default_storage

from jobs.models import Job
from jobs.registry import job_task
from jobs.runner import JobError, JobProgress

from .refi.services import qdpx_import
from .refi.xml import RefiError
from .services.codings import codings_verify


@job_task("coding.verify", label="Check of codings against their text")
def coding_verify_task(job: Job, progress: JobProgress) -> dict | None:
    return codings_verify(project=job.project, progress=progress)


@job_task("coding.refi_import", label="REFI-QDA project import")
def qdpx_import_task(job: Job, progress: JobProgress) -> dict | None:
    """Import the stored ``.qdpx`` into the job's (new, empty) project, then delete the file."""
    path = job.params["path"]
    try:
        with default_storage.open(path, "rb") as stored:
            data = stored.read()
        return qdpx_import(
            data=data,
            filename=job.params["filename"],
            user=job.created_by,
            project=job.project,
            progress=progress,
        )
    except RefiError as exc:
        raise JobError(str(exc)) from exc
    finally:
        default_storage.delete(path)
