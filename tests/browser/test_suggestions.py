from __future__ import annotations

from coding.models import Coding
from tests.browser.conftest import log_in, screenshot
from tests.themes.conftest import TURNS, make_framework, make_transcript
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
    # after Accept the table still fits its card, and passages keep a readable width
    fits = page.evaluate(
        "() => { const t = document.querySelector('#queue table'); const c = t.closest('.card');"
        " return [t.scrollWidth, c.clientWidth]; }"
    )
    assert fits[0] <= fits[1]
    passage = page.locator(f"#suggestion-{second_id} td").first.bounding_box()
    assert passage is not None and passage["width"] >= 300

    page.reload()  # the accepted passage is coded now: it has left the queue
    assert page.locator(f"#suggestion-{first_id}").count() == 0
    screenshot(page, "suggestions-reviewed")


def test_accepting_a_suggestion_on_the_coding_screen_highlights_it_without_reloading(
    page, user, project
):
    code = make_framework(project)[0]
    transcript = make_transcript(project)
    turn = transcript.turns.order_by("order")[1]
    suggestion = Suggestion.objects.create(
        project=project,
        transcript=transcript,
        code=code,
        start=turn.start,
        end=turn.end,
        text=transcript.text[turn.start : turn.end],
        confidence=0.9,
    )
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/transcripts/{transcript.pk}/code/")
    page.evaluate("window.notReloaded = true")
    card = page.locator(f"#suggestions-panel #suggestion-{suggestion.pk}")
    card.get_by_role("button", name="Accept").click()
    page.locator(f'#suggestion-{suggestion.pk}[data-status="accepted"]').wait_for()

    coding = Coding.objects.get(transcript=transcript, code=code)
    page.locator(f"#coding-{coding.pk}").wait_for()  # the turn's margin bar, swapped in
    segment = page.locator(f'.turn-text[data-start="{turn.start}"] .seg[data-codings]')
    assert str(coding.pk) in segment.first.get_attribute("data-codings").split()
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "coding_screen_suggestions")


def test_a_suggestion_shows_its_reason_and_confidence_word_and_a_vague_passage_gets_none(
    page, user, project
):
    make_framework(project)
    vague = "The sandwiches at lunch were lovely, thank you."
    make_transcript(project, turns=[*TURNS, ("P2", vague)])
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/suggestions/")
    page.get_by_role("button", name="Suggest codes").click()
    page.locator('#run-job .job[data-status="done"]').wait_for()
    row = page.locator("#queue tr.suggestion", has_text="opt out and whether").first
    row.wait_for()

    suggestion = Suggestion.objects.get(pk=int(row.get_attribute("id").split("-")[1]))
    assert suggestion.code.name == "Opting out"
    word = row.locator(".confidence")
    assert word.inner_text() == "likely"
    assert f"{suggestion.percent}% confidence" in word.get_attribute("title")
    why = row.locator("td.why").inner_text()
    # The phrase of the passage and the clause of the definition that it matched.
    assert f"“{suggestion.explanation['phrase']}” matches the definition" in why
    assert "opt out of data sharing" in why

    unsure = page.locator("#unsure")
    unsure.wait_for()
    item = unsure.locator("li", has_text="sandwiches at lunch")
    assert "no confident suggestion" in item.inner_text()
    assert not Suggestion.objects.filter(text=vague).exists()
    screenshot(page, "suggestions-confidence")
