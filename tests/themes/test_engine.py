from __future__ import annotations

import numpy as np

from themes.engine import CodeProfile, rank_units
from themes.engine.clustering import cluster_texts
from themes.engine.nlp import analyse, pipeline
from themes.engine.ranking import clauses, phrases

CODES = [
    CodeProfile(
        key="security", name="Data security", definition="hacking, breaches and cyber attacks"
    ),
    CodeProfile(key="opt", name="Opting out", definition="how to opt out of data sharing"),
    CodeProfile(key="contact", name="Being contacted", definition="a letter or a phone call"),
]


def test_pipeline_is_built_once_per_process_and_lemmatises_offline():
    assert pipeline() is pipeline()
    lemmas = analyse(["The hackers were hacking the hospitals."], sentences=True)[0]
    assert "hospital" in lemmas.lemmas and "hack" in lemmas.lemmas
    assert lemmas.sentences == [(0, 39)]


def test_code_whose_definition_words_appear_in_the_unit_ranks_first():
    units = [
        "I am scared of cyber attacks and hacking of my records.",
        "How do I opt out of the sharing?",
        "I would rather get a letter than a phone call.",
    ]
    ranking = rank_units(units=units, codes=CODES)
    assert [ranking.top(i, 1)[0][0] for i in range(3)] == [0, 1, 2]
    for i in range(3):
        assert abs(ranking.confidence[i].sum() - 1) < 1e-6
        assert ranking.confidence[i].min() >= 0 and ranking.confidence[i].max() <= 1


def test_explanation_names_shared_words_and_the_nearest_coded_quote():
    codes = [
        CodeProfile(key="a", name="Security", definition="hacking", positives=["Firewalls fail."]),
        CodeProfile(key="b", name="Opting out", definition="opt out"),
    ]
    unit = "Hacking scares me, firewalls fail all the time."
    ranking = rank_units(units=[unit], codes=codes)
    why = ranking.explain(0, 0)
    assert why["words"] == ["hacking"]  # the participant's word, not the lemma "hack"
    assert why["phrase"] == "Hacking scares me" and why["phrase"] in unit
    assert why["clause"] in {"Security", "hacking"}
    assert why["nearest_quote"] == "Firewalls fail."
    assert why["nearest_closeness"] in {"very close", "close", "loosely like"}


def test_words_that_carry_meaning_here_are_not_stop_words():
    lemmas = analyse(["Knowing who can see it, and nothing would reassure me, not my own name"])
    words = lemmas[0].lemmas
    for word in ("who", "can", "see", "nothing", "not", "own", "name"):
        assert word in words
    assert "it" not in words and "and" not in words
    assert "not" in analyse(["I can't trust them"])[0].lemmas


def test_definitions_split_into_clauses_and_passages_into_phrases():
    definition = (
        "Knowing whether and how one can opt out of data sharing, and what opting out covers"
    )
    assert clauses(definition) == [
        "Knowing whether and how one can opt out of data sharing",
        "and what opting out covers",
    ]
    text = "I got a letter. But nobody told me why, and I was upset."
    assert [text[s:e] for s, e in phrases(text)] == [
        "I got a letter.",
        "But nobody told me why",
        "and I was upset.",
    ]


def test_one_matching_clause_of_a_long_definition_is_enough():
    codes = [
        CodeProfile(
            key="long",
            name="Contact",
            definition=(
                "Who contacts people; timing of the offer; sensitivity for mental health; "
                "letters or phone calls"
            ),
        ),
        CodeProfile(key="other", name="Security", definition="hacking and breaches of records"),
    ]
    ranking = rank_units(units=["They should phone, or send letters."], codes=codes)
    assert ranking.top(0, 1)[0][0] == 0
    assert ranking.explain(0, 0)["clause"] == "letters or phone calls"


def _confusable_project(n_examples: int) -> tuple[list[CodeProfile], list[str], list[int]]:
    """Two codes whose definitions do not use the participants' words: only the analyst's
    codings show what each code means in this project."""
    pets = ["My dog {} at night.", "The cat {} all day.", "Our puppy {} when alone."]
    cars = ["The engine {} in winter.", "My car {} on the motorway.", "The van {} uphill."]
    verbs = ["barks", "sleeps", "whines", "stalls", "rattles", "breaks", "struggles"]
    examples = {
        "a": [p.format(v) for v in verbs for p in pets][:n_examples],
        "b": [c.format(v) for v in verbs for c in cars][:n_examples],
    }
    codes = [
        CodeProfile(key="a", name="Home life", definition="life at home", positives=examples["a"]),
        CodeProfile(key="b", name="Travel", definition="getting about", positives=examples["b"]),
    ]
    units = ["The dog barks and the puppy sleeps.", "The car engine stalls on the motorway."]
    return codes, units, [0, 1]


def test_the_project_s_codings_decide_how_much_the_examples_count():
    confidences = []
    for n in (0, 2, 8):
        codes, units, gold = _confusable_project(n)
        ranking = rank_units(units=units, codes=codes)
        confidences.append(np.mean([ranking.confidence[i, g] for i, g in enumerate(gold)]))
        if n:
            assert ranking.validation_rows == 2 * n  # every coded quote cross-validated
    # With more consistent codings the right code gets more probable: the curve rises.
    assert confidences[0] < confidences[1] < confidences[2]
    assert confidences[2] > 0.8


def test_confidence_is_modest_without_evidence_and_never_a_certainty():
    units = ["The weather was nice.", "I am scared of cyber attacks and hacking of my records."]
    ranking = rank_units(units=units, codes=CODES)
    assert ranking.confidence[0].max() < 0.5  # nothing in it: no code is likely
    assert 0.5 < ranking.confidence[1].max() < 0.99


def test_coded_examples_teach_words_the_framework_never_used():
    codes = [
        CodeProfile(key="money", name="Funding", definition="budgets and money"),
        CodeProfile(key="trust", name="Trust", definition="trust in institutions"),
    ]
    unit = ["The pharmacist down the road is lovely and always helpful."]
    before = rank_units(units=unit, codes=codes).confidence[0]
    codes[1].positives = [
        "My pharmacist is lovely and helpful, I rely on her.",
        "The pharmacist always helps me.",
    ]
    after = rank_units(units=unit, codes=codes).confidence[0]
    assert after[1] > before[1]
    assert after[1] > after[0]


def test_rejected_examples_push_a_code_down_for_look_alike_units():
    codes = [
        CodeProfile(key="a", name="Hospitals", definition="hospital care and wards"),
        CodeProfile(key="b", name="Waiting", definition="waiting times and lists"),
    ]
    unit = ["The hospital ward had long waiting lists."]
    before = rank_units(units=unit, codes=codes).confidence[0][0]
    codes[0].negatives = ["The hospital ward had long waiting lists."]
    after = rank_units(units=unit, codes=codes).confidence[0][0]
    assert after < before


def test_clustering_groups_passages_by_topic_and_labels_them_with_their_words():
    parking = [f"Parking at the clinic costs too much, parking fees {i}" for i in range(6)]
    food = [f"The hospital food was cold and the meals were bland {i}" for i in range(6)]
    clusters = cluster_texts(parking + food, min_size=3)
    assert len(clusters) == 2
    groups = [{index for index, _ in cluster.members} for cluster in clusters]
    assert set(range(6)) in groups and set(range(6, 12)) in groups
    labels = " ".join(cluster.label for cluster in clusters)
    assert "parking" in labels and ("food" in labels or "meals" in labels)


def test_candidate_labels_use_the_words_of_the_quotes_not_lemmas():
    data = [
        f"Sharing my data in these circumstances worries me, patient data {i}" for i in range(6)
    ]
    other = [f"The hospital food was cold and the meals were bland {i}" for i in range(6)]
    clusters = cluster_texts(data + other, min_size=3)
    words = " ".join(" ".join(c.key_phrases) for c in clusters).split()
    assert "data" in words and "datum" not in words
    assert "circumstance" not in words


def test_clustering_too_little_material_gives_no_candidates():
    assert cluster_texts(["one passage only", "and another"]) == []


def test_candidate_labels_join_only_adjacent_words_and_no_generic_head():
    blue = [
        f"People say the call came out of the blue, people need phone calls {i}" for i in range(6)
    ]
    food = [f"The hospital food was cold and the meals were bland {i}" for i in range(6)]
    clusters = cluster_texts(blue + food, min_size=3)
    phrases = [p for c in clusters for p in c.key_phrases]
    assert "phone calls" in phrases  # adjacent in the text
    assert not any(p.startswith(("call blue", "people", "need", "say")) for p in phrases)
    assert not any("blue phone" in p or "people blue" in p for p in phrases)


def test_rejected_suggestions_make_the_fitted_confidence_humbler():
    codes, units, _ = _confusable_project(4)
    trusting = rank_units(units=units, codes=codes)
    # The analyst rejected "Home life" on passages the engine finds very like its codings.
    codes[0].negatives = ["My dog whines at night.", "The cat barks all day.", "Our puppy whines."]
    humbled = rank_units(units=units, codes=codes)
    scale = {k: v for k, v in humbled.weights.items() if k != "centering"}
    before = {k: v for k, v in trusting.weights.items() if k != "centering"}
    assert sum(scale.values()) < sum(before.values())
