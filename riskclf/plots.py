"""Evaluation figures (matplotlib, the ``plots`` extra). The numbers come from ``evaluation.py``.

Used by ``riskclf evaluate --report DIR`` and the evaluation notebook alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskclf.atomic import atomic_path, write_text_atomically
from riskclf.errors import InputError, RiskclfError
from riskclf.evaluation import TRUE_RISK, metrics_by_group, worst_errors
from riskclf.explain import informative_terms
from riskclf.served import RiskModel


def _pyplot():
    """Import pyplot with a file-only backend, or say how to install matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RiskclfError('figures need matplotlib: pip install "riskclf[plots]"') from None
    return plt


def plot_confusion(confusion: dict[str, Any], title: str):
    """A confusion matrix heat map (rows = true, columns = predicted) with counts."""
    plt = _pyplot()
    labels, matrix = confusion["labels"], np.array(confusion["matrix"])
    size = max(4.0, 0.6 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    top = matrix.max() if matrix.size else 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            color = "white" if matrix[i, j] > top / 2 else "black"
            ax.text(j, i, int(matrix[i, j]), ha="center", va="center", color=color)
    fig.tight_layout()
    return fig


def plot_reliability(bins: list[dict[str, float]], title: str):
    """Reliability diagram: observed accuracy against mean confidence per bin."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    if bins:
        conf = [b["confidence"] for b in bins]
        acc = [b["accuracy"] for b in bins]
        sizes = [20 + 200 * b["count"] / max(x["count"] for x in bins) for b in bins]
        ax.plot(conf, acc, color="tab:blue")
        ax.scatter(conf, acc, s=sizes, color="tab:blue", label="model (size = rows)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted probability of the chosen level")
    ax.set_ylabel("observed accuracy")
    ax.set_title(title)
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def plot_score_distribution(scored: pd.DataFrame, levels: list[str]):
    """Box plot of ``risk_score`` for each true risk level."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4))
    data = [scored.loc[scored[TRUE_RISK] == lv, "risk_score"].to_numpy() for lv in levels]
    ax.boxplot(data, tick_labels=levels)
    ax.set_xlabel("true risk level")
    ax.set_ylabel("risk score (0–100)")
    ax.set_ylim(-2, 102)
    ax.set_title("Risk score by true level")
    fig.tight_layout()
    return fig


def write_evaluation_report(
    model: RiskModel,
    scored: pd.DataFrame,
    metrics: dict[str, Any],
    out_dir: Path,
    *,
    group_column: str = "region",
) -> dict[str, Path]:
    """Write the evaluation figures (PNG), tables (CSV) and ``metrics.json`` into ``out_dir``.

    Parameters
    ----------
    model : RiskModel
        The evaluated model (for its labels and informative terms).
    scored : DataFrame
        Output of :func:`riskclf.evaluation.score_labelled`.
    metrics : dict
        Output of :func:`riskclf.evaluation.metrics_from_scored`.
    out_dir : Path
        Created if missing (its parent must exist).
    group_column : str
        Column for the per-group table (skipped when absent).

    Returns
    -------
    dict
        Name → path of every file written.
    """
    plt = _pyplot()
    if not out_dir.parent.exists():
        raise InputError(f"output folder does not exist: {out_dir.parent}")
    out_dir.mkdir(exist_ok=True)
    written: dict[str, Path] = {}

    def save(fig, name: str) -> None:
        with atomic_path(out_dir / name) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
        plt.close(fig)
        written[name] = out_dir / name

    def save_table(table: pd.DataFrame, name: str) -> None:
        with atomic_path(out_dir / name) as tmp:
            table.to_csv(tmp, index=False)
        written[name] = out_dir / name

    def save_json(data: Any, name: str) -> None:
        written[name] = write_text_atomically(out_dir / name, json.dumps(data, indent=2) + "\n")

    if "risk_level" in metrics:
        risk = metrics["risk_level"]
        save(plot_confusion(risk["confusion_matrix"], "Risk level"), "confusion_risk.png")
        save(plot_reliability(risk["calibration"], "Risk level calibration"), "reliability.png")
        save(plot_score_distribution(scored, list(model.risk_levels)), "score_distribution.png")
        save_table(worst_errors(model, scored), "worst_errors.csv")
    if "theme" in metrics:
        save(
            plot_confusion(metrics["theme"]["primary"]["confusion_matrix"], "Primary theme"),
            "confusion_theme.png",
        )
    if group_column in scored.columns:
        save_table(metrics_by_group(model, scored, group_column), f"by_{group_column}.csv")
    save_json(informative_terms(model, k=10), "informative_terms.json")
    save_json(metrics, "metrics.json")
    return written
