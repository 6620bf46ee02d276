"""Choose which articles of a feed to label next: uncertain ones, spread over the feed.

The rows a model is least sure of teach it most, but the most uncertain rows of a feed are often
near-copies of each other (the same wire story, the same kind of press note). So the choice has
two steps, after Zhdanov (2019), "Diverse mini-batch active learning":

1. **Uncertainty.** Each row gets a score in [0, 1] (:func:`uncertainty`): one minus the margin
   between the two most probable risk levels, and, for themes, how close the most doubtful
   theme's probability is to its decision threshold. The ``pool_factor * n`` most uncertain
   rows are the candidates.
2. **Diversity.** The candidates are grouped into ``n`` clusters by k-means on their TF-IDF rows
   (weighted by uncertainty, so clusters gather where the model is unsure); the row nearest each
   cluster centre is chosen. A chosen row whose cosine similarity to an earlier chosen or an
   already labelled row is :data:`NEAR_DUPLICATE` or more is replaced by the next candidate.

Rows whose ids are already labelled, rows that cannot be scored (empty text) and repeated texts
are never chosen; the counts say how many were skipped. The choice is deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from riskclf.config import LABEL_SEPARATOR, RISK_COLUMN, THEME_COLUMN
from riskclf.errors import ConfigError, SchemaError
from riskclf.schema import (
    TRUNCATED_FLAG,
    TextColumns,
    clean_texts,
    get_ids,
    get_texts,
    reader_errors,
)
from riskclf.served import RiskModel
from riskclf.textcheck import strip_texts_markup

#: Cosine similarity (of TF-IDF rows) from which two articles count as near-duplicates.
NEAR_DUPLICATE = 0.8
#: Candidates per chosen row that the diversity step picks among.
POOL_FACTOR = 10
#: Rows scored per chunk (bounds memory on large feeds).
CHUNK_ROWS = 5000
HEADS = ("both", "risk", "theme")
STRATEGIES = ("active", "uncertainty", "random")
UNCERTAINTY_COLUMN = "uncertainty"


@dataclass
class Suggestion:
    """What :func:`suggest_rows` returns.

    Attributes
    ----------
    frame : DataFrame
        The chosen rows, most uncertain first: ``id``, ``text``, the model's guess
        (``guess_risk_level``, ``p_<level>``, ``guess_theme``, ``p_theme_<label>``),
        ``uncertainty``, and empty ``risk_level`` and ``theme`` columns to fill in.
    counts : dict
        ``feed_rows``, ``already_labelled``, ``unscorable``, ``repeated_text``, ``candidates``,
        ``near_duplicates_skipped``, ``chosen``.
    seconds : float
    """

    frame: pd.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        """One-line summary."""
        c = self.counts
        skipped = [
            f"{c[k]} {k.replace('_', ' ')}"
            for k in ("already_labelled", "unscorable", "repeated_text")
            if c.get(k)
        ]
        return (
            f"chose {c['chosen']} of {c['feed_rows']} rows to label "
            f"(from the {c['candidates']} most uncertain"
            + (f"; skipped {', '.join(skipped)}" if skipped else "")
            + (
                f"; {c['near_duplicates_skipped']} near-duplicates passed over"
                if c.get("near_duplicates_skipped")
                else ""
            )
            + f") in {self.seconds:.1f} s"
        )


@dataclass
class LabelledRows:
    """What earlier label files hold: their ids and texts (never suggested again, nor rows
    too similar to them) and the themes used in them."""

    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    themes: set[str] = field(default_factory=set)


def labelled_rows(frames: Sequence[pd.DataFrame], *, columns: TextColumns = TextColumns()):
    """Collect :class:`LabelledRows` from label files. Every row of them counts, filled in or
    not: it has been shown to the user already.

    Raises
    ------
    SchemaError
        A label file has no id column (its rows could not be matched to the feed) or no text.
    """
    known = LabelledRows()
    for frame in frames:
        if columns.id not in frame.columns:
            raise SchemaError(
                f"a label file has no '{columns.id}' column: its rows cannot be matched to the "
                "feed's; keep the id column of 'riskclf label suggest' output"
            )
        known.ids += frame[columns.id].astype(str).tolist()
        texts, problems = clean_texts(get_texts(frame, columns))
        known.texts += [t for t, p in zip(texts, problems, strict=True) if t and p != "empty text"]
        if THEME_COLUMN in frame.columns:
            for cell in frame[THEME_COLUMN].dropna().astype(str):
                known.themes.update(t.strip() for t in cell.split(LABEL_SEPARATOR) if t.strip())
    known.themes.discard("none")
    return known


def check_suggest_options(n: int, head: str, strategy: str, pool_factor: int) -> None:
    """Refuse option values :func:`suggest_rows` cannot use, saying which are allowed."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ConfigError(f"n must be a positive number of rows, got {n!r}")
    if head not in HEADS:
        raise ConfigError(f"head must be one of {', '.join(HEADS)}, got {head!r}")
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if pool_factor < 1:
        raise ConfigError(f"pool_factor must be at least 1, got {pool_factor}")


def risk_uncertainty(proba: np.ndarray) -> np.ndarray:
    """One minus the margin between the two most probable levels: 0 when one level has all the
    probability, 1 when the two best are tied."""
    if proba.shape[1] < 2:
        return np.zeros(len(proba))
    top = np.sort(proba, axis=1)[:, -2:]
    return 1.0 - (top[:, 1] - top[:, 0])


def theme_uncertainty(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """How close the most doubtful theme is to its decision threshold: 1 at the threshold, 0 at
    a probability of 0 or 1 (the distance is scaled by the room on that side)."""
    if proba.shape[1] == 0:
        return np.zeros(len(proba))
    thresholds = np.clip(np.asarray(thresholds, dtype=np.float64), 1e-6, 1 - 1e-6)
    room = np.where(proba >= thresholds, 1.0 - thresholds, thresholds)
    closeness = 1.0 - np.abs(proba - thresholds) / room
    return np.clip(closeness, 0.0, 1.0).max(axis=1)


def uncertainty(
    model: RiskModel, X, head: str = "both", themes: Sequence[str] | None = None
) -> np.ndarray:
    """Uncertainty of each row in [0, 1]: the mean of the risk and theme scores
    (:func:`risk_uncertainty`, :func:`theme_uncertainty`) of the heads asked for that the model
    has; the theme score over ``themes`` only, when given."""
    parts = []
    if head in ("both", "risk") and model.risk_levels is not None:
        parts.append(risk_uncertainty(model.risk_proba(X)))
    if head in ("both", "theme") and model.theme_labels is not None:
        columns = theme_columns(model, themes)
        proba = model.theme_proba(X)[:, columns]
        parts.append(theme_uncertainty(proba, model.theme_head.thresholds_[columns]))
    if not parts:
        raise ConfigError(f"the model has no {head} head to measure uncertainty on")
    return np.mean(parts, axis=0)


def theme_columns(model: RiskModel, themes: Sequence[str] | None) -> np.ndarray:
    """Column positions of ``themes`` among the model's theme labels (all when ``None``).

    Raises
    ------
    ConfigError
        A theme the model does not know.
    """
    labels = list(model.theme_labels or [])
    if themes is None:
        return np.arange(len(labels))
    unknown = [t for t in themes if t not in labels]
    if unknown:
        raise ConfigError(
            f"themes not known to the model: {', '.join(unknown)}; it knows {', '.join(labels)}"
        )
    return np.array([labels.index(t) for t in themes], dtype=int)


def suggest_rows(
    model: RiskModel,
    feed: pd.DataFrame,
    n: int,
    *,
    labelled_ids: Iterable[str] = (),
    labelled_texts: Sequence[str] = (),
    columns: TextColumns = TextColumns(),
    head: str = "both",
    themes: Sequence[str] | None = None,
    strategy: str = "active",
    pool_factor: int = POOL_FACTOR,
    seed: int = 0,
) -> Suggestion:
    """Choose up to ``n`` rows of ``feed`` to label next.

    Parameters
    ----------
    model : RiskModel
        The current model: its uncertainty picks the candidates, its features measure
        similarity.
    feed : DataFrame
        The articles (text, or title and body; an id column is recommended so labels can be
        matched back to the feed).
    n : int
        Rows to choose (fewer when the feed has fewer usable rows).
    labelled_ids : iterable of str
        Ids already labelled: never chosen again.
    labelled_texts : sequence of str
        Texts already labelled: a row too similar to one of them is not chosen.
    columns : TextColumns
        Names of the id and text columns.
    head : {"both", "risk", "theme"}
        Which heads' uncertainty counts.
    themes : sequence of str, optional
        The themes whose uncertainty counts (default: all the model's). Give the themes you
        label with: doubt about a theme you never use teaches nothing.
    strategy : {"active", "uncertainty", "random"}
        ``active``: uncertainty, then diversity (see the module docstring); ``uncertainty``: the
        ``n`` most uncertain rows (near-duplicates still skipped); ``random``: a uniform sample
        (for comparison).
    pool_factor : int
        Candidates per chosen row for the diversity step.
    seed : int
        Seed of the tie-breaking order, the clustering and the random strategy.

    Returns
    -------
    Suggestion

    Raises
    ------
    SchemaError
        The feed has no text column, or repeated ids.
    ConfigError
        An option is out of range, or the model lacks the head asked for.
    """
    started = time.perf_counter()
    check_suggest_options(n, head, strategy, pool_factor)
    if themes is not None and model.theme_labels is not None:
        theme_columns(model, themes)  # refuse unknown themes before any work
    ids = get_ids(feed, columns.id)
    if ids.duplicated().any():
        dup = ids[ids.duplicated(keep=False)].unique()[:5]
        raise SchemaError(
            f"column '{columns.id}': {ids.duplicated().sum()} ids occur more than once "
            f"({', '.join(map(str, dup))}); labels could not be matched back to the feed"
        )
    texts, problems = clean_texts(get_texts(feed, columns))
    strip_texts_markup(texts, problems)
    for i, err in enumerate(reader_errors(feed)):
        if err:
            problems[i] = err
    usable = np.array([p in ("", TRUNCATED_FLAG) for p in problems], dtype=bool)
    labelled = set(map(str, labelled_ids))
    known = ids.isin(labelled).to_numpy()
    repeated = _repeated_texts(texts, usable & ~known, labelled_texts)
    eligible = np.nonzero(usable & ~known & ~repeated)[0]
    counts = {
        "feed_rows": len(feed),
        "already_labelled": int(known.sum()),
        "unscorable": int((~usable & ~known).sum()),
        "repeated_text": int(repeated.sum()),
    }
    rng = np.random.default_rng(seed)
    scores = np.zeros(len(feed))
    for start in range(0, len(eligible), CHUNK_ROWS):
        rows = eligible[start : start + CHUNK_ROWS]
        X = model.transform([texts[i] for i in rows])
        scores[rows] = uncertainty(model, X, head, themes)
    if strategy == "random":
        order = rng.permutation(eligible)
    else:
        # most uncertain first; a seeded random order breaks ties
        shuffled = rng.permutation(eligible)
        order = shuffled[np.argsort(-scores[shuffled], kind="stable")]
    pool = order[: max(n * pool_factor, n)] if strategy == "active" else order
    counts["candidates"] = len(pool) if strategy == "active" else len(order)
    extra_texts = list(labelled_texts)
    X_pool = _unit_rows(model.transform([texts[i] for i in pool])) if len(pool) else None
    X_known = _unit_rows(model.transform(extra_texts)) if extra_texts else None
    if strategy == "active" and len(pool) > n:
        first = _cluster_representatives(X_pool, scores[pool], n, seed)
        preference = np.concatenate([first, np.setdiff1d(np.arange(len(pool)), first)])
    else:
        preference = np.arange(len(pool))
    chosen, passed_over = _without_near_duplicates(X_pool, X_known, preference, n)
    picked = pool[chosen]
    picked = picked[np.argsort(-scores[picked], kind="stable")]
    counts["near_duplicates_skipped"] = passed_over
    counts["chosen"] = len(picked)
    frame = _suggestion_frame(model, ids, texts, picked, scores)
    return Suggestion(frame, counts, time.perf_counter() - started)


def _repeated_texts(
    texts: list[str], candidate: np.ndarray, labelled_texts: Sequence[str]
) -> np.ndarray:
    """Rows whose text (lower-cased, whitespace collapsed) equals an earlier candidate's or an
    already labelled text."""
    seen = {_text_key(t) for t in labelled_texts}
    repeated = np.zeros(len(texts), dtype=bool)
    for i in np.nonzero(candidate)[0]:
        key = _text_key(texts[i])
        if key in seen:
            repeated[i] = True
        seen.add(key)
    return repeated


def _text_key(text: str) -> bytes:
    """A digest of the text with case and whitespace ignored."""
    return hashlib.blake2b(" ".join(text.lower().split()).encode("utf-8"), digest_size=16).digest()


def _unit_rows(X) -> sparse.csr_matrix:
    """Rows scaled to unit length (all-zero rows stay zero), so dot products are cosines."""
    X = sparse.csr_matrix(X, dtype=np.float64)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ X


def _cluster_representatives(X, weights: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Positions (into ``X``) of the row nearest each of ``n`` k-means centres, the clustering
    weighted by ``weights``; most uncertain cluster first."""
    from sklearn.cluster import KMeans

    weights = np.maximum(weights, 1e-3)
    kmeans = KMeans(n_clusters=n, n_init=1, max_iter=50, random_state=seed)
    labels = kmeans.fit_predict(X, sample_weight=weights)
    distances = kmeans.transform(X)[np.arange(X.shape[0]), labels]
    chosen = []
    for cluster in np.unique(labels):
        members = np.nonzero(labels == cluster)[0]
        chosen.append(members[np.argmin(distances[members])])
    chosen = np.array(chosen, dtype=int)
    return chosen[np.argsort(-weights[chosen], kind="stable")]


def _without_near_duplicates(X, X_known, preference: np.ndarray, n: int) -> tuple[list[int], int]:
    """Walk ``preference`` and keep up to ``n`` rows none of which is a near-duplicate of a kept
    or an already labelled row; return (kept positions, rows passed over)."""
    kept: list[int] = []
    passed_over = 0
    if X is None:
        return kept, 0
    # the highest similarity of each candidate to anything kept (or labelled) so far
    closest = np.zeros(X.shape[0])
    if X_known is not None and X_known.shape[0]:
        closest = np.asarray((X @ X_known.T).max(axis=1).todense()).ravel()
    for i in preference:
        if len(kept) == n:
            break
        if closest[i] >= NEAR_DUPLICATE:
            passed_over += 1
            continue
        kept.append(int(i))
        similarity = np.asarray((X @ X[i].T).todense()).ravel()
        np.maximum(closest, similarity, out=closest)
    return kept, passed_over


def _suggestion_frame(
    model: RiskModel, ids: pd.Series, texts: list[str], rows: np.ndarray, scores: np.ndarray
) -> pd.DataFrame:
    """The output table: id, text, the model's guess and probabilities, the uncertainty, and
    empty label columns."""
    out: dict[str, object] = {
        "id": ids.iloc[rows].astype(str).to_numpy(),
        "text": [texts[i] for i in rows],
    }
    X = model.transform(out["text"]) if len(rows) else None
    if model.risk_levels is not None:
        proba = model.risk_proba(X) if X is not None else np.zeros((0, len(model.risk_levels)))
        out["guess_risk_level"] = np.array(model.risk_levels, dtype=object)[proba.argmax(axis=1)]
        for j, level in enumerate(model.risk_levels):
            out[f"p_{level}"] = np.round(proba[:, j], 4)
    if model.theme_labels is not None:
        proba = model.theme_proba(X) if X is not None else np.zeros((0, len(model.theme_labels)))
        chosen = model.theme_head.decide(proba) if len(proba) else np.zeros_like(proba, dtype=int)
        labels = np.array(model.theme_labels, dtype=object)
        out["guess_theme"] = [
            LABEL_SEPARATOR.join(labels[np.nonzero(c)[0][np.argsort(-p[np.nonzero(c)[0]])]])
            for c, p in zip(chosen, proba, strict=True)
        ]
        for j, label in enumerate(model.theme_labels):
            out[f"p_theme_{label}"] = np.round(proba[:, j], 4)
    out[UNCERTAINTY_COLUMN] = np.round(scores[rows], 4)
    out[RISK_COLUMN] = ""
    out[THEME_COLUMN] = ""
    return pd.DataFrame(out)
