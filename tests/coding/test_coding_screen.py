from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from coding.models import AuditEvent, Coding
from tests.coding.conftest import span_of, transcript_with_turns
from tests.conftest import member
from tests.factories import CodeFactory, CodingFactory, TranscriptFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def screen_url(transcript, **params):
    url = reverse("coding:coding_screen", args=[transcript.project_id, transcript.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def apply_url(transcript):
    return reverse("coding:coding_apply", args=[transcript.project_id, transcript.pk])


def update_url(coding):
    return reverse(
        "coding:coding_update", args=[coding.transcript.project_id, coding.transcript_id, coding.pk]
    )


def remove_url(coding):
    return reverse(
        "coding:coding_remove", args=[coding.transcript.project_id, coding.transcript_id, coding.pk]
    )


def coding_of(transcript, code, coder, words):
    start, end = span_of(transcript, words)
    return CodingFactory(transcript=transcript, code=code, coder=coder, start=start, end=end)


def segments(html):
    """``[(coding ids, text)]`` of every highlight span in the page."""
    return [
        (set(ids.split()), unescape(text))
        for ids, text in re.findall(
            r'<span class="seg" data-codings="([^"]+)"[^>]*>([^<]*)</span>', html
        )
    ]


def test_screen_shows_turns_with_speakers_and_overlapping_codings_as_layered_segments(
    client, user, project, transcript
):
    sharing = CodeFactory(project=project, name="Sharing", colour="#6fcf97")
    privacy = CodeFactory(project=project, name="Privacy", colour="#eb5757")
    wide = coding_of(transcript, sharing, user, "If it helps other people, I'm all for it.")
    narrow = coding_of(transcript, privacy, user, "I'm all for it. As long as my name")
    client.force_login(user)
    html = client.get(screen_url(transcript)).content.decode()
    assert '<strong class="speaker">P2</strong>' in html
    assert segments(html) == [
        ({str(wide.pk)}, "If it helps other people, "),
        ({str(wide.pk), str(narrow.pk)}, "I'm all for it."),
        ({str(narrow.pk)}, " As long as my name"),
    ]
    # One margin bar per coding, each in its code's column and colour, linking to its panel.
    assert f'id="coding-{wide.pk}"' in html and f'id="coding-{narrow.pk}"' in html
    assert html.count('class="bar-column"') == 2
    assert 'id="suggestions-panel"' in html


def test_screen_heading_gives_the_groups_description_and_facilitator(
    client, user, project, transcript
):
    transcript.description = "Parents at a Children's Centre"
    transcript.facilitator = "Asha"
    transcript.save()
    client.force_login(user)
    html = unescape(client.get(screen_url(transcript)).content.decode())
    assert "Parents at a Children's Centre · Facilitator: Asha" in html


def test_screen_renders_with_a_fixed_number_of_queries_however_many_codings(
    client, user, project, django_assert_num_queries
):
    turns = [(f"P{i % 5}", f"Turn {i} says something about data and letters.") for i in range(60)]
    transcript = transcript_with_turns(project, turns)
    codes = [CodeFactory(project=project) for _ in range(5)]
    for index, turn in enumerate(transcript.turns.all()):
        CodingFactory(
            transcript=transcript,
            code=codes[index % 5],
            coder=user,
            start=turn.start,
            end=turn.start + 8,
        )
    client.force_login(user)
    with django_assert_num_queries(12):  # + blind, assignment, agreed set, changes cursor
        response = client.get(screen_url(transcript))
    assert len(segments(response.content.decode())) == 60


def test_apply_codes_a_selection_with_several_codes_and_returns_only_the_changed_turn(
    client, user, project, transcript
):
    letter = CodeFactory(project=project, name="Communication")
    opt = CodeFactory(project=project, name="Opting out")
    start, end = span_of(transcript, "I'd want a letter explaining it.")
    client.force_login(user)
    response = client.post(
        apply_url(transcript),
        {"start": start, "end": end, "codes": [letter.pk, opt.pk], "memo": "wants paper"},
        **HTMX,
    )
    assert response.status_code == 200
    codings = list(Coding.objects.order_by("code__name"))
    assert [(c.code, c.text, c.coder, c.memo) for c in codings] == [
        (letter, "I'd want a letter explaining it.", user, "wants paper"),
        (opt, "I'd want a letter explaining it.", user, "wants paper"),
    ]
    assert AuditEvent.objects.filter(action="create", object_type="coding").count() == 2
    html = response.content.decode()
    assert "Coded as Communication, Opting out." in html
    last_turn = transcript.turns.get(speaker_label="P3")
    assert f'<article class="turn" id="turn-{last_turn.pk}" hx-swap-oob="true">' in html
    assert html.count('<article class="turn') == 1  # only the touched turn comes back
    assert segments(html) == [({str(c.pk) for c in codings}, "I'd want a letter explaining it.")]


def test_apply_takes_a_fixed_number_of_queries_however_many_codings_exist(
    client, user, project, django_assert_num_queries
):
    turns = [(f"P{i % 5}", f"Turn {i} says something about data and letters.") for i in range(40)]
    transcript = transcript_with_turns(project, turns)
    code = CodeFactory(project=project)
    for turn in transcript.turns.all():
        CodingFactory(transcript=transcript, code=code, coder=user, start=turn.start, end=turn.end)
    turn = transcript.turns.get(order=20)
    client.force_login(user)
    # + the turns naming the place, + blind phases; the coding is inserted ON CONFLICT DO NOTHING
    # and read back (it was a savepoint around the INSERT)
    with django_assert_num_queries(21):
        response = client.post(
            apply_url(transcript),
            {"start": turn.start, "end": turn.start + 6, "codes": [code.pk]},
            **HTMX,
        )
    assert response.content.decode().count('<article class="turn') == 1


def test_apply_trims_white_space_at_the_edges_of_a_selection(client, user, project, transcript):
    code = CodeFactory(project=project)
    start, end = span_of(transcript, " Not big tech companies.")
    client.force_login(user)
    client.post(apply_url(transcript), {"start": start, "end": end + 2, "codes": [code.pk]}, **HTMX)
    assert Coding.objects.get().text == "Not big tech companies."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start": 5, "end": 999999}, "outside the transcript"),
        ({"start": 9, "end": 5}, "outside the transcript"),
        ({"start": "", "end": ""}, "Select some text first."),
        ({"start": 0, "end": 5, "codes": []}, "Pick one or more codes"),
    ],
)
def test_apply_rejects_a_bad_selection_with_a_message_and_stores_nothing(
    client, user, project, transcript, data, message
):
    code = CodeFactory(project=project)
    client.force_login(user)
    response = client.post(apply_url(transcript), {"codes": [code.pk], **data}, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Coding.objects.exists()


def test_apply_refuses_a_code_from_another_project(client, user, project, transcript):
    foreign = CodeFactory()
    client.force_login(user)
    response = client.post(
        apply_url(transcript), {"start": 0, "end": 5, "codes": [foreign.pk]}, **HTMX
    )
    assert response.status_code == 422
    assert not Coding.objects.exists()


def test_offsets_with_emoji_and_combining_accents_round_trip_through_the_endpoints(
    client, user, project
):
    # "Café" written with e + U+0301, and a thumbs-up with a skin tone (2 code points,
    # 4 UTF-16 units): the browser sends code points, as coding.js counts them.
    words = "Cafe\u0301 \U0001f44d\U0001f3fd ok, the cafe\u0301 was fine"
    transcript = transcript_with_turns(project, [("P1", words)])
    code = CodeFactory(project=project)
    turn = transcript.turns.get()
    start = turn.start + 6  # C a f e U+0301 space
    end = start + 5  # 👍 🏽 space o k
    client.force_login(user)
    client.post(apply_url(transcript), {"start": start, "end": end, "codes": [code.pk]}, **HTMX)
    coding = Coding.objects.get()
    assert coding.text == "\U0001f44d\U0001f3fd ok"
    html = client.get(screen_url(transcript)).content.decode()
    assert segments(html) == [({str(coding.pk)}, "\U0001f44d\U0001f3fd ok")]
    opening = (
        f'<div class="turn-text" tabindex="0" data-start="{turn.start}" data-end="{turn.end}">'
    )
    assert opening + "Cafe\u0301 <span" in html
    # Nudging the end by a word counts code points too, and keeps the combining accent whole.
    client.post(update_url(coding), {"nudge": "end+"}, **HTMX)
    client.post(update_url(coding), {"nudge": "end+"}, **HTMX)
    coding.refresh_from_db()
    assert coding.text == "\U0001f44d\U0001f3fd ok, the cafe\u0301"


def test_code_this_turn_codes_the_speakers_whole_turn(client, user, project, transcript):
    code = CodeFactory(project=project)
    turn = transcript.turns.get(speaker_label="P2")
    client.force_login(user)
    url = reverse("coding:coding_apply_turn", args=[project.pk, transcript.pk, turn.pk])
    response = client.post(url, {"codes": [code.pk]}, **HTMX)
    assert response.status_code == 200
    coding = Coding.objects.get()
    assert (coding.start, coding.end, coding.text) == (turn.start, turn.end, turn.text)


def test_code_this_turn_without_a_code_says_to_pick_one(client, user, project, transcript):
    turn = transcript.turns.first()
    client.force_login(user)
    url = reverse("coding:coding_apply_turn", args=[project.pk, transcript.pk, turn.pk])
    response = client.post(url, {}, **HTMX)
    assert response.status_code == 422
    assert "Pick one or more codes to apply to the turn." in response.content.decode()


def test_clicking_a_passage_shows_its_codes_coder_and_memo(
    client, user, coder, project, transcript
):
    code = CodeFactory(project=project, name="Trust")
    mine = coding_of(transcript, code, user, "Not big tech companies.")
    Coding.objects.filter(pk=mine.pk).update(memo="distrust of industry")
    theirs = coding_of(transcript, code, coder, "I'd want to know who gets it.")
    client.force_login(user)
    url = reverse("coding:coding_panel", args=[project.pk, transcript.pk])
    html = client.get(f"{url}?ids={mine.pk},{theirs.pk}", **HTMX).content.decode()
    assert "distrust of industry" in html
    assert user.username in html and coder.username in html
    # Only my own coding offers changes to a coder; the owner (user) may change both.
    assert html.count("Remove coding") == 2
    client.force_login(coder)
    html = client.get(f"{url}?ids={mine.pk},{theirs.pk}", **HTMX).content.decode()
    assert html.count("Remove coding") == 1


def test_update_changes_code_memo_and_span_and_audits_each_change(
    client, user, project, transcript
):
    old = CodeFactory(project=project, name="Old")
    new = CodeFactory(project=project, name="New")
    coding = coding_of(transcript, old, user, "Not big tech companies.")
    client.force_login(user)
    client.post(update_url(coding), {"code": new.pk}, **HTMX)
    client.post(update_url(coding), {"memo": "  industry  "}, **HTMX)
    start, end = span_of(transcript, "I'd want to know who gets it.")
    response = client.post(update_url(coding), {"start": start, "end": end}, **HTMX)
    coding.refresh_from_db()
    assert (coding.code, coding.memo, coding.text) == (
        new,
        "industry",
        "I'd want to know who gets it.",
    )
    assert AuditEvent.objects.filter(action="update").count() == 3
    assert "Coding saved." in response.content.decode()


@pytest.mark.parametrize(
    ("nudge", "expected"),
    [
        ("start-", "want to know who gets"),
        ("start+", "know who gets"),
        ("end-", "to know who"),
        ("end+", "to know who gets it"),
    ],
)
def test_boundaries_move_by_one_word(client, user, project, transcript, nudge, expected):
    coding = coding_of(transcript, CodeFactory(project=project), user, "to know who gets")
    client.force_login(user)
    client.post(update_url(coding), {"nudge": nudge}, **HTMX)
    coding.refresh_from_db()
    assert coding.text == expected


def test_shrinking_a_one_word_coding_is_refused_with_a_message(client, user, project, transcript):
    coding = coding_of(transcript, CodeFactory(project=project), user, "letter")
    client.force_login(user)
    response = client.post(update_url(coding), {"nudge": "end-"}, **HTMX)
    assert response.status_code == 422
    assert "cannot shrink further" in response.content.decode()
    coding.refresh_from_db()
    assert coding.text == "letter"


def test_remove_deletes_the_coding_and_redraws_its_turn(client, user, project, transcript):
    coding = coding_of(transcript, CodeFactory(project=project, name="Trust"), user, "Not big tech")
    client.force_login(user)
    response = client.post(remove_url(coding), **HTMX)
    assert not Coding.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_id=coding.pk).exists()
    html = response.content.decode()
    assert "Removed Trust." in html
    assert 'hx-swap-oob="true"' in html and segments(html) == []


def test_writes_without_htmx_redirect_back_to_the_screen(client, user, project, transcript):
    code = CodeFactory(project=project)
    client.force_login(user)
    response = client.post(apply_url(transcript), {"start": 0, "end": 9, "codes": [code.pk]})
    assert response.status_code == 302
    assert response.url == screen_url(transcript)


def test_screen_shows_my_codings_by_default_and_others_on_request(
    client, user, coder, project, transcript
):
    code = CodeFactory(project=project)
    mine = coding_of(transcript, code, user, "Not big tech companies.")
    theirs = coding_of(transcript, code, coder, "I'd want a letter")

    def shown(**params):
        html = client.get(screen_url(transcript, **params)).content.decode()
        return {int(i) for ids, _ in segments(html) for i in ids}

    client.force_login(user)
    assert shown() == {mine.pk}
    assert shown(coder="all") == {mine.pk, theirs.pk}
    assert shown(coder=coder.pk) == {theirs.pk}
    assert client.get(screen_url(transcript, coder=999999)).status_code == 404


def test_coding_while_showing_another_coder_says_where_the_new_coding_went(
    client, user, coder, project, transcript
):
    code = CodeFactory(project=project)
    client.force_login(user)
    response = client.post(
        apply_url(transcript), {"start": 0, "end": 9, "codes": [code.pk], "coder": coder.pk}, **HTMX
    )
    assert Coding.objects.get().coder == user
    assert "choose My codings to see it" in response.content.decode()


def test_a_transcript_without_turns_is_coded_as_one_block(client, user, project):
    transcript = TranscriptFactory(project=project, text="Free text answer 👍 with no speakers.")
    code = CodeFactory(project=project)
    client.force_login(user)
    client.post(apply_url(transcript), {"start": 17, "end": 19, "codes": [code.pk]}, **HTMX)
    html = client.get(screen_url(transcript)).content.decode()
    coding = Coding.objects.get()
    assert (coding.start, coding.end, coding.text) == (17, 18, "👍")  # trailing space dropped
    assert segments(html) == [({str(coding.pk)}, "👍")]
    assert 'id="turn-all"' in html and "Code this turn" not in html


def test_viewer_reads_everyones_codings_without_any_coding_controls(
    client, user, viewer, project, transcript
):
    coding = coding_of(transcript, CodeFactory(project=project), user, "Not big tech companies.")
    client.force_login(viewer)
    html = client.get(screen_url(transcript)).content.decode()
    assert {i for ids, _ in segments(html) for i in ids} == {str(coding.pk)}
    assert 'id="apply-form"' not in html
    assert "Code this turn" not in html
    assert "viewers cannot code" in html


def test_a_coder_cannot_change_another_coders_coding(client, coder, user, project, transcript):
    coding = coding_of(transcript, CodeFactory(project=project), user, "Not big tech companies.")
    client.force_login(coder)
    assert client.post(update_url(coding), {"memo": "mine now"}, **HTMX).status_code == 403
    assert client.post(remove_url(coding), **HTMX).status_code == 403
    coding.refresh_from_db()
    assert coding.memo == ""


def _write_requests(transcript, coding, code):
    turn = transcript.turns.first()
    pid, tid = transcript.project_id, transcript.pk
    return [
        (apply_url(transcript), {"start": 0, "end": 9, "codes": [code.pk]}),
        (reverse("coding:coding_apply_turn", args=[pid, tid, turn.pk]), {"codes": [code.pk]}),
        (update_url(coding), {"memo": "changed"}),
        (remove_url(coding), {}),
        (
            reverse("coding:search_code_hit", args=[pid]),
            {"code": code.pk, "hit": f"match:{tid}:0:5"},
        ),
    ]


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_viewers_get_403_and_outsiders_404_on_every_write(
    client, user, project, transcript, role, request
):
    code = CodeFactory(project=project)
    coding = coding_of(transcript, code, user, "Not big tech companies.")
    client.force_login(request.getfixturevalue(role))
    for url, data in _write_requests(transcript, coding, code):
        response = client.post(url, data, **HTMX)
        assert response.status_code == (403 if role == "viewer" else 404), url
    assert list(Coding.objects.all()) == [coding]
    coding.refresh_from_db()
    assert coding.memo == ""


def test_outsiders_get_404_on_every_page(client, user, outsider, project, transcript):
    code = CodeFactory(project=project)
    client.force_login(outsider)
    for url in [
        screen_url(transcript),
        reverse("coding:coding_panel", args=[project.pk, transcript.pk]) + "?ids=1",
        reverse("coding:code_quotes", args=[project.pk, code.pk]),
        reverse("coding:search", args=[project.pk]) + "?q=letter",
    ]:
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in(client, project, transcript):
    response = client.get(screen_url(transcript))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_text_labels_and_colours_cannot_inject_markup(client, user, project):
    transcript = transcript_with_turns(project, [("<b>P1</b>", "I said <script>alert(1)</script>")])
    code = CodeFactory(project=project, name='"><i>x', colour='"><img')
    turn = transcript.turns.get()
    CodingFactory(transcript=transcript, code=code, coder=user, start=turn.start, end=turn.end)
    client.force_login(user)
    html = client.get(screen_url(transcript)).content.decode()
    assert "<script>alert" not in html and "<b>P1</b>" not in html
    assert '"><img' not in html and '"><i>x' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_removed_coding_can_be_brought_back_from_the_panel(client, user, project):
    from coding.models import AuditEvent
    from tests.factories import CodeFactory, TranscriptFactory

    transcript = TranscriptFactory(project=project, text="P1: I want a letter.")
    code = CodeFactory(project=project, name="Letters")
    coding = Coding.objects.create(
        transcript=transcript, code=code, coder=user, start=4, end=20,
        text="I want a letter.", memo="Key quote", starred=True,
    )  # fmt: skip
    client.force_login(user)
    removed = client.post(
        reverse("coding:coding_remove", args=[project.pk, transcript.pk, coding.pk]),
        HTTP_HX_REQUEST="true",
    ).content.decode()
    event = AuditEvent.objects.get(action="delete", object_type="coding")
    undo = reverse("coding:coding_restore", args=[project.pk, transcript.pk, event.pk])
    assert "Removed Letters." in removed and undo in removed
    assert not Coding.objects.exists()
    back = client.post(undo, HTTP_HX_REQUEST="true").content.decode()
    assert "Brought back Letters." in back
    restored = Coding.objects.get()
    assert (restored.start, restored.end, restored.memo, restored.starred, restored.coder) == (
        4, 20, "Key quote", True, user,
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="restore", object_id=restored.pk).exists()
    again = client.post(undo, HTTP_HX_REQUEST="true")
    assert "already back" in again.content.decode() and Coding.objects.count() == 1


def test_only_who_removed_a_coding_or_an_owner_brings_it_back(client, user, project):
    from coding.models import AuditEvent
    from coding.services.codings import coding_remove
    from tests.factories import CodeFactory, TranscriptFactory

    transcript = TranscriptFactory(project=project, text="P1: I want a letter.")
    code = CodeFactory(project=project)
    coding = Coding.objects.create(
        transcript=transcript, code=code, coder=user, start=4, end=20, text="I want a letter."
    )
    event = coding_remove(coding=coding, user=user)
    other = member(project, "coder")
    client.force_login(other)
    undo = reverse("coding:coding_restore", args=[project.pk, transcript.pk, event.pk])
    assert client.post(undo).status_code == 403
    assert not Coding.objects.exists() and AuditEvent.objects.filter(action="delete").exists()


def test_a_memo_saved_over_someone_elses_newer_memo_is_refused(client, user, project):
    from coding.services.audit import fingerprint
    from tests.factories import CodeFactory, TranscriptFactory

    transcript = TranscriptFactory(project=project, text="P1: I want a letter.")
    code = CodeFactory(project=project)
    coding = Coding.objects.create(
        transcript=transcript, code=code, coder=user, start=4, end=20, text="I want a letter."
    )
    opened = fingerprint(coding)  # two tabs show the same coding
    client.force_login(user)
    update = reverse("coding:coding_update", args=[project.pk, transcript.pk, coding.pk])
    first = client.post(update, {"memo": "Wants paper.", "seen": opened}, HTTP_HX_REQUEST="true")
    assert "Coding saved." in first.content.decode()
    second = client.post(update, {"memo": "Prefers email.", "seen": opened}, HTTP_HX_REQUEST="true")
    assert "Someone changed this since you opened it" in second.content.decode()
    assert "Your memo, not saved: “Prefers email.”" in second.content.decode()
    coding.refresh_from_db()
    assert coding.memo == "Wants paper."
    assert f'name="seen" value="{fingerprint(coding)}"' in second.content.decode()


def test_a_long_transcript_opens_at_one_window_and_sends_the_rest_as_placeholders(
    client, user, project, monkeypatch
):
    from bench.documents import big_transcript
    from coding.selectors.screen import WINDOW_CHARS

    codes = [CodeFactory(project=project, name=f"Code {n}") for n in range(6)]
    big = big_transcript(project=project, coder=user, codes=codes, chars=60_000, codings=600)
    client.force_login(user)
    response = client.get(screen_url(big))
    html = response.content.decode()
    placeholders = re.findall(
        r'<section class="turn-window pending" data-start="(\d+)" data-end="(\d+)" '
        r'data-src="([^"]+)"',
        html,
    )
    assert len(placeholders) >= 60_000 // WINDOW_CHARS - 1
    first_turns = big.turns.filter(start__lt=int(placeholders[0][0]))
    # The first window's turns are on the page with their highlights; later turns are not.
    assert f'id="turn-{first_turns.last().pk}"' in html
    assert f'id="turn-{big.turns.order_by("order").last().pk}"' not in html
    monkeypatch.setattr("coding.selectors.screen.WINDOW_CHARS", 10**9)
    whole = client.get(screen_url(big)).content
    assert "turn-window pending" not in whole.decode()
    assert len(response.content) < 0.6 * len(whole)
    assert "Turns " in html  # each placeholder links to the page opened at it, without script

    # A placeholder's URL answers with its own turns, highlighted, each exactly once.
    start, end, src = placeholders[-1]
    window = client.get(unescape(src), **HTMX).content.decode()
    inside = big.turns.filter(start__gte=int(start), start__lt=int(end))
    assert window.startswith(f'<section class="turn-window" data-start="{start}"')
    assert window.count("<article") == inside.count() > 0
    shown = {int(i) for ids, _text in segments(window) for i in ids}
    expected = set(
        Coding.objects.filter(transcript=big, start__lt=int(end), end__gt=int(start)).values_list(
            "pk", flat=True
        )
    )
    assert shown and shown <= expected
    assert "hx-swap-oob" not in window


def test_at_opens_the_window_holding_that_offset(client, user, project):
    from bench.documents import big_transcript

    codes = [CodeFactory(project=project, name="Code")]
    big = big_transcript(project=project, coder=user, codes=codes, chars=60_000, codings=50)
    last = big.turns.order_by("order").last()
    client.force_login(user)
    html = client.get(screen_url(big, at=last.start + 3)).content.decode()
    assert f'id="turn-{last.pk}"' in html
    assert f'id="turn-{big.turns.order_by("order").first().pk}"' not in html


def test_windows_cover_every_turn_once_within_the_budget():
    from coding.highlights import Span
    from coding.selectors.screen import windows_split

    spans, position = [], 0
    for order, length in enumerate([300] * 50 + [5_000, 40] * 3):
        spans.append(Span(start=position, end=position + length, order=order, pk=order))
        position += length + 2
    windows = windows_split(spans, budget=1_000)
    assert [s.pk for w in windows for s in w.spans] == [s.pk for s in spans]
    assert all(w.chars <= 1_000 or len(w.spans) == 1 for w in windows)
    assert [(w.first, w.last) for w in windows][:2] == [(1, 3), (4, 6)]
    assert windows_split(spans[:2], budget=1_000)[0].spans == spans[:2]


def test_at_between_two_windows_opens_the_next_one(client, user, project):
    from bench.documents import big_transcript
    from coding.selectors.screen import transcript_spans, windows_split

    big = big_transcript(
        project=project, coder=user, codes=[CodeFactory(project=project)], chars=30_000, codings=10
    )
    windows = windows_split(transcript_spans(transcript=big))
    second = windows[1]
    gap = second.start - 3  # inside the speaker label before the window's first turn
    assert windows[0].end <= gap < second.start
    client.force_login(user)
    html = client.get(screen_url(big, at=gap)).content.decode()
    assert f'id="turn-{second.spans[0].pk}"' in html
