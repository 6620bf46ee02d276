"""Where a user's labelling stands: counts, agreement with the model, and the expected gain of
the next batch (the library function behind ``riskclf label status``).

Agreement is measured two ways. *As is*: the model's own predictions on the labelled rows
(optimistic when the model was trained on them). *Cross-validated*: for each of three folds of
the labelled rows, a model with the same settings is fitted on the base corpus plus the other
folds (:func:`riskclf.adapting.cross_validate_feed`) and scored on the held-out fold, so the
score is what a model like the current one gets on labels it has not seen. The same folds,
fitted on none and on half of the other folds' rows, give the learning curve; its slope per
doubling of the labels estimates what the next batch adds.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from riskclf.adapting import (
    DEFAULT_WEIGHTS,
    FEED_FOLDS,
    MIN_ROWS_TO_CHOOSE,
    AdaptationData,
    _scored_rows,
    candidate_weights,
    cross_validate_feed,
    feed_themes,
    prepare_adaptation,
)
from riskclf.errors import ConfigError
from riskclf.evaluation import risk_metrics, theme_metrics
from riskclf.schema import TextColumns
from riskclf.served import RiskModel

#: Shares of the other folds' labelled rows the learning curve is fitted on.
CURVE_FRACTIONS = (0.0, 0.5, 1.0)


@dataclass
class LabelStatus:
    """What :func:`label_status` returns; :meth:`lines` is the printed report."""

    labelled: int
    unlabelled: int
    counts: dict[str, dict[str, int]]
    weight: int
    batch: int
    heads: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labelled": self.labelled,
            "unlabelled": self.unlabelled,
            "counts": self.counts,
            "weight": self.weight,
            "batch": self.batch,
            "heads": self.heads,
        }

    def lines(self) -> list[str]:
        """The report, one finding per line."""
        out = [f"labelled rows: {self.labelled} (not labelled yet: {self.unlabelled})"]
        for name, counts in self.counts.items():
            listed = ", ".join(f"{k} {v}" for k, v in counts.items())
            out.append(f"{name}: {listed}")
        for head, info in self.heads.items():
            out.append(
                f"{head}: the model as is agrees on {100 * info['as_is']['agreement']:.1f}% "
                f"(macro-F1 {100 * info['as_is']['macro_f1']:.1f}) of {info['rows']} rows"
            )
            cv = info.get("cross_validated")
            if cv is None:
                out.append(f"{head}: {info['note']}")
                continue
            out.append(
                f"{head}: cross-validated ({info['folds']} folds, weight {self.weight}): "
                f"macro-F1 {100 * cv['macro_f1']:.1f}, without your labels "
                f"{100 * info['curve'][0]['macro_f1']:.1f}"
            )
            curve = ", ".join(
                f"{p['labels']:.0f} labels {100 * p['macro_f1']:.1f}" for p in info["curve"]
            )
            out.append(f"{head}: learning curve (macro-F1 on held-out labels): {curve}")
            out.append(f"{head}: {info['next_batch']}")
        return out


def label_status(
    labels: pd.DataFrame,
    model: RiskModel,
    base: pd.DataFrame,
    *,
    weight: int | None = None,
    batch: int = 50,
    columns: TextColumns = TextColumns(),
    folds: int = FEED_FOLDS,
    seed: int = 0,
) -> LabelStatus:
    """Counts, agreement and the expected gain of the next batch of labels.

    Parameters
    ----------
    labels : DataFrame
        The user's labelled table (rows without a label yet are counted, not used).
    model : RiskModel
        The current model; its settings are used for the cross-validated fits.
    base : DataFrame
        The base corpus the model is trained with (e.g. the starter corpus).
    weight : int, optional
        Weight of the labelled rows in the cross-validated fits (the model's own, from its
        metadata, when it was trained with ``--base``); default: the middle candidate weight.
    batch : int
        Size of the next batch, for the gain estimate.
    columns : TextColumns
        Id and text columns of ``labels``.
    folds : int
        Folds of the cross-validation.
    seed : int
        Seed of the folds and of the nested shares.

    Raises
    ------
    SchemaError
        See :func:`riskclf.adapting.prepare_adaptation`.
    ConfigError
        ``batch`` or ``weight`` below 1.
    """
    if batch < 1:
        raise ConfigError(f"batch must be at least 1, got {batch}")
    data = prepare_adaptation(base, labels, model.config, columns=columns)
    if weight is None:
        allowed = candidate_weights(data, DEFAULT_WEIGHTS)
        weight = allowed[len(allowed) // 2]
    elif weight < 1:
        raise ConfigError(f"weight must be at least 1, got {weight}")
    status = LabelStatus(
        labelled=len(data.feed),
        unlabelled=data.unlabelled_feed_rows,
        counts=_counts(data),
        weight=int(weight),
        batch=batch,
    )
    for head in ("risk", "theme"):
        info = _head_status(data, model, head, int(weight), batch, folds, seed)
        if info is not None:
            status.heads[head] = info
    return status


def _counts(data: AdaptationData) -> dict[str, dict[str, int]]:
    """Per-level and per-theme counts of the labelled rows, in label order."""
    counts: dict[str, dict[str, int]] = {}
    if data.feed.risk is not None:
        seen = Counter(r for r in data.feed.risk if r is not None)
        counts["risk_level"] = {lv: seen.get(lv, 0) for lv in data.risk_levels}
    if data.feed.themes is not None:
        seen = Counter(t for ts in data.feed.themes for t in ts)
        counts["theme"] = dict(seen.most_common())
        blank = sum(1 for ts in data.feed.themes if not ts)
        if blank:
            counts["theme"]["(none)"] = blank
    return counts


def _head_status(data, model, head, weight, batch, folds, seed) -> dict[str, Any] | None:
    """Agreement as is, cross-validated agreement, learning curve and gain for one head."""
    if head == "risk" and (data.feed.risk is None or model.risk_levels is None):
        return None
    if head == "theme" and (data.feed.themes is None or data.theme_source == "base"):
        return None
    rows, _ = _scored_rows(data, head)
    if not len(rows):
        return None
    info: dict[str, Any] = {"rows": len(rows), "as_is": _as_is(data, model, head, rows)}
    if len(rows) < MIN_ROWS_TO_CHOOSE:
        info["note"] = (
            f"{len(rows)} labelled rows are too few to cross-validate "
            f"(need {MIN_ROWS_TO_CHOOSE}); label a batch first"
        )
        return info
    scores = cross_validate_feed(
        data, (weight,), head=head, fractions=CURVE_FRACTIONS, folds=folds, seed=seed
    )
    curve = [
        {"labels": scores.fitted_feed_rows[f] if f > 0 else 0.0, **scores.scores[(f, weight)]}
        for f in CURVE_FRACTIONS
    ]
    info.update(
        folds=scores.folds,
        cross_validated=scores.scores[(1.0, weight)],
        curve=curve,
        next_batch=_gain_line(curve, len(rows), batch),
    )
    return info


def _as_is(data: AdaptationData, model: RiskModel, head: str, rows: np.ndarray) -> dict:
    """The model's own predictions on the labelled rows: agreement and macro-F1."""
    X = model.transform([data.feed.texts[i] for i in rows])
    if head == "risk":
        truth = [data.feed.risk[i] for i in rows]
        metrics = risk_metrics(truth, model.risk_proba(X), model.risk_levels)
        return {"agreement": metrics["accuracy"], "macro_f1": metrics["macro_f1"]}
    labels = [t for t in feed_themes(data) if t in (model.theme_labels or ())]
    if not labels:
        return {"agreement": 0.0, "macro_f1": 0.0, "note": "the model knows none of the themes"}
    columns = [list(model.theme_labels).index(t) for t in labels]
    proba = model.theme_proba(X)
    chosen = model.theme_head.decide(proba)[:, columns]
    truth = [tuple(t for t in data.feed.themes[i] if t in labels) for i in rows]
    metrics = theme_metrics(truth, proba[:, columns], chosen, labels)
    return {"agreement": metrics["subset_accuracy"], "macro_f1": metrics["macro_f1"]}


def _gain_line(curve: list[dict], n_rows: int, batch: int) -> str:
    """The expected gain of the next ``batch`` labels, from the slope of the learning curve
    between half and all of the other folds' rows (per doubling of the labels)."""
    half, full = curve[-2], curve[-1]
    if half["labels"] <= 0 or full["labels"] <= half["labels"]:
        return "too few rows for a learning curve"
    per_doubling = (full["macro_f1"] - half["macro_f1"]) / math.log2(
        full["labels"] / half["labels"]
    )
    gain = per_doubling * math.log2((n_rows + batch) / n_rows)
    if per_doubling <= 0:
        return (
            f"the curve is flat ({100 * per_doubling:+.1f} points per doubling): the next "
            f"{batch} labels of the same kind are not expected to help"
        )
    return (
        f"expected gain from the next {batch} labels: {100 * gain:+.1f} points of macro-F1 "
        f"({100 * per_doubling:+.1f} per doubling of the labels; a rough guide below ~200)"
    )
