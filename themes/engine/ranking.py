"""Deductive ranking: for each unit of text, a confidence for every code of the framework.

Four scorers look at the same project-fitted features and are fused by z-scoring each one across
the codes of a unit (so their scales do not matter) and summing with weights:

- ``prototype``: cosine between the unit and the code's prototype, a weighted centroid of its
  name, definition, inclusion criteria, example quote and the analyst's codings (word + char
  n-gram TF-IDF over lemmas, fitted on the project's own text);
- ``lsa``: the same cosine in a latent semantic space (TruncatedSVD of the project's TF-IDF), which
  lets words that co-occur in the project's transcripts stand in for each other;
- ``nearest``: similarity to the closest coded quote of the code (kNN), the "nearest already-coded
  quote" shown as the reason;
- ``classifier``: a logistic regression trained on the codings, with each code's framework text
  as pseudo-examples, once the analyst has coded anything.

Rejected suggestions and exclusion criteria lower a code's score for units that resemble them.
The fused score becomes a confidence in [0, 1] with a softmax over the codes, so a unit's
confidences add up to one and a lone clear winner stands out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from .nlp import DISPLAY_LEMMAS, analyse

Progress = Callable[[float, str], None]


@dataclass
class CodeProfile:
    """Everything the framework and the analyst say about one code."""

    key: Any
    name: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    positives: list[str] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    field_weights: tuple[tuple[str, float], ...] = (
        ("name", 1.5),
        ("definition", 1.0),
        ("inclusion", 1.0),
        ("example", 0.8),
    )
    positive_weight: float = 2.0  # the codings' centroid at full evidence, vs the framework text
    word_ngrams: tuple[int, int] = (1, 1)  # bigrams are too sparse in short quotes
    char_weight: float = 0.6  # char n-grams relative to word n-grams in the joint space
    lsa_components: int = 100
    scorer_weights: tuple[tuple[str, float], ...] = (
        ("prototype", 1.0),
        ("lsa", 0.7),
        ("nearest", 0.5),
        ("classifier", 0.8),
    )
    # Scorers that learn from codings count in proportion to the evidence: weight * n / (n + s)
    # with n the mean number of codings per code, so two examples nudge and fifty lead.
    learned_scorers: tuple[str, ...] = ("nearest", "classifier")
    evidence_shrinkage: float = 5.0
    classifier_c: float = 10.0
    neutral_without_examples: bool = True
    code_centering: float = 0.0
    code_scaling: bool = False
    negative_weight: float = 0.5
    temperature: float = 0.8


DEFAULT_SETTINGS = Settings()


@dataclass
class Ranking:
    """Scores for ``len(units) x len(codes)``; ``confidence`` rows add up to 1."""

    codes: list[CodeProfile]
    confidence: np.ndarray
    fused: np.ndarray
    _explain: Callable[[int, int], dict[str, Any]]

    def top(self, unit: int, n: int = 3) -> list[tuple[int, float]]:
        order = np.argsort(-self.confidence[unit], kind="stable")[:n]
        return [(int(j), float(self.confidence[unit, j])) for j in order]

    def explain(self, unit: int, code: int) -> dict[str, Any]:
        return self._explain(unit, code)


def _zscore_rows(matrix: np.ndarray) -> np.ndarray:
    mean = matrix.mean(axis=1, keepdims=True)
    std = matrix.std(axis=1, keepdims=True)
    std[std < 1e-9] = 1.0
    return (matrix - mean) / std


def _softmax_rows(matrix: np.ndarray) -> np.ndarray:
    shifted = matrix - matrix.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


class FeatureSpace:
    """Word (1-2 gram) and character (3-5 gram) TF-IDF over lemmas, fitted on the project."""

    def __init__(self, corpus: Sequence[str], settings: Settings) -> None:
        self.settings = settings
        self.words = TfidfVectorizer(
            token_pattern=r"\S+", ngram_range=settings.word_ngrams, sublinear_tf=True, min_df=1
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1
        )
        corpus = [text for text in corpus if text.strip()] or ["empty"]
        word_matrix = self.words.fit_transform(corpus)
        self.chars.fit(corpus)
        self.lsa: TruncatedSVD | None = None
        n_components = min(
            settings.lsa_components, word_matrix.shape[0] - 1, word_matrix.shape[1] - 1
        )
        if n_components >= 2:
            self.lsa = TruncatedSVD(n_components=n_components, random_state=0)
            self.lsa.fit(word_matrix)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        word = self.words.transform(texts)
        char = self.chars.transform(texts) * self.settings.char_weight
        return normalize(sparse.hstack([word, char]).tocsr())

    def latent(self, texts: Sequence[str]) -> np.ndarray | None:
        if self.lsa is None:
            return None
        return normalize(self.lsa.transform(self.words.transform(texts)))


def rank_units(
    *,
    units: Sequence[str],
    codes: Sequence[CodeProfile],
    background: Sequence[str] = (),
    settings: Settings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
) -> Ranking:
    """Rank every code for every unit. ``background`` is the project's other text (all
    transcripts), on which the TF-IDF and latent space are fitted together with the units and
    the framework."""
    codes = list(codes)
    if not codes:
        raise ValueError("The framework has no codes to suggest.")
    report = progress or (lambda fraction, message: None)

    # 1. Lemmatise everything once.
    field_names = [name for name, _ in settings.field_weights]
    code_texts: list[str] = []
    for code in codes:
        code_texts.extend(getattr(code, name) for name in field_names)
        code_texts.append(code.exclusion)
    positive_texts = [text for code in codes for text in code.positives]
    negative_texts = [text for code in codes for text in code.negatives]
    raw = list(units) + code_texts + positive_texts + negative_texts + list(background)
    report(0.05, "Reading the text")
    unique = list(dict.fromkeys(raw))  # turns are both units and background: analyse once
    lemma_of = dict(zip(unique, (item.lemma_text for item in analyse(unique)), strict=True))
    lemmas = [lemma_of[text] for text in raw]
    n_units = len(units)
    unit_lemmas = lemmas[:n_units]
    cursor = n_units
    field_lemmas = lemmas[cursor : cursor + len(code_texts)]
    cursor += len(code_texts)
    pos_lemmas = lemmas[cursor : cursor + len(positive_texts)]
    cursor += len(positive_texts)
    neg_lemmas = lemmas[cursor : cursor + len(negative_texts)]
    cursor += len(negative_texts)
    background_lemmas = lemmas[cursor:]

    # 2. Fit the project's feature space.
    report(0.3, "Learning the project's vocabulary")
    corpus = list(dict.fromkeys(background_lemmas + unit_lemmas + field_lemmas + pos_lemmas))
    space = FeatureSpace(corpus, settings)
    unit_x = space.transform(unit_lemmas)
    n_fields = len(field_names) + 1
    field_x = space.transform(field_lemmas)
    pos_x = space.transform(pos_lemmas) if pos_lemmas else None
    neg_x = space.transform(neg_lemmas) if neg_lemmas else None

    # 3. Prototypes and per-code example indices.
    weights = [weight for _, weight in settings.field_weights]
    prototypes = []
    pos_index: list[list[int]] = []
    neg_index: list[list[int]] = []
    p = q = 0
    for j, code in enumerate(codes):
        rows = field_x[j * n_fields : j * n_fields + len(field_names)]
        proto = sparse.csr_matrix(rows.multiply(np.array(weights)[:, None]).sum(axis=0))
        pos_index.append(list(range(p, p + len(code.positives))))
        p += len(code.positives)
        neg_index.append(list(range(q, q + len(code.negatives))))
        q += len(code.negatives)
        if pos_index[j] and pos_x is not None:
            # Rocchio with shrinkage: the codings' centroid joins the framework's words with a
            # weight that grows with their number, so two noisy examples cannot drown the
            # definition while fifty lead it.
            n = len(pos_index[j])
            centroid = normalize(sparse.csr_matrix(pos_x[pos_index[j]].mean(axis=0)))
            field_part = normalize(proto) if proto.nnz else proto
            weight = settings.positive_weight * n / (n + settings.evidence_shrinkage)
            proto = field_part + weight * centroid
        prototypes.append(proto)
    proto_x = normalize(sparse.vstack(prototypes).tocsr())
    proto_lemmas = [
        " ".join(
            [field_lemmas[j * n_fields + i] for i in range(len(field_names))]
            + [pos_lemmas[i] for i in pos_index[j]]
        )
        for j in range(len(codes))
    ]
    exclusion_x = field_x[[j * n_fields + len(field_names) for j in range(len(codes))]]

    report(0.5, "Comparing with the framework")
    latent_protos = space.latent(proto_lemmas)
    model = None
    if pos_x is not None and len(codes) > 1:
        # Classifier on codings, with the framework text as pseudo-examples of each code.
        report(0.6, "Learning from your codings")
        labels = list(range(len(codes))) + [j for j in range(len(codes)) for _ in pos_index[j]]
        model = LogisticRegression(C=settings.classifier_c, max_iter=2000, class_weight="balanced")
        model.fit(sparse.vstack([proto_x, pos_x]).tocsr(), labels)

    def score_rows(x: sparse.csr_matrix, lemma_rows: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        proto_sim = (x @ proto_x.T).toarray()
        out["prototype"] = proto_sim
        if latent_protos is not None:
            # Latent space: the project's co-occurrences relate words the framework never used.
            out["lsa"] = space.latent(lemma_rows) @ latent_protos.T
        # Nearest coded quote (the prototype for codes with no codings yet).
        nearest = proto_sim.copy()
        nearest_quote = np.full(proto_sim.shape, -1, dtype=int)
        if pos_x is not None:
            pos_sim = (x @ pos_x.T).toarray()
            for j in range(len(codes)):
                if pos_index[j]:
                    block = pos_sim[:, pos_index[j]]
                    nearest[:, j] = block.max(axis=1)
                    nearest_quote[:, j] = np.array(pos_index[j])[block.argmax(axis=1)]
            # Codes without codings have no neighbour: neutral (the mean of the others) rather
            # than the prototype score, whose scale differs from quote-to-quote similarity.
            if settings.neutral_without_examples:
                empty = [j for j in range(len(codes)) if not pos_index[j]]
                full = [j for j in range(len(codes)) if pos_index[j]]
                if empty and full:
                    nearest = nearest.copy()
                    nearest[:, empty] = nearest[:, full].mean(axis=1, keepdims=True)
            out["nearest"] = nearest
        if model is not None:
            decision = model.decision_function(x)
            if decision.ndim == 1:
                decision = np.column_stack([-decision, decision])
            full = np.zeros_like(proto_sim)
            full[:, model.classes_] = decision
            out["classifier"] = full
        out["_nearest_quote"] = nearest_quote
        return out

    scores = score_rows(unit_x, unit_lemmas)
    nearest, nearest_quote = scores.get("nearest", scores["prototype"]), scores["_nearest_quote"]
    # Per-code baselines from the project's own text: a code whose prototype resembles
    # everything (a long definition, common words) would otherwise win too often.
    baseline: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if settings.code_centering and len(corpus) >= 5:
        sample = corpus
        if len(sample) > 2000:
            picks = np.random.default_rng(0).choice(len(sample), size=2000, replace=False)
            sample = [corpus[i] for i in sorted(picks)]
        reference = score_rows(space.transform(sample), sample)
        for name, matrix in reference.items():
            if not name.startswith("_"):
                std = matrix.std(axis=0, keepdims=True)
                std[std < 1e-9] = 1.0
                baseline[name] = (matrix.mean(axis=0, keepdims=True), std)

    evidence = len(positive_texts) / len(codes)
    shrink = evidence / (evidence + settings.evidence_shrinkage)
    fused = np.zeros((len(unit_lemmas), len(codes)))
    for name, weight in settings.scorer_weights:
        if name in scores:
            matrix = scores[name]
            if name in baseline:
                mean, std = baseline[name]
                matrix = (matrix - settings.code_centering * mean) / (
                    std if settings.code_scaling else 1.0
                )
            factor = shrink if name in settings.learned_scorers else 1.0
            fused += weight * factor * _zscore_rows(matrix)

    # Rejected suggestions and exclusion criteria push the code down for look-alike units.
    penalty = np.zeros_like(fused)
    if neg_x is not None:
        neg_sim = (unit_x @ neg_x.T).toarray()
        for j in range(len(codes)):
            if neg_index[j]:
                penalty[:, j] += neg_sim[:, neg_index[j]].max(axis=1)
    penalty += (unit_x @ exclusion_x.T).toarray() * 0.5
    fused -= settings.negative_weight * penalty * 4.0

    confidence = _softmax_rows(fused * settings.temperature)
    report(0.9, "Explaining the suggestions")

    word_names = space.words.get_feature_names_out()
    unit_words = space.words.transform(unit_lemmas).tocsr()
    proto_words = space.words.transform(proto_lemmas).tocsr()

    def explain(unit: int, code: int) -> dict[str, Any]:
        """The words the unit shares with the code's prototype, and its nearest coded quote."""
        contrib = unit_words[unit].multiply(proto_words[code]).tocoo()
        pairs = sorted(zip(contrib.data, contrib.col, strict=True), reverse=True)[:6]
        words = list(
            dict.fromkeys(DISPLAY_LEMMAS.get(w, w) for w in (word_names[c] for _, c in pairs))
        )
        out: dict[str, Any] = {"words": words}
        index = int(nearest_quote[unit, code])
        if index >= 0:
            out["nearest_quote"] = positive_texts[index][:300]
            out["nearest_similarity"] = round(float(nearest[unit, code]), 3)
        return out

    return Ranking(codes=codes, confidence=confidence, fused=fused, _explain=explain)
