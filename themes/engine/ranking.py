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
    return _Ranker(
        units=list(units),
        codes=codes,
        background=list(background),
        settings=settings,
        report=progress or (lambda fraction, message: None),
    ).rank()


class _Ranker:
    """The steps of ``rank_units``: lemmatise once, fit the project's feature space, build
    each code's prototype, score with every scorer, fuse, penalise, explain."""

    def __init__(
        self,
        *,
        units: list[str],
        codes: list[CodeProfile],
        background: list[str],
        settings: Settings,
        report: Progress,
    ) -> None:
        self.units, self.codes, self.settings, self.report = units, codes, settings, report
        self.background = background
        self.field_names = [name for name, _ in settings.field_weights]
        self.n_fields = len(self.field_names) + 1  # the fields, then the exclusion criteria
        self.positive_texts = [text for code in codes for text in code.positives]
        self.negative_texts = [text for code in codes for text in code.negatives]

    def rank(self) -> Ranking:
        self.lemmatise()
        self.report(0.3, "Learning the project's vocabulary")
        self.fit_space()
        self.build_prototypes()
        self.report(0.5, "Comparing with the framework")
        self.latent_protos = self.space.latent(self.proto_lemmas)
        self.model = self.fit_classifier()
        scores = self.score_rows(self.unit_x, self.unit_lemmas)
        self.nearest = scores.get("nearest", scores["prototype"])
        self.nearest_quote = scores["_nearest_quote"]
        fused = self.fuse(scores, self.baselines())
        fused -= self.settings.negative_weight * self.penalty() * 4.0
        confidence = _softmax_rows(fused * self.settings.temperature)
        self.report(0.9, "Explaining the suggestions")
        return Ranking(
            codes=self.codes, confidence=confidence, fused=fused, _explain=self.explainer()
        )

    def lemmatise(self) -> None:
        """Lemmatise every text once and split the lemmas back into their groups."""
        code_texts: list[str] = []
        for code in self.codes:
            code_texts.extend(getattr(code, name) for name in self.field_names)
            code_texts.append(code.exclusion)
        groups = [self.units, code_texts, self.positive_texts, self.negative_texts]
        raw = [text for group in groups for text in group] + self.background
        self.report(0.05, "Reading the text")
        unique = list(dict.fromkeys(raw))  # turns are both units and background: analyse once
        lemma_of = dict(zip(unique, (item.lemma_text for item in analyse(unique)), strict=True))
        lemmas = [lemma_of[text] for text in raw]
        split: list[list[str]] = []
        cursor = 0
        for group in groups:
            split.append(lemmas[cursor : cursor + len(group)])
            cursor += len(group)
        self.unit_lemmas, self.field_lemmas, self.pos_lemmas, self.neg_lemmas = split
        self.background_lemmas = lemmas[cursor:]

    def fit_space(self) -> None:
        self.corpus = list(
            dict.fromkeys(
                self.background_lemmas + self.unit_lemmas + self.field_lemmas + self.pos_lemmas
            )
        )
        self.space = FeatureSpace(self.corpus, self.settings)
        self.unit_x = self.space.transform(self.unit_lemmas)
        self.field_x = self.space.transform(self.field_lemmas)
        self.pos_x = self.space.transform(self.pos_lemmas) if self.pos_lemmas else None
        self.neg_x = self.space.transform(self.neg_lemmas) if self.neg_lemmas else None

    def build_prototypes(self) -> None:
        """Each code's prototype, and the indices of its coded and rejected examples."""
        settings, n_fields, n_named = self.settings, self.n_fields, len(self.field_names)
        weights = np.array([weight for _, weight in settings.field_weights])[:, None]
        prototypes = []
        self.pos_index: list[list[int]] = []
        self.neg_index: list[list[int]] = []
        p = q = 0
        for j, code in enumerate(self.codes):
            rows = self.field_x[j * n_fields : j * n_fields + n_named]
            proto = sparse.csr_matrix(rows.multiply(weights).sum(axis=0))
            self.pos_index.append(list(range(p, p + len(code.positives))))
            p += len(code.positives)
            self.neg_index.append(list(range(q, q + len(code.negatives))))
            q += len(code.negatives)
            if self.pos_index[j] and self.pos_x is not None:
                # Rocchio with shrinkage: the codings' centroid joins the framework's words with
                # a weight that grows with their number, so two noisy examples cannot drown the
                # definition while fifty lead it.
                n = len(self.pos_index[j])
                centroid = normalize(sparse.csr_matrix(self.pos_x[self.pos_index[j]].mean(axis=0)))
                field_part = normalize(proto) if proto.nnz else proto
                weight = settings.positive_weight * n / (n + settings.evidence_shrinkage)
                proto = field_part + weight * centroid
            prototypes.append(proto)
        self.proto_x = normalize(sparse.vstack(prototypes).tocsr())
        self.proto_lemmas = [
            " ".join(
                [self.field_lemmas[j * n_fields + i] for i in range(n_named)]
                + [self.pos_lemmas[i] for i in self.pos_index[j]]
            )
            for j in range(len(self.codes))
        ]
        self.exclusion_x = self.field_x[[j * n_fields + n_named for j in range(len(self.codes))]]

    def fit_classifier(self) -> LogisticRegression | None:
        """A classifier on the codings, with the framework text as pseudo-examples of each code."""
        if self.pos_x is None or len(self.codes) <= 1:
            return None
        self.report(0.6, "Learning from your codings")
        n_codes = len(self.codes)
        labels = list(range(n_codes)) + [j for j in range(n_codes) for _ in self.pos_index[j]]
        model = LogisticRegression(
            C=self.settings.classifier_c, max_iter=2000, class_weight="balanced"
        )
        model.fit(sparse.vstack([self.proto_x, self.pos_x]).tocsr(), labels)
        return model

    def score_rows(self, x: sparse.csr_matrix, lemma_rows: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        proto_sim = (x @ self.proto_x.T).toarray()
        out["prototype"] = proto_sim
        if self.latent_protos is not None:
            # Latent space: the project's co-occurrences relate words the framework never used.
            out["lsa"] = self.space.latent(lemma_rows) @ self.latent_protos.T
        nearest, nearest_quote = self.nearest_scores(x, proto_sim)
        if self.pos_x is not None:
            out["nearest"] = nearest
        if self.model is not None:
            decision = self.model.decision_function(x)
            if decision.ndim == 1:
                decision = np.column_stack([-decision, decision])
            full = np.zeros_like(proto_sim)
            full[:, self.model.classes_] = decision
            out["classifier"] = full
        out["_nearest_quote"] = nearest_quote
        return out

    def nearest_scores(
        self, x: sparse.csr_matrix, proto_sim: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Similarity to the nearest coded quote of each code, and which quote that is (the
        prototype's similarity, and -1, for codes with no codings yet)."""
        nearest = proto_sim.copy()
        nearest_quote = np.full(proto_sim.shape, -1, dtype=int)
        if self.pos_x is None:
            return nearest, nearest_quote
        pos_sim = (x @ self.pos_x.T).toarray()
        for j, index in enumerate(self.pos_index):
            if index:
                block = pos_sim[:, index]
                nearest[:, j] = block.max(axis=1)
                nearest_quote[:, j] = np.array(index)[block.argmax(axis=1)]
        # Codes without codings have no neighbour: neutral (the mean of the others) rather
        # than the prototype score, whose scale differs from quote-to-quote similarity.
        if self.settings.neutral_without_examples:
            empty = [j for j, index in enumerate(self.pos_index) if not index]
            full = [j for j, index in enumerate(self.pos_index) if index]
            if empty and full:
                nearest = nearest.copy()
                nearest[:, empty] = nearest[:, full].mean(axis=1, keepdims=True)
        return nearest, nearest_quote

    def baselines(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per-code baselines from the project's own text: a code whose prototype resembles
        everything (a long definition, common words) would otherwise win too often."""
        baseline: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if not self.settings.code_centering or len(self.corpus) < 5:
            return baseline
        sample = self.corpus
        if len(sample) > 2000:
            picks = np.random.default_rng(0).choice(len(sample), size=2000, replace=False)
            sample = [self.corpus[i] for i in sorted(picks)]
        reference = self.score_rows(self.space.transform(sample), sample)
        for name, matrix in reference.items():
            if not name.startswith("_"):
                std = matrix.std(axis=0, keepdims=True)
                std[std < 1e-9] = 1.0
                baseline[name] = (matrix.mean(axis=0, keepdims=True), std)
        return baseline

    def fuse(
        self, scores: dict[str, Any], baseline: dict[str, tuple[np.ndarray, np.ndarray]]
    ) -> np.ndarray:
        settings = self.settings
        evidence = len(self.positive_texts) / len(self.codes)
        shrink = evidence / (evidence + settings.evidence_shrinkage)
        fused = np.zeros((len(self.unit_lemmas), len(self.codes)))
        for name, weight in settings.scorer_weights:
            if name not in scores:
                continue
            matrix = scores[name]
            if name in baseline:
                mean, std = baseline[name]
                matrix = (matrix - settings.code_centering * mean) / (
                    std if settings.code_scaling else 1.0
                )
            factor = shrink if name in settings.learned_scorers else 1.0
            fused += weight * factor * _zscore_rows(matrix)
        return fused

    def penalty(self) -> np.ndarray:
        """Rejected suggestions and exclusion criteria push a code down for look-alike units."""
        penalty = np.zeros((len(self.unit_lemmas), len(self.codes)))
        if self.neg_x is not None:
            neg_sim = (self.unit_x @ self.neg_x.T).toarray()
            for j, index in enumerate(self.neg_index):
                if index:
                    penalty[:, j] += neg_sim[:, index].max(axis=1)
        penalty += (self.unit_x @ self.exclusion_x.T).toarray() * 0.5
        return penalty

    def explainer(self) -> Callable[[int, int], dict[str, Any]]:
        word_names = self.space.words.get_feature_names_out()
        unit_words = self.space.words.transform(self.unit_lemmas).tocsr()
        proto_words = self.space.words.transform(self.proto_lemmas).tocsr()
        nearest, nearest_quote, positive_texts = (
            self.nearest,
            self.nearest_quote,
            self.positive_texts,
        )

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

        return explain
