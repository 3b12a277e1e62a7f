"""The coding screen in Chromium: select with the mouse, code, overlap, open, remove."""

from __future__ import annotations

import pytest

from coding.models import Coding
from tests.browser.conftest import log_in, screenshot, wait_until
from tests.coding.conftest import transcript_with_turns
from tests.factories import CodeFactory

# "Café" with e + U+0301 (two code points, as some tools write it) and emoji with a skin tone
# (two code points, four UTF-16 units) before and inside the selections.
P1 = "Cafe\u0301 \U0001f44d\U0001f3fd was great, the staff \U0001f44d\U0001f3fd listened to us."
P2 = "I'd want a letter explaining it. Nobody told me I could opt out."

# Where `needle` sits in a turn's text, as mouse coordinates (first and last character).
LOCATE = """([turnId, needle]) => {
  const root = document.querySelector("#" + turnId + " .turn-text");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push([n, text.length]);
    text += n.data;
  }
  const locate = (pos) => {
    for (let k = nodes.length - 1; k >= 0; k--) {
      if (nodes[k][1] <= pos) return [nodes[k][0], pos - nodes[k][1]];
    }
  };
  const rectOf = (pos) => {
    const [node, offset] = locate(pos);
    const range = document.createRange();
    range.setStart(node, offset);
    range.setEnd(node, offset + 1);
    return range.getClientRects()[0];
  };
  const first = rectOf(text.indexOf(needle));
  const last = rectOf(text.indexOf(needle) + needle.length - 1);
  return {
    x1: first.left + 1, y1: (first.top + first.bottom) / 2,
    x2: last.right - 1, y2: (last.top + last.bottom) / 2,
  };
}"""


def drag_select(page, turn, needle):
    box = page.evaluate(LOCATE, [f"turn-{turn.pk}", needle])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=6)
    page.mouse.up()
    wait_until(
        page,
        "(needle) => document.getElementById('selection-preview').textContent.includes(needle)",
        arg=needle[:20],
    )


@pytest.fixture
def focus_group(project):
    return transcript_with_turns(project, [("Moderator", "How was it?"), ("P1", P1), ("P2", P2)])


def open_screen(page, user, transcript):
    log_in(page, user)
    page.goto(f"/projects/{transcript.project_id}/transcripts/{transcript.pk}/code/")


def test_select_text_with_the_mouse_and_code_it_with_exact_code_point_offsets(
    page, user, project, focus_group
):
    CodeFactory(project=project, name="Praise", colour="#6fcf97")
    open_screen(page, user, focus_group)
    turn = focus_group.turns.get(speaker_label="P1")
    needle = "great, the staff \U0001f44d\U0001f3fd listened"
    drag_select(page, turn, needle)
    page.get_by_label("Praise").check()
    page.get_by_role("button", name="Apply codes").click()
    page.locator("#coding-panel .ok").wait_for()
    assert "Coded as Praise." in page.locator("#coding-panel").inner_text()
    coding = Coding.objects.get()
    start = focus_group.text.index(needle)  # Python counts code points, as the server stores
    assert (coding.start, coding.end, coding.text) == (start, start + len(needle), needle)
    assert coding.coder == user
    segment = page.locator(f"#turn-{turn.pk} .seg")
    assert segment.inner_text() == needle
    screenshot(page, "coding_screen_coded")


def test_overlap_two_codes_by_keyboard_then_open_and_remove_one(page, user, project, focus_group):
    CodeFactory(project=project, name="Communication", colour="#bb6bd9")
    CodeFactory(project=project, name="Opting out", colour="#56ccf2")
    open_screen(page, user, focus_group)
    turn = focus_group.turns.get(speaker_label="P2")
    drag_select(page, turn, "letter explaining it. Nobody told me")
    page.keyboard.press("c")  # jump to the code filter, type ahead, Enter ticks, Enter applies
    page.keyboard.type("commu")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.locator("#coding-panel .ok").wait_for()
    drag_select(page, turn, "Nobody told me I could opt out")
    page.keyboard.press("c")
    page.keyboard.type("opting")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelectorAll('.seg').length === 3")
    overlap = page.locator(f"#turn-{turn.pk} .seg").nth(1)
    assert overlap.inner_text() == "Nobody told me"
    assert len(overlap.get_attribute("data-codings").split()) == 2
    assert page.locator(f"#turn-{turn.pk} .bar").count() == 2
    screenshot(page, "coding_screen_overlap")

    overlap.click()
    cards = page.locator("#coding-panel .coding-card")
    cards.nth(1).wait_for()
    assert cards.count() == 2
    card = cards.filter(has=page.get_by_role("heading", name="Communication"))
    card.get_by_role("button", name="Remove coding").click()
    page.locator("#coding-panel .ok", has_text="Removed Communication.").wait_for()
    assert [c.code.name for c in Coding.objects.all()] == ["Opting out"]
    wait_until(page, "document.querySelectorAll('.seg').length === 1")
    assert page.locator(".seg").inner_text() == "Nobody told me I could opt out"
    screenshot(page, "coding_screen_panel")


def test_select_and_code_with_the_keyboard_alone(page, user, project, focus_group):
    CodeFactory(project=project, name="Praise", colour="#6fcf97")
    open_screen(page, user, focus_group)
    turn = focus_group.turns.get(speaker_label="P1")
    text = page.locator(f"#turn-{turn.pk} .turn-text")
    text.focus()  # as Tab would
    page.keyboard.press("Control+ArrowRight")  # the cursor moves past "Café"
    page.keyboard.press("ArrowRight")  # and the space
    preview = page.locator("#selection-preview")
    assert "Cursor at character" in preview.inner_text()
    for _ in range(4):  # 👍🏽 is one character to the reader, two code points, four UTF-16 units
        page.keyboard.press("Control+Shift+ArrowRight")
    needle = "\U0001f44d\U0001f3fd was great,"
    wait_until(
        page,
        "(n) => document.getElementById('selection-preview').textContent.includes(n)",
        arg=needle,
    )
    page.keyboard.press("c")
    page.keyboard.type("praise")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.locator("#coding-panel .ok").wait_for()
    coding = Coding.objects.get()
    start = focus_group.text.index(needle)
    assert (coding.start, coding.end, coding.text) == (start, start + len(needle), needle)


def test_code_a_whole_turn_and_find_it_again_from_retrieval(page, user, project, focus_group):
    code = CodeFactory(project=project, name="Views on sharing")
    open_screen(page, user, focus_group)
    turn = focus_group.turns.get(speaker_label="P1")
    page.get_by_label("Views on sharing").check()
    page.locator(f"#turn-{turn.pk}").get_by_role("button", name="Code this turn").click()
    page.locator("#coding-panel .ok").wait_for()
    coding = Coding.objects.get()
    assert (coding.start, coding.end, coding.text) == (turn.start, turn.end, P1)

    page.goto(f"/projects/{project.pk}/codes/{code.pk}/quotes/")
    screenshot(page, "retrieval")
    page.get_by_role("link", name="Show in transcript").click()
    page.wait_for_url(f"**#coding-{coding.pk}")
    page.locator(f"#card-{coding.pk}").wait_for()
    assert page.locator(f"#turn-{turn.pk} .seg.flash").count() == 1
    screenshot(page, "coding_screen_from_retrieval")


def test_search_finds_a_word_despite_accents_and_codes_its_sentence(
    page, user, project, focus_group
):
    CodeFactory(project=project, name="Praise")
    log_in(page, user)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Words or").fill("cafe")
    page.get_by_label("Words or").press("Enter")
    page.locator("mark", has_text="Cafe\u0301").wait_for()
    page.get_by_label("Code hits as").select_option(label="Praise")  # no code until chosen
    page.get_by_role("button", name="Sentence").click()
    page.locator(".kwic-code .ok").wait_for()
    screenshot(page, "search")
    assert Coding.objects.get().text == P1  # the whole sentence around the match


def test_adjust_a_codings_boundaries_to_a_new_selection_and_by_a_word(
    page, user, project, focus_group
):
    code = CodeFactory(project=project, name="Opting out")
    turn = focus_group.turns.get(speaker_label="P2")
    coding = Coding.objects.create(
        transcript=focus_group, code=code, coder=user, start=turn.start, end=turn.end, text=P2
    )
    open_screen(page, user, focus_group)
    drag_select(page, turn, "Nobody told me I could")
    page.locator(f"#coding-{coding.pk}").click()  # its margin bar opens it in the panel
    page.get_by_role("button", name="Set span to selection").click()
    page.locator("#coding-panel .ok", has_text="Coding saved.").wait_for()
    coding.refresh_from_db()
    assert coding.text == "Nobody told me I could"
    page.get_by_role("button", name="end ▶").click()
    wait_until(page, "document.querySelector('.seg').textContent === 'Nobody told me I could opt'")
    coding.refresh_from_db()
    assert coding.text == "Nobody told me I could opt"


def test_a_300k_character_transcript_with_5000_codings_opens_light_and_codes_near_its_end(
    page, user, project
):
    """The big document: the page sent is lighter than Taguette's (about 720 KB), the first
    turns are selectable at once, and scrolling to the end fetches the last window, where a
    selection across emoji and other codings is stored at exact code-point offsets."""
    from bench.documents import big_transcript

    codes = [CodeFactory(project=project, name=f"Code {n}") for n in range(12)]
    wanted = CodeFactory(project=project, name="Near the end", colour="#eb5757")
    big = big_transcript(project=project, coder=user, codes=codes)
    assert len(big.text) >= 300_000 and big.codings.count() >= 4_900
    log_in(page, user)
    response = page.goto(f"/projects/{project.pk}/transcripts/{big.pk}/code/")
    assert len(response.body()) < 720_000
    first = page.locator(".turn-text").first
    first.wait_for(state="visible")

    last = big.turns.order_by("order").last()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.locator(f"#turn-{last.pk}").wait_for(state="attached")
    page.locator(f"#turn-{last.pk}").scroll_into_view_if_needed()
    turn_text = big.text[last.start : last.end]
    needle = turn_text[-40:-2]
    drag_select(page, last, needle)
    page.get_by_label("Near the end").check()
    page.get_by_role("button", name="Apply codes").click()
    page.locator("#coding-panel .ok").wait_for()
    coding = Coding.objects.get(code=wanted)
    start = big.text.index(needle, last.start)
    expected = big.text[start : start + len(needle)].strip()
    assert coding.text == expected
    assert big.text[coding.start : coding.end] == expected
    assert last.start <= coding.start < coding.end <= last.end
    # The window's other codings are still drawn beside the new one.
    assert page.locator(f"#turn-{last.pk} .bar").count() >= 1
    screenshot(page, "coding_screen_big_document_end", full_page=False)
