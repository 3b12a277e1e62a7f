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


def test_drag_a_code_into_a_theme_then_to_the_top(page, user, project):
    from coding.services.codes import code_create

    safety = code_create(project=project, user=user, name="Data safety")
    code_create(project=project, user=user, name="Hacking", parent=safety)
    code_create(project=project, user=user, name="Opting out")
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/framework/")

    def line(name):
        return page.locator(".code-row", has_text=name).locator(".code-line").first

    # The middle of a row: inside it, as its last sub-code.
    box = line("Data safety").bounding_box()
    line("Opting out").drag_to(
        line("Data safety"), target_position={"x": 40, "y": box["height"] / 2}
    )
    expect(page.locator("#code-panel .notice")).to_have_text(
        "Moved 'Opting out' under 'Data safety', place 2."
    )
    expect(page.locator('.code-row[aria-level="2"]')).to_have_count(2)
    assert page.locator(".code-row .code-name").all_inner_texts() == [
        "Data safety", "Hacking", "Opting out",
    ]  # fmt: skip

    # The top edge of a row: before it, as its sibling.
    line("Opting out").drag_to(line("Data safety"), target_position={"x": 40, "y": 2})
    expect(page.locator("#code-panel .notice")).to_have_text(
        "Moved 'Opting out' among the themes, place 1."
    )
    assert page.locator(".code-row .code-name").all_inner_texts() == [
        "Opting out", "Data safety", "Hacking",
    ]  # fmt: skip
    opting = Code.objects.get(project=project, name="Opting out")
    assert opting.parent is None and opting.order == 0


def test_merge_two_codes_then_undo_it_from_the_notice(page, user, project):
    from coding.models import Coding
    from coding.services.codes import code_create

    transcript = TranscriptFactory(project=project, name="FG1")
    safety = code_create(project=project, user=user, name="Data safety")
    security = code_create(project=project, user=user, name="Security")
    coding = CodingFactory(transcript=transcript, code=safety, coder=user)
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/framework/")
    page.get_by_role("link", name="Merge Data safety").click()
    page.locator("#code-panel select").select_option(label="Security")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.locator("#code-panel .notice")).to_contain_text("Merged 'Data safety' into")
    assert page.locator(".code-row .code-name").all_inner_texts() == ["Security"]
    assert Coding.objects.get(pk=coding.pk).code_id == security.pk
    screenshot(page, "framework_merge_undo_offered")
    page.get_by_role("button", name="Undo the merge of “Data safety”").click()
    expect(page.locator("#code-panel .notice")).to_contain_text("Merge undone: 'Data safety'")
    expect(page.locator(".code-row .code-name")).to_have_text(["Data safety", "Security"])
    assert Coding.objects.get(pk=coding.pk).code.name == "Data safety"
    expect(page.get_by_role("button", name="Undo the merge of “Data safety”")).to_have_count(0)
