from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from coding.models import Coding
from coding.selectors.search import query_terms, search_hits, sentence_span
from tests.coding.conftest import transcript_with_turns
from tests.factories import CodeFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def groups(project):
    fg1 = transcript_with_turns(
        project,
        [
            ("Moderator", "What would make you trust the letter?"),
            (
                "P1",
                "The Café on the corner had a leaflet. I trust a letter more than a phone call.",
            ),
            ("P2", "A LETTER is fine. Opting out should be simple, one form for everything."),
        ],
        name="FG1",
    )
    fg2 = transcript_with_turns(
        project,
        [("P3", "Nobody told me I could opt out of anything! We met at the cafe\u0301 nearby.")],
        name="FG2",
        order=1,
    )
    return fg1, fg2


def hits_for(project, query, **filters):
    hits, total = search_hits(project=project, query=query, **filters)
    assert total == len(hits)
    return [(hit.transcript.name, hit.speaker, hit.match) for hit in hits]


def test_search_ignores_case_and_accents_both_ways(project, groups):
    expected = [("FG1", "P1", "Café"), ("FG2", "P3", "cafe\u0301")]
    assert hits_for(project, "cafe") == expected
    assert hits_for(project, "CAFÉ") == expected


def test_words_match_at_their_start_and_not_inside_other_words(project, groups):
    assert hits_for(project, "opt") == [("FG1", "P2", "Opt"), ("FG2", "P3", "opt")]
    assert hits_for(project, "ting") == []


def test_a_quoted_phrase_matches_as_a_whole(project, groups):
    assert hits_for(project, '"opt out"') == [("FG2", "P3", "opt out")]
    assert query_terms('letter "phone  call" ') == ["letter", "phone call"]


def test_several_terms_must_share_a_turn_and_each_occurrence_is_a_hit(project, groups):
    assert hits_for(project, "trust letter") == [
        ("FG1", "Moderator", "trust"),
        ("FG1", "Moderator", "letter"),
        ("FG1", "P1", "trust"),
        ("FG1", "P1", "letter"),
    ]


def test_speaker_labels_are_not_searched(project, groups):
    assert hits_for(project, "moderator") == []


def test_filters_by_group_and_speaker(project, groups):
    fg1, fg2 = groups
    assert hits_for(project, "letter", transcript_ids=[fg1.pk], speakers=["P2"]) == [
        ("FG1", "P2", "LETTER")
    ]
    assert hits_for(project, "letter", transcript_ids=[fg2.pk]) == []


def test_search_page_shows_keyword_in_context_with_the_match_marked(client, user, project, groups):
    client.force_login(user)
    url = reverse("coding:search", args=[project.pk])
    html = client.get(url, {"q": "phone"}).content.decode()
    assert "<strong>1</strong> hit for" in html
    row = re.search(
        r'<td class="kwic-left">(.*?)</td>\s*<td class="kwic-match"><mark>(.*?)</mark></td>'
        r'\s*<td class="kwic-right">(.*?)</td>',
        html,
        re.S,
    )
    left, match, right = (unescape(part) for part in row.groups())
    assert (left, match, right) == (
        "The Café on the corner had a leaflet. I trust a letter more than a ",
        "phone",
        " call.",
    )
    fg1 = groups[0]
    turn = fg1.turns.get(speaker_label="P1")
    # The link opens the screen at the hit (?at=, the window holding it) and scrolls to its turn.
    screen = reverse("coding:coding_screen", args=[project.pk, fg1.pk])
    link = re.search(rf'href="{screen}\?at=(\d+)#turn-{turn.pk}"', html)
    assert link and turn.start <= int(link.group(1)) < turn.end


def test_sentence_span_finds_the_sentence_around_a_match():
    text = "First one. I trust a letter more! Last bit"
    start = text.index("letter")
    assert text[
        slice(*sentence_span(text=text, lo=0, hi=len(text), start=start, end=start + 6))
    ] == ("I trust a letter more!")
    start = text.index("Last")
    assert text[
        slice(*sentence_span(text=text, lo=0, hi=len(text), start=start, end=start + 4))
    ] == ("Last bit")


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("sentence", "I trust a letter more than a phone call."),
        ("turn", "The Café on the corner had a leaflet. I trust a letter more than a phone call."),
        ("match", "phone"),
    ],
)
def test_code_this_hit_codes_the_sentence_turn_or_match(
    client, user, project, groups, scope, expected
):
    fg1 = groups[0]
    code = CodeFactory(project=project, name="Communication")
    start = fg1.text.index("phone")
    client.force_login(user)
    response = client.post(
        reverse("coding:search_code_hit", args=[project.pk]),
        {"code": code.pk, "hit": f"{scope}:{fg1.pk}:{start}:{start + 5}"},
        **HTMX,
    )
    assert response.status_code == 200
    coding = Coding.objects.get()
    assert (coding.text, coding.code, coding.coder) == (expected, code, user)
    assert "Coded" in response.content.decode()


def test_code_this_hit_refuses_a_transcript_of_another_project(client, user, project, groups):
    other = transcript_with_turns(CodeFactory().project, [("P1", "Letters are fine.")])
    code = CodeFactory(project=project)
    client.force_login(user)
    response = client.post(
        reverse("coding:search_code_hit", args=[project.pk]),
        {"code": code.pk, "hit": f"match:{other.pk}:4:11"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "not in this project" in response.content.decode()
    assert not Coding.objects.exists()


def test_viewers_search_but_see_no_code_this_hit(client, viewer, project, groups):
    CodeFactory(project=project)
    client.force_login(viewer)
    html = client.get(reverse("coding:search", args=[project.pk]), {"q": "letter"}).content.decode()
    assert "<strong>3</strong> hits" in html
    assert "Code this hit" not in html and 'name="hit"' not in html


def test_search_pages_take_a_fixed_number_of_queries_however_many_groups(
    client, user, project, groups, django_assert_num_queries
):
    for index in range(5):
        transcript_with_turns(project, [("P9", f"Another letter {index}.")], name=f"FG{index + 3}")
    client.force_login(user)
    with django_assert_num_queries(10):  # + the codes on the hits, + open blind phases
        response = client.get(reverse("coding:search", args=[project.pk]), {"q": "letter"})
    assert "<strong>8</strong> hits" in response.content.decode()


def test_a_malformed_hit_is_refused_with_a_message(client, user, project, groups):
    code = CodeFactory(project=project)
    client.force_login(user)
    response = client.post(
        reverse("coding:search_code_hit", args=[project.pk]),
        {"code": code.pk, "hit": "everything:1:2"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "The hit to code was not understood." in response.content.decode()
    assert not Coding.objects.exists()


def test_code_hits_as_starts_unchosen_and_a_hit_is_not_coded_until_a_code_is(
    client, user, project, groups
):
    CodeFactory(project=project, name="Communication")
    client.force_login(user)
    html = client.get(reverse("coding:search", args=[project.pk]), {"q": "phone"}).content.decode()
    picker = re.search(r'<select name="code" id="hit-code"[^>]*>(.*?)</select>', html, re.S)
    first = re.search(r"<option[^>]*>", picker.group(1)).group(0)
    assert 'value=""' in first and "selected" in first
    fg1 = groups[0]
    start = fg1.text.index("phone")
    response = client.post(
        reverse("coding:search_code_hit", args=[project.pk]),
        {"code": "", "hit": f"sentence:{fg1.pk}:{start}:{start + 5}"},
        **HTMX,
    )
    assert response.status_code == 422 and "Pick a code." in response.content.decode()
    assert not Coding.objects.exists()


def test_each_hit_shows_the_codes_already_on_its_words(client, user, project, groups):
    fg1 = groups[0]
    code = CodeFactory(project=project, name="Communication")
    start = fg1.text.index("phone")
    Coding.objects.create(
        transcript=fg1, code=code, coder=user, start=start - 2, end=start + 10,
        text=fg1.text[start - 2 : start + 10],
    )  # fmt: skip
    client.force_login(user)
    html = client.get(reverse("coding:search", args=[project.pk]), {"q": "phone"}).content.decode()
    cell = re.search(r'<td class="hit-codes">(.*?)</td>', html, re.S).group(1)
    assert "Communication" in cell
    other = client.get(reverse("coding:search", args=[project.pk]), {"q": "leaflet"})
    cell = re.search(r'<td class="hit-codes">(.*?)</td>', other.content.decode(), re.S).group(1)
    assert "Communication" not in cell


def test_code_all_hits_previews_applies_once_and_undoes(client, user, project, groups):
    code = CodeFactory(project=project, name="Communication")
    client.force_login(user)
    url = reverse("coding:search_code_all", args=[project.pk])
    data = {"q": "letter", "code": code.pk, "scope": "sentence"}
    preview = client.post(url, {**data, "step": "preview"}, **HTMX).content.decode()
    hits, _ = search_hits(project=project, query="letter")
    assert len(hits) >= 1
    assert "would be coded as" in preview and not Coding.objects.exists()
    applied = client.post(url, {**data, "step": "apply"}, **HTMX).content.decode()
    made = list(Coding.objects.filter(code=code))
    assert made and all(c.coder == user for c in made)
    assert f"Coded {len(made)} passage" in applied
    again = client.post(url, {**data, "step": "preview"}, **HTMX).content.decode()
    assert "nothing to do" in again  # the same passages are not coded twice
    ids = re.search(r'name="applied_ids" value="([\d,]+)"', applied).group(1)
    undone = client.post(url, {**data, "step": "undo", "applied_ids": ids}, **HTMX)
    assert f"{len(made)} coding" in undone.content.decode()
    assert not Coding.objects.exists()


def test_code_all_hits_needs_a_code_and_a_writer(client, viewer, user, project, groups):
    url = reverse("coding:search_code_all", args=[project.pk])
    client.force_login(user)
    response = client.post(url, {"q": "letter", "code": "", "scope": "sentence"}, **HTMX)
    assert response.status_code == 422 and "Pick a code." in response.content.decode()
    client.force_login(viewer)
    code = CodeFactory(project=project)
    assert (
        client.post(url, {"q": "letter", "code": code.pk, "scope": "sentence"}).status_code == 403
    )
    assert not Coding.objects.exists()
