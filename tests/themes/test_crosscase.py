"""Cross-case tables against a hand-built project: co-occurrence, comparison by group,
attribute and coder, Boolean and "near" retrieval, and the links from a cell."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from coding.models import Code, Coding
from tests.coding.conftest import transcript_with_turns
from tests.conftest import member
from themes.crosscase.retrieval import Query, turns_matching
from themes.crosscase.tables import Selection, comparison, cooccurrence

pytestmark = pytest.mark.django_db

FG1 = [
    ("Moderator", "What about your records?"),
    ("P1", "I want a letter and to opt out."),  # letter + opt-out
    ("P2", "A letter, please."),  # letter
    ("P3", "Hackers worry me."),  # security
    ("P1", "Opt out of everything."),  # opt-out
]
FG2 = [
    ("Moderator", "And you?"),
    ("P4", "A letter from my GP."),  # letter (by the second coder)
    ("P5", "Security and opting out both matter."),  # security + opt-out
]


@pytest.fixture
def study(project, user):
    other = member(project, "coder")
    attributes = {"P1": {"Role": "carer"}, "P2": {"Role": "patient"}, "P3": {"Role": "patient"},
                  "P4": {"Role": "carer"}, "P5": {"Role": "patient"}}  # fmt: skip
    first = {k: v for k, v in attributes.items() if k in ("P1", "P2", "P3")}
    second = {k: v for k, v in attributes.items() if k in ("P4", "P5")}
    fg1 = transcript_with_turns(project, FG1, name="FG1", attributes=first)
    fg2 = transcript_with_turns(project, FG2, name="FG2", attributes=second)
    fg2.order = 1
    fg2.save()
    theme = Code.objects.create(project=project, name="Contact", order=0)
    letter = Code.objects.create(project=project, name="Letter", parent=theme)
    opt_out = Code.objects.create(project=project, name="Opting out", order=1)
    security = Code.objects.create(project=project, name="Security", order=2)

    def code(transcript, order, code, coder=user, part=None):
        turn = transcript.turns.get(order=order)
        start, end = turn.start, turn.end if part is None else turn.start + part
        Coding.objects.create(transcript=transcript, code=code, coder=coder, start=start,
                              end=end, text=transcript.text[start:end])  # fmt: skip

    code(fg1, 1, letter, part=12)
    code(fg1, 1, opt_out)
    code(fg1, 2, letter)
    code(fg1, 2, letter, coder=other)  # two coders on one turn: still one turn
    code(fg1, 3, security)
    code(fg1, 4, opt_out)
    code(fg2, 1, letter, coder=other)
    code(fg2, 2, security)
    code(fg2, 2, opt_out, part=5)
    return {"fg1": fg1, "fg2": fg2, "contact": theme, "letter": letter, "opt_out": opt_out,
            "security": security, "other": other}  # fmt: skip


def test_cooccurrence_counts_turns_with_both_codes(project, user, study):
    table = cooccurrence(project, Selection(rows="themes"), user)
    contact, opt_out, security = study["contact"].pk, study["opt_out"].pk, study["security"].pk
    assert [row.label for row in table.rows] == ["Contact", "Opting out", "Security"]
    assert table.count(contact, contact) == 3  # FG1 P1, FG1 P2, FG2 P4 (Letter is under it)
    assert table.count(opt_out, opt_out) == 3
    assert table.count(contact, opt_out) == 1  # FG1 P1
    assert table.count(opt_out, security) == 1  # FG2 P5
    assert table.count(contact, security) == 0
    assert table.turns == 6
    by_code = cooccurrence(project, Selection(rows="codes"), user)
    assert by_code.count(study["letter"].pk, study["letter"].pk) == 3
    assert by_code.count(study["contact"].pk, study["contact"].pk) == 0  # nobody used the theme
    one_coder = cooccurrence(project, Selection(coder_ids=(study["other"].pk,)), user)
    assert one_coder.count(contact, contact) == 2


def test_comparison_by_group_attribute_and_coder(project, user, study):
    contact, opt_out = study["contact"].pk, study["opt_out"].pk
    fg1, fg2 = str(study["fg1"].pk), str(study["fg2"].pk)
    table = comparison(project, Selection(), user, by="group")
    assert [c.label for c in table.columns] == ["FG1", "FG2"]
    assert [c.turns for c in table.columns] == [4, 2]
    assert table.count(contact, fg1) == 2 and table.count(contact, fg2) == 1
    assert table.share(contact, table.columns[1]) == pytest.approx(0.5)
    assert table.low(contact, fg1)  # 2 passages: too few to compare
    people = comparison(project, Selection(), user, by="group", measure="participants")
    assert people.count(opt_out, fg1) == 1  # P1 twice is one participant
    groups = comparison(project, Selection(), user, by="group", measure="groups")
    assert groups.count(opt_out, fg1) == 1 and groups.count(opt_out, fg2) == 1
    from transcripts.models import Attribute

    role = Attribute.objects.get(project=project, name="Role")
    by_role = comparison(project, Selection(), user, by="attribute", attribute=role)
    assert [(c.label, c.turns) for c in by_role.columns] == [("carer", 3), ("patient", 3)]
    assert by_role.count(contact, "carer") == 2  # P1's and P4's turns
    assert by_role.count(opt_out, "carer") == 2 and by_role.count(opt_out, "patient") == 1
    by_coder = comparison(project, Selection(rows="codes"), user, by="coder")
    assert by_coder.count(study["letter"].pk, str(study["other"].pk)) == 2
    assert by_coder.count(study["letter"].pk, str(user.pk)) == 2


def test_and_or_not_and_near_retrieval(project, user, study):
    contact, opt_out, security = study["contact"].pk, study["opt_out"].pk, study["security"].pk
    selection = Selection()

    def found(query):
        total, turns, _rows = turns_matching(project, selection, user, query)
        assert total == len(turns)
        return [(t.transcript.name, t.order) for t in turns]

    assert found(Query(all_of=[contact, opt_out])) == [("FG1", 1)]
    assert found(Query(any_of=[contact, security])) == [
        ("FG1", 1), ("FG1", 2), ("FG1", 3), ("FG2", 1), ("FG2", 2),
    ]  # fmt: skip
    assert found(Query(all_of=[opt_out], none_of=[contact])) == [("FG1", 4), ("FG2", 2)]
    # Security within one turn of Contact: FG1's P3 (after P2) and FG2's P5 (after P4)
    assert found(Query(all_of=[security], near=contact, within=1)) == [("FG1", 3), ("FG2", 2)]
    assert found(Query(all_of=[security], near=contact, within=0)) == []
    # Opting out near Security: FG1 turn 4 (after turn 3) and FG2's P5 (on the same turn);
    # not FG1 turn 1, two turns from Security
    assert found(Query(all_of=[opt_out], near=security, within=1)) == [("FG1", 4), ("FG2", 2)]
    assert found(Query(near=security)) == []  # "near" alone has nothing to be near to


def test_pages_render_and_a_cell_links_to_its_passages(client, project, user, study):
    client.force_login(user)
    page = client.get(reverse("themes:crosscase_cooccurrence", args=[project.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and 'id="cooccurrence-table"' in body
    contact, opt_out = study["contact"].pk, study["opt_out"].pk
    link = next(
        part.split('"')[0]
        for part in body.split('href="')[1:]
        if "retrieve/" in part.split('"')[0] and f"all={contact}&amp;all={opt_out}" in part
    ).replace("&amp;", "&")
    assert parse_qs(urlparse(link).query)["all"] == [str(contact), str(opt_out)]
    retrieved = client.get(link).content.decode()
    assert (
        "<strong>1</strong> turn matches" in retrieved
        and "I want a letter and to opt out" in retrieved
    )
    compare = client.get(reverse("themes:crosscase_compare", args=[project.pk])).content.decode()
    assert 'id="compare-table"' in compare and 'id="groups-chart"' in compare
    assert '1†<br><span class="small">25%</span>' in compare  # Security: 1 of FG1's 4 turns
    quotes = reverse("coding:code_quotes", args=[project.pk, contact])
    assert f"{quotes}?transcript={study['fg2'].pk}" in compare
    csv_text = client.get(
        reverse("themes:crosscase_compare", args=[project.pk]), {"format": "csv"}
    ).content.decode()
    assert csv_text.splitlines()[0].startswith("code,FG1: passages,FG1: share of turns")
    assert csv_text.splitlines()[1] == "Contact,2,0.5,1,0.5"
    xlsx = client.get(
        reverse("themes:crosscase_cooccurrence", args=[project.pk]), {"format": "xlsx"}
    )
    assert xlsx.content[:2] == b"PK"


def test_blind_coders_tables_count_only_their_own(project, user, study):
    from coding.services.team import blind_start

    blind_start(project=project, user=user)
    other = study["other"]
    table = cooccurrence(project, Selection(), other)
    assert table.count(study["contact"].pk, study["contact"].pk) == 2  # their two Letter turns
    assert table.count(study["opt_out"].pk, study["opt_out"].pk) == 0


def test_overlapping_codings_unit_and_retrieval(client, project, user, study):
    """On the same turn is not on the same words: FG1's last turn gets Opting out on "Opt out"
    and Security on "everything.", apart; FG2's P5 has them on overlapping words."""
    fg1, opt_out, security = study["fg1"], study["opt_out"], study["security"]
    turn = fg1.turns.get(order=4)  # "Opt out of everything."
    Coding.objects.filter(transcript=fg1, code=opt_out, start=turn.start).delete()
    for code, words in ((opt_out, "Opt out"), (security, "everything.")):
        start = fg1.text.index(words, turn.start)
        Coding.objects.create(transcript=fg1, code=code, coder=user, start=start,
                              end=start + len(words), text=words)  # fmt: skip
    by_turn = cooccurrence(project, Selection(), user)
    assert by_turn.count(opt_out.pk, security.pk) == 2  # FG1 turn 4 and FG2 P5
    spans = cooccurrence(project, Selection(), user, unit="span")
    assert spans.unit == "span"
    assert spans.count(opt_out.pk, security.pk) == 1  # only FG2 P5's words overlap
    assert spans.count(study["contact"].pk, opt_out.pk) == 1  # FG1 P1: "I want a let" in both
    assert spans.count(security.pk, security.pk) == 3  # Security's codings
    assert spans.count(study["contact"].pk, security.pk) == 0

    def found(query):
        return [(t.transcript.name, t.order) for t in turns_matching(project, Selection(), user,
                                                                       query)[1]]  # fmt: skip

    assert found(Query(all_of=[opt_out.pk, security.pk])) == [("FG1", 4), ("FG2", 2)]
    assert found(Query(all_of=[opt_out.pk, security.pk], overlap=True)) == [("FG2", 2)]

    client.force_login(user)
    page = client.get(reverse("themes:crosscase_cooccurrence", args=[project.pk]), {"unit": "span"})
    body = page.content.decode()
    assert "pairs of codings of the two codes whose words overlap" in body
    link = next(
        part.split('"')[0]
        for part in body.split('href="')[1:]
        if f"all={opt_out.pk}&amp;all={security.pk}" in part.split('"')[0]
    ).replace("&amp;", "&")
    assert parse_qs(urlparse(link).query)["overlap"] == ["1"]
    retrieved = client.get(link).content.decode()
    assert "<strong>1</strong> turn matches" in retrieved
    assert "Security and opting out both matter." in retrieved


def test_comparison_by_a_group_attribute_and_its_cell_links(client, project, user, study):
    from transcripts.services.groups import group_attribute_create, group_values_set

    setting = group_attribute_create(project=project, name="Setting", type="choice",
                                     choices="Urban, Rural")  # fmt: skip
    group_values_set(transcript=study["fg1"], values={setting.pk: "Urban"})
    group_values_set(transcript=study["fg2"], values={setting.pk: "Rural"})
    table = comparison(project, Selection(), user, by="group_attribute", attribute=setting)
    assert [(c.label, c.turns) for c in table.columns] == [("Urban", 4), ("Rural", 2)]
    contact = study["contact"].pk
    assert table.count(contact, "Urban") == 2 and table.count(contact, "Rural") == 1
    client.force_login(user)
    page = client.get(
        reverse("themes:crosscase_compare", args=[project.pk]), {"by": f"gattr:{setting.pk}"}
    ).content.decode()
    assert "Groups by Setting" in page
    link = next(
        part.split('"')[0]
        for part in page.split('href="')[1:]
        if f"/codes/{contact}/quotes/" in part.split('"')[0]
        and f"transcript={study['fg2'].pk}" in part.split('"')[0]
    ).replace("&amp;", "&")
    quotes = client.get(link).content.decode()
    assert "A letter from my GP" in quotes and "I want a letter" not in quotes
