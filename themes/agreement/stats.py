"""Krippendorff's alpha (nominal), Cohen's kappa and percent agreement, with a bootstrap.

The data are *units* (a speaker turn, a sentence, or a run of characters) each carrying one
value per coder who saw it, or nothing for a coder who did not (missing data). A unit counts
``weight`` times, so a run of 40 characters on which every coder agrees is one row of weight 40.

Alpha follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", from the
coincidence matrix: with ``n_uc`` the number of coders giving value ``c`` to unit ``u`` and
``m_u = sum_c n_uc`` (units with ``m_u < 2`` are not pairable and drop out),

    D_o ~ sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)          (observed disagreement)
    n_c = sum_u n_uc,  n = sum_c n_c
    alpha = 1 - (n - 1) * D_o / (n^2 - sum_c n_c^2)

which is the nominal metric written without the matrix. Alpha is undefined when every pairable
value is the same (no variation to agree on): the functions return ``None`` and a reason.

The interval resamples units with replacement (``B`` replicates, percentile method). Units are
what the analyst reports on, and resampling them keeps each unit's coders together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

MISSING = -1


@dataclass(frozen=True)
class Figure:
    """One reliability figure and what it rests on."""

    alpha: float | None
    ci: tuple[float, float] | None
    kappa: float | None
    agreement: float | None
    units: int  # pairable units (two or more coders)
    values: int  # pairable values (sum of coders over pairable units)
    reason: str = ""  # why alpha is None


def _pairable(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    present = (values != MISSING).sum(axis=1)
    keep = present >= 2
    return values[keep], weights[keep]


def _count_matrix(values: np.ndarray) -> sparse.csr_matrix:
    """Units x categories matrix of how many coders gave each category to each unit."""
    rows, cols = np.nonzero(values != MISSING)
    cats = values[rows, cols]
    size = int(cats.max()) + 1 if cats.size else 1
    return sparse.csr_matrix(
        (np.ones_like(cats, dtype=np.float64), (rows, cats)), shape=(values.shape[0], size)
    )


def _alpha_from(n: np.ndarray, sum_nc2: np.ndarray, disagreement: np.ndarray) -> np.ndarray:
    expected = n * n - sum_nc2
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * disagreement / expected
    return np.where(expected > 0, alpha, np.nan)


def _parts(values: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    counts = _count_matrix(values)
    m = np.asarray(counts.sum(axis=1)).ravel()
    sq = np.asarray(counts.multiply(counts).sum(axis=1)).ravel()
    per_unit = (m * m - sq) / np.maximum(m - 1.0, 1.0)
    return counts, m, per_unit


def alpha_nominal(values: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """Alpha for a units x coders array of category numbers (``MISSING`` where absent)."""
    values = np.asarray(values, dtype=np.int64)
    weights = np.ones(values.shape[0]) if weights is None else np.asarray(weights, float)
    values, weights = _pairable(values, weights)
    if not values.size:
        return None
    counts, m, per_unit = _parts(values)
    n_c = np.asarray(counts.T @ weights).ravel()
    n = float(weights @ m)
    result = _alpha_from(np.array([n]), np.array([n_c @ n_c]), np.array([weights @ per_unit]))
    return None if np.isnan(result[0]) else float(result[0])


def _binary_parts(
    kept: list[np.ndarray], binary: list[int], m: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Units x tables: each unit's count of 1s, and its disagreement ``2a(m-a)/(m-1)``."""
    if not binary:
        return None
    ones = np.stack([(kept[i] == 1).sum(axis=1) for i in binary], axis=1).astype(float)
    split = 2.0 * ones * (m[:, None] - ones) / np.maximum(m[:, None] - 1.0, 1.0)
    return ones, split


def _percentiles(samples: list[np.ndarray], level: float) -> tuple[float, float] | None:
    values = np.concatenate(samples)
    values = values[~np.isnan(values)]
    if not values.size:
        return None
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(values, [tail, 1.0 - tail])
    return float(low), float(high)


def bootstrap_alphas(
    tables: list[np.ndarray],
    weights: np.ndarray | None = None,
    *,
    replicates: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> list[tuple[float, float] | None]:
    """Percentile intervals for the alpha of each table, resampling pairable units with
    replacement. The tables share their units and their missing values (one per code over the
    same units), so every table is measured on the same resampled units."""
    if not tables:
        return []
    first = np.asarray(tables[0], dtype=np.int64)
    weights = np.ones(first.shape[0]) if weights is None else np.asarray(weights, float)
    keep = (first != MISSING).sum(axis=1) >= 2
    units = int(keep.sum())
    if units < 2:
        return [None] * len(tables)
    weights = weights[keep]
    kept = [np.asarray(table, dtype=np.int64)[keep] for table in tables]
    m = (kept[0] != MISSING).sum(axis=1).astype(float)
    # Binary tables (one per code: applied or not) need only each unit's count of 1s: the
    # replicates are then two dense matrix products for all codes at once.
    binary = [i for i, table in enumerate(kept) if table.max() <= 1]
    general = [i for i in range(len(kept)) if i not in set(binary)]
    fast = _binary_parts(kept, binary, m)
    parts = {i: _parts(kept[i]) for i in general}
    rng = np.random.default_rng(seed)
    samples: dict[int, list[np.ndarray]] = {i: [] for i in range(len(kept))}
    chunk = max(1, min(replicates, 2_000_000 // units))
    for done in range(0, replicates, chunk):
        size = min(chunk, replicates - done)
        # how many times each unit was drawn in each replicate, times its weight
        draws = rng.integers(0, units, size=(size, units)) + (np.arange(size) * units)[:, None]
        hits = np.bincount(draws.ravel(), minlength=size * units).reshape(size, units) * weights
        n = hits @ m
        if fast is not None:
            n_one = hits @ fast[0]
            n_zero = n[:, None] - n_one
            alphas = _alpha_from(n[:, None], n_one**2 + n_zero**2, hits @ fast[1])
            for column, i in enumerate(binary):
                samples[i].append(alphas[:, column])
        hits_t = np.ascontiguousarray(hits.T) if general else hits
        for i in general:
            counts, _m, per_unit = parts[i]
            n_c = np.asarray(counts.T @ hits_t)
            samples[i].append(_alpha_from(n, (n_c * n_c).sum(axis=0), hits @ per_unit))
    return [_percentiles(samples[i], level) for i in range(len(kept))]


def bootstrap_alpha(
    values: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    replicates: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float] | None:
    return bootstrap_alphas([values], weights, replicates=replicates, seed=seed, level=level)[0]


def percent_agreement(values: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """Share of pairable units (by weight) on which every coder present gave the same value."""
    values = np.asarray(values, dtype=np.int64)
    weights = np.ones(values.shape[0]) if weights is None else np.asarray(weights, float)
    values, weights = _pairable(values, weights)
    if not values.size:
        return None
    masked = np.where(values == MISSING, values.max() + 1, values)
    lowest = masked.min(axis=1)
    highest = np.where(values == MISSING, -1, values).max(axis=1)
    same = lowest == highest
    return float(weights[same].sum() / weights.sum())


def cohen_kappa(values: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """Cohen's kappa for exactly two coders (columns), over units both coded."""
    values = np.asarray(values, dtype=np.int64)
    if values.ndim != 2 or values.shape[1] != 2:
        return None
    weights = np.ones(values.shape[0]) if weights is None else np.asarray(weights, float)
    both = (values != MISSING).all(axis=1)
    values, weights = values[both], weights[both]
    total = weights.sum()
    if not total:
        return None
    observed = weights[values[:, 0] == values[:, 1]].sum() / total
    expected = 0.0
    for category in np.unique(values):
        first = weights[values[:, 0] == category].sum() / total
        second = weights[values[:, 1] == category].sum() / total
        expected += first * second
    if expected >= 1.0:
        return None
    return float((observed - expected) / (1.0 - expected))


def figures(
    tables: list[np.ndarray],
    weights: np.ndarray | None = None,
    *,
    replicates: int = 1000,
    seed: int = 0,
) -> list[Figure]:
    """Every figure for each table (same units, same missing values): alpha with its
    interval, kappa (two coders), percent agreement, and the units and values behind them."""
    if not tables:
        return []
    tables = [np.asarray(table, dtype=np.int64) for table in tables]
    weights = np.ones(tables[0].shape[0]) if weights is None else np.asarray(weights, float)
    present = (tables[0] != MISSING).sum(axis=1)
    pairable = present >= 2
    units = int(pairable.sum())
    pairable_values = int(present[pairable].sum())
    if not units:
        return [
            Figure(None, None, None, None, 0, 0, "No unit was coded by two or more coders.")
        ] * len(tables)
    alphas = [alpha_nominal(table, weights) for table in tables]
    defined = [i for i, alpha in enumerate(alphas) if alpha is not None]
    intervals: dict[int, tuple[float, float] | None] = {}
    if replicates and defined:
        found = bootstrap_alphas(
            [tables[i] for i in defined], weights, replicates=replicates, seed=seed
        )
        intervals = dict(zip(defined, found, strict=True))
    two = tables[0].shape[1] == 2
    return [
        Figure(
            alpha=alpha,
            ci=intervals.get(i),
            kappa=cohen_kappa(table, weights) if two else None,
            agreement=percent_agreement(table, weights),
            units=units,
            values=pairable_values,
            reason="" if alpha is not None else "Every coder gave every unit the same value.",
        )
        for i, (alpha, table) in enumerate(zip(alphas, tables, strict=True))
    ]


def figure(
    values: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    replicates: int = 1000,
    seed: int = 0,
) -> Figure:
    return figures([values], weights, replicates=replicates, seed=seed)[0]
