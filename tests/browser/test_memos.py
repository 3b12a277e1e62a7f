"""Memos in Chromium: from a transcript's Memos link, write a memo about it, find it by a word,
edit it, and download the memos as DOCX."""

from __future__ import annotations

from docx import Document
from playwright.sync_api import expect

from coding.models import Memo
from tests.browser.conftest import log_in, screenshot
from tests.factories import TranscriptFactory


def test_write_find_edit_and_export_a_memo_about_a_transcript(page, user, project, tmp_path):
    transcript = TranscriptFactory(project=project, name="FG3")
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/transcripts/")
    page.locator("tr", has_text="FG3").get_by_role("link", name="Memos").click()
    page.wait_for_url(f"**/memos/?transcript={transcript.pk}")
    expect(page.locator("#id_subject")).to_have_value(f"transcript:{transcript.pk}")
    page.get_by_label("Title").fill("Quiet group")
    page.get_by_label("Memo").fill("Two people barely spoke; the facilitator led a lot.")
    page.get_by_role("button", name="Save memo").click()
    expect(page.locator("#memo-list")).to_contain_text("Quiet group")
    memo = Memo.objects.get(title="Quiet group")
    assert memo.transcript == transcript
    page.goto(f"/projects/{project.pk}/memos/")
    page.get_by_label("Search").fill("facilitator")
    page.get_by_role("button", name="Find").click()
    expect(page.locator(f"#memo-{memo.pk}")).to_contain_text("About FG3")
    screenshot(page, "memos")
    page.locator(f"#memo-{memo.pk}").get_by_role("link", name="Edit").click()
    page.get_by_label("Title").fill("Quiet group, FG3")
    page.get_by_role("button", name="Save memo").click()
    expect(page.locator(f"#memo-{memo.pk} h3")).to_have_text("Quiet group, FG3")
    with page.expect_download() as download:
        page.get_by_role("link", name="Memos as DOCX").click()
    path = tmp_path / "memos.docx"
    download.value.save_as(path)
    assert "FG3: Quiet group, FG3" in [p.text for p in Document(str(path)).paragraphs]
