"""Learn from a user's own labelled rows (the *feed*) on top of a base corpus.

A few hundred labels are too few for a model of their own, and the base corpus alone does not
know the feed's voice. :func:`adapt_model` fits on both: the features on every text once, each
head on the base rows plus the feed rows counted ``weight`` times, with the weight chosen by
cross-validation on the feed rows (:func:`choose_weight`): for each fold the model is fitted on
the base rows and the other folds' feed rows and scored on the held-out feed rows, never seen
by the features or the heads.

Weighting is done by repeating feed rows when the heads are fitted; the features (vocabulary
and idf) see each text once. The heads' own cross-validation (risk calibration, theme
thresholds) then sees copies of a feed row on both sides of a fold, which makes calibration
slightly over-confident on feed-like rows; per-row sample weights in
:func:`riskclf.training.fit_model` and the heads would remove that (see docs/benchmarks.md).

Themes: when the feed's theme labels are all labels of the base corpus, the theme head learns
from both (``theme_source="base+feed"``); when the feed uses labels the base does not know, its
taxonomy is its own and the theme head learns from the feed rows only (``"feed"``), while the
base rows still shape the features and the risk head. A feed without theme labels leaves the
theme head to the base (``"base"``).
"""

from __future__ import annotations

import hashlib
import math
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskclf.config import RISK_COLUMN, SPLIT_COLUMN, THEME_COLUMN, TrainConfig
from riskclf.errors import ConfigError, SchemaError
from riskclf.model import FittedModel, build_risk_head, build_theme_head
from riskclf.schema import (
    TRUNCATED_FLAG,
    TextColumns,
    clean_texts,
    format_ids,
    get_ids,
    get_texts,
    parse_risk_labels,
    parse_theme_labels,
    reader_errors,
)
from riskclf.served import RiskModel
from riskclf.training import (
    HOLDOUT_SPLITS,
    TrainingTable,
    min_training_rows,
    prepare_training_table,
)

#: Candidate weights of a feed row (how many base rows one labelled feed row counts as).
DEFAULT_WEIGHTS: tuple[int, ...] = (1, 3, 10, 30)
#: Folds of the cross-validation on the feed rows.
FEED_FOLDS = 3
#: Fewest labelled feed rows for which a weight is chosen by validation; below it the middle
#: candidate is used and the metadata says so.
MIN_ROWS_TO_CHOOSE = 12
#: Largest weighted count of feed rows, as a multiple of the base rows, a candidate weight
#: may give (see :func:`candidate_weights`).
MAX_FEED_SHARE = 2.0
THEME_SOURCES = ("base", "base+feed", "feed")
#: A theme cell holding this word says "I looked: no theme applies" (a blank cell is a row not
#: labelled yet). It is a negative example for every theme when ``blank_themes="none"``.
NO_THEME = "none"


@dataclass
class AdaptationData:
    """The checked inputs of an adapted fit.

    Attributes
    ----------
    base : TrainingTable
        Base rows fitted on (the base's ``test`` rows are in ``holdout``).
    holdout : TrainingTable or None
        The base's held-out rows, used to check that the base task did not collapse.
    feed : TrainingTable
        The user's labelled rows.
    risk_levels, theme_labels : list of str or None
        Label orders of the heads.
    theme_source : {"base", "base+feed", "feed"}
        Which rows the theme head learns from (see the module docstring).
    unlabelled_feed_rows : int
        Feed rows with neither label, left out.
    """

    config: TrainConfig
    base: TrainingTable
    holdout: TrainingTable | None
    feed: TrainingTable
    risk_levels: list[str] | None
    theme_labels: list[str] | None
    theme_source: str | None
    unlabelled_feed_rows: int = 0


def read_feed_labels(
    frame: pd.DataFrame, config: TrainConfig, *, columns: TextColumns = TextColumns()
) -> tuple[TrainingTable, int]:
    """Check the user's labelled table; return its labelled rows and the number of rows with
    no label yet (left out, as a half-filled spreadsheet has them).

    A row is labelled when its risk level or theme is filled in; a theme of ``none``
    (:data:`NO_THEME`) labels it as having no theme.

    Unlike :func:`riskclf.training.prepare_training_table` a head may hold a single class or
    no labels at all: the base corpus supplies the rest.

    Raises
    ------
    SchemaError
        No text column, repeated ids, unusable text on a labelled row, labels outside the
        declared set, no label column, or no labelled row.
    """
    ids = get_ids(frame, columns.id)
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        raise SchemaError(
            f"column '{columns.id}': {dup.nunique()} ids occur more than once in the labels: "
            f"{format_ids(sorted(dup.unique()))}"
        )
    has_risk, has_theme = RISK_COLUMN in frame.columns, THEME_COLUMN in frame.columns
    if not (has_risk or has_theme):
        raise SchemaError(
            f"no label column: the labels need '{RISK_COLUMN}' and/or '{THEME_COLUMN}'"
        )
    no_theme = np.zeros(len(frame), dtype=bool)
    if has_theme:
        cells = frame[THEME_COLUMN]
        no_theme = (cells.astype(str).str.strip().str.lower() == NO_THEME).to_numpy()
        frame = frame.assign(**{THEME_COLUMN: cells.where(~no_theme, None)})
    risk = parse_risk_labels(frame, RISK_COLUMN, config.risk_levels, ids) if has_risk else None
    themes = parse_theme_labels(frame, THEME_COLUMN, config.themes, ids) if has_theme else None
    labelled = no_theme | np.array(
        [
            (risk is not None and risk[i] is not None) or (themes is not None and bool(themes[i]))
            for i in range(len(frame))
        ],
        dtype=bool,
    )
    if not labelled.any():
        raise SchemaError(
            f"none of the {len(frame)} rows has a '{RISK_COLUMN}' or '{THEME_COLUMN}' label yet: "
            "fill some in first"
        )
    texts, problems = clean_texts(get_texts(frame, columns))
    for i, err in enumerate(reader_errors(frame)):
        if err:
            problems[i] = err
    bad = [i for i in np.nonzero(labelled)[0] if problems[i] not in ("", TRUNCATED_FLAG)]
    if bad:
        raise SchemaError(
            f"{len(bad)} labelled rows have unusable text ({problems[bad[0]]}): "
            f"{format_ids([ids.iloc[i] for i in bad])}"
        )
    keep = np.nonzero(labelled)[0].tolist()
    table = TrainingTable(
        ids=[str(ids.iloc[i]) for i in keep],
        texts=[texts[i] for i in keep],
        risk=[risk[i] for i in keep] if risk is not None else None,
        themes=[themes[i] for i in keep] if themes is not None else None,
        split=None,
    )
    if table.risk is not None and all(r is None for r in table.risk):
        table.risk = None
    if table.themes is not None and not any(table.themes) and config.blank_themes != "none":
        table.themes = None
    return table, int((~labelled).sum())


def prepare_adaptation(
    base_frame: pd.DataFrame,
    feed_frame: pd.DataFrame,
    config: TrainConfig = TrainConfig(),
    *,
    columns: TextColumns = TextColumns(),
) -> AdaptationData:
    """Check the base corpus and the user's labels and decide how the heads combine them.

    The base corpus's ``test`` rows (its ``split`` column) are held out; the rest is fitted on.

    Raises
    ------
    SchemaError
        Any problem of either table (see :func:`read_feed_labels` and
        :func:`riskclf.training.prepare_training_table`), or ids that occur in both.
    """
    base_all = prepare_training_table(base_frame, config)
    rows = np.arange(len(base_all))
    holdout = None
    if base_all.split is not None:
        held = np.array([s in HOLDOUT_SPLITS for s in base_all.split])
        base, holdout = base_all.subset(rows[~held]), base_all.subset(rows[held])
        if not len(holdout):
            holdout = None
    else:
        base = base_all
    feed, unlabelled = read_feed_labels(feed_frame, config, columns=columns)
    shared = sorted(set(base_all.ids) & set(feed.ids))
    if shared:
        raise SchemaError(
            f"{len(shared)} ids of the labels are also ids of the base corpus "
            f"({format_ids(shared)}): pass the base with --base and only your own rows as the "
            "labels, or give your rows other ids"
        )
    risk_levels = (
        list(config.risk_levels) if base.risk is not None or feed.risk is not None else None
    )
    base_themes = {t for ts in base.themes for t in ts} if base.themes is not None else set()
    feed_themes = {t for ts in feed.themes for t in ts} if feed.themes is not None else set()
    if feed.themes is None:
        theme_source = "base" if base.themes is not None else None
        seen = base_themes
    elif base.themes is not None and feed_themes <= base_themes:
        theme_source, seen = "base+feed", base_themes
    else:
        theme_source, seen = "feed", feed_themes
    theme_labels = None
    if theme_source is not None:
        order = list(config.themes) if config.themes is not None else sorted(seen)
        theme_labels = [t for t in order if t in seen]
    return AdaptationData(
        config, base, holdout, feed, risk_levels, theme_labels, theme_source, unlabelled
    )


def fit_adapted(
    data: AdaptationData,
    weight: int,
    *,
    feed_rows: np.ndarray | None = None,
    heads: tuple[str, ...] = ("risk", "theme"),
    themes: list[str] | None = None,
) -> FittedModel:
    """Fit the features on the base and feed texts (each once), then each head on the base
    rows and the feed rows repeated ``weight`` times (the theme head as ``theme_source`` says).

    Parameters
    ----------
    data : AdaptationData
    weight : int
        Copies of each feed row the heads see.
    feed_rows : ndarray of int, optional
        Positions of the feed rows to use (all when omitted): cross-validation leaves some out.
    heads : tuple of str
        Heads to fit (``"risk"``, ``"theme"``); cross-validation fits only the one it scores.
    themes : list of str, optional
        Fit only these theme columns. The theme head's rows are chosen with every theme as
        usual and each theme's model is fitted on its own, so each is the model the full head
        would have; cross-validation uses it to fit only the themes the feed's labels have.

    Raises
    ------
    SchemaError
        Too few rows for the features, or a head whose rows hold a single class.
    ConfigError
        ``weight`` below 1.
    """
    from riskclf.features import build_features

    if int(weight) != weight or weight < 1:
        raise ConfigError(f"the weight of feed rows must be a whole number >= 1, got {weight}")
    config, base = data.config, data.base
    feed = data.feed if feed_rows is None else data.feed.subset(np.asarray(feed_rows, dtype=int))
    texts = base.texts + feed.texts
    ids = np.array(base.ids + feed.ids, dtype=object)
    need = min_training_rows(config)
    if len(texts) < need:
        raise SchemaError(f"{len(texts)} rows are too few: the features need at least {need}")
    features = build_features(config)
    try:
        X = features.fit_transform(texts).tocsr().astype(np.float32)
    except ValueError as exc:  # scikit-learn: no term left after min_df/max_df pruning
        raise SchemaError(f"the {len(texts)} texts leave no usable terms ({exc})") from None
    fit_risk = data.risk_levels is not None and "risk" in heads
    fit_theme = data.theme_labels is not None and "theme" in heads
    theme_labels = list(data.theme_labels or []) if themes is None else list(themes)
    fitted = FittedModel(
        config,
        tuple(data.risk_levels) if fit_risk else None,
        tuple(theme_labels) if fit_theme else None,
        features,
        fit_ids={"features": ids.tolist()},
    )
    n_base = len(base)
    if fit_risk:
        code = {lv: i for i, lv in enumerate(data.risk_levels)}
        base_rows = [i for i, r in enumerate(base.risk or []) if r is not None]
        feed_rows_ = [j for j, r in enumerate(feed.risk or []) if r is not None]
        rows = np.array(base_rows + [n_base + j for j in feed_rows_ for _ in range(weight)])
        labels = [base.risk[i] for i in base_rows] + [
            feed.risk[j] for j in feed_rows_ for _ in range(weight)
        ]
        _require_two(RISK_COLUMN, labels)
        y = np.array([code[lv] for lv in labels], dtype=int)
        fitted.risk_head = build_risk_head(config).fit(X[rows], y)
        fitted.fit_ids["risk"] = list(dict.fromkeys(ids[rows].tolist()))
    if fit_theme:
        rows, sets = _theme_rows(data, base, feed, weight)
        if not any(sets):
            raise SchemaError(f"column '{THEME_COLUMN}': no row of the theme head has a theme")
        index = {t: j for j, t in enumerate(theme_labels)}
        Y = np.zeros((len(rows), len(theme_labels)), dtype=int)
        for i, ts in enumerate(sets):
            for t in ts:
                if t in index:
                    Y[i, index[t]] = 1
        fitted.theme_head = build_theme_head(config).fit(X[rows], Y)
        fitted.fit_ids["theme"] = list(dict.fromkeys(ids[rows].tolist()))
    return fitted


def _theme_rows(data: AdaptationData, base: TrainingTable, feed: TrainingTable, weight: int):
    """(row positions into the stacked base+feed matrix, their theme sets) for the theme
    head: rows with a theme, or every row when a blank theme means none."""
    blank_is_none = data.config.blank_themes == "none"
    n_base = len(base)
    rows: list[int] = []
    sets: list[tuple[str, ...]] = []
    if data.theme_source in ("base", "base+feed") and base.themes is not None:
        for i, ts in enumerate(base.themes):
            if ts or blank_is_none:
                rows.append(i)
                sets.append(ts)
    if data.theme_source in ("base+feed", "feed") and feed.themes is not None:
        copies = weight if data.theme_source == "base+feed" else 1
        for j, ts in enumerate(feed.themes):
            if ts or blank_is_none:
                rows += [n_base + j] * copies
                sets += [ts] * copies
    return np.array(rows, dtype=int), sets


def _require_two(column: str, labels: list[str]) -> None:
    """Raise unless at least two distinct labels occur."""
    if len(set(labels)) < 2:
        raise SchemaError(
            f"column '{column}': the base and your labels together hold a single class; "
            "a classifier needs at least two"
        )


@dataclass
class FeedScores:
    """Out-of-fold scores on the feed rows: for each (share of the training folds' feed rows,
    weight) the macro-F1 of the head scored, and how many rows each fold fitted on."""

    head: str
    folds: int
    rows: int
    scores: dict[tuple[float, int], dict[str, float]] = field(default_factory=dict)
    fitted_feed_rows: dict[float, float] = field(default_factory=dict)


def feed_head(data: AdaptationData) -> str | None:
    """The head whose feed labels validation scores: risk when the feed has risk labels,
    else theme (``None`` when neither can be scored)."""
    if data.feed.risk is not None and sum(r is not None for r in data.feed.risk) > 0:
        return "risk"
    if data.feed.themes is not None and data.theme_source in ("base+feed", "feed"):
        return "theme"
    return None


def cross_validate_feed(
    data: AdaptationData,
    weights: tuple[int, ...],
    *,
    head: str,
    fractions: tuple[float, ...] = (1.0,),
    folds: int = FEED_FOLDS,
    seed: int = 0,
) -> FeedScores:
    """Out-of-fold scores of ``head`` on the feed rows for each weight and each share of the
    training folds' feed rows (nested shares, so a learning curve can be read off).

    Each fold fits the features and the head on the base rows plus the chosen share of the
    other folds' feed rows; its held-out feed rows are never fitted on.
    """
    from sklearn.model_selection import StratifiedKFold

    labelled, strata = _scored_rows(data, head)
    themes = feed_themes(data) if head == "theme" else None
    n_folds = min(folds, len(labelled))
    result = FeedScores(head, n_folds, len(labelled))
    out_of_fold: dict[tuple[float, int], list] = {}
    rng = np.random.default_rng(seed)
    splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    others = np.setdiff1d(np.arange(len(data.feed)), labelled)  # rows labelled for the other head
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = list(splitter.split(np.zeros(len(labelled)), strata))
    fitted_rows: dict[float, list[int]] = {}
    for fit_part, val_part in splits:
        train = rng.permutation(labelled[fit_part])
        val = labelled[val_part]
        for fraction in fractions:
            share = train[: int(math.ceil(fraction * len(train)))]
            fitted_rows.setdefault(fraction, []).append(len(share))
            rows = np.sort(np.concatenate([share, others]))
            for weight in weights:
                fitted = fit_adapted(data, weight, feed_rows=rows, heads=(head,), themes=themes)
                model = _export(fitted)
                X = model.transform([data.feed.texts[i] for i in val])
                out_of_fold.setdefault((fraction, weight), []).append(
                    (val, _predict(model, X, head))
                )
    for key, parts in out_of_fold.items():
        result.scores[key] = _score_feed(data, head, parts)
    result.fitted_feed_rows = {f: float(np.mean(v)) for f, v in fitted_rows.items()}
    return result


def feed_themes(data: AdaptationData) -> list[str]:
    """The theme labels the feed's rows use, in the model's theme order: the ones validation
    on the feed can score."""
    seen = {t for ts in data.feed.themes or [] for t in ts}
    return [t for t in data.theme_labels or [] if t in seen]


def candidate_weights(data: AdaptationData, weights: tuple[int, ...]) -> tuple[int, ...]:
    """The weights worth trying: those under which the feed rows count at most
    :data:`MAX_FEED_SHARE` times the base rows (the smallest weight always), so the base task
    cannot be swamped, and the fits stay small."""
    weights = tuple(sorted({int(w) for w in weights}))
    if not weights or weights[0] < 1:
        raise ConfigError(f"feed weights must be whole numbers >= 1, got {weights}")
    limit = MAX_FEED_SHARE * max(len(data.base), 1)
    kept = [w for w in weights if w * len(data.feed) <= limit]
    return tuple(kept) if kept else weights[:1]


def _export(fitted: FittedModel) -> RiskModel:
    from riskclf.export import export_model

    return export_model(fitted)


def _scored_rows(data: AdaptationData, head: str) -> tuple[np.ndarray, np.ndarray]:
    """Feed rows carrying ``head``'s label, and their stratification keys."""
    if head == "risk":
        rows = [i for i, r in enumerate(data.feed.risk) if r is not None]
        return np.array(rows, dtype=int), np.array([data.feed.risk[i] for i in rows])
    blank_is_none = data.config.blank_themes == "none"
    rows = [i for i, ts in enumerate(data.feed.themes) if ts or blank_is_none]
    keys = [data.feed.themes[i][0] if data.feed.themes[i] else "" for i in rows]
    return np.array(rows, dtype=int), np.array(keys)


def _predict(model: RiskModel, X, head: str):
    """Risk probabilities, or (theme probabilities, 0/1 themes)."""
    if head == "risk":
        return model.risk_proba(X)
    proba = model.theme_proba(X)
    return proba, model.theme_head.decide(proba)


def _score_feed(data: AdaptationData, head: str, parts: list) -> dict[str, float]:
    """Macro-F1 (and accuracy or micro-F1) of the pooled out-of-fold predictions."""
    from riskclf.evaluation import risk_metrics, theme_metrics

    rows = np.concatenate([val for val, _ in parts])
    if head == "risk":
        proba = np.vstack([p for _, p in parts])
        truth = [data.feed.risk[i] for i in rows]
        metrics = risk_metrics(truth, proba, data.risk_levels)
        return {
            "brier": metrics["brier"],
            "macro_f1": metrics["macro_f1"],
            "accuracy": metrics["accuracy"],
        }
    proba = np.vstack([p for _, (p, _) in parts])
    chosen = np.vstack([c for _, (_, c) in parts])
    truth = [data.feed.themes[i] for i in rows]
    metrics = theme_metrics(truth, proba, chosen, feed_themes(data))
    return {
        "brier": metrics["brier"],
        "macro_f1": metrics["macro_f1"],
        "micro_f1": metrics["micro_f1"],
    }


@dataclass
class WeightChoice:
    """How the weight of the feed rows was chosen."""

    weight: int
    head: str | None
    how: str
    candidates: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "weight": self.weight,
            "scored_head": self.head,
            "how": self.how,
            "candidates": self.candidates,
        }


def choose_weight(
    data: AdaptationData,
    weights: tuple[int, ...] = DEFAULT_WEIGHTS,
    *,
    folds: int = FEED_FOLDS,
    seed: int = 0,
) -> WeightChoice:
    """Choose the weight of the feed rows by the cross-validated Brier score on them (risk head
    when the feed has risk labels, else the theme head); a tie goes to the smaller weight. With
    fewer than :data:`MIN_ROWS_TO_CHOOSE` labelled rows the middle candidate is taken.

    The Brier score rather than macro-F1: on a few hundred rows a rare level occurs once or
    twice, so macro-F1 jumps by whole points with one row, while the Brier score moves with
    every row's probabilities (on the SATP Maoist feed it chose weights that macro-F1 ranked as
    ties or by a single row)."""
    weights = candidate_weights(data, weights)
    head = feed_head(data)
    middle = weights[len(weights) // 2]
    if head is None:
        return WeightChoice(middle, None, "no feed label to validate on: middle candidate")
    n_rows = len(_scored_rows(data, head)[0])
    if len(weights) == 1:
        return WeightChoice(weights[0], head, "a single candidate")
    if n_rows < MIN_ROWS_TO_CHOOSE:
        return WeightChoice(
            middle,
            head,
            f"{n_rows} labelled rows are too few to validate on (need {MIN_ROWS_TO_CHOOSE}): "
            "middle candidate",
        )
    scores = cross_validate_feed(data, weights, head=head, folds=folds, seed=seed)
    candidates = [
        {"weight": w, **{k: round(v, 4) for k, v in scores.scores[(1.0, w)].items()}}
        for w in weights
    ]
    best = min(candidates, key=lambda c: (c["brier"], c["weight"]))
    how = (
        f"{scores.folds}-fold cross-validation on {n_rows} labelled rows of the feed "
        f"(lowest {head} Brier score)"
    )
    return WeightChoice(int(best["weight"]), head, how, candidates)


@dataclass
class AdaptationResult:
    """What :func:`adapt_model` returns (like :class:`riskclf.training.TrainingResult`)."""

    model: RiskModel
    fitted: FittedModel
    metrics: dict[str, Any]
    data: dict[str, Any]
    adaptation: dict[str, Any]
    seconds: float = 0.0


def adapt_model(
    base_frame: pd.DataFrame,
    feed_frame: pd.DataFrame,
    config: TrainConfig = TrainConfig(),
    *,
    columns: TextColumns = TextColumns(),
    weights: tuple[int, ...] = DEFAULT_WEIGHTS,
    folds: int = FEED_FOLDS,
) -> AdaptationResult:
    """Train on the base corpus and the user's labelled rows, the feed rows weighted by
    validation on them.

    Parameters
    ----------
    base_frame : DataFrame
        The base corpus (e.g. the starter corpus); its ``test`` rows are held out and scored.
    feed_frame : DataFrame
        The user's labels (rows with no label yet are left out and counted).
    config : TrainConfig
        Settings of the features and heads.
    columns : TextColumns
        Id and text columns of the feed table.
    weights : tuple of int
        Candidate weights of a feed row.
    folds : int
        Folds of the cross-validation on the feed rows.

    Returns
    -------
    AdaptationResult
        ``metrics``: ``holdout`` (the base's held-out rows, when it has any) and ``feed_cv``
        (out-of-fold scores on the feed rows of every candidate weight).
    """
    from riskclf.evaluation import evaluate_model

    started = time.perf_counter()
    data = prepare_adaptation(base_frame, feed_frame, config, columns=columns)
    choice = choose_weight(data, weights, folds=folds, seed=config.seed)
    fitted = fit_adapted(data, choice.weight)
    model = _export(fitted)
    metrics: dict[str, Any] = {"feed_cv": choice.to_dict()}
    if data.holdout is not None:
        frame = _holdout_frame(data)
        holdout = evaluate_model(model, frame)
        holdout["split"] = "the base corpus's rows with split=test"
        metrics["holdout"] = holdout
    adaptation = {
        "base_rows": len(data.base),
        "base_holdout_rows": len(data.holdout) if data.holdout is not None else 0,
        "feed_rows": len(data.feed),
        "feed_rows_unlabelled_left_out": data.unlabelled_feed_rows,
        "feed_weight": choice.weight,
        "weight_choice": choice.to_dict(),
        "theme_source": data.theme_source,
        "feed_label_counts": _label_counts(data.feed),
    }
    info = {
        "rows": len(data.base) + len(data.feed) + adaptation["base_holdout_rows"],
        "train_rows": len(data.base) + len(data.feed),
        "holdout_rows": adaptation["base_holdout_rows"],
        "sha256": _sha256(data),
        "label_counts": _label_counts(data.base, data.feed),
        "sources": {
            "base": {"rows": len(data.base), "held_out": adaptation["base_holdout_rows"]},
            "feed": {"rows": len(data.feed), "weight": choice.weight},
        },
    }
    return AdaptationResult(
        model, fitted, metrics, info, adaptation, seconds=time.perf_counter() - started
    )


def _holdout_frame(data: AdaptationData) -> pd.DataFrame:
    """The base's held-out rows as a frame :func:`evaluate_model` reads; their themes only
    when the model's theme head speaks the base's labels."""
    held = data.holdout
    frame = pd.DataFrame({"id": held.ids, "text": held.texts})
    if held.risk is not None and data.risk_levels is not None:
        frame[RISK_COLUMN] = held.risk
    if held.themes is not None and data.theme_source in ("base", "base+feed"):
        frame[THEME_COLUMN] = ["|".join(ts) if ts else None for ts in held.themes]
    return frame


def _label_counts(*tables: TrainingTable) -> dict[str, dict[str, int]]:
    """Counts per risk level and per theme over the tables."""
    risk: Counter = Counter()
    theme: Counter = Counter()
    for table in tables:
        if table.risk is not None:
            risk.update(r for r in table.risk if r is not None)
        if table.themes is not None:
            theme.update(t for ts in table.themes for t in ts)
    counts = {}
    if risk:
        counts["risk_level"] = dict(risk)
    if theme:
        counts["theme"] = dict(theme)
    return counts


def _sha256(data: AdaptationData) -> str:
    """sha256 over the ids, texts, labels and source of every fitted row."""
    digest = hashlib.sha256()
    for source, table in (("base", data.base), ("feed", data.feed)):
        for i in range(len(table)):
            risk = (table.risk[i] if table.risk is not None else None) or ""
            themes = "|".join(table.themes[i]) if table.themes is not None else ""
            line = "\t".join([source, table.ids[i], table.texts[i], risk, themes]) + "\n"
            digest.update(line.encode("utf-8"))
    return digest.hexdigest()


@dataclass
class AdaptSummary:
    """What :func:`build_adapted_model` did."""

    path: Path
    result: AdaptationResult

    def line(self) -> str:
        """One-line summary: rows of each source, the weight, the scores."""
        a, m = self.result.adaptation, self.result.metrics
        parts = [
            f"trained on {a['base_rows']} base rows + {a['feed_rows']} of your rows "
            f"(weight {a['feed_weight']}, {a['weight_choice']['how']}) "
            f"in {self.result.seconds:.1f} s"
        ]
        best = next(
            (c for c in a["weight_choice"]["candidates"] if c["weight"] == a["feed_weight"]),
            None,
        )
        if best is not None:
            head = a["weight_choice"]["scored_head"]
            parts.append(
                f"your rows, cross-validated: {head} macro-F1 {100 * best['macro_f1']:.1f}"
            )
        risk = m.get("holdout", {}).get("risk_level")
        if risk is not None:
            parts.append(f"base held-out risk macro-F1 {100 * risk['macro_f1']:.1f}")
        return f"{'; '.join(parts)} -> {self.path}"


def build_adapted_model(
    feed: Path,
    base: Path,
    out: Path,
    *,
    config: TrainConfig = TrainConfig(),
    columns: TextColumns = TextColumns(),
    weights: tuple[int, ...] = DEFAULT_WEIGHTS,
    overwrite: bool = False,
) -> AdaptSummary:
    """Train on the labelled table ``feed`` together with the base corpus ``base`` and save
    the model folder ``out`` (the library function behind ``riskclf train FEED --base BASE``).

    The metadata's ``adaptation`` (and the model card) say how many rows of each source went
    in, the weight of the feed rows and how it was chosen.

    Raises
    ------
    ArtifactError
        ``out`` exists without ``overwrite``, or its parent folder is missing.
    SchemaError
        See :func:`adapt_model`.
    """
    from riskclf.artifact import build_metadata, check_model_folder, save_model
    from riskclf.io import read_table

    out = check_model_folder(out, overwrite=overwrite)
    feed_frame = read_table(feed)
    if SPLIT_COLUMN in feed_frame.columns:
        # every labelled row of the feed is fitted on; validation folds are made from them
        feed_frame = feed_frame.drop(columns=[SPLIT_COLUMN])
    result = adapt_model(read_table(base), feed_frame, config, columns=columns, weights=weights)
    metadata = build_metadata(
        result.model,
        data=result.data,
        metrics=result.metrics,
        source=str(feed),
        seconds=round(result.seconds, 2),
    )
    metadata["adaptation"] = {"base_source": str(base), **result.adaptation}
    save_model(result.model, metadata, out, overwrite=overwrite)
    return AdaptSummary(out, result)
