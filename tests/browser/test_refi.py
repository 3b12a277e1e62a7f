from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import log_in, screenshot
from tests.coding.refi_support import assert_valid_qdpx, shared_dir


def test_analyst_imports_a_qdpx_opens_the_project_and_exports_it_again(page, user):
    sample = shared_dir() / "samples" / "qc-1.3.2_demo.qdpx"
    log_in(page, user)
    page.set_input_files("#refi-file", str(sample))
    page.fill("#refi-name", "Schools study")
    page.get_by_role("button", name="Import project").click()
    page.get_by_role("link", name="Open Schools study").wait_for()
    assert page.locator(".refi-import-status").get_attribute("data-status") == "done"
    screenshot(page, "refi-import-report")
    page.get_by_role("link", name="Open Schools study").click()
    assert page.get_by_role("cell", name="board_2017").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export project (.qdpx)").click()
    download = download_info.value
    assert download.suggested_filename == "schools-study.qdpx"
    archive = assert_valid_qdpx(Path(download.path()).read_bytes())
    assert len([n for n in archive.namelist() if n.startswith("sources/")]) == 2
