"""Metrics for both heads as JSON-ready dicts (plots live in ``plots.py``).

Every number a report, the CLI or the notebook shows is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from riskclf.config import RISK_COLUMN, THEME_COLUMN
from riskclf.errors import SchemaError
from riskclf.schema import (
    TextColumns,
    format_ids,
    get_ids,
    get_texts,
    parse_risk_labels,
    parse_theme_labels,
)
from riskclf.served import RiskModel


def calibration_bins(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10) -> list[dict]:
    """Group predictions into equal-width confidence bins; return count, mean confidence and
    observed accuracy per non-empty bin (the points of a reliability diagram)."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    bins = []
    for b in range(n_bins):
        mask = which == b
        if mask.any():
            bins.append(
                {
                    "lower": float(edges[b]),
                    "upper": float(edges[b + 1]),
                    "count": int(mask.sum()),
                    "confidence": float(confidence[mask].mean()),
                    "accuracy": float(correct[mask].mean()),
                }
            )
    return bins


def expected_calibration_error(bins: list[dict]) -> float:
    """Expected calibration error: the count-weighted mean |accuracy - confidence| over bins."""
    total = sum(b["count"] for b in bins)
    if total == 0:
        return float("nan")
    return float(sum(b["count"] * abs(b["accuracy"] - b["confidence"]) for b in bins) / total)


def _per_class(y_true, y_pred, labels) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per label."""
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        str(lab): {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, lab in enumerate(labels)
    }


def risk_metrics(
    true_levels: Sequence[str],
    proba: np.ndarray,
    levels: Sequence[str],
    *,
    f1_levels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Metrics of the ordinal risk head.

    Parameters
    ----------
    true_levels : sequence of str
        True level of each row.
    proba : ndarray of shape (n_rows, n_levels)
        Predicted probabilities, columns in ``levels`` order.
    levels : sequence of str
        The ordered levels.
    f1_levels : sequence of str, optional
        Levels the macro-F1 averages over; defaults to the levels present in ``true_levels``.

    Returns
    -------
    dict
        ``n``, ``accuracy``, ``macro_f1``, ``per_class``, ``confusion_matrix`` (rows = true,
        columns = predicted, in level order), ``mae_levels``, ``qwk``, ``brier``, ``ece`` and
        ``calibration`` (reliability-diagram bins of the top-level probability).
    """
    levels = list(levels)
    code = {lv: i for i, lv in enumerate(levels)}
    y_true = np.array([code[t] for t in true_levels], dtype=int)
    y_pred = proba.argmax(axis=1)
    if f1_levels is None:
        f1_codes = sorted(set(y_true.tolist()))
    else:
        f1_codes = [code[lv] for lv in f1_levels]
    onehot = np.eye(len(levels))[y_true]
    confidence = proba.max(axis=1)
    bins = calibration_bins(confidence, (y_pred == y_true).astype(float))
    return {
        "n": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=f1_codes, average="macro", zero_division=0)
        ),
        "macro_f1_levels": [levels[c] for c in f1_codes],
        "per_class": {
            levels[int(k)]: v
            for k, v in _per_class(y_true, y_pred, list(range(len(levels)))).items()
        },
        "confusion_matrix": {
            "labels": levels,
            "matrix": confusion_matrix(y_true, y_pred, labels=range(len(levels))).tolist(),
        },
        "mae_levels": float(np.abs(y_pred - y_true).mean()),
        "qwk": _qwk(y_true, y_pred, len(levels)),
        "brier": float(((proba - onehot) ** 2).sum(axis=1).mean()),
        "ece": expected_calibration_error(bins),
        "calibration": bins,
    }


def _qwk(y_true: np.ndarray, y_pred: np.ndarray, n_levels: int) -> float:
    """Quadratic weighted kappa; 1.0 when truth and prediction are one identical level."""
    if len(set(y_true.tolist()) | set(y_pred.tolist())) == 1:
        return 1.0
    return float(
        cohen_kappa_score(y_true, y_pred, weights="quadratic", labels=list(range(n_levels)))
    )


def theme_metrics(
    true_sets: Sequence[Sequence[str]],
    proba: np.ndarray,
    chosen: np.ndarray,
    labels: Sequence[str],
) -> dict[str, Any]:
    """Metrics of the multi-label theme head.

    Parameters
    ----------
    true_sets : sequence of sequences of str
        True themes of each row (primary first).
    proba : ndarray of shape (n_rows, n_labels)
        Predicted probability per theme.
    chosen : ndarray of shape (n_rows, n_labels)
        0/1 predicted themes (after thresholds).
    labels : sequence of str
        Theme labels in column order.

    Returns
    -------
    dict
        ``n``, ``subset_accuracy``, ``macro_f1``, ``micro_f1``, ``samples_f1``, ``per_class``,
        ``primary`` (accuracy, macro-F1 and confusion matrix of the most probable theme against
        the first true theme), ``brier`` (mean over labels), ``ece`` and ``calibration``.
    """
    labels = list(labels)
    index = {t: j for j, t in enumerate(labels)}
    Y = np.zeros((len(true_sets), len(labels)), dtype=int)
    for i, themes in enumerate(true_sets):
        for t in themes:
            Y[i, index[t]] = 1
    per_class = {}
    for j, lab in enumerate(labels):
        p, r, f, _ = precision_recall_fscore_support(
            Y[:, j], chosen[:, j], average="binary", zero_division=0
        )
        per_class[lab] = {
            "precision": float(p),
            "recall": float(r),
            "f1": float(f),
            "support": int(Y[:, j].sum()),
        }
    present = [j for j in range(len(labels)) if Y[:, j].any()]
    # The primary theme is compared on rows that have one (blank rows may count as "no theme").
    has_primary = np.array([len(t) > 0 for t in true_sets], dtype=bool)
    true_primary = np.array([index[t[0]] for t in true_sets if t], dtype=int)
    pred_primary = proba[has_primary].argmax(axis=1)
    bins = calibration_bins(proba.ravel(), Y.ravel().astype(float))
    return {
        "n": int(len(Y)),
        "subset_accuracy": float((Y == chosen).all(axis=1).mean()),
        "macro_f1": float(
            f1_score(Y[:, present], chosen[:, present], average="macro", zero_division=0)
        )
        if present
        else float("nan"),
        "micro_f1": float(f1_score(Y, chosen, average="micro", zero_division=0)),
        "samples_f1": float(f1_score(Y, chosen, average="samples", zero_division=0)),
        "per_class": per_class,
        "primary": {
            "accuracy": float((true_primary == pred_primary).mean())
            if len(true_primary)
            else float("nan"),
            "macro_f1": float(
                f1_score(
                    true_primary,
                    pred_primary,
                    labels=sorted(set(true_primary.tolist())),
                    average="macro",
                    zero_division=0,
                )
            ),
            "confusion_matrix": {
                "labels": labels,
                "matrix": confusion_matrix(
                    true_primary, pred_primary, labels=range(len(labels))
                ).tolist(),
            },
        },
        "brier": float(((proba - Y) ** 2).mean()),
        "ece": expected_calibration_error(bins),
        "calibration": bins,
    }


TRUE_RISK = "true_risk_level"
TRUE_THEME = "true_theme"
SNIPPET = "snippet"
SNIPPET_CHARS = 160


def score_labelled(
    model: RiskModel,
    frame: pd.DataFrame,
    *,
    columns: TextColumns = TextColumns(),
    risk_column: str = RISK_COLUMN,
    theme_column: str = THEME_COLUMN,
) -> pd.DataFrame:
    """Score a labelled table; return the scored rows with ``true_risk_level``/``true_theme``
    and a ``snippet`` (the start of each article: its title, when it has one), so a reader of
    the errors can see what was misread.

    Raises
    ------
    SchemaError
        If the table has no label column the model can use, a label is unknown to the model, or
        a row cannot be scored.
    """
    from riskclf.scoring import score_frame

    ids = get_ids(frame, columns.id)
    has_risk = model.risk_levels is not None and risk_column in frame.columns
    has_theme = model.theme_labels is not None and theme_column in frame.columns
    if not (has_risk or has_theme):
        raise SchemaError(
            f"nothing to evaluate: the table needs a '{risk_column}' or '{theme_column}' column "
            "matching a head of the model"
        )
    risk = parse_risk_labels(frame, risk_column, model.risk_levels, ids) if has_risk else None
    themes = (
        parse_theme_labels(frame, theme_column, model.theme_labels, ids) if has_theme else None
    )
    scored = score_frame(model, frame, columns=columns).reset_index(drop=True)
    failed = scored["error"].astype(str) != ""
    if failed.any():
        raise SchemaError(
            f"{int(failed.sum())} rows cannot be scored ({scored.loc[failed, 'error'].iloc[0]}): "
            f"{format_ids(ids[failed.to_numpy()].tolist())}"
        )
    if risk is not None:
        scored[TRUE_RISK] = pd.Series(risk, dtype=object)
    if themes is not None:
        scored[TRUE_THEME] = pd.Series(["|".join(t) for t in themes], dtype=object)
    scored[SNIPPET] = [_snippet(text) for text in get_texts(frame, columns).tolist()]
    return scored


def _snippet(text: object) -> str:
    """The first :data:`SNIPPET_CHARS` characters of a text, whitespace collapsed."""
    words = " ".join(str(text).split()) if isinstance(text, str) else ""
    return words if len(words) <= SNIPPET_CHARS else words[: SNIPPET_CHARS - 1] + "…"


def metrics_from_scored(model: RiskModel, scored: pd.DataFrame) -> dict[str, Any]:
    """Metrics of every head whose true labels :func:`score_labelled` added.

    Rows without a label for a head are left out of that head's metrics (and counted).
    """
    result: dict[str, Any] = {"n_rows": int(len(scored))}
    if TRUE_RISK in scored.columns:
        truth = scored[TRUE_RISK]
        keep = truth.notna().to_numpy() & (truth.astype(str) != "").to_numpy()
        proba = scored[[f"p_{lv}" for lv in model.risk_levels]].to_numpy()[keep]
        result["risk_level"] = risk_metrics(truth[keep].tolist(), proba, model.risk_levels)
        result["risk_level"]["unlabelled"] = int((~keep).sum())
    if TRUE_THEME in scored.columns:
        truth = scored[TRUE_THEME].fillna("").astype(str)
        keep = (truth != "").to_numpy() | (model.config.blank_themes == "none")
        proba = scored[[f"p_theme_{t}" for t in model.theme_labels]].to_numpy()[keep]
        result["theme"] = theme_metrics(
            [t.split("|") if t else [] for t in truth[keep]],
            proba,
            model.theme_head.decide(proba),
            model.theme_labels,
        )
        result["theme"]["unlabelled"] = int((~keep).sum())
    return result


def evaluate_model(
    model: RiskModel,
    frame: pd.DataFrame,
    *,
    columns: TextColumns = TextColumns(),
    risk_column: str = RISK_COLUMN,
    theme_column: str = THEME_COLUMN,
) -> dict[str, Any]:
    """Score a labelled table with ``model`` and return the metrics of every head it can check.

    See :func:`score_labelled` for the errors it raises.
    """
    scored = score_labelled(
        model, frame, columns=columns, risk_column=risk_column, theme_column=theme_column
    )
    return metrics_from_scored(model, scored)


def worst_errors(model: RiskModel, scored: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """The ``k`` most confidently wrong risk predictions: id, truth, prediction, its probability,
    the terms that drove it and the start of the article."""
    wrong = scored[scored[TRUE_RISK].notna() & (scored[TRUE_RISK] != scored["risk_level"])]
    confidence = np.array(
        [wrong.iloc[i][f"p_{wrong.iloc[i]['risk_level']}"] for i in range(len(wrong))]
    )
    table = pd.DataFrame(
        {
            "id": wrong["id"].to_numpy(),
            "true": wrong[TRUE_RISK].to_numpy(),
            "predicted": wrong["risk_level"].to_numpy(),
            "p_predicted": confidence,
            "top_terms": wrong["top_terms"].to_numpy() if "top_terms" in wrong else "",
            SNIPPET: wrong[SNIPPET].to_numpy() if SNIPPET in wrong else "",
        }
    )
    return table.sort_values("p_predicted", ascending=False, kind="stable").head(k)


def metrics_by_group(model: RiskModel, scored: pd.DataFrame, column: str) -> pd.DataFrame:
    """Headline metrics per value of ``column`` (e.g. ``region``): rows, risk accuracy and
    macro-F1, theme micro-F1."""
    rows = []
    for value, part in scored.groupby(column, sort=True, dropna=False):
        m = metrics_from_scored(model, part)
        row = {column: value, "rows": len(part)}
        if "risk_level" in m:
            row.update(
                risk_accuracy=m["risk_level"]["accuracy"],
                risk_macro_f1=m["risk_level"]["macro_f1"],
            )
        if "theme" in m:
            row["theme_micro_f1"] = m["theme"]["micro_f1"]
        rows.append(row)
    return pd.DataFrame(rows)


def format_report(metrics: dict[str, Any]) -> str:
    """Return a readable plain-text report of :func:`evaluate_model` output."""
    lines: list[str] = []
    if metrics.get("data"):
        lines.append(f"data: {metrics['data']}   model: {metrics.get('model', '')}")
    risk = metrics.get("risk_level")
    if risk:
        lines += [
            "",
            f"risk level ({risk['n']} rows): accuracy {100 * risk['accuracy']:.1f}  "
            f"macro-F1 {100 * risk['macro_f1']:.1f}  QWK {risk['qwk']:.3f}  "
            f"MAE {risk['mae_levels']:.3f} levels  Brier {risk['brier']:.3f}  "
            f"ECE {risk['ece']:.3f}",
        ]
        lines += _class_table(risk["per_class"])
        lines += _confusion_table(risk["confusion_matrix"])
    theme = metrics.get("theme")
    if theme:
        lines += [
            "",
            f"theme ({theme['n']} rows): macro-F1 {100 * theme['macro_f1']:.1f}  "
            f"micro-F1 {100 * theme['micro_f1']:.1f}  subset accuracy "
            f"{100 * theme['subset_accuracy']:.1f}  primary-theme accuracy "
            f"{100 * theme['primary']['accuracy']:.1f}  Brier {theme['brier']:.3f}  "
            f"ECE {theme['ece']:.3f}",
        ]
        lines += _class_table(theme["per_class"])
        lines += ["primary theme confusion (rows = true):"]
        lines += _confusion_table(theme["primary"]["confusion_matrix"])
    return "\n".join(lines)


def _class_table(per_class: dict[str, dict[str, float]]) -> list[str]:
    """Per-class precision/recall/F1/support as aligned text rows."""
    width = max([len(k) for k in per_class] + [5])
    rows = [f"  {'class':<{width}}  precision  recall     F1  support"]
    for label, m in per_class.items():
        rows.append(
            f"  {label:<{width}}  {100 * m['precision']:9.1f}  {100 * m['recall']:6.1f}  "
            f"{100 * m['f1']:5.1f}  {m['support']:7d}"
        )
    return rows


def _confusion_table(confusion: dict[str, Any]) -> list[str]:
    """A confusion matrix as aligned text rows (rows = true, columns = predicted)."""
    labels = confusion["labels"]
    short = [lab[:8] for lab in labels]
    width = max(len(lab) for lab in labels)
    rows = ["  " + " " * width + "  " + " ".join(f"{s:>8}" for s in short)]
    for lab, counts in zip(labels, confusion["matrix"], strict=True):
        rows.append(f"  {lab:<{width}}  " + " ".join(f"{c:>8d}" for c in counts))
    return rows
