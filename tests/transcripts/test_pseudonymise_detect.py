"""Identifier detection: patterns, context, gazetteers and the decoy rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from transcripts.pseudonymise.detect import Detector, nhs_number_valid
from transcripts.pseudonymise.evaluation import read_gold, score

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "eval" / "pseudonymisation"
PROBE = ROOT / "tests" / "data" / "pseudonymisation_probe.jsonl"


@pytest.fixture(scope="module")
def detector():
    return Detector()


def found(detector, text, **known):
    finder = Detector(**known) if known else detector
    return [(c.text, c.type) for c in finder.detect(text)]


def test_nhs_numbers_need_their_modulus_11_check_digit(detector):
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    assert found(detector, "My NHS number is 943 476 5919.") == [("943 476 5919", "ID")]
    assert ("943 476 5918", "ID") not in found(detector, "The code 943 476 5918 was wrong.")


def test_contacts_ids_postcodes_and_dates_by_their_shape(detector):
    text = (
        "Ring 07700 900123 or +44 (0)113 496 0456, email jo.bloggs@example.org, ref AB-12345, "
        "NI QQ 12 34 56 C, post to LS6 2QT; I was born on 4th of June 1950."
    )
    got = found(detector, text)
    for item in [
        ("07700 900123", "CONTACT"),
        ("+44 (0)113 496 0456", "CONTACT"),
        ("jo.bloggs@example.org", "CONTACT"),
        ("AB-12345", "ID"),
        ("QQ 12 34 56 C", "ID"),
        ("LS6 2QT", "PLACE"),
        ("4th of June 1950", "DATE"),
    ]:
        assert item in got, item
    assert found(detector, "call me on 999 or NHS 111 if it is urgent") == []
    spoken = found(detector, "it's ann dot frost at example dot com, ann with no e")
    assert ("ann dot frost at example dot com", "CONTACT") in spoken
    assert ("ann", "PERSON") in spoken  # the address gives the name away


def test_people_by_title_kinship_label_and_name_lists(detector):
    got = found(detector, "My son Kieran said Dr Adebayo and nurse Flynn were kind.")
    assert ("Kieran", "PERSON") in got and ("Adebayo", "PERSON") in got
    assert ("Flynn", "PERSON") in got
    assert found(detector, "Gareth: I agree with that.") == [("Gareth", "PERSON")]
    assert found(detector, "Moderator: shall we move on?") == []
    assert ("Mr K. Jones"[3:], "PERSON") in found(detector, "a letter from Mr K. Jones")
    # lower-case speech-to-text: a first name that is not an English word
    assert ("priya", "PERSON") in found(detector, "then priya said it was fine")


def test_names_that_are_words_need_context(detector):
    assert found(detector, "I hope it gets better. We will see.") == []
    assert ("Hope", "PERSON") in found(detector, "My friend Hope works at the desk.")
    assert found(detector, "After reading it I felt better.") == []
    assert ("Reading", "PLACE") in found(detector, "We moved down to Reading last year.")


def test_known_participants_are_found_in_any_case(detector):
    assert ("zed", "PERSON") in found(detector, "zed told me", known_people=["Zed"])


def test_decoys_are_not_identifiers(detector):
    text = (
        "The NHS App, NHS England and DHSC, Google and WhatsApp during Covid; my mum has "
        "Parkinson's and Macmillan helped. England and Yorkshire are not places to flag."
    )
    assert found(detector, text) == []


def test_organisations_streets_and_addresses(detector):
    got = found(
        detector,
        "I go to Moorside Medical Practice on Station Road, and my dad's care home, "
        "Oakwood House, is in Keighley. She lives at 14 Tanner Street, Keighley, BD21 3AB.",
    )
    for item in [
        ("Moorside Medical Practice", "ORG"),
        ("Station Road", "PLACE"),
        ("Oakwood House", "ORG"),
        ("Keighley", "PLACE"),
        ("14 Tanner Street", "PLACE"),
        ("BD21 3AB", "PLACE"),
    ]:
        assert item in got, item


def test_overlaps_keep_the_longest_span_and_show_the_other(detector):
    [candidate] = Detector().detect("I was at Halifax Road Surgery.")
    assert (candidate.text, candidate.type) == ("Halifax Road Surgery", "ORG")
    assert any(kind == "PLACE" for _, _, kind in candidate.alternatives)


def test_offsets_are_code_points_beside_emoji_and_accents(detector):
    text = "👍 Siobhán Okafor rang 🙂 from Todmorden"
    by_text = {c.text: c for c in detector.detect(text)}
    for name in ("Siobhán Okafor", "Todmorden"):
        c = by_text[name]
        assert text[c.start : c.end] == name


def _run_shared_scorer(gold: Path, pred: Path) -> dict:
    script = SHARED / "score.py"
    out = subprocess.run(
        [sys.executable, str(script), str(gold), str(pred), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def _same(ours: dict, theirs: dict) -> None:
    for kind, row in theirs["types"].items():
        mine = ours["types"][kind]
        assert (mine["gold"], mine["predicted"]) == (row["gold"], row["pred"]), kind
        for match in ("exact", "overlap"):
            for a, b in (("p", "P"), ("r", "R"), ("f1", "F1")):
                assert mine[match][a] == pytest.approx(row[match][b]), (kind, match, b)
    assert ours["leak"]["rate"] == pytest.approx(theirs["leak_rate"])
    free = theirs["identifier_free_passages"]
    assert ours["identifier_free"]["with_detection"] == free["passages_with_a_detection"]
    assert ours["identifier_free"]["spans"] == free["spans_detected"]


needs_shared = pytest.mark.skipif(
    not (SHARED / "score.py").exists() and os.environ.get("CI") != "true",
    reason="shared/eval/pseudonymisation is not beside the project",
)


@needs_shared
def test_the_command_s_figures_equal_the_shared_scorer_s_on_the_dev_set(tmp_path, capsys):
    gold, pred = SHARED / "dev.jsonl", tmp_path / "pred.jsonl"
    call_command("evaluate_pseudonymisation", "--gold", str(gold), "--out", str(pred), "--json")
    ours = json.loads(capsys.readouterr().out)
    _same(ours, _run_shared_scorer(gold, pred))


@needs_shared
def test_our_scoring_equals_the_shared_scorer_on_imperfect_predictions(tmp_path):
    """Figures below 1 everywhere: spans dropped, shifted, retyped and invented."""
    passages = read_gold(SHARED / "dev.jsonl")
    rows, predicted = [], {}
    for i, passage in enumerate(passages):
        spans = set()
        for k, (start, end, kind) in enumerate(sorted(passage.entities)):
            if (i + k) % 4 == 0:
                continue  # missed
            if (i + k) % 4 == 1:
                start = min(start + 1, end - 1)  # overlap, not exact
            if (i + k) % 7 == 2:
                kind = "PLACE" if kind != "PLACE" else "ORG"  # wrong type
            spans.add((start, end, kind))
        if i % 5 == 0 and len(passage.text) > 4:
            spans.add((0, 3, "PERSON"))  # a false alarm
        predicted[passage.id] = spans
        rows.append(
            {"id": passage.id, "entities": [{"start": s, "end": e, "type": t} for s, e, t in spans]}
        )
    pred = tmp_path / "pred.jsonl"
    pred.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ours = score(passages, predicted)
    assert 0 < ours["types"]["ALL"]["exact"]["r"] < 1 and ours["leak"]["rate"] > 0
    _same(ours, _run_shared_scorer(SHARED / "dev.jsonl", pred))


def test_the_command_names_a_bad_gold_line(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "a", "text": "hi", "entities": []}\n{"id": "b"}\n')
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="gold.jsonl, line 2"):
        call_command("evaluate_pseudonymisation", "--gold", str(bad))


def test_our_own_probe_set_of_other_names_is_found_without_leaks(detector):
    """tests/data/pseudonymisation_probe.jsonl: 28 passages we wrote to the same rules with
    other names, places and phrasings, as a regression check (not the judges' set)."""
    passages = read_gold(PROBE)
    predicted = {
        p.id: {(c.start, c.end, c.type) for c in detector.detect(p.text)} for p in passages
    }
    result = score(passages, predicted)
    assert result["leak"]["rate"] == 0
    assert result["types"]["ALL"]["overlap"]["r"] >= 0.95
    assert result["types"]["ALL"]["overlap"]["p"] >= 0.9


def test_a_trained_pipeline_s_entities_join_under_the_same_decoy_rules():
    """With en_core_web_* installed its NER adds candidates; here a stand-in pipeline."""

    def ner(text):
        spans = []
        for words, label in (("Zorblax", "PERSON"), ("NHS England", "ORG"), ("Monday", "DATE"),
                             ("Kettlewick", "GPE"), ("Yorkshire", "GPE")):  # fmt: skip
            at = text.find(words)
            if at >= 0:
                spans.append((at, at + len(words), label))
        return spans

    text = "zorblax said Zorblax from Kettlewick wrote to NHS England on Monday from Yorkshire."
    got = [(c.text, c.type) for c in Detector(ner=ner).detect(text)]
    assert ("Zorblax", "PERSON") in got and ("Kettlewick", "PLACE") in got
    assert not any(t in {"NHS England", "Monday", "Yorkshire"} for t, _ in got)
