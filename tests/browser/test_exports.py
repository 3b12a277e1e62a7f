"""Analysts download the theme-quote CSV and the framework matrix from the pages they use."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.browser.conftest import log_in, screenshot
from tests.themes.exports.conftest import study  # noqa: F401  (the coded study fixture)
from themes.exports.cells import recover


def test_analyst_filters_and_downloads_the_theme_quote_csv(page, study, tmp_path):  # noqa: F811
    log_in(page, study.owner)
    page.goto(f"/projects/{study.project.pk}/")
    page.get_by_role("link", name="Exports").click()
    page.wait_for_url("**/exports/")
    page.get_by_label("Groups (transcripts)").select_option(label="FG1")
    page.wait_for_selector("text=4 coded quotes match")  # htmx updated the counts and links
    page.get_by_label("CSV for Excel").check()
    page.wait_for_selector(".match-count")
    screenshot(page, "exports")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Theme-quote matrix (CSV)").click()
    download = download_info.value
    assert re.fullmatch(r"study-\d+-quotes-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    path = tmp_path / "quotes.csv"
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert {row["Group"] for row in rows} == {"FG1"}
    quotes = {recover(row["Quote"]) for row in rows}
    assert "Hacking worries me 😟\nand the wrong email, too." in quotes
    assert "=SUM(A1:A9) is how they think of us, honestly, just numbers." in quotes


def test_analyst_charts_a_summary_and_exports_the_framework_matrix(page, study, tmp_path):  # noqa: F811
    log_in(page, study.owner)
    page.goto(f"/projects/{study.project.pk}/")
    page.get_by_role("link", name="Matrix").click()
    page.wait_for_url("**/matrix/")
    cell = page.locator('td[data-case="P2"][data-column="Communication"]')
    assert "(FG1, P2, 00:14:22)" in cell.inner_text()
    cell.get_by_role("textbox").fill("Prefers letters to phone calls.")
    cell.get_by_role("button", name="Save").click()
    cell.locator(".saved").wait_for()
    star = page.locator('td[data-case="P1"][data-column="Safety"] button.star').first
    star.click()
    page.locator('td[data-case="P1"][data-column="Safety"] button.star.on').first.wait_for()
    screenshot(page, "framework-matrix")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export XLSX").click()
    path = tmp_path / "matrix.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(path)["Framework matrix"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True)}
    header = rows["Participant"]
    summary = rows["P2"][header.index("Communication: summary")]
    quotes = rows["P2"][header.index("Communication: quotes")]
    assert summary == "Prefers letters to phone calls."
    assert "Definitely letter." in quotes and "(FG1, P2, 00:14:22)" in quotes
    study.numbers.refresh_from_db()
    assert study.numbers.starred
