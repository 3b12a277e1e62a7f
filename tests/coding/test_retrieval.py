from __future__ import annotations

import re

import pytest
from django.urls import reverse

from coding.selectors.retrieval import QUOTES_PER_PAGE
from tests.coding.conftest import TURNS, span_of, transcript_with_turns
from tests.factories import CodeFactory, CodingFactory

pytestmark = pytest.mark.django_db

ATTRIBUTES = {
    "P1": {"Age band": "55-64", "Carer": "No"},
    "P2": {"Age band": "65-74", "Carer": "No"},
    "P3": {"Age band": "35-44", "Carer": "Yes"},
}


@pytest.fixture
def groups(project):
    first = transcript_with_turns(project, TURNS, name="FG1", site="Leeds", attributes=ATTRIBUTES)
    second = transcript_with_turns(
        project,
        [("Moderator", "Anything else?"), ("P3", "Just send me a letter about it, please.")],
        name="FG2",
        order=1,
    )
    return first, second


def code_words(transcript, code, coder, words, **extra):
    start, end = span_of(transcript, words)
    return CodingFactory(
        transcript=transcript, code=code, coder=coder, start=start, end=end, **extra
    )


def quotes_url(code, **params):
    url = reverse("coding:code_quotes", args=[code.project_id, code.pk])
    query = "&".join(f"{key}={value}" for key, values in params.items() for value in values)
    return f"{url}?{query}" if query else url


def quote_texts(response):
    return re.findall(
        r'<blockquote class="quote"[^>]*>([^<]*)</blockquote>', response.content.decode()
    )


def test_theme_lists_quotes_of_its_sub_codes_with_speaker_attributes_and_a_link_back(
    client, user, project, groups
):
    fg1, fg2 = groups
    theme = CodeFactory(project=project, name="Communication")
    letters = CodeFactory(project=project, name="Letters", parent=theme)
    other = CodeFactory(project=project, name="Trust")
    wanted = code_words(fg1, letters, user, "I'd want a letter explaining it.", memo="paper")
    code_words(fg2, theme, user, "Just send me a letter about it, please.")
    code_words(fg1, other, user, "Not big tech companies.")
    client.force_login(user)
    response = client.get(quotes_url(theme))
    html = response.content.decode()
    assert quote_texts(response) == [
        "I&#x27;d want a letter explaining it.",
        "Just send me a letter about it, please.",
    ]
    assert "<strong>2</strong> quotes" in html
    assert "Age band: 35-44" in html and "Carer: Yes" in html
    assert "<strong>P3</strong>" in html and "Leeds" in html and "paper" in html
    link = (
        reverse("coding:coding_screen", args=[project.pk, fg1.pk])
        + f"?coder={user.pk}&amp;at={wanted.start}#coding-{wanted.pk}"
    )
    assert f'href="{link}"' in html


def test_quotes_filter_by_group_coder_and_participant_attribute(
    client, user, coder, project, groups
):
    fg1, fg2 = groups
    code = CodeFactory(project=project)
    code_words(fg1, code, user, "If it helps other people")  # P1, 55-64
    code_words(fg1, code, coder, "Not big tech companies.")  # P2, 65-74
    code_words(fg1, code, user, "I'd want a letter")  # P3, 35-44
    code_words(fg2, code, coder, "Just send me a letter")
    client.force_login(user)
    assert quote_texts(client.get(quotes_url(code, transcript=[fg2.pk]))) == [
        "Just send me a letter"
    ]
    assert quote_texts(client.get(quotes_url(code, coder=[coder.pk]))) == [
        "Not big tech companies.",
        "Just send me a letter",
    ]
    age = fg1.project.attributes.get(name="Age band")
    both = quotes_url(code, **{f"attr-{age.pk}": ["55-64", "65-74"]})
    assert quote_texts(client.get(both)) == ["If it helps other people", "Not big tech companies."]
    combined = quotes_url(code, **{f"attr-{age.pk}": ["55-64", "65-74"], "coder": [coder.pk]})
    response = client.get(combined)
    assert quote_texts(response) == ["Not big tech companies."]
    assert "matching the filters" in response.content.decode()


def test_many_quotes_are_paged_with_the_total_shown_in_a_fixed_number_of_queries(
    client, user, project, groups, django_assert_num_queries
):
    fg1, _fg2 = groups
    code = CodeFactory(project=project)
    turn = fg1.turns.get(speaker_label="P1")
    for offset in range(QUOTES_PER_PAGE + 20):
        start = turn.start + offset % 10
        CodingFactory(
            transcript=fg1, code=code, coder=user, start=start, end=start + 3 + offset // 10
        )
    client.force_login(user)
    with django_assert_num_queries(17):  # + open blind phases
        response = client.get(quotes_url(code))
    html = response.content.decode()
    assert f"<strong>{QUOTES_PER_PAGE + 20}</strong> quotes" in html
    assert len(quote_texts(response)) == QUOTES_PER_PAGE
    assert "Page 1 of 2" in html
    assert len(quote_texts(client.get(quotes_url(code, page=[2])))) == 20


def test_viewers_can_read_quotes(client, user, viewer, project, groups):
    code = CodeFactory(project=project)
    code_words(groups[0], code, user, "Not big tech companies.")
    client.force_login(viewer)
    assert quote_texts(client.get(quotes_url(code))) == ["Not big tech companies."]


def test_a_code_of_another_project_is_not_found(client, user, project):
    foreign = CodeFactory()
    client.force_login(user)
    url = reverse("coding:code_quotes", args=[project.pk, foreign.pk])
    assert client.get(url).status_code == 404
