"""More files in one upload than it takes: the app's own page names the limit (Django refuses
while reading the request, before any view), the page's script says so before sending, and
nothing is kept."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from transcripts.models import ImportBatch, ImportItem

pytestmark = pytest.mark.django_db


def test_too_many_files_get_the_apps_page_naming_the_limit(client, user, project, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    client.force_login(user)
    url = reverse("transcripts:transcript_upload", args=[project.pk])
    files = [SimpleUploadedFile(f"FG{i}.txt", b"P1: Hello.") for i in range(5)]
    response = client.post(url, {"files": files})
    assert response.status_code == 400
    page = response.content.decode()
    assert "more than 3 files in one upload, so none of them was kept" in page
    assert f'href="{url}"' in page and "Bad Request (400)" not in page
    assert not ImportBatch.objects.exists() and not ImportItem.objects.exists()


def test_the_upload_page_tells_its_script_the_limit(client, user, project, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 500
    client.force_login(user)
    page = client.get(reverse("transcripts:transcript_upload", args=[project.pk])).content
    assert b'data-max-files="500"' in page
