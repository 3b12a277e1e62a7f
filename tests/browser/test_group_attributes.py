"""Group attributes in Chromium: add one on the Transcripts page, set a group's value under
Edit details, and chart the framework matrix by it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.factories import CodingFactory, TranscriptFactory, TurnFactory


def test_add_set_and_chart_by_a_group_attribute(page, user, project):
    from coding.services.codes import code_create

    transcript = TranscriptFactory(project=project, name="FG1", text="P1: I want a letter.")
    TurnFactory(transcript=transcript, order=0, start=4, end=20, speaker_label="P1")
    code = code_create(project=project, user=user, name="Letters")
    CodingFactory(transcript=transcript, code=code, coder=user, start=4, end=20,
                  text="I want a letter.")  # fmt: skip
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/transcripts/")
    card = page.locator("#group-attributes")
    card.get_by_label("Name").fill("Setting")
    card.get_by_label("Type").select_option(label="Choice")
    card.get_by_label("Choices").fill("Urban, Rural")
    card.get_by_role("button", name="Add group attribute").click()
    expect(page.locator(".messages, [role=status], .notice").first).to_contain_text("Setting")
    page.get_by_role("link", name="FG1", exact=True).click()
    page.get_by_role("link", name="Edit details").click()
    page.get_by_label("Setting").select_option("Rural")
    page.get_by_role("button", name="Save details").click()
    # the details as shown once saved (the form's own options also say "Rural")
    expect(page.locator("#transcript-meta dl.meta")).to_contain_text("SettingRural")
    page.goto(f"/projects/{project.pk}/transcripts/")
    expect(page.locator("table")).to_contain_text("Rural")
    screenshot(page, "group_attributes")
    page.goto(f"/projects/{project.pk}/matrix/")
    page.get_by_label("Rows (cases)").select_option(label="Setting (group attribute)")
    page.get_by_role("button", name="Show").click()
    row = page.locator("tr", has_text="Rural")
    expect(row).to_contain_text("I want a letter.")
