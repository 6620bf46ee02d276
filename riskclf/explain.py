"""Explanations: which n-grams pushed an article towards its predicted class, and by how much.

A linear head scores ``x @ w``; the contribution of term ``j`` to class ``c`` is ``x_j * w[c, j]``.
Everything here works on the sparse matrix at once (no per-term Python loops), so explanations
stay cheap enough to compute for every scored row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse


def top_contributions(
    X: sparse.csr_matrix,
    weights: np.ndarray,
    classes: np.ndarray,
    readable: np.ndarray,
    k: int,
) -> list[list[tuple[int, float]]]:
    """Return, per row, up to ``k`` (feature index, contribution) pairs with the largest
    positive contribution to that row's class.

    Parameters
    ----------
    X : csr_matrix of shape (n_rows, n_features)
        Feature matrix.
    weights : ndarray of shape (n_classes, n_features)
        Per-class feature weights of a linear head.
    classes : ndarray of shape (n_rows,)
        The class to explain for each row.
    readable : ndarray of bool, shape (n_features,)
        Features that may be shown (character n-grams are not).
    k : int
        Terms per row.
    """
    n_rows = X.shape[0]
    if k <= 0 or X.nnz == 0:
        return [[] for _ in range(n_rows)]
    counts = np.diff(X.indptr)
    row_of = np.repeat(np.arange(n_rows), counts)
    contrib = X.data * weights[classes[row_of], X.indices]
    keep = readable[X.indices] & (contrib > 0)
    row_of, idx, contrib = row_of[keep], X.indices[keep], contrib[keep]
    out: list[list[tuple[int, float]]] = [[] for _ in range(n_rows)]
    for r, j, c in zip(*_largest_per_row(row_of, idx, contrib, k), strict=True):
        out[r].append((j, c))
    return out


def _largest_per_row(row_of: np.ndarray, idx: np.ndarray, values: np.ndarray, k: int):
    """(row, index, value) lists of the ``k`` largest values of each row, largest first (ties:
    the earlier entry first), for entries grouped by row (``row_of`` ascending).

    Takes the maximum of every row ``k`` times instead of sorting all entries: an article has
    dozens of positive contributions and only a handful are shown.
    """
    values = values.astype(np.float64, copy=True)
    if not len(values):
        return [], [], []
    starts = np.flatnonzero(np.r_[True, row_of[1:] != row_of[:-1]])  # first entry of each row
    lengths = np.diff(np.r_[starts, len(values)])
    picked_rows, picked_idx, picked_values = [], [], []
    for _ in range(k):
        row_max = np.repeat(np.maximum.reduceat(values, starts), lengths)
        at_max = np.flatnonzero((values == row_max) & np.isfinite(values))
        if not len(at_max):
            break
        # the first entry reaching its row's maximum
        chosen = at_max[np.r_[True, row_of[at_max][1:] != row_of[at_max][:-1]]]
        picked_rows.append(row_of[chosen])
        picked_idx.append(idx[chosen])
        picked_values.append(values[chosen])
        values[chosen] = -np.inf
    if not picked_rows:
        return [], [], []
    rows = np.concatenate(picked_rows)
    order = np.argsort(rows, kind="stable")  # by row, each row's picks in the order taken
    return (
        rows[order].tolist(),
        np.concatenate(picked_idx)[order].tolist(),
        np.concatenate(picked_values)[order].tolist(),
    )


def format_terms(pairs: Sequence[tuple[int, float]], names: Sequence[str | None]) -> str:
    """Format (index, contribution) pairs as ``term (+0.42); term (+0.17)``."""
    return "; ".join(f"{names[j]} (+{c:.2f})" for j, c in pairs)


def top_class_terms(
    weights: np.ndarray, names: Sequence[str | None], labels: Sequence[str], k: int = 15
) -> dict[str, list[tuple[str, float]]]:
    """Return the ``k`` readable terms with the largest weight for each class.

    These are the "most informative terms per class" of a model, independent of any article.
    """
    readable = np.array([n is not None for n in names])
    result: dict[str, list[tuple[str, float]]] = {}
    for c, label in enumerate(labels):
        w = np.where(readable, weights[c], -np.inf)
        best = np.argsort(-w, kind="stable")[:k]
        result[label] = [(names[j], float(weights[c, j])) for j in best if np.isfinite(w[j])]
    return result


def informative_terms(model, k: int = 15) -> dict[str, dict[str, list[tuple[str, float]]]]:
    """The most informative readable terms per class of each head of ``model``.

    Returns ``{"risk_level": {level: [(term, weight), ...]}, "theme": {label: [...]}}``.
    """
    from riskclf.features import readable_feature_names

    names = readable_feature_names(model.features)
    result = {}
    if model.risk_head is not None:
        result["risk_level"] = top_class_terms(
            model.risk_head.class_weights(), names, model.risk_levels, k
        )
    if model.theme_head is not None:
        result["theme"] = top_class_terms(
            model.theme_head.class_weights(), names, model.theme_labels, k
        )
    return result


def signed_contributions(
    x: sparse.csr_matrix, weights: np.ndarray, names: Sequence[str | None], k: int
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """For one row ``x`` and one class's weights, the ``k`` readable terms pushing towards the
    class most and the ``k`` pushing away from it most, with signed contributions."""
    idx, values = x.indices, x.data * weights[x.indices]
    readable = np.array([names[j] is not None for j in idx], dtype=bool)
    idx, values = idx[readable], values[readable]
    order = np.argsort(-values, kind="stable")
    up = [(names[idx[i]], float(values[i])) for i in order[:k] if values[i] > 0]
    down = [(names[idx[i]], float(values[i])) for i in order[::-1][:k] if values[i] < 0]
    return up, down


def explain_text(model, text: str, k: int = 8) -> dict:
    """Why ``model`` scores ``text`` as it does: for the predicted risk level and for each
    predicted theme, the terms pushing towards it and away from it.

    Returns
    -------
    dict
        ``risk_level`` (with ``level``, ``probability``, ``up``, ``down``) and ``themes`` (a list
        of the same per predicted theme); contributions are ``x_j * w_j`` of the linear head.
    """
    from riskclf.features import readable_feature_names

    names = readable_feature_names(model.features)
    X = model.transform([text])
    result: dict = {}
    if model.risk_head is not None:
        proba = model.risk_proba(X)[0]
        level = int(proba.argmax())
        up, down = signed_contributions(X[0], model.risk_head.class_weights()[level], names, k)
        result["risk_level"] = {
            "level": model.risk_levels[level],
            "probability": float(proba[level]),
            "up": up,
            "down": down,
        }
    if model.theme_head is not None:
        proba = model.theme_head.predict_proba(X)
        chosen = model.theme_head.decide(proba)[0]
        weights = model.theme_head.class_weights()
        themes = []
        for j in np.argsort(-proba[0], kind="stable"):
            if chosen[j]:
                up, down = signed_contributions(X[0], weights[j], names, k)
                themes.append(
                    {
                        "theme": model.theme_labels[j],
                        "probability": float(proba[0, j]),
                        "up": up,
                        "down": down,
                    }
                )
        result["themes"] = themes
    return result
