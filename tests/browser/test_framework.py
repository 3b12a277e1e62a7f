from __future__ import annotations

from playwright.sync_api import expect

from coding.models import Code
from tests.browser.conftest import log_in, screenshot
from tests.factories import CodingFactory, TranscriptFactory


def test_analyst_builds_a_theme_with_a_sub_code_without_reloading(page, user, project, tmp_path):
    transcript = TranscriptFactory(project=project, name="FG1")
    TranscriptFactory(project=project, name="FG2")
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Framework", exact=True).click()
    page.wait_for_url(f"**/projects/{project.pk}/framework/")
    page.evaluate("window.notReloaded = true")

    page.get_by_role("link", name="New theme").click()
    page.get_by_label("Name").fill("Data safety")
    page.get_by_label("Definition").fill("Whether data can be kept secure.")
    page.get_by_role("button", name="Add").click()
    theme = page.locator(".code-row", has_text="Data safety")
    theme.wait_for()

    page.get_by_role("link", name="Add a sub-code to Data safety").click()
    expect(page.get_by_role("heading", name="New sub-code of “Data safety”")).to_be_visible()
    page.get_by_label("Name").fill("Hacking")
    page.get_by_role("button", name="Add").click()
    sub_code = page.locator('.code-row[aria-level="2"]', has_text="Hacking")
    sub_code.wait_for()

    assert page.evaluate("window.notReloaded") is True  # htmx swapped, no full reload
    expect(page.locator("#code-panel .notice")).to_have_text("Added 'Hacking'.")
    names = page.locator(".code-row .code-name").all_inner_texts()
    assert names == ["Data safety", "Hacking"]
    hacking = Code.objects.get(project=project, name="Hacking")
    assert hacking.parent.name == "Data safety"

    csv_file = tmp_path / "more.csv"  # the file upload goes through htmx as well
    csv_file.write_text("name,parent\nHuman error,Data safety\n", encoding="utf-8")
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("Framework CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#code-panel .notice")).to_have_text(
        "1 code created, 0 updated, 0 unchanged."
    )
    expect(page.locator('.code-row[aria-level="2"]')).to_have_count(2)
    assert page.evaluate("window.notReloaded") is True

    CodingFactory(transcript=transcript, code=hacking, coder=user)
    page.reload()
    assert page.locator(".count-table tbody tr").first.locator("td").first.inner_text() == "1"
    screenshot(page, "framework")
