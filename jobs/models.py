"""The job row: the state of one piece of background work, written by its Celery task and polled
by the page. The machinery around it is in ``jobs.runner`` (running, progress) and
``jobs.services`` (create, start, cancel, stale detection)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    # The project a job belongs to: the composition root names the model (JOBS_PROJECT_MODEL),
    # so this layer imports nothing above it. Deleting a project deletes its jobs.
    project = models.ForeignKey(
        settings.JOBS_PROJECT_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    # The name of the Celery task that runs it ("themes.suggest"); see ``jobs.registry``.
    kind = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The table keeps the name it had when jobs lived in the transcripts app.
        db_table = "transcripts_job"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["project", "kind", "-created_at"], name="transcripts_project_aacc9f_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=1), name="job_progress_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def label(self) -> str:
        from .registry import job_label

        return job_label(self.kind)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)
