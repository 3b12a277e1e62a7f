"""Assignments, marking done, and blind coding on every surface that shows codings."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from coding.models import Assignment, AuditEvent, BlindPhase, Code, Coding
from coding.services import team
from tests.coding.conftest import transcript_with_turns
from tests.conftest import member
from themes.models import Suggestion

pytestmark = pytest.mark.django_db

TURNS = [
    ("Moderator", "How should they contact you?"),
    ("P1", "A letter from my GP would be best."),
    ("P2", "I would rather have a phone call."),
]


@pytest.fixture
def blind_study(project, user):
    """Amy and Ben each coded FG1; the project is in blind coding."""
    amy, ben = member(project, "coder"), member(project, "coder")
    amy.username, ben.username = "amy", "ben"
    amy.save(), ben.save()
    transcript = transcript_with_turns(project, TURNS)
    code = Code.objects.create(project=project, name="Contact")
    turns = list(transcript.turns.filter(is_facilitator=False).order_by("order"))
    for coder, turn in ((amy, turns[0]), (ben, turns[1])):
        Coding.objects.create(
            transcript=transcript, code=code, coder=coder, start=turn.start, end=turn.end,
            text=transcript.text[turn.start : turn.end],
        )  # fmt: skip
    team.blind_start(project=project, user=user)
    return {"amy": amy, "ben": ben, "transcript": transcript, "code": code, "turns": turns}


def _get(client, who, name, *args, htmx=False, **params):
    client.force_login(who)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(reverse(name, args=args), params, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _csv(client):
    response = client.get(reverse("themes:export_quotes_csv", args=[client.project_pk]))
    return b"".join(response.streaming_content).decode()


def test_owner_assigns_and_a_coder_marks_done_and_the_owner_reopens(client, project, user):
    amy = member(project, "coder")
    transcript = transcript_with_turns(project, TURNS)
    client.force_login(user)
    response = client.post(
        reverse("coding:assignments_save", args=[project.pk]),
        {f"assign-{transcript.pk}": [str(amy.pk), str(user.pk)]},
    )
    assert response.status_code == 302
    assert set(Assignment.objects.values_list("coder_id", flat=True)) == {amy.pk, user.pk}
    page = _get(client, amy, "coding:coding_screen", project.pk, transcript.pk)
    assert "Mark done" in page
    client.post(reverse("coding:assignment_done", args=[project.pk, transcript.pk]), {"done": "1"})
    assert Assignment.objects.get(coder=amy).done_at is not None
    assert "You marked this transcript done" in _get(
        client, amy, "coding:coding_screen", project.pk, transcript.pk
    )
    # a coder cannot change the assignments
    client.post(reverse("coding:assignments_save", args=[project.pk]), {})
    assert Assignment.objects.count() == 2
    client.force_login(user)
    client.post(
        reverse("coding:assignment_reopen", args=[project.pk, transcript.pk]), {"coder": amy.pk}
    )
    assert Assignment.objects.get(coder=amy).done_at is None
    actions = list(
        AuditEvent.objects.filter(object_type="assignment").values_list("action", flat=True)
    )
    assert sorted(actions) == ["assign", "assign", "done", "reopen"]


def test_the_team_page_shows_who_has_finished(client, project, user):
    amy = member(project, "coder")
    transcript = transcript_with_turns(project, TURNS)
    team.assignments_set(project=project, transcript=transcript, coder_ids=[amy.pk], user=user)
    team.assignment_mark_done(transcript=transcript, user=amy)
    page = _get(client, user, "coding:team_page", project.pk)
    assert "1 of 1" in page and ">done<" in page


def test_an_unassigned_coder_cannot_mark_done(client, project):
    amy = member(project, "coder")
    transcript = transcript_with_turns(project, TURNS)
    client.force_login(amy)
    response = client.post(
        reverse("coding:assignment_done", args=[project.pk, transcript.pk]), {"done": "1"}
    )
    assert response.status_code == 302
    assert not Assignment.objects.exists()


def test_only_project_coders_can_be_assigned(project, user, viewer):
    from django.core.exceptions import ValidationError

    transcript = transcript_with_turns(project, TURNS)
    with pytest.raises(ValidationError, match="owners and coders"):
        team.assignments_set(
            project=project, transcript=transcript, coder_ids=[viewer.pk], user=user
        )


def test_blind_coder_sees_only_their_own_codings_on_the_coding_screen(client, project, blind_study):
    amy, ben, transcript = blind_study["amy"], blind_study["ben"], blind_study["transcript"]
    theirs = Coding.objects.get(coder=amy)
    page = _get(client, ben, "coding:coding_screen", project.pk, transcript.pk, coder="all")
    assert "Blind coding" in page
    assert 'id="coder-select"' not in page  # no way to ask for other coders
    mine = Coding.objects.get(coder=ben)
    assert f'id="coding-{mine.pk}"' in page
    assert f'id="coding-{theirs.pk}"' not in page and f'data-codings="{theirs.pk}"' not in page
    panel = _get(client, ben, "coding:coding_panel", project.pk, transcript.pk, htmx=True,
                 ids=str(theirs.pk))  # fmt: skip
    assert "amy" not in panel and theirs.text not in panel
    mine_panel = _get(client, ben, "coding:coding_panel", project.pk, transcript.pk, htmx=True,
                      ids=str(mine.pk))  # fmt: skip
    assert mine.text in mine_panel
    # Amy's own view still shows her coding; the owner sees both
    owner_page = _get(client, project.created_by, "coding:coding_screen", project.pk, transcript.pk,
                      coder="all")  # fmt: skip
    assert "Blind coding" not in owner_page


def test_blind_hides_other_coders_in_retrieval_search_and_exports(
    client, project, user, blind_study
):
    ben, code = blind_study["ben"], blind_study["code"]
    client.project_pk = project.pk
    quotes = _get(client, ben, "coding:code_quotes", project.pk, code.pk)
    assert "phone call" in quotes and "letter from my GP" not in quotes
    search = _get(client, ben, "coding:search", project.pk, q="letter")
    assert "letter" in search and 'class="hit-code"' not in search  # Amy's code is hidden
    assert 'class="hit-code"' in _get(client, user, "coding:search", project.pk, q="letter")
    client.force_login(ben)
    csv_text = _csv(client)
    assert "phone call" in csv_text and "letter from my GP" not in csv_text
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("coding:qdpx_export", args=[project.pk])).content)
    )
    assert archive.read("project.qde").decode().count("<Coding ") == 1
    # the owner sees everyone's
    quotes = _get(client, user, "coding:code_quotes", project.pk, code.pk)
    assert "phone call" in quotes and "letter from my GP" in quotes
    assert "letter from my GP" in _csv(client)


def test_blind_hides_another_coders_quote_behind_a_suggestion(client, project, blind_study):
    ben, transcript, code = blind_study["ben"], blind_study["transcript"], blind_study["code"]
    amy_text = Coding.objects.get(coder=blind_study["amy"]).text
    Suggestion.objects.create(
        project=project, transcript=transcript, code=code, start=0, end=10, text="How should",
        confidence=0.95, explanation={"nearest_quote": amy_text, "nearest_closeness": "close to"},
    )  # fmt: skip
    page = _get(client, ben, "themes:suggestions", project.pk, min="0")
    assert "How should" in page and amy_text not in page
    owner_page = _get(client, project.created_by, "themes:suggestions", project.pk, min="0")
    assert amy_text in owner_page


def test_ending_the_blind_phase_is_audited_and_shows_everyone(client, project, user, blind_study):
    ben, code = blind_study["ben"], blind_study["code"]
    client.force_login(ben)
    client.post(reverse("coding:blind_toggle", args=[project.pk]), {"action": "end"})
    assert BlindPhase.objects.filter(ended_at__isnull=True).exists()  # a coder cannot end it
    client.force_login(user)
    client.post(reverse("coding:blind_toggle", args=[project.pk]), {"action": "end"})
    assert not BlindPhase.objects.filter(ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="blind_end", user=user).count() == 1
    log = _get(client, user, "coding:audit_log", project.pk)
    assert "ended" in log and "blind coding of the whole project" in log
    quotes = _get(client, ben, "coding:code_quotes", project.pk, code.pk)
    assert "letter from my GP" in quotes


def test_one_blind_transcript_leaves_the_others_open(client, project, user, blind_study):
    team.blind_end(project=project, user=user)
    other = transcript_with_turns(project, [("P3", "Email is fine for me.")], name="FG2")
    team.blind_start(project=project, user=user, transcript=blind_study["transcript"])
    turn = other.turns.get()
    Coding.objects.create(
        transcript=other, code=blind_study["code"], coder=blind_study["amy"], start=turn.start,
        end=turn.end, text=other.text[turn.start : turn.end],
    )  # fmt: skip
    quotes = _get(
        client, blind_study["ben"], "coding:code_quotes", project.pk, blind_study["code"].pk
    )
    assert "Email is fine" in quotes and "letter from my GP" not in quotes


def test_agreement_page_is_for_owners_while_blind(client, project, user, blind_study):
    client.force_login(blind_study["ben"])
    assert client.get(reverse("themes:agreement", args=[project.pk])).status_code == 403
    page = _get(client, user, "themes:agreement", project.pk)
    assert "Inter-coder agreement" in page
    assert 'id="agreement-table"' in page and "Contact" in page
    csv_response = client.get(reverse("themes:agreement", args=[project.pk]), {"format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "Contact" in csv_response.content.decode()
    xlsx = client.get(reverse("themes:agreement", args=[project.pk]), {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_agreement_page_explains_too_few_coders(client, project, user):
    transcript_with_turns(project, TURNS)
    page = _get(client, user, "themes:agreement", project.pk)
    assert "at least two coders" in page


def test_changes_since_reports_other_members_codings_of_this_transcript(
    client, project, user, blind_study, django_assert_max_num_queries
):
    amy, ben, transcript, code = (blind_study[k] for k in ("amy", "ben", "transcript", "code"))
    team.blind_end(project=project, user=user)
    url = reverse("coding:coding_changes", args=[project.pk, transcript.pk])
    client.force_login(ben)
    cursor = client.get(url).json()["cursor"]
    assert client.get(url, {"after": cursor}).json() == {"cursor": cursor, "spans": []}
    from coding.services.codings import coding_apply, coding_remove

    turn = blind_study["turns"][1]
    made = coding_apply(transcript=transcript, start=turn.start, end=turn.start + 6, code=code,
                        coder=amy)  # fmt: skip
    coding_apply(transcript=transcript, start=turn.start, end=turn.start + 3, code=code, coder=ben)
    with django_assert_max_num_queries(6):
        answer = client.get(url, {"after": cursor}).json()
    assert answer["spans"] == [[turn.start, turn.start + 6]]  # Amy's, not Ben's own
    assert answer["cursor"] > cursor
    coding_remove(coding=made, user=amy)
    removed = client.get(url, {"after": answer["cursor"]}).json()
    assert removed["spans"] == [[turn.start, turn.start + 6]]
    # blind again: nothing is reported
    team.blind_start(project=project, user=user)
    coding_apply(transcript=transcript, start=turn.start, end=turn.start + 9, code=code, coder=amy)
    assert client.get(url, {"after": removed["cursor"]}).json()["spans"] == []
