"""The transcript list, the reading page, editing group metadata, the original file."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import PASSWORD, ParticipantFactory, TranscriptFactory, TurnFactory
from transcripts.models import Attribute, AttributeValue, Transcript, Turn

pytestmark = pytest.mark.django_db


def log_in(client, user):
    client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def transcript(project):
    text = "FG3 transcript\n\nModerator: Welcome.\n\nP1: Letters help 👍🏽."
    transcript = TranscriptFactory(
        project=project, name="FG3", site="Leeds", description="Parents", text=text
    )
    p1 = ParticipantFactory(project=project, label="P1")
    age = Attribute.objects.create(project=project, name="Age band", order=0)
    carer = Attribute.objects.create(project=project, name="Carer", order=1)
    AttributeValue.objects.create(participant=p1, attribute=age, value="25-34")
    AttributeValue.objects.create(participant=p1, attribute=carer, value="Yes")
    start = text.index("Welcome")
    TurnFactory(
        transcript=transcript,
        order=0,
        speaker_label="Moderator",
        is_facilitator=True,
        start=start,
        end=start + 8,
        timestamp_start_ms=62_000,
    )
    start = text.index("Letters")
    TurnFactory(
        transcript=transcript,
        order=1,
        speaker_label="P1",
        participant=p1,
        start=start,
        end=len(text),
        timestamp_start_ms=3_723_000,
    )
    return transcript


def test_the_list_shows_each_group_with_turn_and_speaker_counts(
    client, user, project, transcript, django_assert_num_queries
):
    TranscriptFactory(project=project, name="FG4")
    log_in(client, user)
    url = reverse("transcripts:transcript_list", args=[project.pk])
    client.get(url)
    # session, user, membership, transcripts, group attributes, their values, batches
    with django_assert_num_queries(7):
        html = client.get(url).content.decode()
    assert f'href="/projects/{project.pk}/transcripts/{transcript.pk}/">FG3</a>' in html
    assert '<td class="num">2</td>' in html  # two turns in FG3
    assert "Upload transcripts" in html


def test_the_reading_page_shows_turns_speakers_attributes_and_timestamps(
    client, user, project, transcript
):
    log_in(client, user)
    html = client.get(
        reverse("transcripts:transcript_detail", args=[project.pk, transcript.pk])
    ).content
    html = html.decode()
    assert 'title="Age band: 25-34 · Carer: Yes"' in html
    assert "Letters help 👍🏽." in html and "1:02:03" in html and "1:02" in html
    assert "FG3 transcript" in html  # the preamble before the first turn
    assert "Parents" in html and "Leeds" in html


def test_the_reading_page_of_a_long_transcript_needs_the_same_few_queries(
    client, user, project, django_assert_num_queries
):
    words = "word " * 50
    text = "\n\n".join(f"P{i % 8}: {words}" for i in range(500))
    transcript = TranscriptFactory(project=project, text=text)
    participants = [ParticipantFactory(project=project, label=f"P{i}") for i in range(8)]
    attribute = Attribute.objects.create(project=project, name="Gender")
    for participant in participants:
        AttributeValue.objects.create(participant=participant, attribute=attribute, value="F")
    position, turns = 0, []
    for i in range(500):
        start = position + len(f"P{i % 8}: ")
        turns.append(
            Turn(
                transcript=transcript,
                order=i,
                speaker_label=f"P{i % 8}",
                participant=participants[i % 8],
                start=start,
                end=start + len(words) - 1,
            )
        )
        position = start + len(words) + 2
    Turn.objects.bulk_create(turns)
    log_in(client, user)
    # session, user, membership, transcript, turns, values, the group attributes' values
    with django_assert_num_queries(7):
        response = client.get(
            reverse("transcripts:transcript_detail", args=[project.pk, transcript.pk])
        )
    assert response.content.decode().count('class="turn') == 500


def test_coders_edit_group_metadata_with_htmx(client, coder, project, transcript):
    log_in(client, coder)
    url = reverse("transcripts:transcript_update", args=[project.pk, transcript.pk])
    response = client.post(
        url,
        {
            "name": "FG3b",
            "kind": "focus_group",
            "site": "Bristol",
            "date": "2025-03-11",
            "facilitator": "Sam",
            "description": "Parents at a Children's Centre",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Parents at a Children&#x27;s Centre" in response.content.decode()
    transcript.refresh_from_db()
    assert (transcript.name, transcript.site, str(transcript.date)) == (
        "FG3b",
        "Bristol",
        "2025-03-11",
    )


def test_invalid_metadata_is_refused_with_the_field_named(client, user, project, transcript):
    log_in(client, user)
    url = reverse("transcripts:transcript_update", args=[project.pk, transcript.pk])
    response = client.post(url, {"name": "", "kind": "focus_group", "date": "31/31/2025"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.name == "FG3"


def test_members_download_the_original_file(client, viewer, project, transcript):
    transcript.original_file.save("fg3.docx", ContentFile(b"original bytes"), save=False)
    transcript.original_filename = "FG3 final.docx"
    transcript.save()
    log_in(client, viewer)
    response = client.get(
        reverse("transcripts:transcript_download", args=[project.pk, transcript.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"original bytes"
    assert 'filename="FG3 final.docx"' in response["Content-Disposition"]
    response.close()


def test_download_without_an_original_is_404(client, user, project, transcript):
    log_in(client, user)
    response = client.get(
        reverse("transcripts:transcript_download", args=[project.pk, transcript.pk])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("transcript_list", "get"),
        ("transcript_detail", "get"),
        ("transcript_update", "post"),
        ("transcript_download", "get"),
    ],
)
def test_transcript_pages_are_404_for_non_members(
    client, outsider, project, transcript, name, method
):
    log_in(client, outsider)
    args = [project.pk] if name == "transcript_list" else [project.pk, transcript.pk]
    assert getattr(client, method)(reverse(f"transcripts:{name}", args=args)).status_code == 404


def test_viewers_read_but_cannot_edit_metadata(client, viewer, project, transcript):
    log_in(client, viewer)
    page = client.get(reverse("transcripts:transcript_detail", args=[project.pk, transcript.pk]))
    assert page.status_code == 200 and "Edit details" not in page.content.decode()
    response = client.post(
        reverse("transcripts:transcript_update", args=[project.pk, transcript.pk]),
        {"name": "Hacked", "kind": "focus_group"},
    )
    assert response.status_code == 403
    assert Transcript.objects.get(pk=transcript.pk).name == "FG3"


def test_a_transcript_of_another_project_is_404(client, user, project):
    from tests.factories import MembershipFactory, ProjectFactory

    other = ProjectFactory()
    MembershipFactory(project=other, user=user, role="owner")
    transcript = TranscriptFactory(project=project)
    log_in(client, user)
    response = client.get(reverse("transcripts:transcript_detail", args=[other.pk, transcript.pk]))
    assert response.status_code == 404


def test_the_edit_button_swaps_in_the_metadata_form(client, user, project, transcript):
    log_in(client, user)
    url = reverse("transcripts:transcript_detail", args=[project.pk, transcript.pk])
    html = client.get(url, {"edit": "1"}, HTTP_HX_REQUEST="true").content.decode().strip()
    assert html.startswith('<section class="card transcript-meta"')
    assert 'name="site" value="Leeds"' in html and 'class="turn' not in html


def test_the_transcript_list_and_page_link_to_the_coding_screen(client, user, project):
    from tests.factories import TranscriptFactory

    transcript = TranscriptFactory(project=project, name="FG1", text="P1: Hello.")
    client.force_login(user)
    screen = reverse("coding:coding_screen", args=[project.pk, transcript.pk])
    for url in (
        reverse("transcripts:transcript_list", args=[project.pk]),
        reverse("transcripts:transcript_detail", args=[project.pk, transcript.pk]),
        reverse("transcripts:project_detail", args=[project.pk]),
    ):
        assert f'href="{screen}"' in client.get(url).content.decode(), url
