from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, CodingFactory, TranscriptFactory
from tests.stack.conftest import wait_for_job

pytestmark = pytest.mark.stack


def test_a_background_export_is_written_by_the_worker_and_downloaded_by_a_member(
    client, user, project, celery_worker_process
):
    transcript = TranscriptFactory(project=project, name="FG3", text="P2: Not big tech, =no.")
    CodingFactory(transcript=transcript, start=4, end=22, coder=user)
    client.login(username=user.username, password=PASSWORD)

    response = client.post(
        reverse("themes:export_job_start", args=[project.pk]),
        {"export": "quotes_csv"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-status="queued"' in response.content.decode()  # sent to the worker

    job = wait_for_job(project.jobs.get(kind="themes.export"), worker=celery_worker_process)
    assert job.status == "done", job.error
    download = client.get(reverse("themes:export_download", args=[project.pk, job.pk]))
    body = b"".join(download.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert [(row["Group"], row["Quote"]) for row in rows] == [("FG3", "Not big tech, =no.")]
