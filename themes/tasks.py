"""Thin Celery tasks: take the job id, run the service through the job mechanism."""

from celery import shared_task

from transcripts.jobs import job_run

from . import services


@shared_task(name="themes.suggest")
def suggestions_task(job_id: int) -> None:
    job_run(
        job_id, lambda job, progress: services.suggestion_run_execute(job=job, progress=progress)
    )


@shared_task(name="themes.cluster")
def candidates_task(job_id: int) -> None:
    job_run(
        job_id, lambda job, progress: services.candidate_run_execute(job=job, progress=progress)
    )
