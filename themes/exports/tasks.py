"""Background exports (thin: the job mechanism records the outcome)."""

from celery import shared_task

from transcripts.jobs import job_run


@shared_task(name="themes.export")
def export_task(job_id: int) -> None:
    from .services import export_run

    job_run(job_id, export_run)
