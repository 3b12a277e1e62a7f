"""Agreement statistics against the ``krippendorff`` package and Krippendorff's worked example,
and the units a project's codings make."""

from __future__ import annotations

import json
from io import StringIO

import krippendorff
import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coding.models import Assignment, Coding
from tests.conftest import member
from tests.themes.conftest import make_framework, make_transcript
from themes.agreement.measure import AgreementError, agreement_measure
from themes.agreement.stats import MISSING, alpha_nominal, bootstrap_alpha, cohen_kappa, figure

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, nominal data with missing values.
WORKED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def _ours(reliability):
    array = np.asarray(reliability, float).T  # units x coders
    return np.where(np.isnan(array), MISSING, array).astype(np.int64)


def test_worked_nominal_example():
    assert alpha_nominal(_ours(WORKED)) == pytest.approx(0.743, abs=5e-4)


def test_alpha_matches_the_krippendorff_package_on_random_data():
    rng = np.random.default_rng(20261202)
    compared = 0
    for _ in range(300):
        coders = int(rng.integers(2, 7))
        units = int(rng.integers(3, 40))
        categories = int(rng.integers(2, 6))
        data = rng.integers(0, categories, size=(coders, units)).astype(float)
        data[rng.random(size=data.shape) < rng.uniform(0, 0.4)] = NAN
        # agreement is more interesting than noise: copy the first coder now and then
        copy = rng.random(size=data.shape) < rng.uniform(0, 0.8)
        data = np.where(copy & ~np.isnan(data), data[0], data)
        ours = alpha_nominal(_ours(data))
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        except ValueError:  # the package refuses data with a single value
            theirs = NAN
        if ours is None:
            assert np.isnan(theirs) or theirs is None
            continue
        assert ours == pytest.approx(theirs, abs=1e-9)
        compared += 1
    assert compared >= 200


def test_weights_count_a_unit_several_times():
    values = np.array([[0, 0], [1, 1], [0, 1]])
    repeated = np.array([[0, 0], [0, 0], [0, 0], [1, 1], [0, 1]])
    assert alpha_nominal(values, np.array([3, 1, 1])) == pytest.approx(alpha_nominal(repeated))


def test_kappa_for_two_coders():
    # 2 x 2 table: both yes 20, yes/no 5, no/yes 10, both no 15 (kappa = 0.4)
    rows = [[1, 1]] * 20 + [[1, 0]] * 5 + [[0, 1]] * 10 + [[0, 0]] * 15
    assert cohen_kappa(np.array(rows)) == pytest.approx(0.4)


def test_bootstrap_interval_brackets_alpha_and_narrows_with_more_units():
    rng = np.random.default_rng(1)

    def sample(units):
        truth = rng.integers(0, 2, size=units)
        noisy = np.where(rng.random(units) < 0.15, 1 - truth, truth)
        return np.stack([truth, noisy], axis=1)

    small, large = sample(40), sample(1000)
    low, high = bootstrap_alpha(small, replicates=500)
    assert low <= alpha_nominal(small) <= high
    low2, high2 = bootstrap_alpha(large, replicates=500)
    assert high2 - low2 < (high - low) / 2


def test_no_variation_is_a_reason_not_a_nan():
    result = figure(np.array([[0, 0], [0, 0], [0, MISSING]]))
    assert result.alpha is None and result.ci is None
    assert "same value" in result.reason
    assert figure(np.array([[0, MISSING], [1, MISSING]])).units == 0


# -- units of a project ----------------------------------------------------------------------


@pytest.fixture
def team(project, user):
    """FG1 (6 participant turns) coded by two coders who both marked it done."""
    first, second = member(project, "coder"), member(project, "coder")
    first.username, second.username = "amy", "ben"
    first.save(), second.save()
    security, opt_out, contact = make_framework(project)
    transcript = make_transcript(project)
    turns = list(transcript.turns.filter(is_facilitator=False).order_by("order"))
    plan = {
        first: [security, opt_out, contact, security, opt_out, contact],
        second: [security, opt_out, contact, security, contact, contact],
    }
    for coder, codes in plan.items():
        Assignment.objects.create(transcript=transcript, coder=coder, done_at="2026-12-01T10:00Z")
        for turn, code in zip(turns, codes, strict=True):
            Coding.objects.create(
                transcript=transcript,
                code=code,
                coder=coder,
                start=turn.start,
                end=turn.start + 5,
                text=transcript.text[turn.start : turn.start + 5],
            )
    return {
        "transcript": transcript,
        "coders": (first, second),
        "codes": (security, opt_out, contact),
        "turns": turns,
    }


def test_turn_unit_figures_per_code_and_overall(project, team):
    result = agreement_measure(project=project, replicates=200)
    by_code = {row.path: row.figure for row in result.codes}
    assert by_code["Data security"].alpha == pytest.approx(1.0)
    opt_out = [[0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 0]]
    assert by_code["Opting out"].alpha == pytest.approx(
        krippendorff.alpha(reliability_data=opt_out, level_of_measurement="nominal")
    )
    assert by_code["Opting out"].agreement == pytest.approx(5 / 6)
    assert by_code["Opting out"].kappa == pytest.approx(cohen_kappa(np.array(opt_out).T))
    assert by_code["Opting out"].units == 6 and by_code["Opting out"].values == 12
    # overall: each turn's set of codes is one nominal value; turn 5 disagrees
    overall = [[0, 1, 2, 0, 1, 2], [0, 1, 2, 0, 2, 2]]
    assert result.overall.alpha == pytest.approx(
        krippendorff.alpha(reliability_data=overall, level_of_measurement="nominal")
    )
    low, high = result.overall.ci
    assert low <= result.overall.alpha <= high
    assert [c.username for c in result.coders] == ["amy", "ben"]


def test_a_coder_not_done_is_missing_not_zero(project, team):
    late = member(project, "coder")
    Assignment.objects.create(transcript=team["transcript"], coder=late)  # not done
    result = agreement_measure(project=project, replicates=0)
    assert len(result.coders) == 2  # the unfinished coder is left out, not counted as zeros
    assert result.codes[0].figure.kappa is not None
    Assignment.objects.filter(coder=late).update(done_at="2026-12-01T11:00Z")
    result = agreement_measure(project=project, replicates=0)
    assert len(result.coders) == 3
    by_code = {row.path: row.figure for row in result.codes}
    # the third coder applied nothing: a 0 on every unit, a disagreement wherever others said 1
    assert by_code["Data security"].alpha < 1.0
    assert by_code["Data security"].kappa is None


def test_character_unit_sees_partial_overlap_that_turns_hide(project, team):
    first, second = team["coders"]
    turn = team["turns"][0]
    # amy's coding of turn 1 now covers the whole turn; ben's still covers 5 characters
    Coding.objects.filter(coder=first, start=turn.start).update(end=turn.end)
    turns = agreement_measure(project=project, unit="turn", code_names=["Data security"])
    chars = agreement_measure(project=project, unit="character", code_names=["Data security"])
    assert turns.codes[0].figure.alpha == pytest.approx(1.0)
    assert chars.codes[0].figure.alpha < 0.9
    total = sum(t.end - t.start for t in team["turns"])
    assert chars.overall.units >= 6 and chars.overall.values == 2 * chars.overall.units
    assert total > chars.overall.units  # runs, not one row per character


def test_sentence_unit_splits_turns(project, user):
    from themes.agreement.measure import _sentences

    text = "I agree. Do you? Yes… “Quite so.” Then\nthis line."
    spans = [text[a:b].strip() for a, b in _sentences(text, 0, len(text))]
    assert spans == ["I agree.", "Do you?", "Yes…", "“Quite so.”", "Then", "this line."]


def test_bad_selections_have_clear_messages(project, team):
    with pytest.raises(AgreementError, match="at least two coders"):
        agreement_measure(project=project, coder_names=["amy"])
    with pytest.raises(AgreementError, match="No code called"):
        agreement_measure(project=project, code_names=["Nope"])
    with pytest.raises(AgreementError, match="No transcript called"):
        agreement_measure(project=project, transcript_names=["FG9"])
    Assignment.objects.filter(coder=team["coders"][1]).update(done_at=None)
    with pytest.raises(AgreementError):
        agreement_measure(project=project)


def test_a_code_nobody_used_says_so(project, team):
    from coding.models import Code

    Code.objects.create(project=project, name="Unused")
    result = agreement_measure(
        project=project, code_names=["Unused", "Data security"], replicates=0
    )
    unused = next(row for row in result.codes if row.path == "Unused")
    assert unused.figure.alpha is None and unused.used_by == 0
    assert unused.figure.reason


def test_command_prints_json(project, team):
    out = StringIO()
    call_command("agreement", str(project.pk), "--json", "--code", "Opting out", stdout=out)
    data = json.loads(out.getvalue())
    assert data["unit"] == "turn"
    assert data["overall"]["units"] == 6 and len(data["overall"]["ci"]) == 2
    assert [row["code"] for row in data["codes"]] == ["Opting out"]
    assert data["codes"][0]["kappa"] is not None


def test_command_refuses_with_the_reason(project, team):
    with pytest.raises(CommandError, match="at least two coders"):
        call_command("agreement", project.name, "--coder", "amy", stdout=StringIO())


def test_the_fast_binary_bootstrap_equals_the_general_one():
    from themes.agreement.stats import bootstrap_alphas

    rng = np.random.default_rng(3)
    table = rng.integers(0, 2, size=(300, 3))
    table[rng.random(table.shape) < 0.1] = MISSING
    relabelled = np.where(table == 1, 2, table)  # the same data, not 0/1: the general path
    fast, general = bootstrap_alphas([table, relabelled], replicates=300, seed=9)
    assert fast == pytest.approx(general, abs=1e-12)
