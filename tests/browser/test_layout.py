"""Every project page fits the window, at 1280x800 and on a 390x844 phone: no sideways scroll.
On the coding screen, a clicked highlight's details are in view, and on a phone the Apply form
is reachable without scrolling past the whole transcript."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.urls import reverse

from coding.models import Code, Coding
from config.demo import demo_project_create
from tests.browser.conftest import log_in, screenshot, wait_until
from transcripts.models import Participant

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def project_pages(project) -> dict[str, str]:
    transcript = project.transcripts.order_by("order").first()
    code = Code.objects.filter(project=project).first()
    participant = Participant.objects.filter(project=project).first()
    p = project.pk
    return {
        "overview": reverse("transcripts:project_detail", args=[p]),
        "transcripts": reverse("transcripts:transcript_list", args=[p]),
        "transcript": reverse("transcripts:transcript_detail", args=[p, transcript.pk]),
        "upload": reverse("transcripts:transcript_upload", args=[p]),
        "participants": reverse("transcripts:participant_list", args=[p]),
        "participant": reverse("transcripts:participant_edit", args=[p, participant.pk]),
        "members": reverse("transcripts:project_members", args=[p]),
        "framework": reverse("coding:framework", args=[p]),
        "quotes": reverse("coding:code_quotes", args=[p, code.pk]),
        "search": reverse("coding:search", args=[p]) + "?q=letter",
        "audit": reverse("coding:audit_log", args=[p]),
        "coding": reverse("coding:coding_screen", args=[p, transcript.pk]),
        "suggestions": reverse("themes:suggestions", args=[p]),
        "candidates": reverse("themes:candidates", args=[p]),
        "matrix": reverse("themes:framework_matrix", args=[p]),
        "exports": reverse("themes:exports", args=[p]),
    }


@contextmanager
def opened(browser, live_server, user, width: int = 1280, height: int = 800):
    """A logged-in page in a window of its own size, closed afterwards."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    try:
        page = context.new_page()
        log_in(page, user)
        yield page
    finally:
        context.close()


SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_no_project_page_scrolls_sideways(browser, live_server, user, viewport):
    project = demo_project_create(user=user)
    width, height = VIEWPORTS[viewport]
    with opened(browser, live_server, user, width, height) as page:
        wide = {}
        for name, url in project_pages(project).items():
            page.goto(url)
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate(SIDEWAYS)
            if overflow > 1:
                wide[name] = overflow
            if name in ("overview", "coding") and viewport == "phone":
                screenshot(page, f"phone-{name}")
        assert wide == {}


def test_on_a_phone_the_apply_form_is_in_reach_on_the_coding_screen(browser, live_server, user):
    project = demo_project_create(user=user)
    transcript = project.transcripts.order_by("order").first()
    with opened(browser, live_server, user, 390, 844) as page:
        page.goto(reverse("coding:coding_screen", args=[project.pk, transcript.pk]))
        button = page.locator("#apply-form button[type=submit]").first
        box = button.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844


def test_a_clicked_highlight_shows_its_details_in_view(browser, live_server, user):
    project = demo_project_create(user=user)
    coding = Coding.objects.filter(transcript__project=project).order_by("-start").first()
    with opened(browser, live_server, user, 1280, 800) as page:
        page.goto(reverse("coding:coding_screen", args=[project.pk, coding.transcript_id]))
        page.locator(f'.seg[data-codings~="{coding.pk}"]').first.click()
        details = page.locator(f"#card-{coding.pk}")
        details.wait_for()
        page.wait_for_timeout(400)  # the smooth scroll
        box = details.bounding_box()
        assert box is not None and box["y"] >= -2 and box["y"] + 40 <= 800  # sub-pixel scroll
        screenshot(page, "coding-screen-details")


def test_keyboard_coding_end_to_end_with_the_shortcut_sheet(browser, live_server, user):
    project = demo_project_create(user=user)
    transcript = project.transcripts.order_by("order").first()
    before = Coding.objects.filter(transcript=transcript).count()
    with opened(browser, live_server, user, 1280, 800) as page:
        page.goto(reverse("coding:coding_screen", args=[project.pk, transcript.pk]))
        page.keyboard.press("?")
        sheet = page.locator("#shortcuts")
        assert sheet.is_visible() and "Next / previous turn nobody has coded" in sheet.inner_text()
        screenshot(page, "coding-shortcuts")
        page.keyboard.press("Escape")
        assert not sheet.is_visible()
        page.keyboard.press("j")
        focused = page.evaluate(
            "() => { const t = document.activeElement.closest('.turn');"
            " return [t.id, !!t.querySelector('.turn-text .seg'),"
            " t.classList.contains('facilitator')]; }"
        )
        assert focused[1:] == [False, False]  # a participant's turn nobody has coded
        page.keyboard.press("ArrowRight")
        for _ in range(6):
            page.keyboard.press("Shift+ArrowRight")
        wait_until(
            page,
            "() => Number(document.getElementById('sel-end').value)"
            " - Number(document.getElementById('sel-start').value) === 6",
        )
        page.keyboard.press("2")
        assert page.locator("#code-list .code-option input").nth(1).is_checked()
        page.keyboard.press("a")
        page.locator("#coding-panel .ok").wait_for()
        assert Coding.objects.filter(transcript=transcript).count() == before + 1
        coding = Coding.objects.filter(transcript=transcript).latest("created_at")
        turn = coding.transcript.turns.get(start__lte=coding.start, end__gte=coding.end)
        assert len(coding.text) == 6 and f"turn-{turn.pk}" == focused[0]


def test_removing_a_coding_can_be_undone_from_the_panel(browser, live_server, user):
    project = demo_project_create(user=user)
    coding = Coding.objects.filter(transcript__project=project).order_by("start").first()
    with opened(browser, live_server, user, 1280, 800) as page:
        page.goto(reverse("coding:coding_screen", args=[project.pk, coding.transcript_id]))
        page.locator(f'.seg[data-codings~="{coding.pk}"]').first.click()
        page.locator(f"#card-{coding.pk}").get_by_role("button", name="Remove coding").click()
        page.locator("#coding-panel", has_text="Removed").wait_for()
        assert page.locator(f'.seg[data-codings~="{coding.pk}"]').count() == 0
        page.locator("#coding-panel").get_by_role("button", name="Undo").click()
        page.locator("#coding-panel", has_text="Brought back").wait_for()
        restored = Coding.objects.get(transcript_id=coding.transcript_id, start=coding.start)
        page.locator(f'.seg[data-codings~="{restored.pk}"]').first.wait_for()
        assert restored.code_id == coding.code_id and restored.text == coding.text


def test_code_every_search_hit_with_a_preview_and_undo_it(browser, live_server, user):
    project = demo_project_create(user=user)
    with opened(browser, live_server, user, 1280, 800) as page:
        page.goto(reverse("coding:search", args=[project.pk]) + "?q=data")
        page.get_by_label("Code every hit as").select_option(label="Safety and security")
        before = Coding.objects.count()
        page.locator("#code-all-form").get_by_role("button", name="Preview").click()
        page.locator("#code-all", has_text="would be coded as").wait_for()
        assert Coding.objects.count() == before
        screenshot(page, "search-code-all-preview")
        page.locator("#code-all button.primary").click()
        page.locator("#code-all .ok").wait_for()
        assert Coding.objects.count() > before
        page.locator("#code-all").get_by_role("button", name="Undo").click()
        page.locator("#code-all", has_text="Undone").wait_for()
        assert Coding.objects.count() == before
