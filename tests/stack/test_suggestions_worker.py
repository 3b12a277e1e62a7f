from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.stack.conftest import wait_for_job
from tests.themes.conftest import make_framework, make_transcript
from themes.models import Suggestion, SuggestionRun, TextEmbedding

pytestmark = pytest.mark.stack


def test_a_suggestion_run_is_executed_by_the_real_worker(
    client, user, project, celery_worker_process
):
    make_framework(project)
    transcript = make_transcript(project)
    client.login(username=user.username, password=PASSWORD)

    response = client.post(
        reverse("themes:suggestion_run", args=[project.pk]),
        {"transcripts": [transcript.pk], "threshold": "0.2"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-status="queued"' in response.content.decode()  # not run in-process

    job = wait_for_job(project.jobs.get(), timeout=120, worker=celery_worker_process)
    assert job.status == "done", job.error
    assert job.result["suggestions"] == Suggestion.objects.filter(transcript=transcript).count() > 0
    html = client.get(
        reverse("themes:suggestions", args=[project.pk]), {"min": "0.2"}
    ).content.decode()
    assert "Hackers broke into the hospital system" in html
    # The worker read for meaning with the packaged model and kept the vectors in PostgreSQL.
    run = SuggestionRun.objects.get(job=job)
    assert run.engine["embeddings"] is True
    assert TextEmbedding.objects.filter(project=project).count() >= job.result["passages"]
