"""Adapt a trained model's risk probabilities to the feed it scores.

A model's probabilities follow the class prior of its training rows (the starter corpus has
about one critical article in six; a real incident feed may have one in three hundred). Two ways
to carry them over, both a map ``p' = softmax(A @ log p + c)`` on the risk head's
probabilities of the levels it knows, stored with the model and applied by the served head:

- **no labels** — the feed's level prior is estimated by EM (Saerens, Latinne & Decaestecker,
  "Adjusting the outputs of a classifier to new a priori probabilities", Neural Computation
  2002): ``A = I`` and ``c = log(new prior / training prior)``;
- **a few labels** — the map itself is fitted to them (multinomial logistic regression on the
  log-probabilities, scikit-learn's ``LogisticRegression``: "vector scaling" when the levels are
  few); its calibration error is measured by cross-validation on those labels.

No library offers the EM prior correction for a fitted model's probabilities; it is ten lines,
written out below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from riskclf.served import apply_log_map

#: floor of a probability before its log is taken
_EPS = 1e-12


@dataclass
class Adaptation:
    """A fitted map ``p' = softmax(A @ log p + c)`` over the model's present levels.

    Attributes
    ----------
    method : str
        ``"prior-shift (EM)"`` or ``"recalibration (labels)"``.
    matrix : ndarray of shape (K, K + 1)
        ``[A | c]``.
    report : dict
        What was estimated: priors, rows used, calibration error before and after.
    """

    method: str
    matrix: np.ndarray
    report: dict[str, Any] = field(default_factory=dict)


def estimate_prior(
    proba: np.ndarray, train_prior: np.ndarray, *, max_iter: int = 200, tol: float = 1e-8
) -> tuple[np.ndarray, int]:
    """EM estimate of the class prior of the rows whose probabilities are ``proba`` (Saerens
    et al. 2002): reweight each row's probabilities by new/old prior, renormalise, take the
    mean as the new prior, repeat. Returns (prior, iterations)."""
    train_prior = np.asarray(train_prior, dtype=float)
    prior = train_prior.copy()
    for iteration in range(1, max_iter + 1):
        weighted = proba * (prior / train_prior)
        weighted /= weighted.sum(axis=1, keepdims=True)
        new = weighted.mean(axis=0)
        if np.abs(new - prior).max() < tol:
            return new, iteration
        prior = new
    return prior, max_iter


def prior_shift(proba: np.ndarray, train_prior: np.ndarray) -> Adaptation:
    """The no-label adaptation: EM prior, then ``A = I``, ``c = log(new / training prior)``."""
    prior, iterations = estimate_prior(proba, train_prior)
    k = proba.shape[1]
    matrix = np.hstack([np.eye(k), np.log(np.maximum(prior, _EPS) / train_prior)[:, None]])
    report = {
        "rows": int(len(proba)),
        "training_prior": [round(float(p), 4) for p in train_prior],
        "estimated_prior": [round(float(p), 4) for p in prior],
        "mean_probability_before": [round(float(p), 4) for p in proba.mean(axis=0)],
        "em_iterations": iterations,
    }
    return Adaptation("prior-shift (EM)", matrix, report)


def recalibrate(
    proba: np.ndarray, labels: np.ndarray, *, C: float = 1.0, folds: int = 5, seed: int = 13
) -> Adaptation:
    """The few-label adaptation: a multinomial logistic regression on ``log p`` fitted to the
    level codes ``labels`` (0..K-1 over the present levels), with its expected calibration
    error before and after measured by ``folds``-fold cross-validation on the labelled rows."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    k = proba.shape[1]
    logs = np.log(np.maximum(proba, _EPS))
    seen = np.unique(labels)
    model = LogisticRegression(C=C, max_iter=2000)
    counts = np.bincount(labels, minlength=k)[seen]
    n_folds = min(folds, int(counts.min()))
    report: dict[str, Any] = {
        "rows": int(len(labels)),
        "labelled_per_level": counts.tolist(),
        "mean_probability_before": [round(float(p), 4) for p in proba.mean(axis=0)],
    }
    if n_folds >= 2:
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
        oof = np.zeros((len(labels), k))
        oof[:, seen] = cross_val_predict(model, logs, labels, cv=splitter, method="predict_proba")
        report["ece_before"] = round(top_label_ece(proba, labels), 4)
        report["ece_after_cross_validated"] = round(top_label_ece(oof, labels), 4)
        report["folds"] = n_folds
    model.fit(logs, labels)
    matrix = np.zeros((k, k + 1))
    matrix[:, -1] = np.log(_EPS)  # a level no label shows stays (almost) impossible
    if len(seen) == 2:  # scikit-learn keeps one row for two classes: make it symmetric
        coef = np.vstack([-model.coef_[0] / 2, model.coef_[0] / 2])
        intercept = np.array([-model.intercept_[0] / 2, model.intercept_[0] / 2])
    else:
        coef, intercept = model.coef_, model.intercept_
    matrix[seen, :-1], matrix[seen, -1] = coef, intercept
    return Adaptation("recalibration (labels)", matrix, report)


def top_label_ece(proba: np.ndarray, labels: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error of the most probable level (10 equal-width bins), as
    :func:`riskclf.evaluation.expected_calibration_error` computes it."""
    from riskclf.evaluation import calibration_bins, expected_calibration_error

    correct = proba.argmax(axis=1) == labels
    return expected_calibration_error(calibration_bins(proba.max(axis=1), correct, n_bins))


def adapted_model(model, adaptation: Adaptation):
    """A copy of the served ``model`` whose risk head applies ``adaptation`` last."""
    import copy

    adapted = copy.copy(model)
    adapted.risk_head = copy.copy(model.risk_head)
    adapted.risk_head.adaptation_ = adaptation.matrix
    return adapted


def training_prior(model, metadata: dict[str, Any]) -> np.ndarray:
    """The risk-level prior of the model's training table (its label counts in the metadata),
    over the levels the head knows, in ``classes_`` order."""
    counts = (metadata.get("training_data") or {}).get("label_counts", {}).get("risk_level", {})
    levels = [model.risk_levels[c] for c in model.risk_head.classes_]
    values = np.array([float(counts.get(level, 0)) for level in levels])
    if values.sum() <= 0:
        raise ValueError("the model's metadata records no risk-level counts")
    return np.maximum(values / values.sum(), _EPS)


def calibrate_model(
    model_dir,
    feed,
    out,
    *,
    labels=None,
    columns=None,
    label_column: str = "risk_level",
    overwrite: bool = False,
) -> Adaptation:
    """Adapt the model folder ``model_dir`` to the table ``feed`` and save it as ``out``.

    Without labels the feed's level prior is estimated by EM; with ``labels`` (a table of ids
    and a ``risk_level`` column, or the feed's own ``risk_level`` column when ``labels`` is the
    feed) the map is fitted to the labelled rows. Any earlier adaptation of the model is
    replaced, not stacked. The new folder records the adaptation in ``metadata.json``.

    Raises
    ------
    SchemaError
        No risk head, no scorable text, labels that match no feed row or name unknown levels.
    """
    from riskclf.artifact import check_model_folder, load_model, save_model
    from riskclf.errors import SchemaError
    from riskclf.io import read_table
    from riskclf.schema import TextColumns, clean_texts, get_ids, get_texts

    columns = columns or TextColumns()
    out = check_model_folder(out, overwrite=overwrite)  # before the feed is scored
    loaded = load_model(model_dir)
    model = loaded.model
    if model.risk_head is None:
        raise SchemaError(f"{model_dir} has no risk head: there is nothing to calibrate")
    frame = read_table(feed)
    texts, problems = clean_texts(get_texts(frame, columns))
    ok = np.array([p in ("", "truncated") for p in problems], dtype=bool)
    if not ok.any():
        raise SchemaError(f"{feed} has no row with text to score")
    ids = get_ids(frame, columns.id).astype(str).to_numpy()
    X = model.transform([t for t, good in zip(texts, ok, strict=True) if good])
    proba = model.risk_head.present_proba(X, adapted=False)
    levels = [model.risk_levels[c] for c in model.risk_head.classes_]
    if labels is None:
        adaptation = prior_shift(proba, training_prior(model, loaded.metadata))
    else:
        table = frame if str(labels) == str(feed) else read_table(labels)
        if label_column not in table.columns:
            raise SchemaError(f"{labels} has no '{label_column}' column")
        given = dict(
            zip(
                get_ids(table, columns.id).astype(str),
                table[label_column].astype(str).str.strip().str.lower(),
                strict=True,
            )
        )
        rows = [i for i, row_id in enumerate(ids[ok]) if given.get(row_id, "") not in ("", "nan")]
        unknown = sorted({given[ids[ok][i]] for i in rows} - set(levels))
        if unknown:
            raise SchemaError(
                f"{labels}: levels {', '.join(unknown)} are not levels the model knows "
                f"({', '.join(levels)})"
            )
        if len(rows) < 2:
            raise SchemaError(
                f"{labels}: {len(rows)} labelled rows match scorable feed rows by id; "
                "calibrating with labels needs at least two"
            )
        codes = np.array([levels.index(given[ids[ok][i]]) for i in rows])
        adaptation = recalibrate(proba[rows], codes)
    adaptation.report["feed"] = str(feed)
    adaptation.report["levels"] = levels
    adaptation.report["mean_probability_after"] = [
        round(float(p), 4) for p in apply_log_map(proba, adaptation.matrix).mean(axis=0)
    ]
    metadata = {
        **loaded.metadata,
        "feed_calibration": {"method": adaptation.method, **adaptation.report},
    }
    for key in ("files", "model"):
        metadata.pop(key, None)
    save_model(adapted_model(model, adaptation), metadata, out, overwrite=overwrite)
    return adaptation
