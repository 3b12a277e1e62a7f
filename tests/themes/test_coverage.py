"""Coverage and progress on the project page, against the hand-built project of the
cross-case tests: coded participant turns, codes used, open suggestions and the first
uncoded turn per transcript, and each coder's share of what they are assigned."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding.models import Assignment, BlindPhase, Coding
from tests.themes.test_crosscase import study  # noqa: F401  (the fixture)
from themes.crosscase.coverage import coverage
from themes.models import Suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def progress(project, user, study):  # noqa: F811
    fg1, fg2, other = study["fg1"], study["fg2"], study["other"]
    # FG2's first participant turn (P4) was coded only by the other coder: uncode it.
    Coding.objects.filter(transcript=fg2, coder=other).delete()
    Assignment.objects.create(transcript=fg1, coder=other)
    turn = fg1.turns.get(order=3)
    Suggestion.objects.create(project=project, transcript=fg1, code=study["letter"],
                              start=turn.start, end=turn.end, text="Hackers worry me.",
                              confidence=0.4)  # fmt: skip
    return study


def test_coverage_per_transcript_and_coder(project, user, progress):
    fg2, other = progress["fg2"], progress["other"]
    table = coverage(project, user)
    assert (table.turns, table.coded, table.uncoded, table.suggestions) == (6, 5, 1, 1)
    rows = {row.label: row for row in table.transcripts}
    assert [row.label for row in table.transcripts] == ["FG1", "FG2"]
    assert (rows["FG1"].coded, rows["FG1"].turns, rows["FG1"].codes) == (4, 4, 3)
    assert rows["FG1"].suggestions == 1 and rows["FG1"].first_uncoded is None
    assert (rows["FG2"].coded, rows["FG2"].turns, rows["FG2"].codes) == (1, 2, 2)
    assert rows["FG2"].first_uncoded == fg2.turns.get(order=1).pk  # P4, the facilitator skipped
    assert rows["FG2"].share == pytest.approx(0.5)
    coders = {row.label: row for row in table.coders}
    mine = coders[user.get_username()]
    assert (mine.coded, mine.turns, mine.codes, mine.done) == (5, 6, 3, "")
    theirs = coders[other.get_username()]
    assert (theirs.coded, theirs.turns, theirs.codes) == (1, 4, 1)  # assigned FG1 only
    assert theirs.done == "0 of 1 assigned marked done"


def test_coverage_follows_new_codings_and_blind_coding(project, user, progress):
    fg2, other = progress["fg2"], progress["other"]
    assert coverage(project, user).coded == 5
    from coding.services.codings import coding_apply

    turn = fg2.turns.get(order=1)
    coding_apply(transcript=fg2, code=progress["letter"], coder=user, start=turn.start,
                  end=turn.end)  # fmt: skip
    assert coverage(project, user).coded == 6  # the audit event moved the version on
    BlindPhase.objects.create(project=project, transcript=None, started_by=user)
    blind = coverage(project, other)  # a coder, blind: their own codings only
    assert blind.coded == 1
    assert [row.label for row in blind.coders] == [other.get_username()]


def test_project_page_loads_progress_with_bars_and_links(client, project, user, progress):
    client.force_login(user)
    page = client.get(reverse("transcripts:project_detail", args=[project.pk]))
    url = reverse("themes:project_progress", args=[project.pk])
    assert f'hx-get="{url}"'.encode() in page.content
    panel = client.get(url).content.decode()
    assert "5 of 6</strong> participant turns coded" in panel
    assert panel.count('class="meter"') == 1 + 2 + 2  # project, two transcripts, two coders
    assert 'aria-label="50% of its participant turns coded"' in panel
    screen = reverse("coding:coding_screen", args=[project.pk, progress["fg2"].pk])
    turn = progress["fg2"].turns.get(order=1)
    assert f"{screen}?at={turn.start}#turn-{turn.pk}" in panel
    suggestions = reverse("themes:suggestions", args=[project.pk])
    assert f"{suggestions}?transcript={progress['fg1'].pk}&amp;min=0" in panel


def test_progress_is_for_members_only(client, project, outsider):
    client.force_login(outsider)
    assert client.get(reverse("themes:project_progress", args=[project.pk])).status_code == 404
