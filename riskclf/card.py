"""Render the human-readable model card (``MODEL_CARD.md``) from a model's metadata."""

from __future__ import annotations

from typing import Any


def _pct(value: Any) -> str:
    """Format a 0–1 score as a percentage, or a dash when absent."""
    return f"{100 * value:.1f}" if isinstance(value, (int, float)) else "–"


def render_model_card(metadata: dict[str, Any]) -> str:
    """Return the model card as Markdown: data, labels, metrics with their split, use, limits."""
    data = metadata.get("training_data", {})
    metrics = metadata.get("metrics", {})
    holdout = metrics.get("holdout", {})
    cv = metrics.get("cv", {})
    lines = [
        "# riskclf model card",
        "",
        f"- created: {metadata.get('created_at')} with riskclf {metadata.get('riskclf_version')}, "
        f"scikit-learn {metadata.get('sklearn_version')}, Python {metadata.get('python_version')}",
        f"- model format version: {metadata.get('format_version')}",
        "",
        "## Training data",
        "",
        f"- source: {data.get('source') or 'an in-memory table'}",
        f"- rows: {data.get('rows')} ({data.get('train_rows')} fitted, "
        f"{data.get('holdout_rows')} held out: {holdout.get('split', '–')})",
        f"- sha256 of ids, texts and labels: `{data.get('sha256')}`",
        "",
    ]
    lines += _adaptation_lines(metadata.get("adaptation"))
    lines += [
        "## Labels",
        "",
    ]
    adaptation = metadata.get("feed_calibration")
    if adaptation:
        levels = adaptation.get("levels", [])
        after = ", ".join(
            f"{lv} {p:.3f}"
            for lv, p in zip(levels, adaptation.get("mean_probability_after", []), strict=False)
        )
        lines[-3:-3] = [
            "",
            "## Adapted to a feed",
            "",
            f"- {adaptation['method']} on {adaptation.get('rows')} rows of "
            f"{adaptation.get('feed')} (`riskclf calibrate`); mean probability on that feed "
            f"after: {after}",
        ]
    counts = data.get("label_counts", {})
    if metadata.get("risk_levels"):
        lines.append("Risk level (ordinal, lowest first): " + " < ".join(metadata["risk_levels"]))
        lines.append("")
        lines += _count_table(counts.get("risk_level", {}), metadata["risk_levels"])
    if metadata.get("theme_labels"):
        lines.append("Themes (multi-label): " + ", ".join(metadata["theme_labels"]))
        lines.append("")
        lines += _count_table(counts.get("theme", {}), metadata["theme_labels"])
    lines += ["## Metrics", "", f"Held-out rows ({holdout.get('split', '–')}):", ""]
    lines += ["| head | metric | value |", "|---|---|---|"]
    risk = holdout.get("risk_level", {})
    for key in ("accuracy", "macro_f1", "qwk", "mae_levels", "brier", "ece"):
        if key in risk:
            value = risk[key] if key in ("mae_levels", "brier", "ece", "qwk") else _pct(risk[key])
            lines.append(f"| risk_level | {key} | {_fmt(value)} |")
    theme = holdout.get("theme", {})
    for key in ("macro_f1", "micro_f1", "subset_accuracy", "brier", "ece"):
        if key in theme:
            value = theme[key] if key in ("brier", "ece") else _pct(theme[key])
            lines.append(f"| theme | {key} | {_fmt(value)} |")
    if cv.get("folds"):
        lines += [
            "",
            f"{cv['folds']}-fold stratified cross-validation on the fitted rows (mean ± std):",
            "",
        ]
        for key, mean in cv.get("mean", {}).items():
            lines.append(f"- {key}: {_pct(mean)} ± {_pct(cv['std'][key])}")
    lines += [
        "",
        "## Intended use",
        "",
        "Triage of news reports for security-risk analysts: rank and filter articles by risk",
        "level and theme, then read them. Scores are a reading aid, not a decision: an analyst",
        "checks every article that matters.",
        "",
        "## Known limits",
        "",
        "- A bag-of-n-grams model: it does not understand negation, time or who did what; a",
        "  report recalling an old attack can score higher than its new event warrants.",
        "- It knows only the vocabulary of its training data; places, groups and slang it has not",
        "  seen carry no weight.",
        "- Metrics on authored demo data (the starter corpus) are not a claim about real news;",
        "  see docs/benchmarks.md for real-data results.",
        "",
    ]
    return "\n".join(lines)


def _adaptation_lines(adaptation: dict[str, Any] | None) -> list[str]:
    """The rows of each source of a model trained with ``--base``, and the feed weight."""
    if not adaptation:
        return []
    choice = adaptation.get("weight_choice", {})
    lines = [
        "### Sources",
        "",
        "| source | rows fitted | rows held out | weight per row |",
        "|---|---|---|---|",
        f"| base corpus ({adaptation.get('base_source', '–')}) | {adaptation.get('base_rows')} "
        f"| {adaptation.get('base_holdout_rows')} | 1 |",
        f"| your labels | {adaptation.get('feed_rows')} | 0 | {adaptation.get('feed_weight')} |",
        "",
        f"- weight of your rows: {adaptation.get('feed_weight')}, chosen by "
        f"{choice.get('how', '–')}",
        f"- rows of your table with no label yet, left out: "
        f"{adaptation.get('feed_rows_unlabelled_left_out', 0)}",
        f"- theme head learns from: {adaptation.get('theme_source') or 'no theme labels'}",
        "",
    ]
    return lines


def _fmt(value: Any) -> str:
    """Format a metric for the card."""
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _count_table(counts: dict[str, int], labels: list[str]) -> list[str]:
    """A two-column Markdown table of label counts."""
    rows = ["| label | rows |", "|---|---|"]
    rows += [f"| {label} | {counts.get(label, 0)} |" for label in labels]
    if counts.get("(unlabelled)"):
        rows.append(f"| (unlabelled) | {counts['(unlabelled)']} |")
    return rows + [""]
