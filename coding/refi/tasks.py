from celery import shared_task
from django.core.files.storage import default_storage

from transcripts.jobs import JobError, job_run

from .services import qdpx_import
from .xml import RefiError


def _import(job, progress):
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


@shared_task(name="coding.refi_import")
def qdpx_import_task(job_id: int) -> None:
    job_run(job_id, _import)
