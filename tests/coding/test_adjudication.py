"""Adjudication: disagreements side by side, decisions into the agreed set, and the agreed
set used by exports by default."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding.models import Adjudication, AuditEvent, Code, Coding
from coding.selectors.adjudication import adjudication_view
from coding.services.adjudication import adjudicate
from tests.coding.conftest import transcript_with_turns
from tests.conftest import member
from themes.agreement.measure import agreement_measure

pytestmark = pytest.mark.django_db

TURNS = [
    ("Moderator", "How should they contact you?"),
    ("P1", "A letter from my GP would be best."),
    ("P2", "I would rather have a phone call, or a letter."),
]


@pytest.fixture
def coded(project):
    amy, ben = member(project, "coder"), member(project, "coder")
    amy.username, ben.username = "amy", "ben"
    amy.save(), ben.save()
    transcript = transcript_with_turns(project, TURNS)
    letter = Code.objects.create(project=project, name="Letter", order=0)
    phone = Code.objects.create(project=project, name="Phone", order=1)
    first, second = transcript.turns.filter(is_facilitator=False).order_by("order")

    def code(coder, code, turn, start=0, end=None):
        s = turn.start + start
        e = turn.end if end is None else turn.start + end
        Coding.objects.create(transcript=transcript, code=code, coder=coder, start=s, end=e,
                              text=transcript.text[s:e])  # fmt: skip

    code(amy, letter, first)
    code(ben, letter, first, 0, 8)
    code(amy, phone, second, 0, 32)
    code(ben, phone, second, 0, 32)
    code(ben, letter, second, 36)
    return {"amy": amy, "ben": ben, "transcript": transcript, "letter": letter, "phone": phone,
            "turns": (first, second)}  # fmt: skip


def test_the_view_lists_only_units_where_coders_disagree(coded):
    view = adjudication_view(transcript=coded["transcript"])
    assert [c.username for c in view.coders] == ["amy", "ben"]
    assert [unit.turn.pk for unit in view.disagreements] == [coded["turns"][1].pk]
    unit = view.disagreements[0]
    assert [[code.name for code in codes] for _c, codes in unit.versions] == [
        ["Phone"],
        ["Letter", "Phone"],
    ]


def test_keep_merge_and_own_decisions_write_the_agreed_set(project, user, coded):
    transcript, second = coded["transcript"], coded["turns"][1]
    adjudicate(transcript=transcript, turn=second, decision="keep", user=user,
               kept_coder_id=coded["amy"].pk, note="A letter is only an aside")  # fmt: skip
    agreed = Coding.objects.filter(origin="adjudicated")
    assert [(c.code.name, c.text) for c in agreed] == [
        ("Phone", "I would rather have a phone call")
    ]
    assert agreed.get().memo == "A letter is only an aside"
    adjudicate(transcript=transcript, turn=second, decision="merge", user=user)
    assert sorted(agreed.values_list("code__name", flat=True)) == ["Letter", "Phone"]
    letter = agreed.get(code__name="Letter")
    assert letter.text == "a letter."  # the span the coder who used it coded
    adjudicate(transcript=transcript, turn=second, decision="own", user=user,
               code_ids=[coded["letter"].pk])  # fmt: skip
    assert list(agreed.values_list("code__name", "text")) == [("Letter", "a letter.")]
    decision = Adjudication.objects.get()
    assert decision.decision == "own" and decision.codes == [coded["letter"].pk]
    assert AuditEvent.objects.filter(action="adjudicate").count() == 4
    assert AuditEvent.objects.filter(action="delete", object_type="coding").count() == 3


def test_an_owner_coder_adjudicating_their_own_span_keeps_both(project, user, coded):
    """The adjudicator may have coded the same span themselves: the agreed copy is separate."""
    transcript, first = coded["transcript"], coded["turns"][0]
    Coding.objects.create(transcript=transcript, code=coded["letter"], coder=user,
                          start=first.start, end=first.end, text=first.text)  # fmt: skip
    adjudicate(transcript=transcript, turn=first, decision="keep", user=user,
               kept_coder_id=coded["amy"].pk)  # fmt: skip
    assert Coding.objects.filter(coder=user, start=first.start, end=first.end).count() == 2


def test_agreed_set_is_left_out_of_agreement(project, user, coded):
    before = agreement_measure(project=project, replicates=0).overall.alpha
    adjudicate(transcript=coded["transcript"], turn=coded["turns"][1], decision="merge", user=user)
    after = agreement_measure(project=project, replicates=0)
    assert [c.username for c in after.coders] == ["amy", "ben"]
    assert after.overall.alpha == before


def test_only_owners_adjudicate(client, project, coded):
    client.force_login(coded["amy"])
    url = reverse("coding:adjudication_page", args=[project.pk, coded["transcript"].pk])
    assert client.get(url).status_code in (403, 404)


def test_adjudicating_from_the_page_and_the_quote_csv_uses_the_agreed_set(
    client, project, user, coded
):
    transcript, second = coded["transcript"], coded["turns"][1]
    client.force_login(user)
    page = client.get(reverse("coding:adjudication_page", args=[project.pk, transcript.pk]))
    body = page.content.decode()
    assert "disagree on <strong>1</strong> of 2" in body
    assert "Put the 1 turn where every coder agreed" in body
    client.post(reverse("coding:adjudication_accept_agreed", args=[project.pk, transcript.pk]))
    client.post(
        reverse("coding:adjudication_decide", args=[project.pk, transcript.pk]),
        {"turn": second.pk, "choice": f"keep:{coded['ben'].pk}", "note": "Both are raised"},
    )
    agreed = Coding.objects.filter(origin="adjudicated")
    assert agreed.count() == 3  # Letter on turn 1, Phone and Letter on turn 2
    csv_text = b"".join(
        client.get(reverse("themes:export_quotes_csv", args=[project.pk])).streaming_content
    ).decode()
    assert csv_text.count("\n") == 1 + 3  # header + the agreed set, not the 5 coders' codings
    coders = b"".join(
        client.get(
            reverse("themes:export_quotes_csv", args=[project.pk]), {"set": "coders"}
        ).streaming_content
    ).decode()
    assert coders.count("\n") == 1 + 5
    quotes = client.get(
        reverse("coding:code_quotes", args=[project.pk, coded["letter"].pk]), {"set": "agreed"}
    ).content.decode()
    assert "agreed by" in quotes


def test_coders_and_the_agreed_set_survive_a_qdpx_round_trip(project, user, coded):
    from coding.models import Assignment
    from coding.refi.services import project_qdpx_bytes, qdpx_import
    from tests.coding.refi_support import assert_valid_qdpx
    from transcripts.models import Project

    adjudicate(transcript=coded["transcript"], turn=coded["turns"][1], decision="merge", user=user)
    data = project_qdpx_bytes(project=project)
    archive = assert_valid_qdpx(data)
    qde = archive.read("project.qde").decode()
    assert 'name="Agreed set (adjudicated)"' in qde  # how peers see the agreed set: a coder
    report = qdpx_import(data=data, filename="study.qdpx", user=user)
    copy = Project.objects.get(pk=report["project_id"])
    agreed = Coding.objects.filter(transcript__project=copy, origin="adjudicated")
    assert sorted(agreed.values_list("code__name", flat=True)) == ["Letter", "Phone"]
    assert "2 coding(s) came in as the agreed (adjudicated) set." in report["notes"]
    # every imported coder is assigned to and done with every source: agreement works at once
    assignments = Assignment.objects.filter(transcript__project=copy)
    assert assignments.count() == 2 and all(a.done_at for a in assignments)
    result = agreement_measure(project=copy, replicates=0)
    original = agreement_measure(project=project, replicates=0)
    assert len(result.coders) == 2
    assert result.overall.alpha == pytest.approx(original.overall.alpha)
