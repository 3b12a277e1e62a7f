from __future__ import annotations

import pytest
from django.urls import reverse

from coding.models import AuditEvent
from coding.services.codes import code_create, code_delete, code_merge, code_move, code_update
from coding.services.codings import coding_apply
from tests.factories import TranscriptFactory

pytestmark = pytest.mark.django_db


def audit_url(project) -> str:
    return reverse("coding:audit_log", args=[project.pk])


def test_only_owners_read_the_audit_log(client, project, user, coder, viewer, outsider):
    code_create(project=project, user=user, name="Safety")
    for person, status in ((coder, 403), (viewer, 403), (outsider, 404), (user, 200)):
        client.force_login(person)
        assert client.get(audit_url(project)).status_code == status


def test_audit_log_shows_who_when_what_and_a_readable_diff(client, project, user, coder):
    transcript = TranscriptFactory(project=project, name="FG7", text="We worry about hackers.")
    safety = code_create(project=project, user=user, name="Safety", definition="Old words")
    other = code_create(project=project, user=user, name="Other")
    code_update(code=safety, user=coder, definition="New words")
    code_move(code=safety, user=user, parent=other)
    coding_apply(transcript=transcript, start=15, end=22, code=safety, coder=coder)
    client.force_login(user)
    body = client.get(audit_url(project)).content.decode()
    assert "<strong>Changed</strong> code “Safety”" in body
    assert "<del>Old words</del> → <ins>New words</ins>" in body
    assert "<strong>Moved</strong> code “Safety”" in body
    assert "<del>(top level)</del> → <ins>Other</ins>" in body  # parent shown by name
    assert "<strong>Created</strong> coding “hackers” in FG7 (Safety)" in body
    assert body.index("Created</strong> coding") < body.index("Changed</strong> code")


def test_audit_log_names_deleted_and_merged_codes(client, project, user):
    safety = code_create(project=project, user=user, name="Safety")
    security = code_create(project=project, user=user, name="Security")
    doomed = code_create(project=project, user=user, name="Doomed")
    code_merge(source=safety, target=security, user=user)
    code_delete(code=doomed, user=user)
    client.force_login(user)
    body = client.get(audit_url(project)).content.decode()
    assert "<strong>Merged</strong> code “Safety”" in body
    assert "<ins>Security</ins>" in body
    assert "<strong>Deleted</strong> code “Doomed”" in body
    assert "→" not in body  # created, merged and deleted codes show values, not changes


def test_audit_log_filters_by_user_and_by_kind(client, project, user, coder):
    transcript = TranscriptFactory(project=project)
    code = code_create(project=project, user=user, name="By owner")
    code_create(project=project, user=coder, name="By coder")
    coding_apply(transcript=transcript, start=0, end=5, code=code, coder=coder)
    client.force_login(user)
    mine = client.get(audit_url(project), {"user": user.pk}).context["lines"]
    assert [line.subject for line in mine] == ["code “By owner”"]
    theirs = client.get(audit_url(project), {"user": coder.pk, "type": "code"}).context["lines"]
    assert [line.subject for line in theirs] == ["code “By coder”"]
    codings = client.get(audit_url(project), {"type": "coding"}).context["lines"]
    assert len(codings) == 1 and codings[0].event.user == coder


def test_audit_log_pages_with_a_bounded_number_of_queries(
    client, project, user, django_assert_num_queries
):
    transcript = TranscriptFactory(project=project)
    codes = [code_create(project=project, user=user, name=f"Code {i}") for i in range(30)]
    for index, code in enumerate(codes):
        coding_apply(transcript=transcript, start=0, end=index + 1, code=code, coder=user)
    assert AuditEvent.objects.filter(project=project).count() == 60
    client.force_login(user)
    # session, user, membership, count, page, code names, transcript names, user names, users
    with django_assert_num_queries(10):  # + the turns that name where codings are
        first = client.get(audit_url(project))
    assert len(first.context["lines"]) == 50
    assert "Page 1 of 2 (60 changes)" in first.content.decode()
    second = client.get(audit_url(project), {"page": 2})
    assert len(second.context["lines"]) == 10


def test_audit_log_names_places_in_turns_and_matrix_summaries_by_their_case(client, project, user):
    from themes.exports.services import matrix_summary_save
    from transcripts.models import Participant, Turn

    text = "Facilitator: Welcome.\n\nP2: I want a letter, not a text."
    transcript = TranscriptFactory(project=project, text=text)
    p2 = Participant.objects.create(project=project, label="P2")
    Turn.objects.create(
        transcript=transcript, order=0, start=13, end=21, speaker_label="Facilitator"
    )
    Turn.objects.create(
        transcript=transcript, order=1, start=27, end=len(text), speaker_label="P2",
        participant=p2, timestamp_start_ms=751_000,
    )  # fmt: skip
    code = code_create(project=project, user=user, name="Letters")
    start = text.index("a letter")
    coding_apply(transcript=transcript, start=start, end=start + 8, code=code, coder=user)
    matrix_summary_save(
        project=project, user=user, code=code, case_kind="participant", participant=p2,
        text="Prefers paper",
    )  # fmt: skip
    client.force_login(user)
    html = client.get(audit_url(project)).content.decode()
    assert "matrix summary of Letters for participant P2" in html
    assert "turn 2 · P2 · 00:12:31" in html
    assert "case: participant" not in html


def test_the_coding_panel_says_where_a_coding_is_in_turns(client, project, user):
    from transcripts.models import Turn

    text = "Facilitator: Welcome.\n\nP2: I want a letter, not a text."
    transcript = TranscriptFactory(project=project, text=text)
    Turn.objects.create(
        transcript=transcript, order=0, start=13, end=21, speaker_label="Facilitator"
    )
    Turn.objects.create(transcript=transcript, order=1, start=27, end=len(text), speaker_label="P2")
    code = code_create(project=project, user=user, name="Letters")
    start = text.index("a letter")
    coding = coding_apply(transcript=transcript, start=start, end=start + 8, code=code, coder=user)
    client.force_login(user)
    panel = client.get(
        reverse("coding:coding_panel", args=[project.pk, transcript.pk]),
        {"ids": str(coding.pk)},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "turn 2 · P2" in panel and "characters 34" not in panel
