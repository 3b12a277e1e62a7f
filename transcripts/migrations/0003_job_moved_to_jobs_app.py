# The Job model moved to the jobs app; its table keeps its name, so nothing changes in the
# database: the batch foreign keys point there, and the model leaves this app's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transcripts", "0002_import_batches"),
        ("jobs", "0001_initial"),
        ("themes", "0003_job_in_jobs_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="importbatch",
                    name="read_job",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="jobs.job"),
                ),
                migrations.AlterField(
                    model_name="importbatch",
                    name="import_job",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="jobs.job"),
                ),
                migrations.DeleteModel(name="Job"),
            ],
        ),
    ]
