from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.stack.conftest import wait_for_job
from tests.transcripts.files import docx_bytes, zip_bytes
from tests.transcripts.upload_helpers import named, review_data

pytestmark = pytest.mark.stack


def test_an_upload_is_read_and_imported_by_the_worker(client, user, project, celery_worker_process):
    client.login(username=user.username, password=PASSWORD)
    archive = zip_bytes(
        {
            "FG1.txt": "Moderator: Welcome.\n\nP1: Letters help.",
            "FG2.docx": docx_bytes(["Facilitator: Hi.", "P2: Hello."]),
            "empty.txt": "",
        }
    )
    response = client.post(
        reverse("transcripts:transcript_upload", args=[project.pk]),
        {"files": [named("up.zip", archive)]},
    )
    batch = project.import_batches.get()
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="reading"' in page  # queued for the worker, not run in-process

    read = wait_for_job(batch.read_job, worker=celery_worker_process)
    assert read.status == "done", read.error
    batch.refresh_from_db()
    client.post(
        reverse("transcripts:import_batch_review", args=[project.pk, batch.pk]), review_data(batch)
    )
    batch.refresh_from_db()
    imported = wait_for_job(batch.import_job, worker=celery_worker_process)
    assert imported.status == "done", imported.error
    assert imported.result == {"files": 3, "ready": 0, "imported": 2, "duplicates": 0, "failed": 1}
    assert sorted(project.transcripts.values_list("name", flat=True)) == ["FG1", "FG2"]
    report = client.get(
        reverse("transcripts:import_batch", args=[project.pk, batch.pk])
    ).content.decode()
    assert "Imported 2 transcripts, 1 failed." in report
    assert "up.zip/empty.txt: the file is empty." in report
