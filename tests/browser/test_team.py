"""Team coding in Chromium: blind double-coding, agreement, adjudication into the agreed set
found in the quote CSV; and live updates between two coders' browsers."""

from __future__ import annotations

import time

import pytest

from coding.models import Coding
from tests.browser.conftest import log_in, screenshot, wait_until
from tests.browser.test_coding_screen import drag_select
from tests.coding.conftest import transcript_with_turns
from tests.conftest import member
from tests.factories import CodeFactory

TURNS = [
    ("Moderator", "How should the NHS contact you about your records?"),
    ("P1", "Definitely letter, so I have it in writing."),
    ("P2", "A phone call from my GP would be better than a letter."),
]


@pytest.fixture
def study(project, user):
    amy, ben = member(project, "coder"), member(project, "coder")
    amy.username, ben.username = "amy", "ben"
    amy.save(), ben.save()
    transcript = transcript_with_turns(project, TURNS, name="FG3")
    letter = CodeFactory(project=project, name="Letter", colour="#6fcf97")
    phone = CodeFactory(project=project, name="Phone", colour="#56ccf2")
    return {"amy": amy, "ben": ben, "transcript": transcript, "letter": letter, "phone": phone}


def _code(page, turn, needle, code_name):
    drag_select(page, turn, needle)
    page.locator(f'#code-list .code-option[data-name="{code_name.lower()}"] input').check()
    page.evaluate("document.querySelectorAll('#coding-panel .ok').forEach((n) => n.remove())")
    page.get_by_role("button", name="Apply codes").click()
    page.locator("#coding-panel .ok").wait_for()


def test_blind_double_coding_agreement_and_adjudication_into_the_quote_csv(
    browser, live_server, project, user, study
):
    transcript = study["transcript"]
    screen = f"/projects/{project.pk}/transcripts/{transcript.pk}/code/"
    p1 = transcript.turns.get(speaker_label="P1")
    p2 = transcript.turns.get(speaker_label="P2")

    def context_for(who):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, who)
        return context, page

    # The owner assigns both coders and starts blind coding.
    owner_context, owner = context_for(user)
    owner.goto(f"/projects/{project.pk}/team/")
    owner.get_by_label(f"Assign amy to {transcript.name}").check()
    owner.get_by_label(f"Assign ben to {transcript.name}").check()
    owner.get_by_role("button", name="Save assignments").click()
    owner.get_by_role("button", name="Start blind coding for the whole project").click()
    assert "The whole project is in blind coding" in owner.content()

    # Amy and Ben code independently; neither sees the other's work.
    amy_context, amy = context_for(study["amy"])
    amy.goto(screen)
    assert "Blind coding" in amy.inner_text(".page-head")
    _code(amy, p1, "Definitely letter", "Letter")
    _code(amy, p2, "A phone call from my GP", "Phone")
    amy.get_by_role("button", name="Mark done").click()

    ben_context, ben = context_for(study["ben"])
    ben.goto(screen + "?coder=all")
    assert ben.locator(".seg").count() == 0  # Amy's two codings are not shown
    _code(ben, p1, "Definitely letter", "Letter")
    _code(ben, p2, "better than a letter", "Letter")
    assert ben.locator(".seg").count() == 2
    ben.get_by_role("button", name="Mark done").click()
    screenshot(ben, "team_blind_coder_sees_own_codings")

    # The owner ends the blind phase and opens agreement.
    owner.goto(f"/projects/{project.pk}/team/")
    owner.get_by_role("button", name="End blind coding").click()
    owner.goto(f"/projects/{project.pk}/agreement/")
    table = owner.locator("#agreement-table")
    assert "Letter" in table.inner_text() and "Phone" in table.inner_text()
    assert "2 coders" in owner.inner_text("#agreement-summary")
    screenshot(owner, "team_agreement")

    # ...adjudicates the one disagreement (P2) and finds the agreed coding in the quote CSV.
    owner.get_by_role("link", name=transcript.name).click()
    assert "disagree on 1 of 2" in owner.inner_text("#adjudication-summary")
    owner.get_by_role("button", name="Put the 1 turn where every coder agreed").click()
    unit = owner.locator(f"#unit-{p2.pk}")
    unit.get_by_label("Keep amy's").check()
    unit.get_by_label("Note").fill("The letter is a comparison, not a preference")
    unit.get_by_role("button", name="Settle").click()
    assert "settled" in owner.locator(f"#unit-{p2.pk}").inner_text()
    screenshot(owner, "team_adjudication")
    agreed = Coding.objects.filter(origin="adjudicated")
    assert sorted(agreed.values_list("code__name", flat=True)) == ["Letter", "Phone"]

    response = owner.request.get(f"/projects/{project.pk}/exports/quotes.csv")
    csv_text = response.text()
    assert "A phone call from my GP" in csv_text
    assert "better than a letter" not in csv_text  # Ben's version was not kept
    assert csv_text.count("Definitely letter") == 1  # once, from the agreed set
    for context in (owner_context, amy_context, ben_context):
        context.close()


def test_coder_b_sees_coder_a_new_coding_within_three_seconds(browser, live_server, project, study):
    transcript = study["transcript"]
    screen = f"/projects/{project.pk}/transcripts/{transcript.pk}/code/?coder=all"
    p1 = transcript.turns.get(speaker_label="P1")
    pages = []
    for who in (study["amy"], study["ben"]):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, who)
        page.goto(screen)
        pages.append((context, page))
    amy, ben = pages[0][1], pages[1][1]
    # Ben has text selected while Amy codes: the selection survives the update.
    drag_select(ben, transcript.turns.get(speaker_label="P2"), "phone call from my GP")
    _code(amy, p1, "Definitely letter", "Letter")
    made = time.monotonic()
    wait_until(ben, f"document.querySelectorAll('#turn-{p1.pk} .seg').length === 1", timeout=3.0)
    seen_after = time.monotonic() - made
    assert seen_after < 3.0
    assert "phone call from my GP" in ben.evaluate("window.getSelection().toString()")
    assert "phone call from my GP" in ben.inner_text("#selection-preview")
    screenshot(ben, "team_live_update")
    for context, _page in pages:
        context.close()
