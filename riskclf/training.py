"""Fit and validate a model on a labelled table; returns a result object and writes nothing."""

from __future__ import annotations

import hashlib
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    PredefinedSplit,
    StratifiedKFold,
    train_test_split,
)

from riskclf.config import RISK_COLUMN, SPLIT_COLUMN, THEME_COLUMN, TrainConfig
from riskclf.errors import ConfigError, SchemaError
from riskclf.evaluation import evaluate_model, risk_metrics, theme_metrics
from riskclf.export import export_model
from riskclf.features import build_features
from riskclf.model import HEAD_SETTINGS, FittedModel, build_risk_head, build_theme_head
from riskclf.schema import (
    TRUNCATED_FLAG,
    TextColumns,
    check_unique_ids,
    clean_texts,
    format_ids,
    get_ids,
    get_texts,
    parse_risk_labels,
    parse_theme_labels,
    reader_errors,
)
from riskclf.served import RiskModel

HOLDOUT_SPLITS = ("test",)


@dataclass
class TrainingTable:
    """A checked training table: ids, texts and the labels of each head present."""

    ids: list[str]
    texts: list[str]
    risk: list[str | None] | None
    themes: list[tuple[str, ...]] | None
    split: list[str] | None

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows: np.ndarray) -> TrainingTable:
        """Return the rows at positions ``rows``."""
        pick = rows.tolist()
        return TrainingTable(
            ids=[self.ids[i] for i in pick],
            texts=[self.texts[i] for i in pick],
            risk=[self.risk[i] for i in pick] if self.risk is not None else None,
            themes=[self.themes[i] for i in pick] if self.themes is not None else None,
            split=[self.split[i] for i in pick] if self.split is not None else None,
        )


@dataclass
class TrainingResult:
    """What :func:`train_model` returns.

    Attributes
    ----------
    model : RiskModel
        The served model, fitted on the training rows (the held-out rows are never seen).
    fitted : FittedModel
        The scikit-learn objects it was exported from (features, heads, and the ids of the
        rows each was fitted on).
    metrics : dict
        ``holdout`` (full metrics on the held-out rows) and ``cv`` (per-fold and mean scores on
        the training rows).
    data : dict
        Row counts, label counts and the sha256 of the training table.
    seconds : float
        Wall time of the whole call.
    """

    model: RiskModel
    fitted: FittedModel
    metrics: dict[str, Any]
    data: dict[str, Any]
    seconds: float = 0.0
    holdout_ids: list[str] = field(default_factory=list)


def prepare_training_table(
    frame: pd.DataFrame,
    config: TrainConfig,
    *,
    columns: TextColumns = TextColumns(),
    risk_column: str = RISK_COLUMN,
    theme_column: str = THEME_COLUMN,
    split_column: str = SPLIT_COLUMN,
) -> TrainingTable:
    """Check a labelled table and return it as a :class:`TrainingTable`.

    Raises
    ------
    SchemaError
        No rows; no text column; rows with empty, undecodable or unparsable text; repeated ids;
        no label column; labels outside the declared order; a head with a single class.
    """
    if len(frame) == 0:
        raise SchemaError("the training table has no rows")
    ids = get_ids(frame, columns.id)
    check_unique_ids(ids, columns.id)
    texts, problems = clean_texts(get_texts(frame, columns))
    for i, err in enumerate(reader_errors(frame)):
        if err:
            problems[i] = err
    bad = [(i, p) for i, p in enumerate(problems) if p not in ("", TRUNCATED_FLAG)]
    if bad:
        kinds = Counter(p for _, p in bad)
        summary = ", ".join(f"{n} {k}" for k, n in kinds.most_common())
        raise SchemaError(
            f"{len(bad)} rows cannot be used for training ({summary}): "
            f"{format_ids([ids.iloc[i] for i, _ in bad])}"
        )
    has_risk, has_theme = risk_column in frame.columns, theme_column in frame.columns
    if not (has_risk or has_theme):
        raise SchemaError(
            f"no label column: expected '{risk_column}' and/or '{theme_column}'; "
            f"found: {', '.join(map(str, frame.columns[:20]))}"
        )
    risk = parse_risk_labels(frame, risk_column, config.risk_levels, ids) if has_risk else None
    themes = parse_theme_labels(frame, theme_column, config.themes, ids) if has_theme else None
    if risk is not None and all(r is None for r in risk):
        risk = None
    if themes is not None and not any(themes):
        themes = None
    if risk is None and themes is None:
        raise SchemaError("every label cell is empty: nothing to learn")
    if risk is not None:
        _require_two_classes(risk_column, [r for r in risk if r is not None])
    if themes is not None:
        _require_two_classes(theme_column, [t for ts in themes for t in ts])
    split = None
    if split_column in frame.columns:
        split = [str(s).strip().lower() for s in frame[split_column].tolist()]
    return TrainingTable(ids.tolist(), texts, risk, themes, split)


def _require_two_classes(column: str, labels: list[str]) -> None:
    """Raise unless at least two distinct labels occur."""
    distinct = sorted(set(labels))
    if len(distinct) < 2:
        raise SchemaError(
            f"column '{column}' has a single class ({distinct[0] if distinct else 'none'}); "
            "a classifier needs at least two"
        )


def train_model(
    frame: pd.DataFrame,
    config: TrainConfig = TrainConfig(),
    *,
    columns: TextColumns = TextColumns(),
    risk_column: str = RISK_COLUMN,
    theme_column: str = THEME_COLUMN,
    split_column: str = SPLIT_COLUMN,
) -> TrainingResult:
    """Train a model on a labelled table and measure it.

    The held-out rows are those whose ``split`` column is ``test`` when the table has one, else
    a stratified random ``config.test_size`` share. The model is fitted on the other rows;
    ``config.cv_folds``-fold stratified cross-validation on those rows is reported too.

    Parameters
    ----------
    frame : DataFrame
        Labelled articles: text (or title and body), ``risk_level`` and/or ``theme``.
    config : TrainConfig
        Feature and model settings.
    columns : TextColumns
        Names of the id and text columns.
    risk_column, theme_column, split_column : str
        Names of the label and split columns.

    Returns
    -------
    TrainingResult
    """
    started = time.perf_counter()
    table, risk_levels, theme_labels, strata = _prepare(
        frame, config, columns, risk_column, theme_column, split_column
    )
    train_rows, test_rows = _holdout_split(table, strata, config)
    train = table.subset(train_rows)
    _check_folds(train, strata[train_rows], config)
    unseen = _warn_unseen_labels(train, table.subset(test_rows))
    cv = _cross_validate(train, strata[train_rows], config, risk_levels, theme_labels)
    fitted = fit_model(train, config, risk_levels, theme_labels)
    model = export_model(fitted)
    holdout_frame = _to_frame(table.subset(test_rows), risk_column, theme_column)
    holdout = evaluate_model(
        model, holdout_frame, risk_column=risk_column, theme_column=theme_column
    )
    holdout["split"] = (
        "split column"
        if table.split is not None
        else (f"stratified random {config.test_size:.0%} (seed {config.seed})")
    )
    if unseen:
        holdout["warnings"] = unseen
    data = {
        "rows": len(table),
        "train_rows": len(train_rows),
        "holdout_rows": len(test_rows),
        "sha256": _table_sha256(table),
        "label_counts": _label_counts(table),
    }
    return TrainingResult(
        model=model,
        fitted=fitted,
        metrics={"holdout": holdout, "cv": cv},
        data=data,
        seconds=time.perf_counter() - started,
        holdout_ids=[table.ids[i] for i in test_rows],
    )


def _prepare(frame, config, columns, risk_column, theme_column, split_column):
    """The checked table, the labels of each head (None when absent) and the strata."""
    table = prepare_training_table(
        frame,
        config,
        columns=columns,
        risk_column=risk_column,
        theme_column=theme_column,
        split_column=split_column,
    )
    risk_levels = list(config.risk_levels) if table.risk is not None else None
    theme_labels = _theme_labels(table, config)
    return table, risk_levels, theme_labels, _strata(table, risk_levels)


def _theme_labels(table: TrainingTable, config: TrainConfig) -> list[str] | None:
    """Theme labels in the declared order, or sorted as seen when none is declared."""
    if table.themes is None:
        return None
    seen = {t for ts in table.themes for t in ts}
    if config.themes is not None:
        return [t for t in config.themes if t in seen]
    return sorted(seen)


def _strata(table: TrainingTable, risk_levels: list[str] | None) -> np.ndarray:
    """Stratification key per row: the risk level, else the primary theme."""
    if table.risk is not None:
        return np.array([r if r is not None else "" for r in table.risk], dtype=object)
    return np.array([ts[0] if ts else "" for ts in table.themes], dtype=object)


def _holdout_split(table: TrainingTable, strata: np.ndarray, config: TrainConfig):
    """Return (train rows, held-out rows) as index arrays."""
    rows = np.arange(len(table))
    if table.split is not None:
        held = np.array([s in HOLDOUT_SPLITS for s in table.split])
        if not held.any() or held.all():
            raise SchemaError(
                "the split column must mark some rows 'test' and some rows for training"
            )
        return rows[~held], rows[held]
    counts = Counter(strata.tolist())
    rare = [k or "(unlabelled)" for k, n in counts.items() if n < 2]
    if rare:
        raise SchemaError(
            f"cannot hold out a stratified test split: {', '.join(rare)} has fewer than 2 rows"
        )
    n_test = max(int(round(config.test_size * len(rows))), len(counts))
    if len(rows) - n_test < len(counts):
        raise SchemaError(
            f"{len(rows)} rows are too few to hold out a test split with {len(counts)} classes"
        )
    train_rows, test_rows = train_test_split(
        rows, test_size=n_test, stratify=strata, random_state=config.seed
    )
    return np.sort(train_rows), np.sort(test_rows)


def _check_folds(train: TrainingTable, strata: np.ndarray, config: TrainConfig) -> None:
    """Raise when cross-validation cannot put every class in every fold."""
    if config.cv_folds == 0:
        return
    if len(train) < config.cv_folds:
        raise SchemaError(
            f"{len(train)} training rows are fewer than cv_folds={config.cv_folds}; "
            "add rows or lower --cv-folds"
        )
    counts = Counter(s for s in strata.tolist() if s)
    small = sorted(k for k, n in counts.items() if n < config.cv_folds)
    if small:
        raise SchemaError(
            f"classes with fewer training rows than cv_folds={config.cv_folds}: "
            f"{', '.join(f'{k} ({counts[k]})' for k in small)}; add rows or lower --cv-folds"
        )


def _codes(table: TrainingTable, risk_levels, theme_labels):
    """Risk level codes (-1 = unlabelled) and the 0/1 theme matrix of a table."""
    risk_codes = theme_matrix = None
    if risk_levels is not None:
        index = {lv: i for i, lv in enumerate(risk_levels)}
        risk_codes = np.array([index[r] if r is not None else -1 for r in table.risk], dtype=int)
    if theme_labels is not None:
        index = {t: j for j, t in enumerate(theme_labels)}
        theme_matrix = np.zeros((len(table), len(theme_labels)), dtype=int)
        for i, ts in enumerate(table.themes):
            for t in ts:
                theme_matrix[i, index[t]] = 1
    return risk_codes, theme_matrix


def fit_model(table: TrainingTable, config: TrainConfig, risk_levels, theme_labels) -> FittedModel:
    """Fit the features on every row of ``table``, then each head on the rows that carry its
    label. Returns the fitted scikit-learn objects with the ids each was fitted on.

    Raises
    ------
    SchemaError
        Too few rows for the features, or a head whose rows hold a single class.
    """
    risk_codes, theme_matrix = _codes(table, risk_levels, theme_labels)
    features = build_features(config)
    X = _for_heads(_fit_features(features, table.texts, config))
    ids = np.array(table.ids, dtype=object)
    fitted = FittedModel(
        config,
        tuple(risk_levels) if risk_levels is not None else None,
        tuple(theme_labels) if theme_labels is not None else None,
        features,
        fit_ids={"features": list(table.ids)},
    )
    if risk_levels is not None:
        labelled = risk_codes >= 0
        _require_two_classes("risk_level", [risk_levels[c] for c in risk_codes[labelled]])
        fitted.risk_head = build_risk_head(config).fit(X[labelled], risk_codes[labelled])
        fitted.fit_ids["risk"] = ids[labelled].tolist()
    if theme_labels is not None:
        labelled = _theme_rows(theme_matrix, config)
        fitted.theme_head = build_theme_head(config).fit(X[labelled], theme_matrix[labelled])
        fitted.fit_ids["theme"] = ids[labelled].tolist()
    return fitted


def _for_heads(X: sparse.csr_matrix) -> sparse.csr_matrix:
    """The heads are fitted on a float32 copy of the float64 features: lbfgs fits the
    multinomial risk head about six times faster on it (measured on the starter corpus), and
    the rounding is far below the noise of any text data. Scoring, and the fitted pipeline,
    read the float64 features."""
    return X.astype(np.float32)


def _theme_rows(theme_matrix: np.ndarray, config: TrainConfig) -> np.ndarray:
    """Rows the theme head learns from: those with a theme, or all when blank means none."""
    if config.blank_themes == "none":
        return np.ones(len(theme_matrix), dtype=bool)
    return theme_matrix.sum(axis=1) > 0


def min_training_rows(config: TrainConfig) -> int:
    """Fewest rows the features can be fitted on: a term must be in ``min_df`` documents and
    in at most 90% of them."""
    return max(int(np.ceil(config.min_df / 0.9)), 2)


def _fit_features(features, texts: list[str], config: TrainConfig) -> sparse.csr_matrix:
    """Fit the feature union on ``texts`` and return their matrix; too little text is a
    :class:`SchemaError` that says how many rows are needed."""
    need = min_training_rows(config)
    if len(texts) < need:
        raise SchemaError(
            f"{len(texts)} training rows are too few: with min_df={config.min_df} the features "
            f"need at least {need} rows (and each class at least 2); add rows or lower min_df"
        )
    try:
        return features.fit_transform(texts).tocsr()
    except ValueError as exc:  # scikit-learn: no term left after min_df/max_df pruning
        raise SchemaError(
            f"the {len(texts)} training texts leave no usable terms ({exc}); add rows or "
            f"lower min_df (now {config.min_df})"
        ) from None


def _warn_unseen_labels(train: TrainingTable, holdout: TrainingTable) -> list[str]:
    """Warn (and return the messages) when held-out rows carry a label no training row has:
    the model can never predict it, and its scores on that label are 0."""
    messages = []
    for name, seen, held in (
        ("risk level", train.risk, holdout.risk),
        ("theme", train.themes, holdout.themes),
    ):
        if seen is None or held is None:
            continue
        flat = (lambda rows: {t for ts in rows for t in ts}) if name == "theme" else set
        missing = sorted(flat(r for r in held if r) - flat(r for r in seen if r))
        if missing:
            messages.append(
                f"{name} {', '.join(missing)} occurs in the held-out rows but in no training "
                "row: the model cannot predict it; move some of those rows to training"
            )
    for message in messages:
        warnings.warn(message, UserWarning, stacklevel=3)
    return messages


def _cross_validate(train: TrainingTable, strata, config, risk_levels, theme_labels) -> dict:
    """Stratified k-fold scores on the training rows: per fold, mean and standard deviation."""
    if config.cv_folds == 0:
        return {"folds": 0}
    splitter = StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=config.seed)
    folds: list[dict[str, float]] = []
    for fit_rows, val_rows in splitter.split(np.zeros(len(train)), strata):
        model = export_model(fit_model(train.subset(fit_rows), config, risk_levels, theme_labels))
        val = train.subset(val_rows)
        risk, theme = _head_metrics(model, model.transform(val.texts), val)
        scores: dict[str, float] = {}
        if risk is not None:
            scores.update(
                risk_accuracy=risk["accuracy"],
                risk_macro_f1=risk["macro_f1"],
                risk_qwk=risk["qwk"],
            )
        if theme is not None:
            scores.update(theme_macro_f1=theme["macro_f1"], theme_micro_f1=theme["micro_f1"])
        folds.append(scores)
    keys = folds[0].keys()
    return {
        "folds": config.cv_folds,
        "per_fold": folds,
        "mean": {k: float(np.mean([f[k] for f in folds])) for k in keys},
        "std": {k: float(np.std([f[k] for f in folds])) for k in keys},
    }


def _head_metrics(model: RiskModel, X, rows: TrainingTable) -> tuple[dict | None, dict | None]:
    """Risk and theme metrics (None for an absent head) of ``model`` on ``rows``, whose feature
    matrix is ``X``; each head is scored on the rows that carry its label."""
    risk = theme = None
    if model.risk_levels is not None:
        levels = list(model.risk_levels)
        keep = [i for i, r in enumerate(rows.risk) if r is not None]
        risk = risk_metrics([rows.risk[i] for i in keep], model.risk_proba(X[keep]), levels)
    if model.theme_labels is not None:
        blank_is_none = model.config.blank_themes == "none"
        keep = [i for i, ts in enumerate(rows.themes) if ts or blank_is_none]
        proba = model.theme_proba(X[keep])
        theme = theme_metrics(
            [rows.themes[i] for i in keep],
            proba,
            model.theme_head.decide(proba),
            list(model.theme_labels),
        )
    return risk, theme


def _to_frame(table: TrainingTable, risk_column: str, theme_column: str) -> pd.DataFrame:
    """Turn a table back into a frame that :func:`evaluate_model` reads."""
    data: dict[str, list] = {"id": table.ids, "text": table.texts}
    if table.risk is not None:
        data[risk_column] = table.risk
    if table.themes is not None:
        data[theme_column] = ["|".join(ts) if ts else None for ts in table.themes]
    return pd.DataFrame(data)


def _table_sha256(table: TrainingTable) -> str:
    """sha256 over ids, texts and labels, independent of the file format they came in."""
    digest = hashlib.sha256()
    for i in range(len(table)):
        risk = table.risk[i] if table.risk is not None else ""
        themes = "|".join(table.themes[i]) if table.themes is not None else ""
        line = "\t".join([table.ids[i], table.texts[i], risk or "", themes]) + "\n"
        digest.update(line.encode("utf-8"))
    return digest.hexdigest()


def _label_counts(table: TrainingTable) -> dict[str, dict[str, int]]:
    """Counts per risk level and per theme (a row counts once for each of its themes)."""
    counts: dict[str, dict[str, int]] = {}
    if table.risk is not None:
        counts["risk_level"] = dict(Counter(r or "(unlabelled)" for r in table.risk))
    if table.themes is not None:
        counts["theme"] = dict(Counter(t for ts in table.themes for t in ts))
        counts["theme"]["(unlabelled)"] = sum(1 for ts in table.themes if not ts)
    return counts


DEV_SPLITS = ("dev", "valid", "validation")


@dataclass
class TuneResult:
    """What :func:`tune_config` returns: the chosen config and every candidate's score."""

    config: TrainConfig
    selection: str
    candidates: list[dict[str, Any]]
    seconds: float
    fit_ids: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary for the model metadata."""
        return {
            "selection": self.selection,
            "selected": self.config.to_dict(),
            "candidates": self.candidates,
            "seconds": round(self.seconds, 1),
        }


def default_grid(
    has_risk: bool = True, has_theme: bool = True, blank_is_none: bool = False
) -> dict[str, list[dict]]:
    """Candidate changes to the config, by part: ``features`` (each tried with every head
    candidate), ``risk`` and ``theme`` (each head chosen on its own).

    Risk: multinomial or ordinal at three strengths. Themes: linear SVM, NB-SVM (Wang & Manning
    2012) at two strengths, class-balanced logistic regression. Features: word 1-2-grams, and
    with character 2-5-grams. Measured on satp_all's dev rows (the NB-SVM candidates won there),
    a class-balanced NB-SVM, logistic C=16 and word 1-3-grams never won and cost 40% of the
    search, so they are settings you can give, not candidates. When blank theme cells mean "no
    theme" (``blank_is_none``), an NB-SVM with the "any theme" gate is tried too.
    """
    risk = [
        {"risk_model": model, "C_risk": c}
        for model in ("multinomial", "ordinal")
        for c in (1.0, 4.0, 16.0)
    ]
    theme = [
        {"theme_loss": "svm", "theme_nb": False, "C_theme": 0.3},
        {"theme_loss": "svm", "theme_nb": True, "C_theme": 0.3},
        {"theme_loss": "svm", "theme_nb": True, "C_theme": 1.0},
        {"theme_loss": "logistic", "theme_nb": False, "C_theme": 4.0},
    ]
    if blank_is_none:  # most rows may have no theme: try the "any theme" gate
        theme.append({"theme_loss": "svm", "theme_nb": True, "C_theme": 1.0, "theme_gate": True})
    features = [{}, {"char_ngrams": [2, 5]}]
    return {
        "features": features,
        "risk": risk if has_risk else [],
        "theme": theme if has_theme else [],
    }


def tune_config(
    frame: pd.DataFrame,
    config: TrainConfig = TrainConfig(),
    *,
    grid: dict[str, list[dict]] | None = None,
    columns: TextColumns = TextColumns(),
    risk_column: str = RISK_COLUMN,
    theme_column: str = THEME_COLUMN,
    split_column: str = SPLIT_COLUMN,
) -> TuneResult:
    """Choose settings on validation data only: the ``dev`` rows of the split column when there
    are any, else a stratified 25% validation split of the training rows. The rows
    :func:`train_model` holds out for evaluation are never looked at.

    For each feature candidate the features are fitted on the fitting rows, and each head's
    candidates are scored by ``GridSearchCV`` with a ``PredefinedSplit`` (fit on the fitting
    rows, score macro-F1 on the validation rows). Each head keeps its best candidate under the
    feature candidate whose heads score best on average.

    Parameters
    ----------
    grid : dict or None
        ``{"features": [...], "risk": [...], "theme": [...]}`` lists of config changes (see
        :func:`default_grid`); a missing or empty list keeps ``config``'s settings.
    """
    started = time.perf_counter()
    table, risk_levels, theme_labels, strata = _prepare(
        frame, config, columns, risk_column, theme_column, split_column
    )
    # Exactly the rows train_model will fit on: its held-out rows are never seen here.
    usable, _ = _holdout_split(table, strata, config)
    split = np.array(table.split if table.split is not None else [""] * len(table))
    dev = usable[np.isin(split[usable], DEV_SPLITS)]
    if len(dev):
        fit_rows = usable[~np.isin(split[usable], DEV_SPLITS)]
        selection = f"dev split ({len(dev)} rows)"
    else:
        # One validation split rather than k folds: a third of the fits, so --tune stays fast.
        fit_rows, dev = train_test_split(
            usable, test_size=0.25, stratify=strata[usable], random_state=config.seed
        )
        selection = f"a stratified 25% validation split of the training rows ({len(dev)} rows)"
    fit, val = table.subset(np.sort(fit_rows)), table.subset(np.sort(dev))
    defaults = default_grid(
        risk_levels is not None, theme_labels is not None, config.blank_themes == "none"
    )
    grid = {**defaults, **(grid or {})}
    _check_grid(grid)
    labels = {"risk": risk_levels, "theme": theme_labels}
    heads = [head for head in ("risk", "theme") if labels[head] is not None]
    candidates: list[dict[str, Any]] = []
    best: tuple[float, TrainConfig] | None = None
    for feature_change in grid["features"] or [{}]:
        base = config.replace(**feature_change)
        X_fit, X_val = _tune_features(base, fit, val)
        chosen: dict[str, Any] = {}
        scores = []
        for head in heads:
            changes = grid[head] or [{}]
            search = _search_head(head, base, changes, X_fit, X_val, fit, val, labels[head])
            for change, score in zip(changes, search.cv_results_["mean_test_score"], strict=True):
                candidates.append(
                    {
                        "features": {**feature_change},
                        "head": head,
                        "changes": {**change},
                        "score": round(float(score), 4),
                    }
                )
            chosen.update(changes[search.best_index_])
            scores.append(float(search.best_score_))
        score = float(np.mean(scores))
        if best is None or score > best[0]:
            best = (score, base.replace(**chosen))
    fit_ids = {"fit": list(fit.ids), "validation": list(val.ids)}
    return TuneResult(best[1], selection, candidates, time.perf_counter() - started, fit_ids)


def _tune_features(config: TrainConfig, fit: TrainingTable, val: TrainingTable):
    """Features fitted on the fitting rows only: (their matrix, the validation rows' matrix)."""
    features = build_features(config)
    X_fit = _fit_features(features, fit.texts, config)
    return _for_heads(X_fit), _for_heads(features.transform(val.texts).tocsr())


def _check_grid(grid: dict[str, list[dict]]) -> None:
    """Refuse a grid whose feature candidates change head settings or whose head candidates
    change anything else: each is applied where it cannot take effect."""
    unknown = sorted(set(grid) - {"features", "risk", "theme"})
    if unknown:
        raise ConfigError(f"unknown grid parts: {', '.join(unknown)}; use features, risk, theme")
    for part, changes in grid.items():
        keys = {key for change in changes for key in change}
        wrong = sorted(keys & HEAD_SETTINGS if part == "features" else keys - HEAD_SETTINGS)
        if wrong:
            raise ConfigError(
                f"the {part} candidates of the grid cannot change {', '.join(wrong)}"
            )


def _search_head(head, config, changes, X_fit, X_val, fit, val, labels) -> GridSearchCV:
    """``GridSearchCV`` of one head's candidates: fitted on the fitting rows, scored by
    macro-F1 on the validation rows (a ``PredefinedSplit``), not refitted."""
    build = build_risk_head if head == "risk" else build_theme_head
    estimators = [build(config.replace(**change)) for change in changes]
    names = sorted({k for e in estimators for k, v in e.get_params().items()})
    param_grid = [{k: [e.get_params()[k]] for k in names} for e in estimators]
    if head == "risk":
        fit_y = _codes(fit, labels, None)[0]
        val_y = _codes(val, labels, None)[0]
        keep_fit, keep_val = fit_y >= 0, val_y >= 0
    else:
        labels = sorted(
            {t for ts in fit.themes for t in ts} | {t for ts in val.themes for t in ts}
        )
        fit_y = _codes(fit, None, labels)[1]
        val_y = _codes(val, None, labels)[1]
        keep_fit, keep_val = _theme_rows(fit_y, config), _theme_rows(val_y, config)
    X = sparse.vstack([X_fit[keep_fit], X_val[keep_val]], format="csr")
    y = np.concatenate([fit_y[keep_fit], val_y[keep_val]])
    folds = np.r_[np.full(int(keep_fit.sum()), -1), np.zeros(int(keep_val.sum()), dtype=int)]
    scorer = make_scorer(f1_score, average="macro", zero_division=0)
    search = GridSearchCV(
        estimators[0], param_grid, scoring=scorer, cv=PredefinedSplit(folds), refit=False
    )
    return search.fit(X, y)
