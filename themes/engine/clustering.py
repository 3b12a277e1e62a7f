"""Inductive candidate themes: cluster passages no code covers.

Lemma TF-IDF (word 1-2 grams) reduced with LSA (TruncatedSVD), then k-means on the normalised
latent vectors with k chosen automatically by the silhouette score on a sample. Each cluster is
labelled by the terms (and noun chunks, when the spaCy pipeline has a parser) that are most
over-represented in it compared with the whole material; its quotes are ordered by closeness to
the centroid, so the first are the most representative.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from .nlp import MEANINGFUL, analyse

# Words too general to head a candidate theme's label ("need", "people", "say"), and the
# function words the engine keeps for matching ("can", "not", "who") but that name nothing.
GENERIC_HEADS = MEANINGFUL | frozenset(
    [
        "need",
        "people",
        "person",
        "say",
        "said",
        "think",
        "thing",
        "things",
        "know",
        "want",
        "like",
        "feel",
        "way",
        "lot",
        "get",
        "go",
        "going",
        "really",
        "just",
        "also",
        "mean",
        "happen",
        "yeah",
        "yes",
        "okay",
        "ok",
        "well",
        "sort",
        "kind",
        "bit",
        "actually",
        "good",
        "time",
        "come",
        "look",
        "use",
        "datum",
        "data",
        "right",
        "maybe",
    ]
)

Progress = Callable[[float, str], None]


@dataclass
class Cluster:
    label: str
    key_phrases: list[str]
    members: list[tuple[int, float]]  # (index into texts, similarity to the centroid), best first
    cohesion: float


def cluster_texts(
    texts: Sequence[str],
    *,
    max_k: int = 12,
    min_size: int = 3,
    progress: Progress | None = None,
    seed: int = 0,
) -> list[Cluster]:
    report = progress or (lambda fraction, message: None)
    report(0.05, "Reading the text")
    analysed = analyse(list(texts))
    lemma_texts = [item.lemma_text for item in analysed]
    usable = [i for i, text in enumerate(lemma_texts) if len(text.split()) >= 2]
    if len(usable) < 2 * min_size:
        return []
    # Unigrams, and bigrams only of words that stand together in the text.
    docs = [" ".join([lemma_texts[i], *(pair for pair, _ in analysed[i].bigrams)]) for i in usable]
    vectorizer = TfidfVectorizer(
        token_pattern=r"\S+",
        ngram_range=(1, 1),
        sublinear_tf=True,
        min_df=2 if len(docs) >= 50 else 1,
        max_df=0.5 if len(docs) >= 20 else 1.0,
    )
    try:
        tfidf = vectorizer.fit_transform(docs)
    except ValueError:  # no term survives the document-frequency limits
        return []
    report(0.3, "Finding the main dimensions")
    latent = _latent(tfidf, seed=seed)
    report(0.45, "Choosing the number of themes")
    best = _best_kmeans(latent, max_k=max_k, min_size=min_size, seed=seed, report=report)
    if best is None:
        return []
    labels, centres = best
    report(0.9, "Naming the candidate themes")
    clusters = _clusters_named(
        labels=labels,
        centres=centres,
        latent=latent,
        tfidf=tfidf,
        terms=vectorizer.get_feature_names_out(),
        analysed=analysed,
        usable=usable,
        min_size=min_size,
    )
    clusters.sort(key=lambda cluster: -len(cluster.members))
    return clusters


def _clusters_named(
    *,
    labels: np.ndarray,
    centres: np.ndarray,
    latent: np.ndarray,
    tfidf: Any,
    terms: Any,
    analysed: list[Any],
    usable: list[int],
    min_size: int,
) -> list[Cluster]:
    """Each cluster of at least ``min_size`` passages, named by its most frequent noun chunks
    and the terms it uses more than the rest, with its members nearest the centre first."""
    overall = np.asarray(tfidf.mean(axis=0)).ravel()
    clusters: list[Cluster] = []
    for label in sorted(set(labels.tolist())):
        rows = np.flatnonzero(labels == label)
        if len(rows) < min_size:
            continue
        inside = np.asarray(tfidf[rows].mean(axis=0)).ravel()
        lift = inside - overall
        words = _surface_words([analysed[usable[row]] for row in rows])
        top = [
            words.get(str(terms[i]), str(terms[i]).replace("_", " "))
            for i in np.argsort(-lift)[:20]
            if lift[i] > 0 and _can_head(str(terms[i]))
        ][:8]
        chunks = Counter(
            chunk
            for row in rows
            for chunk in analysed[usable[row]].noun_chunks
            if len(chunk.split()) >= 1
        )
        phrases = _dedupe([chunk for chunk, count in chunks.most_common(3) if count >= 2] + top)
        centre = normalize(centres[label].reshape(1, -1))[0]
        similarity = latent[rows] @ centre
        order = np.argsort(-similarity)
        members = [(usable[int(rows[i])], float(similarity[i])) for i in order]
        clusters.append(
            Cluster(
                label=" / ".join(phrases[:3]) or "unnamed",
                key_phrases=phrases[:8],
                members=members,
                cohesion=float(similarity.mean()),
            )
        )
    return clusters


def _can_head(term: str) -> bool:
    """A term may name a theme unless it is, or starts with, a generic word."""
    return term.split("_")[0] not in GENERIC_HEADS


def _surface_words(items: list[Any]) -> dict[str, str]:
    """Each lemma's (and adjacent lemma pair's) most used written form in these passages
    ("datum" -> "data", "circumstance" -> "circumstances"), so labels use the participants'
    words."""
    seen: dict[str, Counter[str]] = {}
    for item in items:
        for lemma, surface in zip(item.lemmas, item.surfaces, strict=False):
            seen.setdefault(lemma, Counter())[surface] += 1
        for pair, written in item.bigrams:
            seen.setdefault(pair, Counter())[written] += 1
    return {lemma: forms.most_common(1)[0][0] for lemma, forms in seen.items()}


def _latent(tfidf: Any, *, seed: int) -> np.ndarray:
    """Unit-length rows in a latent semantic space (the TF-IDF itself when too small)."""
    n_components = min(100, tfidf.shape[0] - 1, tfidf.shape[1] - 1)
    if n_components >= 2:
        latent = TruncatedSVD(n_components=n_components, random_state=seed).fit_transform(tfidf)
    else:
        latent = tfidf.toarray()
    return normalize(latent)


def _best_kmeans(
    latent: np.ndarray, *, max_k: int, min_size: int, seed: int, report: Progress
) -> tuple[np.ndarray, np.ndarray] | None:
    """K-means labels and centres for the number of clusters with the best silhouette."""
    distinct = len({tuple(np.round(row, 6)) for row in latent})
    upper = min(max_k, len(latent) // min_size, distinct)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    sample = min(len(latent), 2000)
    for k in range(2, max(upper, 2) + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # duplicate passages
            model = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(latent)
        if len(set(model.labels_)) < 2:
            continue
        quality = silhouette_score(
            latent, model.labels_, sample_size=sample, random_state=seed, metric="cosine"
        )
        if best is None or quality > best[0]:
            best = (quality, model.labels_, model.cluster_centers_)
        report(0.45 + 0.4 * (k - 1) / max(upper - 1, 1), f"Tried {k} themes")
    return None if best is None else (best[1], best[2])


def _dedupe(phrases: list[str]) -> list[str]:
    """One phrase per idea: "cold meal" replaces an earlier "cold", and "meal" after it is
    dropped."""
    kept: list[str] = []
    for phrase in phrases:
        words = set(phrase.split())
        if any(words <= set(other.split()) for other in kept):
            continue
        wider = [i for i, other in enumerate(kept) if set(other.split()) < words]
        if wider:
            kept[wider[0]] = phrase
            kept = [other for i, other in enumerate(kept) if i not in wider[1:]]
        else:
            kept.append(phrase)
    return kept
