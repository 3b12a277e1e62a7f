"""Deductive ranking: for each unit of text, a calibrated probability for every code.

Several scorers compare a unit with each code, each on its own evidence:

- ``words``: cosine, in the project's word + character TF-IDF space (over lemmas), between the
  unit and the code's prototype (its framework text, joined by the centroid of its codings);
- ``facets``: the best cosine over the code's facets taken one by one (its name, each clause of
  its definition and inclusion criteria, its example), so one clause that matches is enough;
- ``lsa``: the prototype cosine in a latent space of the project's text, where words that occur
  together in the transcripts stand in for each other;
- ``meaning`` and ``meaning_facets``: the same two in sentence-embedding space, when the
  optional model is installed (``themes.engine.embeddings``);
- ``nearest`` and ``nearest_meaning``: similarity to the closest coded quote of the code;
- ``classifier``: a logistic regression trained on the codings.

Each scorer is centred across the codes of a unit and divided by its spread over the project's
passages (one scale per scorer, not per passage, so a passage like no code stays unconfident),
and the unit's logit for a code is a weighted sum of those, less a share of the code's average
logit over the project's passages (a code whose words are everywhere would otherwise win by
default). The weights and
that share are *learned per project* by cross-validation on the analyst's own codings: the
coded quotes are split into folds, each fold is scored by an engine built without it, and the
weights maximise the likelihood of the codes the analyst chose, under a Gaussian prior centred
on conservative defaults. With few codings the prior decides; with many the project does. The
same fit is the calibration: the softmax of the logits is a probability, and a project whose
scorers disagree with its analysts gets flatter, humbler probabilities.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from .nlp import analyse

Progress = Callable[[float, str], None]
Encoder = Callable[[Sequence[str]], np.ndarray]


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
    evidence_shrinkage: float = 5.0  # ... reached as n / (n + shrinkage)
    char_weight: float = 0.6  # char n-grams relative to word n-grams in the joint space
    lsa_components: int = 100
    # The prior of the learned fusion: where the weights sit before the project says otherwise.
    # The overall scale is deliberately low, so that without evidence the probabilities are
    # modest and few suggestions pass the default threshold.
    prior_weights: tuple[tuple[str, float], ...] = (
        ("words", 0.5),
        ("facets", 0.3),
        ("lsa", 0.3),
        ("meaning", 0.6),
        ("meaning_facets", 0.4),
        ("nearest", 0.2),
        ("nearest_meaning", 0.2),
        ("classifier", 0.2),
    )
    prior_centering: float = 0.0
    # How strongly the prior holds, in validation rows: with 10 coded quotes the prior and the
    # data count about equally; with 100 the data lead.
    prior_strength: float = 10.0
    folds: int = 5
    max_validation: int = 600
    classifier_c: float = 10.0
    negative_weight: float = 2.0  # rejected look-alikes and exclusion criteria, in logits


DEFAULT_SETTINGS = Settings()


@dataclass
class Ranking:
    """Scores for ``len(units) x len(codes)``; ``confidence`` rows add up to 1."""

    codes: list[CodeProfile]
    confidence: np.ndarray
    weights: dict[str, float]
    validation_rows: int
    _explain: Callable[[int, int], dict[str, Any]]

    def top(self, unit: int, n: int = 3) -> list[tuple[int, float]]:
        order = np.argsort(-self.confidence[unit], kind="stable")[:n]
        return [(int(j), float(self.confidence[unit, j])) for j in order]

    def explain(self, unit: int, code: int) -> dict[str, Any]:
        return self._explain(unit, code)


def _center_rows(matrix: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
    """Subtract each row's mean across the codes (only ``columns`` when given; the others get
    0). Rows are centred but not scaled: a passage that resembles no code keeps small
    differences, and so a flat, unconfident distribution, instead of having its noise blown up
    into a clear winner."""
    if columns is not None:
        out = np.zeros_like(matrix, dtype=float)
        if columns.sum() >= 2:
            out[:, columns] = _center_rows(matrix[:, columns])
        return out
    return matrix - matrix.mean(axis=1, keepdims=True)


def _softmax_rows(matrix: np.ndarray) -> np.ndarray:
    shifted = matrix - matrix.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


_CLAUSE_SPLIT = re.compile(r"\s*(?:[;:()]|,\s+(?=\w)|\.\s+|\s[-–—]\s)\s*")
_PHRASE_SPLIT = re.compile(r"(?<=[.!?;:])\s+|,\s+|\s[-–—]\s|\s(?=(?:but|because|so|if)\s)")


def clauses(text: str, *, min_words: int = 2) -> list[str]:
    """A definition split into the clauses an analyst would quote ("whether and how one can
    opt out", "what opting out covers"); short fragments join their neighbour."""
    parts = [p.strip(" ,.;:") for p in _CLAUSE_SPLIT.split(text or "")]
    parts = [p for p in parts if p]
    merged: list[str] = []
    for part in parts:
        if merged and len(part.split()) < min_words:
            merged[-1] = f"{merged[-1]}, {part}"
        else:
            merged.append(part)
    return merged


def phrases(text: str, *, min_words: int = 3) -> list[tuple[int, int]]:
    """A passage cut into phrases (sentences, then clauses), as spans of ``text``."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in _PHRASE_SPLIT.finditer(text):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, len(text)))
    spans = [(s, e) for s, e in spans if text[s:e].strip()]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and len(text[start:end].split()) < min_words:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    if len(merged) >= 2 and len(text[merged[0][0] : merged[0][1]].split()) < min_words:
        merged[1] = (merged[0][0], merged[1][1])
        merged.pop(0)
    return merged or [(0, len(text))]


class FeatureSpace:
    """Word and character (3-5 gram) TF-IDF over lemmas, fitted on the project."""

    def __init__(self, corpus: Sequence[str], settings: Settings) -> None:
        self.settings = settings
        self.words = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, min_df=1)
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
        if not texts:
            return sparse.csr_matrix((0, len(self.words.vocabulary_) + len(self.chars.vocabulary_)))
        word = self.words.transform(texts)
        char = self.chars.transform(texts) * self.settings.char_weight
        return normalize(sparse.hstack([word, char]).tocsr())

    def latent(self, x_words: sparse.csr_matrix) -> np.ndarray | None:
        if self.lsa is None:
            return None
        return normalize(self.lsa.transform(x_words))


def rank_units(
    *,
    units: Sequence[str],
    codes: Sequence[CodeProfile],
    background: Sequence[str] = (),
    settings: Settings = DEFAULT_SETTINGS,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
) -> Ranking:
    """Rank every code for every unit. ``background`` is the project's other text (all
    transcripts), on which the TF-IDF and latent space are fitted together with the units and
    the framework. ``encoder`` turns texts into unit-length sentence embeddings (optional)."""
    codes = list(codes)
    if not codes:
        raise ValueError("The framework has no codes to suggest.")
    return _Ranker(
        units=list(units),
        codes=codes,
        background=list(background),
        settings=settings,
        report=progress or (lambda fraction, message: None),
        encoder=encoder,
    ).rank()


@dataclass
class _Texts:
    """One group of texts (units, facets, coded quotes, ...) in every representation."""

    raw: list[str]
    lemmas: list[str] = field(default_factory=list)
    surfaces: list[list[tuple[str, str]]] = field(default_factory=list)  # (lemma, written)
    x: Any = None  # TF-IDF, unit length
    words: Any = None  # word TF-IDF alone
    emb: np.ndarray | None = None


def _facets(
    codes: list[CodeProfile], settings: Settings
) -> tuple[list[str], list[int], list[str], list[tuple[int, str, float]]]:
    """Each code's framework text piece by piece (name, each clause of the definition and
    inclusion criteria, example): the texts, the code and field of each, and the whole fields
    with their weights for the prototypes."""
    facet_text: list[str] = []
    facet_code: list[int] = []
    facet_label: list[str] = []
    field_rows: list[tuple[int, str, float]] = []
    for j, code in enumerate(codes):
        for name, weight in settings.field_weights:
            value = (getattr(code, name) or "").strip()
            if not value:
                continue
            field_rows.append((j, value, weight))
            pieces = [value] if name in {"name", "example"} else clauses(value) or [value]
            for piece in pieces:
                facet_text.append(piece)
                facet_code.append(j)
                facet_label.append(name)
    return facet_text, facet_code, facet_label, field_rows


class _Ranker:
    def __init__(
        self,
        *,
        units: list[str],
        codes: list[CodeProfile],
        background: list[str],
        settings: Settings,
        report: Progress,
        encoder: Encoder | None,
    ) -> None:
        self.codes, self.settings, self.report, self.encoder = codes, settings, report, encoder
        self.n_codes = len(codes)
        self.background = background
        self.scales: dict[str, float] = {}
        facet_text, facet_code, facet_label, field_rows = _facets(codes, settings)
        self.facet_code = np.array(facet_code, dtype=int)
        self.facet_label = facet_label
        self.field_rows = field_rows
        self.pos_code = np.array([j for j, c in enumerate(codes) for _ in c.positives], dtype=int)
        self.neg_code = np.array([j for j, c in enumerate(codes) for _ in c.negatives], dtype=int)
        self.unit_phrases = [phrases(text) for text in units]
        phrase_text = [
            text[s:e]
            for text, spans in zip(units, self.unit_phrases, strict=True)
            for s, e in spans
        ]
        self.groups = {
            "units": _Texts(units),
            "facets": _Texts(facet_text),
            "fields": _Texts([value for _, value, _ in field_rows]),
            "positives": _Texts([t for c in codes for t in c.positives]),
            "negatives": _Texts([t for c in codes for t in c.negatives]),
            "exclusions": _Texts([c.exclusion or "" for c in codes]),
            "phrases": _Texts(phrase_text),
        }

    # --- representations -----------------------------------------------------------------

    def rank(self) -> Ranking:
        self.report(0.05, "Reading the text")
        self.lemmatise()
        self.report(0.3, "Learning the project's vocabulary")
        self.fit_space()
        if self.encoder is not None:
            self.report(0.4, "Reading for meaning")
            self.embed()
        self.report(0.5, "Comparing with the framework")
        units = self.groups["units"]
        all_pos = np.ones(len(self.pos_code), dtype=bool)
        features = self.features(units, all_pos)
        self.report(0.6, "Learning from your codings")
        validation = self.validation_rows()
        names = [name for name, _ in self.settings.prior_weights if name in features]
        rejections = None
        if len(self.neg_code) and validation:
            keep = np.arange(min(len(self.neg_code), self.settings.max_validation))
            rejections = (
                self.features(self.groups["negatives"], all_pos, keep),
                self.neg_code[keep],
            )
        weights, centering = self.fit_fusion(names, features, validation, rejections)
        logits = self.logits(names, weights, centering, features)
        logits -= self.settings.negative_weight * self.penalty(units, None) * _scale(weights)
        confidence = _softmax_rows(logits)
        self.report(0.9, "Explaining the suggestions")
        return Ranking(
            codes=self.codes,
            confidence=confidence,
            weights={**dict(zip(names, weights.tolist(), strict=True)), "centering": centering},
            validation_rows=int(sum(len(g) for g in validation[1])) if validation else 0,
            _explain=self.explainer(features),
        )

    def lemmatise(self) -> None:
        raw = [t for group in self.groups.values() for t in group.raw] + self.background
        unique = list(dict.fromkeys(raw))
        analysed = dict(zip(unique, analyse(unique), strict=True))
        for group in self.groups.values():
            items = [analysed[t] for t in group.raw]
            group.lemmas = [item.lemma_text for item in items]
            group.surfaces = [list(zip(item.lemmas, item.surfaces, strict=True)) for item in items]
        self.background_lemmas = [analysed[t].lemma_text for t in self.background]

    def fit_space(self) -> None:
        corpus = list(
            dict.fromkeys(
                self.background_lemmas
                + self.groups["units"].lemmas
                + self.groups["fields"].lemmas
                + self.groups["positives"].lemmas
            )
        )
        self.corpus_size = len(corpus)
        self.space = FeatureSpace(corpus, self.settings)
        for group in self.groups.values():
            group.x = self.space.transform(group.lemmas)
            group.words = self.space.words.transform(group.lemmas) if group.lemmas else None

    def embed(self) -> None:
        assert self.encoder is not None
        wanted = ["units", "facets", "positives", "negatives"]
        texts = [t for name in wanted for t in self.groups[name].raw]
        unique = list(dict.fromkeys(texts))
        vectors = self.encoder(unique) if unique else np.zeros((0, 0))
        row = {t: i for i, t in enumerate(unique)}
        for name in wanted:
            group = self.groups[name]
            if group.raw:
                group.emb = vectors[[row[t] for t in group.raw]]

    # --- scorers ---------------------------------------------------------------------------

    def prototypes(self, pos_mask: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray | None]:
        """Each code's prototype in TF-IDF space, and in embedding space when there is one."""
        fields, positives, facets = (self.groups[n] for n in ("fields", "positives", "facets"))
        s = self.settings
        rows = []
        emb_rows = []
        for j in range(self.n_codes):
            index = [i for i, (code, _, _) in enumerate(self.field_rows) if code == j]
            if index:
                w = np.array([self.field_rows[i][2] for i in index])[:, None]
                proto = normalize(sparse.csr_matrix(fields.x[index].multiply(w).sum(axis=0)))
            else:
                proto = sparse.csr_matrix((1, fields.x.shape[1]))
            own = np.flatnonzero((self.pos_code == j) & pos_mask)
            if len(own):
                n = len(own)
                centroid = normalize(sparse.csr_matrix(positives.x[own].mean(axis=0)))
                proto = proto + s.positive_weight * n / (n + s.evidence_shrinkage) * centroid
            rows.append(proto)
            if facets.emb is not None:
                mine = facets.emb[self.facet_code == j]
                vector = normalize(mine.mean(axis=0, keepdims=True)) if len(mine) else None
                if vector is None:
                    vector = np.zeros((1, facets.emb.shape[1]))
                if len(own) and positives.emb is not None:
                    n = len(own)
                    centroid = normalize(positives.emb[own].mean(axis=0, keepdims=True))
                    vector = vector + s.positive_weight * n / (n + s.evidence_shrinkage) * centroid
                emb_rows.append(normalize(vector))
        proto_x = normalize(sparse.vstack(rows).tocsr())
        proto_emb = np.vstack(emb_rows) if emb_rows else None
        return proto_x, proto_emb

    def _facet_max(self, sims: np.ndarray) -> np.ndarray:
        out = np.zeros((sims.shape[0], self.n_codes))
        for j in range(self.n_codes):
            columns = self.facet_code == j
            if columns.any():
                out[:, j] = sims[:, columns].max(axis=1)
        return out

    def _nearest(self, sims: np.ndarray, pos_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best similarity to each code's coded quotes (within ``pos_mask``), and which."""
        out = np.zeros((sims.shape[0], self.n_codes))
        which = np.full((sims.shape[0], self.n_codes), -1, dtype=int)
        for j in range(self.n_codes):
            own = np.flatnonzero((self.pos_code == j) & pos_mask)
            if len(own):
                block = sims[:, own]
                out[:, j] = block.max(axis=1)
                which[:, j] = own[block.argmax(axis=1)]
        return out, which

    def features(
        self, rows: _Texts, pos_mask: np.ndarray, row_index: np.ndarray | None = None
    ) -> dict[str, Any]:
        """Every scorer's centred, scaled matrix for ``rows`` (or the subset ``row_index``),
        with only the coded quotes in ``pos_mask`` as the codes' examples."""
        take = slice(None) if row_index is None else row_index
        x = rows.x[take]
        proto_x, proto_emb = self.prototypes(pos_mask)
        facets, positives = self.groups["facets"], self.groups["positives"]
        has_examples = np.array(
            [bool(((self.pos_code == j) & pos_mask).any()) for j in range(self.n_codes)]
        )
        out: dict[str, Any] = {}
        raw: dict[str, Any] = {}
        raw["words"] = (x @ proto_x.T).toarray()
        raw["facet_sims"] = (x @ facets.x.T).toarray()
        raw["facets"] = self._facet_max(raw["facet_sims"])
        latent_protos = self.space.latent(self.space.words.transform(self._proto_lemmas(pos_mask)))
        if latent_protos is not None:
            raw["lsa"] = self.space.latent(rows.words[take]) @ latent_protos.T
        if positives.x.shape[0] and pos_mask.any():
            pos_sims = (x @ positives.x.T).toarray()
            raw["nearest"], raw["nearest_which"] = self._nearest(pos_sims, pos_mask)
        if rows.emb is not None and proto_emb is not None:
            emb = rows.emb[take]
            raw["meaning"] = emb @ proto_emb.T
            assert facets.emb is not None
            raw["meaning_facet_sims"] = emb @ facets.emb.T
            raw["meaning_facets"] = self._facet_max(raw["meaning_facet_sims"])
            if positives.emb is not None and pos_mask.any():
                sims = emb @ positives.emb.T
                raw["nearest_meaning"], raw["nearest_meaning_which"] = self._nearest(sims, pos_mask)
        model = self.classifier(proto_x, pos_mask)
        if model is not None:
            decision = model.decision_function(x)
            if decision.ndim == 1:
                decision = np.column_stack([-decision, decision])
            full = np.full((x.shape[0], self.n_codes), float(decision.min()))
            full[:, model.classes_] = decision
            raw["classifier"] = full
        for name, _ in self.settings.prior_weights:
            if name not in raw:
                continue
            columns = has_examples if name.startswith("nearest") else None
            centred = _center_rows(raw[name], columns)
            # One scale per scorer, set on the project's passages and reused for the
            # validation rows, so the fused logits mean the same on both.
            if name not in self.scales:
                spread = float(centred.std()) if centred.size else 0.0
                self.scales[name] = spread if spread > 1e-9 else 1.0
            out[name] = centred / self.scales[name]
        out["_raw"] = raw
        return out

    def _proto_lemmas(self, pos_mask: np.ndarray) -> list[str]:
        fields, positives = self.groups["fields"], self.groups["positives"]
        texts = []
        for j in range(self.n_codes):
            parts = [fields.lemmas[i] for i, (c, _, _) in enumerate(self.field_rows) if c == j]
            parts += [positives.lemmas[i] for i in np.flatnonzero((self.pos_code == j) & pos_mask)]
            texts.append(" ".join(parts))
        return texts

    def classifier(
        self, proto_x: sparse.csr_matrix, pos_mask: np.ndarray
    ) -> LogisticRegression | None:
        """A classifier on the codings, with the framework text as pseudo-examples."""
        own = np.flatnonzero(pos_mask)
        if not len(own) or self.n_codes <= 1:
            return None
        labels = list(range(self.n_codes)) + self.pos_code[own].tolist()
        model = LogisticRegression(
            C=self.settings.classifier_c, max_iter=2000, class_weight="balanced"
        )
        model.fit(sparse.vstack([proto_x, self.groups["positives"].x[own]]).tocsr(), labels)
        return model

    def penalty(self, rows: _Texts, row_index: np.ndarray | None) -> np.ndarray:
        """Rejected suggestions and exclusion criteria push a code down for look-alike units."""
        take = slice(None) if row_index is None else row_index
        x = rows.x[take]
        penalty = np.zeros((x.shape[0], self.n_codes))
        negatives = self.groups["negatives"]
        if negatives.x.shape[0]:
            sims = (x @ negatives.x.T).toarray()
            for j in range(self.n_codes):
                own = np.flatnonzero(self.neg_code == j)
                if len(own):
                    penalty[:, j] += sims[:, own].max(axis=1)
        exclusions = self.groups["exclusions"]
        penalty += (x @ exclusions.x.T).toarray() * 0.5
        return penalty

    # --- learning the fusion from the project's codings --------------------------------------

    def validation_rows(self) -> tuple[list[dict[str, Any]], list[np.ndarray]] | None:
        """Cross-validated features of the coded quotes: each fold scored by an engine that
        does not know it. Returns the stacked feature matrices and the gold code per row."""
        n = len(self.pos_code)
        if n < 2 or self.n_codes < 2:
            return None
        rng = np.random.default_rng(0)
        order = rng.permutation(n)
        if n > self.settings.max_validation:
            order = order[: self.settings.max_validation]
        folds = min(self.settings.folds, len(order))
        positives = self.groups["positives"]
        feats: list[dict[str, Any]] = []
        golds: list[np.ndarray] = []
        for f in range(folds):
            held = np.sort(order[f::folds])
            mask = np.ones(n, dtype=bool)
            mask[held] = False
            feats.append(self.features(positives, mask, held))
            golds.append(self.pos_code[held])
        return feats, golds

    def logits(
        self,
        names: list[str],
        weights: np.ndarray,
        centering: float,
        features: dict[str, Any],
    ) -> np.ndarray:
        """The fused logits, less ``centering`` times each code's mean over the passages."""
        fused = np.asarray(
            sum(w * features[name] for name, w in zip(names, weights, strict=True)), dtype=float
        )
        return fused - centering * (fused.mean(axis=0, keepdims=True) - fused.mean())

    def fit_fusion(
        self,
        names: list[str],
        features: dict[str, Any],
        validation: tuple[list[dict[str, Any]], list[np.ndarray]] | None,
        rejections: tuple[dict[str, Any], np.ndarray] | None = None,
    ) -> tuple[np.ndarray, float]:
        """Weights and centring that maximise, under the prior, the likelihood of the codes the
        analyst chose for held-out coded quotes and of *not* the code of each rejected
        suggestion (a rejection is evidence that such confidence was too high)."""
        prior = dict(self.settings.prior_weights)
        w0 = np.array([prior[name] for name in names])
        c0 = self.settings.prior_centering
        if not validation:
            return w0, c0
        fold_feats, fold_golds = validation
        usable = [
            (f, g)
            for f, g in zip(fold_feats, fold_golds, strict=True)
            if all(name in f for name in names)
        ]
        if not usable:
            return w0, c0
        # Per-code mean of each scorer over the project's passages, for the centering term.
        unit_means = {name: features[name].mean(axis=0) for name in names}
        parts = [f for f, _ in usable]
        targets = [g for _, g in usable]
        n_positive = int(sum(len(g) for g in targets))
        if rejections is not None and all(name in rejections[0] for name in names):
            parts.append(rejections[0])
            targets.append(rejections[1])
        stacks = [np.concatenate([f[name] for f in parts]) for name in names]
        gold = np.concatenate(targets)
        rows = np.arange(len(gold))
        chosen = rows < n_positive  # the rest are rejected (row, code) pairs
        strength = self.settings.prior_strength

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, c = theta[:-1], theta[-1]
            fused = sum(wi * s for wi, s in zip(w, stacks, strict=True))
            mean = sum(wi * unit_means[n] for wi, n in zip(w, names, strict=True))
            mean = mean - mean.mean()
            logits = fused - c * mean
            logits = logits - logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            target = p[rows, gold]
            nll = -np.log(target[chosen] + 1e-12).sum() - np.log(1 - target[~chosen] + 1e-12).sum()
            # d nll / d logits: p - onehot for a chosen code; for a rejected code c,
            # p_c (onehot_c - p) / (1 - p_c).
            delta = p.copy()
            delta[rows[chosen], gold[chosen]] -= 1.0
            if (~chosen).any():
                r, g = rows[~chosen], gold[~chosen]
                factor = (target[~chosen] / (1 - target[~chosen] + 1e-12))[:, None]
                onehot = np.zeros_like(p[~chosen])
                onehot[np.arange(len(r)), g] = 1.0
                delta[~chosen] = factor * (onehot - p[~chosen])
            grad_w = np.array(
                [
                    (delta * (s - c * (unit_means[n] - unit_means[n].mean()))).sum()
                    for s, n in zip(stacks, names, strict=True)
                ]
            )
            grad_c = float((delta * -mean).sum())
            penalty = strength * (((w - w0) ** 2).sum() + (c - c0) ** 2)
            grad = np.append(grad_w + 2 * strength * (w - w0), grad_c + 2 * strength * (c - c0))
            return float(nll + penalty), grad

        start = np.append(w0, c0)
        bounds = [(0.0, 10.0)] * len(names) + [(0.0, 1.0)]
        result = optimize.minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
        theta = result.x if result.success or result.fun < loss(start)[0] else start
        return theta[:-1], float(theta[-1])

    # --- reasons ---------------------------------------------------------------------------

    def explainer(self, features: dict[str, Any]) -> Callable[[int, int], dict[str, Any]]:
        raw = features["_raw"]
        units, facets, positives = (self.groups[n] for n in ("units", "facets", "positives"))
        phrase_group = self.groups["phrases"]
        phrase_start = np.cumsum([0] + [len(p) for p in self.unit_phrases])
        meaning = "meaning_facet_sims" in raw
        facet_sims = raw["meaning_facet_sims"] if meaning else raw["facet_sims"]
        near_key = "nearest_meaning" if "nearest_meaning" in raw else "nearest"
        near, near_which = raw.get(near_key), raw.get(f"{near_key}_which")
        near_bands = (0.7, 0.5) if near_key == "nearest_meaning" else (0.45, 0.25)

        def explain(unit: int, code: int) -> dict[str, Any]:
            out: dict[str, Any] = {}
            columns = np.flatnonzero(self.facet_code == code)
            if len(columns):
                best = int(columns[facet_sims[unit, columns].argmax()])
                out["clause"] = facets.raw[best][:240]
                out["clause_field"] = self.facet_label[best]
                # The phrase of the passage closest to that clause.
                lo, hi = int(phrase_start[unit]), int(phrase_start[unit + 1])
                sims = (phrase_group.x[lo:hi] @ facets.x[best].T).toarray().ravel()
                pick = int(sims.argmax()) if len(sims) else 0
                start, end = self.unit_phrases[unit][pick]
                text = units.raw[unit]
                out["phrase"] = text[start:end].strip()[:240]
                out["phrase_span"] = [start, end]
                clause_lemmas = {lemma for lemma, _ in facets.surfaces[best]}
                words = [
                    written
                    for lemma, written in phrase_group.surfaces[lo + pick]
                    if lemma in clause_lemmas and lemma not in GENERIC
                ]
                out["words"] = list(dict.fromkeys(words))[:5]
            if near is not None and near_which is not None and near_which[unit, code] >= 0:
                similarity = float(near[unit, code])
                out["nearest_quote"] = positives.raw[int(near_which[unit, code])][:300]
                out["nearest_similarity"] = round(similarity, 3)
                out["nearest_closeness"] = (
                    "very close"
                    if similarity >= near_bands[0]
                    else "close"
                    if similarity >= near_bands[1]
                    else "loosely like"
                )
            return out

        return explain


# Words that say nothing on their own when shown as a shared word.
GENERIC = frozenset(
    [
        "datum",
        "data",
        "people",
        "thing",
        "think",
        "say",
        "need",
        "want",
        "like",
        "know",
        "way",
        "lot",
        "make",
        "use",
        "get",
        "go",
        "happen",
        "feel",
        "time",
        "really",
        "just",
        "also",
        "would",
        "could",
    ]
)


def _scale(weights: np.ndarray) -> float:
    return float(max(weights.sum(), 0.1))
