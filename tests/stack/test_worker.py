from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, CodingFactory, TranscriptFactory
from tests.stack.conftest import wait_for_job

pytestmark = pytest.mark.stack


def test_a_job_sent_through_redis_is_run_by_the_worker_and_shown_by_the_app(
    client, user, project, celery_worker_process
):
    transcript = TranscriptFactory(project=project, text="P2: Not big tech companies.")
    CodingFactory(transcript=transcript, start=4, end=27, coder=user)
    client.login(username=user.username, password=PASSWORD)

    response = client.post(
        reverse("coding:codings_verify", args=[project.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'data-status="queued"' in response.content.decode()  # not run in-process

    job = wait_for_job(project.jobs.get(), worker=celery_worker_process)
    assert job.status == "done", job.error
    html = client.get(reverse("transcripts:job_status", args=[project.pk, job.pk])).content.decode()
    assert 'data-status="done"' in html
    assert "mismatch_count" in html
    assert job.result["checked"] == 1
