# The Job model moved here from the transcripts app. Its table (transcripts_job) and rows stay
# where they are: this migration only tells Django's state where the model now lives.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("transcripts", "0002_import_batches"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Job",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(max_length=50)),
                        ("status", models.CharField(choices=[("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed"), ("cancelled", "Cancelled")], default="queued", max_length=10)),
                        ("progress", models.FloatField(default=0.0)),
                        ("message", models.CharField(blank=True, max_length=500)),
                        ("error", models.TextField(blank=True)),
                        ("params", models.JSONField(blank=True, default=dict)),
                        ("result", models.JSONField(blank=True, default=dict)),
                        ("cancel_requested", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="jobs", to="transcripts.project")),
                    ],
                    options={
                        "db_table": "transcripts_job",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["project", "kind", "-created_at"], name="transcripts_project_aacc9f_idx")],
                        "constraints": [models.CheckConstraint(condition=models.Q(("progress__gte", 0), ("progress__lte", 1)), name="job_progress_0_1")],
                    },
                ),
            ],
        ),
    ]
