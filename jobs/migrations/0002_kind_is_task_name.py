# A job's kind is now the name of the Celery task that runs it.

from django.db import migrations

RENAMED = {
    "transcripts.read": "transcripts.import_read",
    "transcripts.import": "transcripts.import_run",
    "refi.import": "coding.refi_import",
    "export": "themes.export",
}


def forwards(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for old, new in RENAMED.items():
        Job.objects.filter(kind=old).update(kind=new)


def backwards(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for old, new in RENAMED.items():
        Job.objects.filter(kind=new).update(kind=old)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
