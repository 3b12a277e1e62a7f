"""Cross-case views in Chromium: each page opens with its table and picture, and clicking a
cell lands on the passages behind it."""

from __future__ import annotations

from tests.browser.conftest import log_in, screenshot
from tests.themes.test_crosscase import study  # noqa: F401  (the hand-built project)


def test_each_view_opens_and_a_cell_leads_to_its_passages(page, user, project, study):  # noqa: F811
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/cooccurrence/")
    assert page.locator("#cooccurrence-table").is_visible()
    assert page.locator("figure svg").count() == 1
    screenshot(page, "crosscase_cooccurrence")
    contact, opt_out = study["contact"], study["opt_out"]
    row = page.locator("#cooccurrence-table tbody tr", has_text="Contact")
    row.locator("td").nth(1).get_by_role("link").click()  # Contact x Opting out
    page.wait_for_url("**/retrieve/**")
    assert "1 turn matches" in page.inner_text("#retrieve-count")
    assert "I want a letter and to opt out" in page.inner_text("main")
    screenshot(page, "crosscase_retrieve")

    page.goto(f"/projects/{project.pk}/compare/")
    assert page.locator("#compare-table").is_visible() and page.locator("#groups-chart svg").count()
    screenshot(page, "crosscase_compare")
    cell = page.locator("#compare-table tbody tr", has_text="Contact").locator("td").nth(1)
    cell.get_by_role("link").click()  # Contact in FG2
    page.wait_for_url(f"**/codes/{contact.pk}/quotes/**")
    text = page.inner_text("main")
    assert "A letter from my GP" in text and "I want a letter" not in text
    page.goto(f"/projects/{project.pk}/compare/")
    page.select_option("#cc-by", label="Participants by Role")
    page.get_by_role("button", name="Show").click()
    assert "carer" in page.inner_text("#compare-table")
    screenshot(page, "crosscase_compare_by_role")
    del opt_out


def test_project_page_shows_coverage_bars_and_leads_to_the_first_uncoded_turn(
    page,
    user,
    project,
    study,  # noqa: F811
):
    from coding.models import Coding

    fg2 = study["fg2"]
    Coding.objects.filter(transcript=fg2, coder=study["other"]).delete()  # P4 left uncoded
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/")
    table = page.locator("#progress-transcripts")
    table.wait_for()
    assert page.locator("#progress svg.meter").count() == 5  # project, 2 groups, 2 coders
    assert "5 of 6" in page.inner_text("#progress .progress-summary")
    screenshot(page, "project_progress")
    table.locator("tr", has_text="FG2").get_by_role("link", name="1").click()
    page.wait_for_url(f"**/transcripts/{fg2.pk}/code/**")
    first = fg2.turns.get(order=1)
    assert page.url.endswith(f"#turn-{first.pk}")
    assert page.locator(f"#turn-{first.pk}").is_visible()
