from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.transcripts.files import VTT, docx_bytes, pdf_bytes, zip_bytes


def test_analyst_uploads_a_zip_of_mixed_files_reviews_and_reads_the_report(page, user, project):
    archive = zip_bytes(
        {
            "FG1.txt": "Moderator: Welcome.\n\nP1: Letters help.\n\nSpeaker 1: Me too.",
            "FG2.docx": docx_bytes(["Facilitator: Hello.", "P2: Hi there."]),
            "FG3.vtt": VTT,
            "scan.pdf": pdf_bytes([]),
            "../escape.txt": "P9: Out.",
        }
    )
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/transcripts/")
    page.get_by_role("link", name="Upload transcripts").click()
    page.wait_for_url("**/transcripts/upload/")
    page.wait_for_load_state("load")  # the page's script lists the chosen files
    page.set_input_files(
        "#id_files",
        files=[{"name": "groups.zip", "mimeType": "application/zip", "buffer": archive}],
    )
    expect(page.locator("#chosen")).to_contain_text("groups.zip")  # shown by the page's script
    page.get_by_role("button", name="Upload and read").click()
    page.wait_for_selector('#batch[data-status="review"]')
    speakers = page.locator("table.speakers")
    assert speakers.locator('tr[data-label="Moderator"] select').input_value() == "facilitator"
    assert speakers.locator('tr[data-label="Speaker 1"] select').input_value() == "per_group"
    # at 1280 px the review shows every field whole: the files table does not scroll sideways
    widths = page.evaluate(
        "() => { const box = document.querySelector('table.files').parentElement;"
        " return [box.scrollWidth, box.clientWidth]; }"
    )
    assert widths[0] <= widths[1]
    page.locator('tr[data-file="groups.zip/FG1.txt"] input[name$="-site"]').fill("Leeds")
    screenshot(page, "upload_review")
    page.get_by_role("button", name="Import 3 files").click()
    page.wait_for_selector('#batch[data-status="done"]')
    report = page.get_by_role("region", name="Import report")
    assert "Imported 3 transcripts, 2 failed." in report.inner_text()
    assert (
        "scanned PDF: no text to import"
        in page.locator('tr[data-file="groups.zip/scan.pdf"]').inner_text()
    )
    assert "unsafe path" in page.locator('tr[data-file="groups.zip/../escape.txt"]').inner_text()
    screenshot(page, "upload_report")
    page.get_by_role("link", name="FG1").click()
    page.wait_for_url("**/transcripts/*/")
    assert page.get_by_text("Leeds").is_visible()
    assert page.locator(".turn .speaker", has_text="P1").is_visible()
    screenshot(page, "transcript_read")


def test_a_file_over_the_limit_is_named_before_anything_is_sent(page, user, project, settings):
    settings.FG_MAX_UPLOAD_BYTES = 1000
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/transcripts/upload/")
    page.set_input_files(
        "#id_files",
        files=[
            {"name": "huge.txt", "mimeType": "text/plain", "buffer": b"P1: words " * 500},
            {"name": "small.txt", "mimeType": "text/plain", "buffer": b"P1: fine."},
        ],
    )
    warning = page.locator("#too-big")
    warning.wait_for()
    assert "huge.txt is larger than 1000" in warning.inner_text()
    assert page.locator("#upload-button").is_disabled()
    page.set_input_files(
        "#id_files", files=[{"name": "small.txt", "mimeType": "text/plain", "buffer": b"P1: ok."}]
    )
    assert warning.is_hidden() and page.locator("#upload-button").is_enabled()


def test_more_files_than_one_upload_takes_are_named_before_sending(page, user, project, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/transcripts/upload/")
    page.set_input_files(
        "#id_files",
        files=[
            {"name": f"FG{i}.txt", "mimeType": "text/plain", "buffer": b"P1: Hello."}
            for i in range(5)
        ],
    )
    expect(page.locator("#too-big")).to_contain_text("5 files are more than 3 in one upload")
    expect(page.locator("#upload-button")).to_be_disabled()
