# The Job model moved to the jobs app (same table): point the foreign key there.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("themes", "0002_suggestions_and_candidates"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="suggestionrun",
                    name="job",
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="suggestion_run", to="jobs.job"),
                ),
            ],
        ),
    ]
