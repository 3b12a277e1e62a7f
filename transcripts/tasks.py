from celery import shared_task

from .jobs import job_run


@shared_task(name="transcripts.import_read")
def import_batch_read_task(job_id: int) -> None:
    from .batches import import_batch_read_job

    job_run(job_id, import_batch_read_job)


@shared_task(name="transcripts.import_run")
def import_batch_run_task(job_id: int) -> None:
    from .batches import import_batch_run_job

    job_run(job_id, import_batch_run_job)
