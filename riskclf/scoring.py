"""Score articles: :func:`score_frame` is the one function every path calls (the CLI, chunked
files, worker processes and Dask partitions).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress

import numpy as np
import pandas as pd

from riskclf.config import (
    COUNTRY_COLUMN,
    DEFAULT_TOP_TERMS,
    ERROR_COLUMN,
    LABEL_SEPARATOR,
    REGION_COLUMN,
)
from riskclf.errors import SchemaError
from riskclf.explain import format_terms, top_contributions
from riskclf.features import readable_feature_names
from riskclf.places import NO_PLACE, Gazetteer
from riskclf.schema import (
    TRUNCATED_FLAG,
    TextColumns,
    clean_texts,
    get_ids,
    get_texts,
    reader_errors,
)
from riskclf.served import RiskModel
from riskclf.textcheck import (
    EMPTY_AFTER_CLEANING,
    check_texts,
    known_terms,
    known_vocabulary,
    strip_texts_markup,
)
from riskclf.tokens import word_runs


@dataclass(frozen=True)
class _Explainer:
    """Per-model data for explanations, computed once per loaded model."""

    names: list[str | None]
    readable: np.ndarray
    risk_weights: np.ndarray | None
    theme_weights: np.ndarray | None


_EXPLAINERS: weakref.WeakKeyDictionary[RiskModel, _Explainer] = weakref.WeakKeyDictionary()


def _explainer(model: RiskModel) -> _Explainer:
    """Return the cached explanation data of ``model``."""
    cached = _EXPLAINERS.get(model)
    if cached is None:
        names = readable_feature_names(model.features)
        readable = np.array([n is not None for n in names], dtype=bool)
        risk_weights = model.risk_head.class_weights() if model.risk_head is not None else None
        theme_weights = model.theme_head.class_weights() if model.theme_head is not None else None
        cached = _Explainer(names, readable, risk_weights, theme_weights)
        _EXPLAINERS[model] = cached
    return cached


def risk_score(proba: np.ndarray) -> np.ndarray:
    """Return the 0–100 risk score: the expected level, scaled so the lowest level is 0 and the
    highest is 100.

    ``score = 100 * sum_k p_k * k / (K - 1)`` for levels ``k = 0 .. K-1``.
    """
    n_levels = proba.shape[1]
    return 100.0 * proba @ (np.arange(n_levels) / (n_levels - 1))


PLACE_COLUMNS = (
    "country",
    "country_code",
    "region",
    "countries",
    "admin1",
    "admin2",
    "place",
    "latitude",
    "longitude",
)


def passthrough_names(
    model: RiskModel, passthrough: Sequence[str], places: bool = True
) -> list[str]:
    """Output names of passthrough columns: ``input_<name>`` where riskclf writes that name."""
    produced = set(output_columns(model, (), places=places))
    return [f"input_{c}" if c in produced else c for c in passthrough]


def output_columns(
    model: RiskModel, passthrough: Sequence[str] = (), explain: bool = True, places: bool = True
) -> list[str]:
    """Return the column names :func:`score_frame` produces, in order."""
    cols = ["id", *(passthrough_names(model, passthrough, places) if passthrough else [])]
    if model.risk_levels is not None:
        cols += ["risk_level", "risk_score", *[f"p_{lv}" for lv in model.risk_levels]]
    if model.theme_labels is not None:
        cols += ["theme", *[f"p_theme_{t}" for t in model.theme_labels]]
    if places:
        cols += list(PLACE_COLUMNS)
    if explain and model.risk_levels is not None:
        cols.append("top_terms")
    if explain and model.theme_labels is not None:
        cols.append("theme_terms")
    cols += ["warning", "truncated", ERROR_COLUMN]
    return cols


def score_frame(
    model: RiskModel,
    frame: pd.DataFrame,
    *,
    columns: TextColumns = TextColumns(),
    passthrough: Sequence[str] = (),
    explain: bool = True,
    top_terms: int = DEFAULT_TOP_TERMS,
    places: bool = True,
    row_offset: int = 0,
) -> pd.DataFrame:
    """Score every row of ``frame``; return one output row per input row, in order.

    Parameters
    ----------
    model : RiskModel
        A fitted model (see :func:`riskclf.artifact.load_model`).
    frame : DataFrame
        Articles, with a text column or title and body columns.
    columns : TextColumns
        Names of the id, text, title and body columns.
    passthrough : sequence of str
        Input columns copied to the output unchanged; one whose name riskclf writes itself
        (``risk_level``, ``theme``, …) is written as ``input_<name>``.
    explain : bool
        Add ``top_terms`` (the terms that pushed the predicted risk level up most) and
        ``theme_terms`` (the same for each predicted theme).
    top_terms : int
        How many terms to list.
    places : bool
        Add ``country``, ``country_code``, ``region``, ``countries``, ``admin1`` (state or
        province), ``admin2`` (district), ``place`` and its ``latitude``/``longitude`` (see
        :mod:`riskclf.places`). A ``country`` (and ``region``) column in the input is kept as
        the main place; the text still fills ``countries``, and the finer columns where they
        lie in that country.
    row_offset : int
        Rows before this chunk, so generated ids (``row-<n>``) stay unique across chunks.

    Returns
    -------
    DataFrame
        ``id``, the passthrough columns, ``risk_level``, ``risk_score`` (0–100, see
        :func:`risk_score`), ``p_<level>``, ``theme`` (``|``-joined), ``p_theme_<label>``,
        the place columns, ``top_terms``, ``theme_terms``, ``truncated`` and ``error`` (empty
        when the row was scored); see :func:`output_columns`. Rows that
        cannot be scored (empty or undecodable text) keep their id, have empty predictions and
        say why in ``error``.
    """
    missing = [c for c in passthrough if c not in frame.columns]
    if missing:
        raise SchemaError(f"passthrough columns not in the input: {', '.join(missing)}")
    n = len(frame)
    ids = get_ids(frame, columns.id, start=row_offset)
    raw = get_texts(frame, columns)
    texts, problems = clean_texts(raw)
    emptied = strip_texts_markup(texts, problems)  # HTML -> text, in place
    for i, err in enumerate(reader_errors(frame)):
        if err:
            problems[i] = err
    ok = np.array([p in ("", TRUNCATED_FLAG) for p in problems], dtype=bool)
    rows = np.nonzero(ok)[0]
    # the word runs of each scorable text, found once for the word features and place tagging
    runs = word_runs([texts[i] for i in rows])
    X = model.transform([texts[i] for i in rows], runs) if len(rows) else None

    out: dict[str, object] = {"id": ids.to_numpy()}
    for col, name in zip(passthrough, passthrough_names(model, passthrough, places), strict=True):
        out[name] = frame[col].to_numpy()
    if model.risk_levels is not None:
        proba = np.full((n, len(model.risk_levels)), np.nan)
        if X is not None:
            proba[rows] = model.risk_proba(X)
        levels = np.array(model.risk_levels, dtype=object)
        predicted = np.where(ok, levels[np.nan_to_num(proba).argmax(axis=1)], None)
        out["risk_level"] = predicted
        out["risk_score"] = np.round(risk_score(proba), 2)
        for j, level in enumerate(model.risk_levels):
            out[f"p_{level}"] = proba[:, j]
    if model.theme_labels is not None:
        theme_proba = np.full((n, len(model.theme_labels)), np.nan)
        themes = np.full(n, None, dtype=object)
        if X is not None:
            theme_proba[rows] = model.theme_proba(X)
            chosen = model.theme_head.decide(theme_proba[rows])
            labels = np.array(model.theme_labels, dtype=object)
            themes[rows] = _join_all_themes(labels, chosen, theme_proba[rows])
        out["theme"] = themes
        for j, label in enumerate(model.theme_labels):
            out[f"p_theme_{label}"] = theme_proba[:, j]
    if places:
        row_runs: list[list[str] | None] = [None] * n
        for i, r in zip(rows, runs, strict=True):
            row_runs[i] = r
        for name, values in _place_columns(frame, texts, row_runs, ok).items():
            out[name] = np.array(values, dtype=object)
    if explain and model.risk_levels is not None:
        terms = np.full(n, None, dtype=object)
        if X is not None:
            exp = _explainer(model)
            classes = np.nan_to_num(proba[rows]).argmax(axis=1)
            pairs = top_contributions(X, exp.risk_weights, classes, exp.readable, top_terms)
            terms[rows] = [format_terms(p, exp.names) for p in pairs]
        out["top_terms"] = terms
    if explain and model.theme_labels is not None:
        out["theme_terms"] = _theme_terms(model, X, rows, chosen if X is not None else None, n)
    out["warning"] = _warnings(model, raw, texts, rows, runs, X, emptied, n)
    out["truncated"] = np.array([p == TRUNCATED_FLAG for p in problems])
    out[ERROR_COLUMN] = np.array(
        [p if p != TRUNCATED_FLAG else "" for p in problems], dtype=object
    )
    return pd.DataFrame(out, index=range(row_offset, row_offset + n))


def _warnings(model, raw, texts, rows, runs, X, emptied, n: int) -> np.ndarray:
    """The ``warning`` of each row (see :mod:`riskclf.textcheck`); rows that were not scored
    have none, except markup that held no text."""
    out = np.full(n, "", dtype=object)
    for i in emptied:
        out[i] = EMPTY_AFTER_CLEANING
    if X is None:
        return out
    n_word = known_vocabulary(model)
    cells = raw.tolist()
    out[rows] = check_texts(
        [texts[i] for i in rows],
        [cells[i] for i in rows],
        [len(r) for r in runs],
        known_terms(X, n_word) if n_word is not None else None,
    )
    return out


def _place_columns(
    frame: pd.DataFrame, texts: list[str], runs: list[list[str] | None], ok: np.ndarray
) -> dict[str, list]:
    """The place columns per row (see :mod:`riskclf.places`); an input country column wins,
    and the text's state, district, place and coordinates are kept only where they lie in
    that country."""
    gazetteer = Gazetteer.default()
    tags = [
        gazetteer.tag(t, r) if good else NO_PLACE
        for t, r, good in zip(texts, runs, ok, strict=True)
    ]
    columns: dict[str, list] = {
        name: [getattr(t, name) for t in tags] for name in PLACE_COLUMNS if name != "latitude"
    }
    columns["latitude"] = [np.nan if t.latitude is None else t.latitude for t in tags]
    columns["longitude"] = [np.nan if t.longitude is None else t.longitude for t in tags]
    if COUNTRY_COLUMN in frame.columns:
        given = frame[COUNTRY_COLUMN].tolist()
        given_region = frame[REGION_COLUMN].tolist() if REGION_COLUMN in frame.columns else None
        for i, name in enumerate(given):
            if isinstance(name, str) and name.strip():
                code, region = gazetteer.lookup_country(name.strip())
                if code != columns["country_code"][i]:
                    for column in ("admin1", "admin2", "place"):
                        columns[column][i] = ""
                    columns["latitude"][i] = columns["longitude"][i] = np.nan
                columns["country"][i] = name.strip()
                columns["country_code"][i] = code
                columns["region"][i] = region
            if given_region is not None and isinstance(given_region[i], str) and given_region[i]:
                columns["region"][i] = given_region[i].strip()
    return {name: columns[name] for name in PLACE_COLUMNS}


def _theme_terms(model: RiskModel, X, rows: np.ndarray, chosen, n: int) -> np.ndarray:
    """Per row, for each predicted theme, the three terms that pushed it most:
    ``terrorism: suicide (+0.52); blast (+0.31) | insurgency: ...``."""
    out = np.full(n, None, dtype=object)
    if X is None:
        return out
    exp = _explainer(model)
    # every (row, chosen theme) pair at once: rows in order, a row's themes in label order
    picked_rows, picked_labels = np.nonzero(chosen)
    pairs = top_contributions(X[picked_rows], exp.theme_weights, picked_labels, exp.readable, 3)
    parts: list[list[str]] = [[] for _ in rows]
    for i, j, p in zip(picked_rows.tolist(), picked_labels.tolist(), pairs, strict=True):
        parts[i].append(f"{model.theme_labels[j]}: {format_terms(p, exp.names) or '(none)'}")
    out[rows] = [" | ".join(p) for p in parts]
    return out


def _join_all_themes(labels: np.ndarray, chosen: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """The chosen themes of each row, most probable first (the first named of equals),
    ``|``-joined, with array operations: a row with one theme is its label; the themes of a
    row with several are taken in the order of one stable sort of all the row's
    probabilities (the same order as sorting only the chosen ones)."""
    counts = chosen.sum(axis=1)
    out = np.full(len(chosen), "", dtype=object)
    one = counts == 1
    out[one] = labels[chosen[one].argmax(axis=1)]
    several = np.nonzero(counts > 1)[0]
    if len(several):
        order = np.argsort(-proba[several], axis=1, kind="stable")
        keep = np.take_along_axis(chosen[several], order, axis=1).astype(bool)
        out[several] = [
            LABEL_SEPARATOR.join(compress(names, kept))
            for names, kept in zip(labels[order].tolist(), keep.tolist(), strict=True)
        ]
    return out
