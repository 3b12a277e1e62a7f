"""Pseudonymisation end to end: detect, review, apply with codings kept on their words, the
key apart, reversal."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from coding.models import AuditEvent, Code, Coding
from tests.factories import PASSWORD
from tests.themes.conftest import make_transcript
from themes.models import Suggestion
from transcripts.models import Identifier, IdentifierOccurrence
from transcripts.pseudonymise import services
from transcripts.pseudonymise.services import Remap

TURNS = [
    ("Moderator", "What happened with your records?"),
    ("Priya", "My daughter Sophie rang Riverside Medical Practice in Halifax about it."),
    ("P2", "Sophie told me the same 👍 and I hope it gets better."),
    ("P3", "I rang 07700 900123 and nobody answered."),
]


@pytest.fixture
def setup(project, user):
    transcript = make_transcript(project, turns=TURNS)
    code = Code.objects.create(project=project, name="Contact", definition="being contacted")
    text = transcript.text
    start = text.index("My daughter")
    end = text.index(" about it") + len(" about it")
    coding = Coding.objects.create(
        transcript=transcript, code=code, coder=user, start=start, end=end, text=text[start:end]
    )
    later = text.index("I rang")
    suggestion = Suggestion.objects.create(
        project=project,
        transcript=transcript,
        code=code,
        start=later,
        end=len(text),
        text=text[later:],
        confidence=0.8,
    )
    return transcript, coding, suggestion


def _detect(project, user):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.detection_start(project=project, user=user)
    job.refresh_from_db()
    assert job.status == "done", job.error
    return {i.key: i for i in Identifier.objects.filter(project=project)}


def test_detection_groups_mentions_by_surface_form_across_a_transcript(project, user, setup):
    found = _detect(project, user)
    assert {"sophie", "riverside medical practice", "halifax", "07700 900123", "priya"} <= set(
        found
    )
    assert "hope" not in found and "moderator" not in found
    assert found["sophie"].occurrences.count() == 2  # grouped, case-insensitively
    # A second run finds nothing new and keeps the decisions.
    again = _detect(project, user)
    assert again["sophie"].occurrences.count() == 2


def test_apply_replaces_consistently_and_codings_keep_their_words(project, user, setup):
    transcript, coding, suggestion = setup
    found = _detect(project, user)
    for key in ("sophie", "riverside medical practice", "07700 900123", "priya"):
        services.identifier_decide(identifier=found[key], user=user, status="accepted")
    services.identifier_decide(identifier=found["halifax"], user=user, status="rejected")
    services.identifier_decide(identifier=found["sophie"], user=user, pseudonym="Anna")
    result = services.identifiers_apply(project=project, user=user)
    assert result["replacements"] == 5

    transcript.refresh_from_db()
    text = transcript.text
    assert "Sophie" not in text and "Riverside" not in text and "07700" not in text
    assert "My daughter Anna rang [GP practice 1] in Halifax about it." in text
    assert "Anna told me the same 👍" in text
    coding.refresh_from_db()
    assert coding.text == "My daughter Anna rang [GP practice 1] in Halifax about it"
    assert text[coding.start : coding.end] == coding.text
    suggestion.refresh_from_db()
    assert suggestion.text.startswith("I rang [Contact 1] and")
    assert text[suggestion.start : suggestion.end] == suggestion.text
    for turn in transcript.turns.all():  # turns still start at their words
        assert not text[turn.start : turn.end].startswith((" ", ":"))
    priya = Identifier.objects.get(pk=found["priya"].pk).pseudonym
    assert priya == "[Person 2]" and f"{priya}: " in text  # "Priya:" as written
    assert transcript.turns.filter(speaker_label=priya).exists()  # and as a speaker label

    assert services.identifiers_apply(project=project, user=user)["replacements"] == 0
    event = AuditEvent.objects.filter(project=project, action="pseudonymise").get()
    assert "Sophie" not in str(event.after) and event.after["replacements"] == 5


def test_a_new_transcript_gets_the_same_pseudonym(project, user, setup):
    from transcripts.services.transcripts import transcript_create

    found = _detect(project, user)
    services.identifier_decide(identifier=found["sophie"], user=user, status="accepted")
    services.identifiers_apply(project=project, user=user)
    text = "P4: I saw sophie at the bus stop."
    later = transcript_create(project=project, name="FG2", text=text, turns=[])
    # Checked at upload: the mention is listed under the accepted identifier at once.
    assert found["sophie"].occurrences.filter(transcript=later, applied_at=None).count() == 1
    services.identifiers_apply(project=project, user=user)
    later.refresh_from_db()
    assert later.text.endswith("I saw [Person 1] at the bus stop.")


def test_reverse_puts_the_original_back_and_the_coding_follows(project, user, setup):
    transcript, coding, _ = setup
    original = transcript.text
    found = _detect(project, user)
    services.identifier_decide(identifier=found["sophie"], user=user, status="accepted")
    services.identifiers_apply(project=project, user=user)
    assert services.identifier_reverse(identifier=found["sophie"], user=user) == 2
    transcript.refresh_from_db()
    coding.refresh_from_db()
    assert transcript.text == original
    assert coding.text.startswith("My daughter Sophie rang")
    assert Identifier.objects.get(pk=found["sophie"].pk).status == "pending"


def test_a_transcript_edited_after_detection_is_not_patched_with_stale_offsets(
    project, user, setup
):
    transcript, _, _ = setup
    found = _detect(project, user)
    services.identifier_decide(identifier=found["priya"], user=user, status="accepted")
    transcript.text = "Inserted at the front. " + transcript.text
    transcript.content_hash = "edited"
    transcript.save()
    services.identifiers_apply(project=project, user=user)
    transcript.refresh_from_db()
    assert "Inserted at the front. " in transcript.text
    # Re-found by searching the current text, never by the old offsets.
    assert "[Person 1]: My daughter" in transcript.text
    assert IdentifierOccurrence.objects.filter(content_hash="edited").count() == 0


def test_a_replacement_that_is_a_word_or_another_pseudonym_warns(project, user, setup):
    found = _detect(project, user)
    services.identifier_decide(identifier=found["sophie"], user=user, status="accepted")
    warnings = services.identifier_decide(
        identifier=found["priya"], user=user, status="accepted", pseudonym="[Person 1]"
    )
    assert any("already replaces another identifier" in w for w in warnings)
    warnings = services.identifier_decide(
        identifier=found["halifax"], user=user, pseudonym="records"
    )
    assert any("already a word in FG1" in w for w in warnings)


def test_remap_moves_spans_after_a_replacement_and_widens_spans_inside_it():
    remap = Remap([(10, 16, 10), (30, 35, 2)])  # +4 after 16, then -3 after 35
    assert remap.span(0, 5) == (0, 5)
    assert remap.span(12, 20) == (10, 24)  # starts inside: takes the whole replacement
    assert remap.span(16, 30) == (20, 34)
    assert remap.span(31, 40) == (34, 41)
    assert remap.span(10, 16) == (10, 20)


def test_only_owners_see_the_review_and_the_key(client, project, user, coder, setup):
    found = _detect(project, user)
    services.identifier_decide(identifier=found["sophie"], user=user, status="accepted")
    services.identifiers_apply(project=project, user=user)
    urls = [
        reverse("transcripts:pseudonymise", args=[project.pk]),
        reverse("transcripts:pseudonym_key", args=[project.pk]),
    ]
    client.login(username=coder.username, password=PASSWORD)
    for url in urls:
        assert client.get(url).status_code == 403
    client.login(username=user.username, password=PASSWORD)
    key = client.get(urls[1])
    assert key.status_code == 200 and key["Cache-Control"] == "no-store"
    body = key.content.decode()
    assert "PSEUDONYMISATION KEY" in body and "Sophie,[Person 1],accepted,FG1" in body
    page = client.get(urls[0]).content.decode()
    assert "Sophie" in page and "[Person 1]" in page


def test_the_review_page_accepts_rejects_adds_and_applies(client, project, user, setup):
    found = _detect(project, user)
    client.login(username=user.username, password=PASSWORD)
    decide = reverse("transcripts:identifier_decide", args=[project.pk, found["sophie"].pk])
    assert (
        client.post(decide, {"status": "accepted", "type": "PERSON", "pseudonym": ""}).status_code
        == 302
    )
    reject = reverse("transcripts:identifier_decide", args=[project.pk, found["halifax"].pk])
    client.post(reject, {"status": "rejected"})
    client.post(
        reverse("transcripts:identifier_add", args=[project.pk]),
        {"text": "bus stop", "type": "PLACE"},
    )
    client.post(reverse("transcripts:identifiers_apply", args=[project.pk]))
    transcript = setup[0]
    transcript.refresh_from_db()
    assert "[Person 1]" in transcript.text and "Halifax" in transcript.text
    assert Identifier.objects.get(project=project, key="halifax").status == "rejected"
    # Rejected is remembered: a new detection run does not suggest it again.
    _detect(project, user)
    assert Identifier.objects.get(project=project, key="halifax").status == "rejected"


def test_a_coder_s_quote_csv_has_only_pseudonyms_and_says_it_is_pseudonymised(
    client, project, user, coder, setup
):
    found = _detect(project, user)
    services.identifier_decide(identifier=found["sophie"], user=user, status="accepted")
    services.identifiers_apply(project=project, user=user)
    client.login(username=coder.username, password=PASSWORD)
    response = client.get(reverse("themes:export_quotes_csv", args=[project.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, first = body.splitlines()[:2]
    assert header.endswith(",Pseudonymised")
    assert "[Person 1]" in first and "Sophie" not in body
    assert first.endswith("yes: identifiers replaced; the key is kept apart")
    screen = client.get(
        reverse("coding:coding_screen", args=[project.pk, setup[0].pk])
    ).content.decode()
    assert "[Person 1]" in screen and "Sophie" not in screen
    assert 'id="identifier-mark"' not in screen  # marking identifiers is for owners


def test_occurrences_left_as_written_follow_the_text_when_others_are_replaced(project, user, setup):
    transcript, _, _ = setup
    found = _detect(project, user)
    services.identifier_decide(identifier=found["sophie"], user=user, status="accepted")
    services.identifier_decide(identifier=found["halifax"], user=user, status="rejected")
    services.identifiers_apply(project=project, user=user)
    transcript.refresh_from_db()
    occurrence = found["halifax"].occurrences.get()
    assert transcript.text[occurrence.start : occurrence.end] == "Halifax"
    # Still current, so accepting it later replaces it without a new detection run.
    services.identifier_decide(identifier=found["halifax"], user=user, status="accepted")
    services.identifiers_apply(project=project, user=user)
    transcript.refresh_from_db()
    assert "Halifax" not in transcript.text and "in [Place 1] about it" in transcript.text


def test_the_review_shows_the_reading_that_lost_an_overlap(client, project, user):
    make_transcript(project, turns=[("P1", "I go to Halifax Road Surgery every month.")])
    _detect(project, user)
    client.login(username=user.username, password=PASSWORD)
    page = client.get(reverse("transcripts:pseudonymise", args=[project.pk])).content.decode()
    assert "Halifax Road Surgery" in page
    assert "also read as place: “Halifax Road”" in page or "also read as place: “Halifax”" in page


def test_suggestion_reasons_and_unsure_passages_follow_the_replacement(project, user, setup):
    from jobs.models import Job
    from themes.models import SuggestionRun

    transcript, _, suggestion = setup
    suggestion.explanation = {
        "phrase": "I rang 07700 900123",
        "nearest_quote": "Sophie said the same",
        "words": ["sophie"],
    }
    suggestion.save()
    start = transcript.text.index("Sophie told")
    end = transcript.text.index(" and I hope")
    run = SuggestionRun.objects.create(
        project=project,
        job=Job.objects.create(project=project, kind="themes.suggest"),
        unsure=[[transcript.pk, start, end, 0]],
        unsure_count=1,
    )
    found = _detect(project, user)
    for key in ("sophie", "07700 900123"):
        services.identifier_decide(identifier=found[key], user=user, status="accepted")
    services.identifiers_apply(project=project, user=user)
    suggestion.refresh_from_db()
    assert suggestion.explanation == {
        "phrase": "I rang [Contact 1]",
        "nearest_quote": "[Person 1] said the same",
        "words": ["[Person 1]"],
    }
    transcript.refresh_from_db()
    run.refresh_from_db()
    _, s, e, _ = run.unsure[0]
    assert transcript.text[s:e] == "[Person 1] told me the same 👍"
