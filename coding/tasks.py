from celery import shared_task

from transcripts.jobs import job_run

from .services import codings_verify


@shared_task(name="coding.verify")
def coding_verify_task(job_id: int) -> None:
    job_run(job_id, lambda job, progress: codings_verify(project=job.project, progress=progress))


from .refi.tasks import qdpx_import_task  # noqa: E402, F401  (REFI-QDA import, on the job mechanism)
