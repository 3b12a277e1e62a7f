from __future__ import annotations

from coding.models import Coding
from tests.browser.conftest import log_in, screenshot
from tests.themes.conftest import make_framework, make_transcript
from themes.models import Suggestion


def test_analyst_runs_suggestions_accepts_one_and_rejects_one(page, user, project):
    make_framework(project)
    transcript = make_transcript(project)
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Suggestions").click()
    page.get_by_role("button", name="Suggest codes").click()

    job = page.locator('#run-job .job[data-status="done"]')
    job.wait_for()
    assert page.locator("#run-job progress").get_attribute("value") == "100"
    rows = page.locator("#queue tr.suggestion")
    rows.first.wait_for()
    screenshot(page, "suggestions")

    first, second = rows.nth(0), rows.nth(1)
    first_id = int(first.get_attribute("id").split("-")[1])
    second_id = int(second.get_attribute("id").split("-")[1])
    first.get_by_role("button", name="Accept", exact=True).click()
    page.locator(f'#suggestion-{first_id}[data-status="accepted"]').wait_for()
    page.locator(f"#suggestion-{second_id}").get_by_role("button", name="Reject").click()
    page.locator(f'#suggestion-{second_id}[data-status="rejected"]').wait_for()

    accepted = Suggestion.objects.get(pk=first_id)
    coding = Coding.objects.get(transcript=transcript)
    assert (coding.code_id, coding.start, coding.end, coding.origin) == (
        accepted.code_id,
        accepted.start,
        accepted.end,
        "suggestion",
    )
    assert Suggestion.objects.get(pk=second_id).status == "rejected"
    assert f"coded “{coding.text[:20]}" in page.locator(f"#suggestion-{first_id}").inner_text()

    page.reload()  # the accepted passage is coded now: it has left the queue
    assert page.locator(f"#suggestion-{first_id}").count() == 0
    screenshot(page, "suggestions-reviewed")
