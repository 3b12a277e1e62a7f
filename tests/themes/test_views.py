from __future__ import annotations

import pytest
from django.urls import reverse

from coding.models import Coding
from tests.factories import PASSWORD
from tests.themes.conftest import make_transcript
from themes import services
from themes.models import CandidateQuote, CandidateTheme, Suggestion


@pytest.fixture
def suggested(project, user, framework, transcript):
    services.suggestion_run_start(project=project, user=user, transcripts=[transcript], threshold=0)
    return Suggestion.objects.order_by("-confidence").first()


@pytest.fixture
def candidate(project, transcript):
    c = CandidateTheme.objects.create(
        project=project, label="parking / fee", key_phrases=["parking"], size=1
    )
    CandidateQuote.objects.create(
        candidate=c, transcript=transcript, start=0, end=5, text=transcript.text[:5]
    )
    return c


def login(client, who):
    client.login(username=who.username, password=PASSWORD)


def write_urls(project, transcript, suggestion, candidate):
    p = project.pk
    return [
        (
            reverse("themes:suggestion_run", args=[p]),
            {"transcripts": [transcript.pk], "threshold": "0.3"},
        ),
        (reverse("themes:suggestion_accept", args=[p, suggestion.pk]), {}),
        (reverse("themes:suggestion_reject", args=[p, suggestion.pk]), {}),
        (
            reverse("themes:suggestions_bulk_accept", args=[p]),
            {"code": suggestion.code_id, "min_confidence": "0"},
        ),
        (reverse("themes:candidate_run", args=[p]), {"transcripts": [transcript.pk]}),
        (reverse("themes:candidate_promote", args=[p, candidate.pk]), {"name": "Parking"}),
        (reverse("themes:candidate_dismiss", args=[p, candidate.pk]), {}),
    ]


def read_urls(project, transcript):
    p = project.pk
    return [
        reverse("themes:suggestions", args=[p]),
        reverse("themes:candidates", args=[p]),
        reverse("themes:transcript_suggestions", args=[p, transcript.pk]),
    ]


def test_outsiders_get_404_on_every_page_and_action(
    client, outsider, project, transcript, suggested, candidate
):
    login(client, outsider)
    for url in read_urls(project, transcript):
        assert client.get(url).status_code == 404, url
    for url, data in write_urls(project, transcript, suggested, candidate):
        assert client.post(url, data).status_code == 404, url


def test_viewers_can_read_but_get_403_on_every_action(
    client, viewer, project, transcript, suggested, candidate
):
    login(client, viewer)
    for url in read_urls(project, transcript):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Accept</button>" not in response.content.decode()
    for url, data in write_urls(project, transcript, suggested, candidate):
        assert client.post(url, data).status_code == 403, url
    assert Suggestion.objects.filter(status="pending").count() == Suggestion.objects.count()
    assert not Coding.objects.exists()
    assert CandidateTheme.objects.get().status == "open"


def test_pages_require_login(client, project, transcript):
    for url in read_urls(project, transcript):
        assert client.get(url).status_code == 302


def test_queue_lists_pending_suggestions_per_code_with_reasons(
    client, coder, project, suggested, django_assert_max_num_queries
):
    login(client, coder)
    with django_assert_max_num_queries(14):
        html = client.get(
            reverse("themes:suggestions", args=[project.pk]), {"min": "0"}
        ).content.decode()
    assert suggested.text[:40] in html
    # The reason quotes the passage's phrase and the definition's clause it matched.
    reason = suggested.explanation
    assert reason["phrase"] and reason["clause"]
    assert f"matches the {reason['clause_field']}" in html
    assert f"confidence-{suggested.confidence_word}" in html
    assert f"?code={suggested.code_id}" in html


def test_queue_filters_by_code_and_confidence(client, coder, project, suggested, framework):
    login(client, coder)
    url = reverse("themes:suggestions", args=[project.pk])
    other = next(c for c in framework if c.pk != suggested.code_id)
    html = client.get(
        url, {"code": other.pk, "min": "0"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue"
    ).content.decode()
    assert 'id="queue"' in html and "<html" not in html
    shown = Suggestion.objects.filter(code=other)
    assert f"{shown.count()} pending suggestion" in html
    html = client.get(url, {"min": "1"}).content.decode()
    assert "0 pending suggestions" in html


def test_starting_a_run_over_htmx_returns_the_finished_progress_bar(
    client, coder, project, framework, transcript
):
    login(client, coder)
    response = client.post(
        reverse("themes:suggestion_run", args=[project.pk]),
        {"transcripts": [transcript.pk], "threshold": "0.2"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'data-status="done"' in html and 'value="100"' in html
    assert Suggestion.objects.filter(transcript=transcript).exists()


def test_starting_a_run_with_a_bad_threshold_says_so(client, coder, project, framework, transcript):
    login(client, coder)
    response = client.post(
        reverse("themes:suggestion_run", args=[project.pk]),
        {"transcripts": [transcript.pk], "threshold": "7"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Retarget"] == "#run-form"
    assert "less than or equal to 1" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_accept_over_htmx_swaps_the_row_and_creates_the_coding(client, coder, project, suggested):
    login(client, coder)
    response = client.post(
        reverse("themes:suggestion_accept", args=[project.pk, suggested.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'id="suggestion-{suggested.pk}"' in html and "Accepted" in html
    coding = Coding.objects.get()
    assert (coding.coder, coding.origin, coding.text) == (coder, "suggestion", suggested.text)


def test_accept_with_a_quote_not_in_the_transcript_shows_the_error(
    client, coder, project, suggested
):
    login(client, coder)
    response = client.post(
        reverse("themes:suggestion_accept", args=[project.pk, suggested.pk]),
        {"quote": "nobody said this"},
        HTTP_HX_REQUEST="true",
    )
    assert "copied from the transcript" in response.content.decode()
    assert not Coding.objects.exists()


def test_reject_from_the_transcript_panel_returns_the_panel_card(
    client, coder, project, transcript, suggested
):
    login(client, coder)
    panel = client.get(
        reverse("themes:transcript_suggestions", args=[project.pk, transcript.pk]),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'id="suggestion-panel"' in panel and "<html" not in panel
    assert suggested.text[:30] in panel
    response = client.post(
        reverse("themes:suggestion_reject", args=[project.pk, suggested.pk]),
        {"view": "panel"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<article" in html and "Rejected" in html
    suggested.refresh_from_db()
    assert suggested.status == "rejected"


def test_bulk_accept_accepts_one_codes_suggestions_above_the_confidence(
    client, coder, project, suggested
):
    login(client, coder)
    expected = Suggestion.objects.filter(code=suggested.code, confidence__gte=0.1).count()
    response = client.post(
        reverse("themes:suggestions_bulk_accept", args=[project.pk]),
        {"code": suggested.code_id, "min_confidence": "0.1", "min": "0.1"},
        follow=True,
    )
    html = response.content.decode()
    assert f"Accepted {expected} suggestion(s)" in html
    assert Coding.objects.filter(code=suggested.code).count() == expected
    assert Coding.objects.count() == expected
    # The queue offers to undo it, once.
    assert 'id="bulk-undo"' in html
    ids = Suggestion.objects.filter(status="accepted").values_list("pk", flat=True)
    response = client.post(
        reverse("themes:suggestions_bulk_undo", args=[project.pk]),
        {"ids": ",".join(str(pk) for pk in ids)},
        follow=True,
    )
    assert f"Undid {expected} acceptance(s)" in response.content.decode()
    assert not Coding.objects.exists()
    assert (
        'id="bulk-undo"'
        not in client.get(reverse("themes:suggestions", args=[project.pk])).content.decode()
    )


def test_candidates_page_promotes_and_dismisses(client, coder, project, transcript, candidate):
    login(client, coder)
    html = client.get(reverse("themes:candidates", args=[project.pk])).content.decode()
    assert "parking / fee" in html
    response = client.post(
        reverse("themes:candidate_promote", args=[project.pk, candidate.pk]),
        {"name": "Parking", "definition": "Costs of parking at clinics"},
        HTTP_HX_REQUEST="true",
    )
    assert "Promoted" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.code.name == "Parking" and candidate.code.definition.startswith("Costs")
    assert Suggestion.objects.filter(code=candidate.code, status="pending").count() == 1
    again = client.post(
        reverse("themes:candidate_dismiss", args=[project.pk, candidate.pk]), HTTP_HX_REQUEST="true"
    )
    assert "already Promoted" in again.content.decode()


def test_project_nav_links_to_suggestions_and_candidates(client, user, project):
    login(client, user)
    html = client.get(reverse("transcripts:project_detail", args=[project.pk])).content.decode()
    assert reverse("themes:suggestions", args=[project.pk]) in html
    assert reverse("themes:candidates", args=[project.pk]) in html


def test_suggestions_of_another_project_are_404(client, user, project, suggested, transcript):
    from tests.factories import MembershipFactory, ProjectFactory

    mine = ProjectFactory()
    MembershipFactory(project=mine, user=user, role="owner")
    make_transcript(mine, name="Other")
    login(client, user)
    url = reverse("themes:suggestion_accept", args=[mine.pk, suggested.pk])
    assert client.post(url).status_code == 404


def test_starting_a_run_without_transcripts_shows_the_form_again(client, coder, project, framework):
    login(client, coder)
    response = client.post(
        reverse("themes:suggestion_run", args=[project.pk]), {"threshold": "0.3"}
    )
    assert response.status_code == 400
    assert "Choose at least one transcript." in response.content.decode()
