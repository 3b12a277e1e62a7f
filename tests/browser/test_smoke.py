from __future__ import annotations

from tests.browser.conftest import log_in, screenshot
from tests.factories import TranscriptFactory


def test_analyst_logs_in_and_opens_a_project(page, user, project):
    TranscriptFactory(project=project, name="FG3", site="Leeds")
    page.goto("/")
    screenshot(page, "login")
    log_in(page, user)
    page.get_by_role("link", name=project.name).click()
    page.wait_for_url(f"**/projects/{project.pk}/")
    assert page.get_by_role("heading", name=project.name).is_visible()
    assert page.get_by_role("cell", name="FG3").is_visible()
    screenshot(page, "project")


def test_verify_job_shows_a_finished_progress_bar(page, user, project):
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("button", name="Check codings against their text").click()
    job = page.locator("#new-job .job")
    job.wait_for()
    assert job.get_attribute("data-status") == "done"
    assert page.locator("#new-job progress").get_attribute("value") == "100"
