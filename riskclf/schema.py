"""Check input tables: the text column, ids, per-row text problems and labels.

Messages name the column, the count and up to five offending ids, never the text itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskclf.config import (
    BODY_COLUMN,
    ERROR_COLUMN,
    ID_COLUMN,
    LABEL_SEPARATOR,
    MAX_TEXT_CHARS,
    RISK_COLUMN,
    TEXT_COLUMN,
    THEME_COLUMN,
    TITLE_COLUMN,
)
from riskclf.errors import SchemaError

# Per-row problems; a row with one of these is not scored (its error column says which).
EMPTY_TEXT = "empty text"
INVALID_UTF8 = "text is not valid UTF-8"
NOT_TEXT = "text is not a string"
TRUNCATED_FLAG = "truncated"
BROKEN_RECORD = "broken record"  # the reader could not parse the row (a broken JSON line)


@dataclass(frozen=True)
class TextColumns:
    """Which columns hold the id and the text of an article."""

    id: str = ID_COLUMN
    text: str = TEXT_COLUMN
    title: str = TITLE_COLUMN
    body: str = BODY_COLUMN


def format_ids(ids: Sequence[object], limit: int = 5) -> str:
    """Return up to ``limit`` ids for an error message, with a count of the rest."""
    shown = ", ".join(str(i) for i in list(ids)[:limit])
    rest = len(ids) - limit
    return f"{shown} (+{rest} more)" if rest > 0 else shown


def get_ids(frame: pd.DataFrame, column: str = ID_COLUMN, *, start: int = 0) -> pd.Series:
    """Return the id column as strings, or ``row-<n>`` ids (1-based) when it is absent."""
    if column in frame.columns:
        ids = frame[column]
        missing = ids.isna() | (ids.astype(str).str.strip() == "")
        out = ids.astype(str)
        if missing.any():
            generated = pd.Series(
                [f"row-{start + i + 1}" for i in range(len(frame))], index=frame.index
            )
            out = out.where(~missing, generated)
        return out
    return pd.Series([f"row-{start + i + 1}" for i in range(len(frame))], index=frame.index)


def get_texts(frame: pd.DataFrame, columns: TextColumns = TextColumns()) -> pd.Series:
    """Return the article text: the text column, or title and body joined.

    Raises
    ------
    SchemaError
        If the frame has neither a text column nor a title or body column.
    """
    if columns.text in frame.columns:
        return frame[columns.text]
    has_title, has_body = columns.title in frame.columns, columns.body in frame.columns
    if has_title or has_body:
        title = _as_text(frame[columns.title]) if has_title else ""
        body = _as_text(frame[columns.body]) if has_body else ""
        if has_title and has_body:
            joined = [
                _join_title_body(t, b) for t, b in zip(title.tolist(), body.tolist(), strict=True)
            ]
            return pd.Series(joined, index=frame.index, dtype=object)
        return title if has_title else body
    found = ", ".join(map(str, frame.columns[:20])) or "none"
    raise SchemaError(
        f"no text column: expected '{columns.text}', or '{columns.title}' and '{columns.body}'; "
        f"found columns: {found}. Name yours with --text-column"
    )


def _as_text(values: pd.Series) -> pd.Series:
    """Return a column as Python objects (object dtype) with missing values as empty strings.

    Object dtype, not pandas' string dtype: the latter rejects text holding undecodable bytes,
    which must reach :func:`clean_texts` to be reported per row. Other cells (numbers, lists)
    are kept as they are, so :func:`clean_texts` reports them as not text.
    """
    missing = values.isna().to_numpy()
    cells = ["" if m else v for v, m in zip(values.tolist(), missing, strict=True)]
    return pd.Series(cells, index=values.index, dtype=object)


def _join_title_body(title: object, body: object) -> object:
    """Join a title and a body into one text; a cell that is not text is passed on as it is."""
    if isinstance(title, bytes):
        title = title.decode("utf-8", errors="surrogateescape")
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="surrogateescape")
    if not isinstance(title, str):
        return title
    if not isinstance(body, str):
        return body
    return f"{title}\n\n{body}".strip()


def clean_texts(texts: pd.Series) -> tuple[list[str], list[str]]:
    """Check each text; return the usable texts and a per-row problem ("" when fine).

    ``None``/NaN and blank strings are empty; a cell that is not a string (a number, a boolean,
    a list: e.g. an integer Parquet column or ``"text": 7`` in JSON) is not text and is
    reported, not scored as ``"7"``; text that was not valid UTF-8 (decoded with surrogate
    escapes) is reported, not guessed at. Texts longer than :data:`MAX_TEXT_CHARS` are truncated
    and flagged.
    """
    cleaned: list[str] = []
    problems: list[str] = []
    for value in texts.tolist():
        text, problem = _clean_one(value)
        cleaned.append(text)
        problems.append(problem)
    return cleaned, problems


def _clean_one(value: object) -> tuple[str, str]:
    """Return (usable text, problem) for one cell."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "", EMPTY_TEXT
    if value is pd.NaT:
        return "", EMPTY_TEXT
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="surrogateescape")
    elif not isinstance(value, str):
        return "", NOT_TEXT
    text = value.replace("\x00", " ")
    if not text.strip():
        return "", EMPTY_TEXT
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "", INVALID_UTF8
    if len(text) > MAX_TEXT_CHARS:
        return text[:MAX_TEXT_CHARS], TRUNCATED_FLAG
    return text, ""


def reader_errors(frame: pd.DataFrame) -> list[str]:
    """Return the per-row errors the reader already found (a broken JSON line), else ""."""
    if ERROR_COLUMN not in frame.columns:
        return [""] * len(frame)
    return [e if isinstance(e, str) else "" for e in frame[ERROR_COLUMN].tolist()]


def parse_risk_labels(
    frame: pd.DataFrame, column: str, levels: Sequence[str], ids: pd.Series
) -> list[str | None]:
    """Return the risk label of each row (``None`` where blank), normalised to the level names.

    Labels are matched after stripping whitespace and ignoring case.

    Raises
    ------
    SchemaError
        If a label is not one of ``levels`` or is not a string.
    """
    return _parse_labels(frame, column, levels, ids, multi=False)


def parse_theme_labels(
    frame: pd.DataFrame, column: str, allowed: Sequence[str] | None, ids: pd.Series
) -> list[tuple[str, ...]]:
    """Return the themes of each row (an empty tuple where blank), split on ``|``.

    Raises
    ------
    SchemaError
        If ``allowed`` is given and a theme is not in it.
    """
    return _parse_labels(frame, column, allowed, ids, multi=True)


def _parse_labels(frame, column, allowed, ids, *, multi):
    """Shared label parsing for the single- and multi-label heads."""
    lookup = _label_lookup(allowed)
    parsed: list = []
    bad_ids: list[str] = []
    bad_values: set[str] = set()
    for row_id, value in zip(ids.tolist(), frame[column].tolist(), strict=True):
        labels, bad = _parse_label_cell(value, lookup, multi=multi)
        if bad:
            bad_ids.append(row_id)
            bad_values.update(bad)
        parsed.append(labels)
    if bad_ids:
        expected = ", ".join(allowed) if allowed is not None else "strings"
        raise SchemaError(
            f"column '{column}': {len(bad_ids)} rows have labels outside the declared set "
            f"({', '.join(sorted(bad_values)[:5])}); expected {expected}; "
            f"rows: {format_ids(bad_ids)}"
        )
    return parsed


def _label_lookup(allowed: Sequence[str] | None) -> dict[str, str] | None:
    """Normalised label -> declared spelling, or None when any label is allowed."""
    return {a.strip().lower(): a for a in allowed} if allowed is not None else None


def _parse_label_cell(value, lookup, *, multi) -> tuple[object, list[str]]:
    """Parse one label cell: (labels, the offending values; empty when the cell is fine)."""
    empty = () if multi else None
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return empty, []
    if not isinstance(value, str):
        return empty, [f"{type(value).__name__} {value!r}"]
    parts = (
        [p.strip().lower() for p in value.split(LABEL_SEPARATOR)]
        if multi
        else [value.strip().lower()]
    )
    parts = [p for p in parts if p]
    if lookup is not None:
        unknown = [p for p in parts if p not in lookup]
        if unknown:
            return empty, unknown
        parts = [lookup[p] for p in parts]
    if multi:
        return tuple(dict.fromkeys(parts)), []
    return (parts[0] if parts else None), []


@dataclass(frozen=True)
class UsableRows:
    """A table without its unusable rows, and which rows were left out and why."""

    frame: pd.DataFrame
    dropped: list[tuple[str, str]]

    def reasons(self) -> dict[str, int]:
        """Count of left-out rows per reason, most frequent first."""
        counts: dict[str, int] = {}
        for _, reason in self.dropped:
            counts[reason] = counts.get(reason, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))


def drop_unusable_rows(
    frame: pd.DataFrame,
    *,
    columns: TextColumns = TextColumns(),
    risk_column: str = RISK_COLUMN,
    risk_levels: Sequence[str] | None = None,
    theme_column: str = THEME_COLUMN,
    themes: Sequence[str] | None = None,
) -> UsableRows:
    """Return the rows a model can learn from, and the ids and reasons of the others.

    A row is unusable when its text is empty, not valid UTF-8 or not a string, the reader
    could not parse it (a broken JSON line), or a label cell is not a string or, when
    ``risk_levels``/``themes`` are given, outside them. Texts over the length limit are kept
    (training truncates them). Rows keep their ids: when the table has no id column, one is
    added with the ``row-<n>`` ids of the full table, so the remaining rows are named as before.

    Raises
    ------
    SchemaError
        If the frame has no text column.
    """
    ids = get_ids(frame, columns.id)
    if columns.id not in frame.columns:
        frame = frame.assign(**{columns.id: ids})
    _, problems = clean_texts(get_texts(frame, columns))
    reasons = [p if p != TRUNCATED_FLAG else "" for p in problems]
    for i, err in enumerate(reader_errors(frame)):
        if err:
            reasons[i] = BROKEN_RECORD
    label_columns = ((risk_column, risk_levels, False), (theme_column, themes, True))
    for column, allowed, multi in label_columns:
        if column not in frame.columns:
            continue
        lookup = _label_lookup(allowed)
        for i, value in enumerate(frame[column].tolist()):
            if not reasons[i] and _parse_label_cell(value, lookup, multi=multi)[1]:
                reasons[i] = f"{column} outside the declared set"
    keep = np.array([not r for r in reasons], dtype=bool)
    dropped = [(str(i), r) for i, r, k in zip(ids.tolist(), reasons, keep, strict=True) if not k]
    return UsableRows(frame=frame.loc[keep].reset_index(drop=True), dropped=dropped)


def check_unique_ids(ids: pd.Series, column: str = ID_COLUMN) -> None:
    """Raise if ids repeat (training and evaluation rows must be addressable)."""
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        raise SchemaError(
            f"column '{column}': {dup.nunique()} ids occur more than once: "
            f"{format_ids(sorted(dup.unique()))}"
        )
