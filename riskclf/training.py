"""Fit and validate a model on a labelled table; returns a result object and writes nothing."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

from riskclf.config import RISK_COLUMN, SPLIT_COLUMN, THEME_COLUMN, TrainConfig
from riskclf.errors import SchemaError
from riskclf.evaluation import evaluate_model, risk_metrics, theme_metrics
from riskclf.features import fit_features
from riskclf.model import HEAD_SETTINGS, RiskModel
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
        Fitted on the training rows (the held-out rows are never seen).
    metrics : dict
        ``holdout`` (full metrics on the held-out rows) and ``cv`` (per-fold and mean scores on
        the training rows).
    data : dict
        Row counts, label counts and the sha256 of the training table.
    seconds : float
        Wall time of the whole call.
    """

    model: RiskModel
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
    cv = _cross_validate(train, strata[train_rows], config, risk_levels, theme_labels)
    model = _fit(train, config, risk_levels, theme_labels)
    holdout_frame = _to_frame(table.subset(test_rows), risk_column, theme_column)
    holdout = evaluate_model(
        model, holdout_frame, risk_column=risk_column, theme_column=theme_column
    )
    holdout["split"] = (
        "split column"
        if table.split is not None
        else (f"stratified random {config.test_size:.0%} (seed {config.seed})")
    )
    data = {
        "rows": len(table),
        "train_rows": len(train_rows),
        "holdout_rows": len(test_rows),
        "sha256": _table_sha256(table),
        "label_counts": _label_counts(table),
    }
    return TrainingResult(
        model=model,
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


def _fit(table: TrainingTable, config, risk_levels, theme_labels) -> RiskModel:
    """Fit a fresh model on every row of ``table``."""
    risk_codes, theme_matrix = _codes(table, risk_levels, theme_labels)
    return RiskModel(config, risk_levels, theme_labels).fit(table.texts, risk_codes, theme_matrix)


def _cross_validate(train: TrainingTable, strata, config, risk_levels, theme_labels) -> dict:
    """Stratified k-fold scores on the training rows: per fold, mean and standard deviation."""
    if config.cv_folds == 0:
        return {"folds": 0}
    splitter = StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=config.seed)
    folds: list[dict[str, float]] = []
    for fit_rows, val_rows in splitter.split(np.zeros(len(train)), strata):
        model = _fit(train.subset(fit_rows), config, risk_levels, theme_labels)
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary for the model metadata."""
        return {
            "selection": self.selection,
            "selected": self.config.to_dict(),
            "candidates": self.candidates,
            "seconds": round(self.seconds, 1),
        }


def default_grid(has_risk: bool = True, has_theme: bool = True) -> list[list[dict[str, Any]]]:
    """Stages of candidate changes; each stage starts from the best config of the one before.

    Stage 1 tries the regularisation strength (and, with a risk head, the ordinal against the
    multinomial model) on word features; stage 2 asks whether character n-grams still help;
    stage 3 tries linear SVMs, with and without NB features (and NB-SVM with balanced class
    weights), for the theme head; stage 4 tries character 1-4-grams.
    """
    stage1 = [
        {"C_risk": c, "C_theme": c, "risk_model": rm, "char_ngrams": None}
        for c in (1.0, 4.0, 16.0)
        for rm in (("ordinal", "multinomial") if has_risk else ("ordinal",))
    ]
    stage3 = [{}] + [
        {"theme_loss": "svm", "theme_nb": nb, "C_theme": c}
        for nb, c in ((False, 0.1), (False, 0.3), (True, 0.3), (True, 1.0))
    ]
    # Class-balanced NB-SVM: +1.0 macro-F1 on the SATP relevant dev split, -0.5 on the Maoist
    # actions dev split, so it is a candidate rather than the default.
    stage3.append(
        {"theme_loss": "svm", "theme_nb": True, "C_theme": 1.0, "theme_svm_balanced": True}
    )
    # Dev macro-F1 on top of the stage-3 choice: 1-4 character n-grams +0.4 (SATP all), +0.5
    # (SATP relevant), -0.2 (Maoist actions), and +0.3 in 5-fold CV of SATP relevant train+dev
    # (4 of 5 folds): a candidate rather than a default. Raw-count word tf
    # (word_sublinear_tf=False) won on dev too (+0.8, +0.4) but lost in that CV (-0.2), so it
    # is not tried.
    stage4 = [{}, {"char_ngrams": [1, 4]}]
    return [stage1, [{}, {"char_ngrams": [3, 5]}], stage3 if has_theme else [{}], stage4]


def tune_config(
    frame: pd.DataFrame,
    config: TrainConfig = TrainConfig(),
    *,
    grid: list[list[dict[str, Any]]] | None = None,
    columns: TextColumns = TextColumns(),
    risk_column: str = RISK_COLUMN,
    theme_column: str = THEME_COLUMN,
    split_column: str = SPLIT_COLUMN,
) -> TuneResult:
    """Choose settings on validation data only: the ``dev`` rows of the split column when there
    are any, else a stratified 25% validation split of the training rows. The rows
    :func:`train_model` holds out for evaluation are never looked at.

    The score of a candidate is the mean of the macro-F1 of each head. Candidates that differ
    only in head settings share one fit of the features, and a candidate equal to one already
    scored is not fitted again; the scores are those of fitting each candidate from scratch.
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
    scorer = _CandidateScorer(
        table.subset(np.sort(fit_rows)), table.subset(np.sort(dev)), risk_levels, theme_labels
    )
    best, best_score, candidates = config, -1.0, []
    for stage in grid or default_grid(risk_levels is not None, theme_labels is not None):
        base = best
        for change in stage:
            candidate = base.replace(**change)
            score = scorer.score(candidate)
            candidates.append({"changes": {**change}, "score": round(score, 4)})
            if score > best_score:
                best, best_score = candidate, score
    return TuneResult(best, selection, candidates, time.perf_counter() - started)


def _feature_key(config: TrainConfig) -> TrainConfig:
    """``config`` with its head settings at their defaults: equal keys, equal fitted features."""
    defaults = TrainConfig()
    return config.replace(**{name: getattr(defaults, name) for name in HEAD_SETTINGS})


class _CandidateScorer:
    """Validation scores of candidate configs: fitted on ``fit`` rows, scored on ``val`` rows.

    The features are fitted, and both row sets transformed, once per distinct feature setting;
    each candidate then fits only its heads on that matrix (the features do not depend on head
    settings, so the model is the one :func:`_fit` would give). A config seen before (a stage's
    ``{}`` candidate is the previous stage's best) is scored once.
    """

    def __init__(self, fit: TrainingTable, val: TrainingTable, risk_levels, theme_labels):
        self.fit, self.val = fit, val
        self.risk_levels, self.theme_labels = risk_levels, theme_labels
        self.codes = _codes(fit, risk_levels, theme_labels)
        self._features: dict[TrainConfig, tuple] = {}
        self._scores: dict[TrainConfig, float] = {}

    def score(self, config: TrainConfig) -> float:
        """Mean macro-F1 over the heads of ``config`` on the validation rows."""
        if config not in self._scores:
            features, X_fit, X_val = self._fitted_features(config)
            model = RiskModel(config, self.risk_levels, self.theme_labels)
            model.fit_heads(features, X_fit, *self.codes)
            metrics = [m for m in _head_metrics(model, X_val, self.val) if m is not None]
            self._scores[config] = float(np.mean([m["macro_f1"] for m in metrics]))
        return self._scores[config]

    def _fitted_features(self, config: TrainConfig) -> tuple:
        """(features fitted on the fit rows, their matrix of the fit rows, of the val rows)."""
        key = _feature_key(config)
        if key not in self._features:
            features = fit_features(config, self.fit.texts)
            self._features[key] = (
                features,
                features.transform(self.fit.texts),
                features.transform(self.val.texts),
            )
        return self._features[key]
