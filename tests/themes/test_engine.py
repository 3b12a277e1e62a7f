from __future__ import annotations

from themes.engine import CodeProfile, rank_units
from themes.engine.clustering import cluster_texts
from themes.engine.nlp import analyse, pipeline

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
    ranking = rank_units(units=["Hacking scares me, firewalls fail all the time."], codes=codes)
    why = ranking.explain(0, 0)
    assert "hack" in why["words"]
    assert why["nearest_quote"] == "Firewalls fail."


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
