from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, CodeFactory, CodingFactory, TranscriptFactory, TurnFactory

pytestmark = pytest.mark.django_db


def turns_url(project, transcript, **params):
    url = reverse("coding:coding_turns", args=[project.pk, transcript.pk])
    return url + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_turns_refresh_renders_the_touched_turn_out_of_band_with_its_coding(client, user, project):
    transcript = TranscriptFactory(project=project, text="P1: I would pay attention to a letter.")
    TurnFactory(transcript=transcript, order=0, start=4, end=len(transcript.text))
    coding = CodingFactory(
        transcript=transcript, coder=user, start=4, end=10, code=CodeFactory(project=project)
    )
    client.login(username=user.username, password=PASSWORD)
    html = client.get(turns_url(project, transcript, start=4, end=10)).content.decode()
    assert 'hx-swap-oob="true"' in html
    assert f'id="coding-{coding.pk}"' in html


def test_turns_refresh_needs_whole_number_offsets(client, user, project):
    transcript = TranscriptFactory(project=project)
    client.login(username=user.username, password=PASSWORD)
    response = client.get(turns_url(project, transcript, start="x", end=3))
    assert response.status_code == 400


def test_turns_refresh_is_not_found_for_non_members(client, project, outsider):
    transcript = TranscriptFactory(project=project)
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(turns_url(project, transcript, start=0, end=3)).status_code == 404
