"""Memos on the project, a transcript, a participant and a code: written, listed, searched,
edited without lost updates, deleted by their author or an owner, audited, and exported."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document

from coding.models import AuditEvent, Memo
from coding.services.codes import code_create
from coding.services.memos import memo_create, memo_subject_parse, memo_update
from tests.conftest import member
from tests.factories import CodingFactory, ProjectFactory, TranscriptFactory
from transcripts.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def things(project, user):
    transcript = TranscriptFactory(project=project, name="FG3")
    participant = Participant.objects.create(project=project, label="P2")
    code = code_create(project=project, user=user, name="Consent")
    return transcript, participant, code


def test_a_memo_on_each_kind_of_thing_is_listed_and_searched(client, project, user, things):
    transcript, participant, code = things
    client.force_login(user)
    memos = reverse("coding:memos", args=[project.pk])
    for subject, title, text in (
        ("project", "Reflexive note", "We expected more talk of trust."),
        (f"transcript:{transcript.pk}", "Quiet group", "Two people barely spoke."),
        (f"participant:{participant.pk}", "Carer", "Speaks for her mother throughout."),
        (f"code:{code.pk}", "Boundary", "Consent overlaps with trust; keep them apart."),
    ):
        response = client.post(
            reverse("coding:memo_new", args=[project.pk]),
            {"subject": subject, "title": title, "text": text},
        )
        assert response.status_code == 302 and "#memo-" in response["Location"]
    assert [m.about for m in Memo.objects.order_by("pk")] == [
        "project", "transcript", "participant", "code"
    ]  # fmt: skip
    page = client.get(memos).content.decode()
    assert all(t in page for t in ("Reflexive note", "Quiet group", "Carer", "Boundary"))
    found = client.get(memos, {"q": "TRUST"}).content.decode()
    assert "Reflexive note" in found and "Boundary" in found and "Quiet group" not in found
    about = client.get(memos, {"transcript": transcript.pk}).content.decode()
    assert "Quiet group" in about and "Carer" not in about
    assert f'value="transcript:{transcript.pk}" selected' in about  # a new memo is about it
    assert AuditEvent.objects.filter(object_type="memo", action="create").count() == 4


def test_coding_memos_are_listed_and_searched_and_blind_coding_hides_others(
    client, project, user, things
):
    from coding.models import BlindPhase

    transcript, _participant, code = things
    coder = member(project, "coder")
    CodingFactory(transcript=transcript, code=code, coder=user, memo="Owner's thought on trust")
    CodingFactory(transcript=transcript, code=code, coder=coder, start=20, end=30,
                  memo="Coder's thought on trust")  # fmt: skip
    BlindPhase.objects.create(project=project, transcript=None, started_by=user)
    memos = reverse("coding:memos", args=[project.pk])
    client.force_login(user)
    page = client.get(memos, {"q": "trust"}).content.decode()
    assert "Owner&#x27;s thought" in page and "Coder&#x27;s thought" in page
    client.force_login(coder)
    page = client.get(memos, {"q": "trust"}).content.decode()
    assert "Coder&#x27;s thought" in page and "Owner&#x27;s thought" not in page


def test_edit_refuses_a_lost_update_and_only_author_or_owner_edit(client, project, user, things):
    from coding.services.audit import fingerprint

    memo = memo_create(project=project, subject=project, title="Plan", text="v1", user=user)
    seen = fingerprint(memo)
    memo_update(memo=memo, title="Plan", text="v2 by someone", user=user, seen=seen)
    with pytest.raises(ValidationError, match="Someone changed this"):
        memo_update(memo=memo, title="Plan", text="v3", user=user, seen=seen)
    memo.refresh_from_db()
    assert memo.text == "v2 by someone"
    coder = member(project, "coder")
    client.force_login(coder)
    edit = reverse("coding:memo_edit", args=[project.pk, memo.pk])
    response = client.post(edit, {"title": "Mine", "text": "x", "seen": fingerprint(memo)})
    assert response.status_code == 302
    memo.refresh_from_db()
    assert memo.title == "Plan"  # not the coder's to change
    client.force_login(user)
    page = client.post(edit, {"title": "Plan", "text": "mine", "seen": seen}).content.decode()
    assert "Someone changed this since you opened it" in page and "v2 by someone" in page
    client.post(reverse("coding:memo_remove", args=[project.pk, memo.pk]))
    assert not Memo.objects.filter(pk=memo.pk).exists()
    assert AuditEvent.objects.filter(object_type="memo", action="delete").exists()


def test_bad_subjects_and_titles_are_refused_by_name(project, user, things):
    other = ProjectFactory()
    foreign = TranscriptFactory(project=other)
    with pytest.raises(ValidationError, match="No such transcript in this project"):
        memo_subject_parse(project=project, value=f"transcript:{foreign.pk}")
    with pytest.raises(ValidationError, match="Choose what the memo is about"):
        memo_subject_parse(project=project, value="turn:1")
    with pytest.raises(ValidationError, match="Give the memo a title"):
        memo_create(project=project, subject=project, title="  ", text="x", user=user)


def test_viewers_read_memos_but_cannot_write(client, project, user, viewer):
    memo_create(project=project, subject=project, title="Plan", text="v1", user=user)
    client.force_login(viewer)
    page = client.get(reverse("coding:memos", args=[project.pk])).content.decode()
    assert "Plan" in page and "Write a memo" not in page
    response = client.post(reverse("coding:memo_new", args=[project.pk]),
                           {"subject": "project", "title": "No", "text": ""})  # fmt: skip
    assert response.status_code == 403
    assert Memo.objects.count() == 1


def test_memos_docx_groups_memos_and_follows_the_search(client, project, user, things, tmp_path):
    transcript, participant, code = things
    memo_create(project=project, subject=project, title="Reflexive note", text="On trust.",
                user=user)  # fmt: skip
    memo_create(project=project, subject=transcript, title="Quiet group", text="Few spoke.",
                user=user)  # fmt: skip
    memo_create(project=project, subject=code, title="Boundary", text="Trust is not consent.",
                user=user)  # fmt: skip
    CodingFactory(transcript=transcript, code=code, coder=user, memo="Trust again")
    client.force_login(user)
    url = reverse("themes:memos_docx", args=[project.pk])
    path = tmp_path / "m.docx"
    path.write_bytes(client.get(url).content)
    paragraphs = [(p.style.name, p.text) for p in Document(str(path)).paragraphs]
    headings = [text for style, text in paragraphs if style == "Heading 1"]
    assert headings == ["About the project", "About transcripts", "About codes", "On codings"]
    assert ("Heading 2", "FG3: Quiet group") in paragraphs
    path.write_bytes(client.get(url, {"q": "trust"}).content)
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert "Reflexive note" in texts and "Consent: Boundary" in texts
    assert "FG3: Quiet group" not in texts
