from __future__ import annotations

import csv
import io

from coding.models import Code, Coding
from tests.browser.conftest import log_in, screenshot
from tests.transcripts.files import zip_bytes
from transcripts.models import Identifier, Membership, Transcript

TEXT = (
    "Moderator: What happened?\n\n"
    "P1: My daughter Sophie rang Riverside Medical Practice about it.\n\n"
    "P2: I told Dr Okafor at the bus depot, and I hope it helps.\n\n"
    "P3: Ring me on 07700 900123 if you like."
)


def test_owner_detects_reviews_applies_and_a_coder_sees_only_pseudonyms(
    page, user, project, coder, browser, live_server
):
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/transcripts/upload/")
    page.set_input_files(
        "#id_files",
        files=[{"name": "groups.zip", "mimeType": "application/zip",
                "buffer": zip_bytes({"FG1.txt": TEXT})}],
    )  # fmt: skip
    page.get_by_role("button", name="Upload and read").click()
    page.wait_for_selector('#batch[data-status="review"]')
    page.get_by_role("button", name="Import 1 file").click()
    page.wait_for_selector('#batch[data-status="done"]')
    transcript = Transcript.objects.get(project=project)
    code = Code.objects.create(project=project, name="Contact", definition="being contacted")
    start = transcript.text.index("My daughter")
    end = transcript.text.index(" about it")
    Coding.objects.create(
        transcript=transcript, code=code, coder=user, start=start, end=end,
        text=transcript.text[start:end],
    )  # fmt: skip

    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Pseudonymise").click()
    page.get_by_role("button", name="Find identifiers").click()
    page.locator('#detect-job .job[data-status="done"]').wait_for()
    page.reload()
    sophie = Identifier.objects.get(project=project, key="sophie")
    practice = Identifier.objects.get(project=project, key="riverside medical practice")
    okafor = Identifier.objects.get(project=project, key="okafor")
    phone = Identifier.objects.get(project=project, key="07700 900123")
    for identifier in (sophie, practice, phone):
        page.locator(f"#identifier-{identifier.pk}").get_by_role("button", name="Accept").click()
        page.locator(f'#identifier-{identifier.pk}[data-status="accepted"]').wait_for()
    page.locator(f"#identifier-{okafor.pk}").get_by_role("button", name="Reject").click()
    page.locator(f'#identifier-{okafor.pk}[data-status="rejected"]').wait_for()

    # A missed identifier, marked by selecting it in a context on the page.
    context = page.locator(f"#identifier-{okafor.pk} .context").first
    page.evaluate(
        """(el) => { const text = el.lastChild; const at = text.textContent.indexOf('bus depot');
        const range = document.createRange(); range.setStart(text, at);
        range.setEnd(text, at + 'bus depot'.length);
        const s = window.getSelection(); s.removeAllRanges(); s.addRange(range);
        el.dispatchEvent(new MouseEvent('mouseup', {bubbles: true})); }""",
        context.element_handle(),
    )
    form = page.locator("#identifier-add")
    assert form.locator('input[name="text"]').input_value() == "bus depot"
    form.locator('select[name="type"]').select_option("PLACE")
    form.get_by_role("button", name="Mark everywhere").click()
    page.get_by_text("Marked “bus depot”").wait_for()
    page.get_by_role("button", name="Replace accepted identifiers").click()
    page.get_by_text("replacements in 1 transcripts").wait_for()
    screenshot(page, "pseudonymise")

    transcript.refresh_from_db()
    coding = Coding.objects.get(transcript=transcript)
    assert coding.text == "My daughter [Person 1] rang [GP practice 1]"
    assert transcript.text[coding.start : coding.end] == coding.text
    assert "Dr Okafor" in transcript.text  # rejected: left as written

    coder_context = browser.new_context(base_url=live_server.url)
    coder_page = coder_context.new_page()
    log_in(coder_page, coder)
    coder_page.goto(f"/projects/{project.pk}/transcripts/{transcript.pk}/code/")
    screen = coder_page.locator("main").inner_text()
    assert "[Person 1]" in screen and "[Contact 1]" in screen and "[Place 1]" in screen
    for original in ("Sophie", "Riverside", "07700", "bus depot"):
        assert original not in screen
    download = coder_page.request.get(f"/projects/{project.pk}/exports/quotes.csv")
    rows = list(csv.reader(io.StringIO(download.text().lstrip("\ufeff"))))
    assert rows[0][-1] == "Pseudonymised" and "[Person 1]" in rows[1][2]
    assert coder_page.request.get(f"/projects/{project.pk}/pseudonymise/key.csv").status == 403
    coder_context.close()

    key = page.request.get(f"/projects/{project.pk}/pseudonymise/key.csv")
    assert "Sophie,[Person 1]" in key.text()
    page.goto(f"/projects/{project.pk}/pseudonymise/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#identifier-{phone.pk}").get_by_role("button", name="Reverse").click()
    page.get_by_text("Restored the original words in 1 places.").wait_for()
    transcript.refresh_from_db()
    assert "07700 900123" in transcript.text and "[Person 1]" in transcript.text
    assert Membership.objects.filter(project=project, user=coder).exists()


def test_owner_marks_a_missed_identifier_by_selecting_it_on_the_coding_screen(page, user, project):
    from tests.themes.conftest import make_transcript

    transcript = make_transcript(
        project, turns=[("P1", "We met at the Dog and Duck most Fridays, me and Gaz.")]
    )
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/transcripts/{transcript.pk}/code/")
    page.evaluate(
        """() => { const el = document.querySelector('.turn-text');
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); let node;
        while ((node = walker.nextNode())) {
          const at = node.textContent.indexOf('Dog and Duck'); if (at < 0) continue;
          const range = document.createRange(); range.setStart(node, at);
          range.setEnd(node, at + 'Dog and Duck'.length); const s = window.getSelection();
          s.removeAllRanges(); s.addRange(range);
          el.dispatchEvent(new MouseEvent('mouseup', {bubbles: true})); return; } }"""
    )
    form = page.locator("#identifier-mark")
    assert form.locator("#identifier-text").input_value() == "Dog and Duck"
    form.locator("select").select_option("ORG")
    form.get_by_role("button", name="Mark as identifier").click()
    page.get_by_text("Marked “Dog and Duck” (1 place).").wait_for()
    assert page.url.endswith(f"/transcripts/{transcript.pk}/code/")
    identifier = Identifier.objects.get(project=project, key="dog and duck")
    assert (identifier.type, identifier.status) == ("ORG", "accepted")
