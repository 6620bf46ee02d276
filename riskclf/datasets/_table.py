"""Plumbing every importer shares: reading native columns and assembling the training table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from riskclf.config import (
    COUNTRY_COLUMN,
    DATE_COLUMN,
    ID_COLUMN,
    LABEL_SEPARATOR,
    REGION_COLUMN,
    RISK_COLUMN,
    RISK_LEVELS,
    SPLIT_COLUMN,
    TEXT_COLUMN,
    THEME_COLUMN,
    THEMES,
)
from riskclf.errors import SchemaError
from riskclf.io import read_table
from riskclf.schema import check_unique_ids, format_ids

OUTPUT_COLUMNS: tuple[str, ...] = (
    ID_COLUMN,
    TEXT_COLUMN,
    RISK_COLUMN,
    THEME_COLUMN,
    COUNTRY_COLUMN,
    REGION_COLUMN,
    DATE_COLUMN,
    SPLIT_COLUMN,
)
NATIVE_PREFIX = "src_"
_TRUE = {"1", "1.0", "true", "yes"}
_FALSE = {"0", "0.0", "false", "no", ""}


@dataclass
class ImportResult:
    """A dataset turned into the training table, with what the import did.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per source row: ``id, text, risk_level, theme, country, region, date, split``,
        then the native label columns with a ``src_`` prefix. Labels that could not be derived
        are empty strings.
    counts : dict
        ``rows_in`` and ``rows_out`` (always equal: nothing is dropped), ``risk_level`` and
        ``theme`` (rows per derived label; a row with two themes counts for both),
        ``no_risk_level`` and ``no_theme`` (unlabelled rows kept), ``empty_text``, and
        source-specific counts such as ``unparsed_date``.
    """

    frame: pd.DataFrame
    counts: dict[str, Any] = field(default_factory=dict)


def load_native(path: Path) -> pd.DataFrame:
    """Read a whole source file with :func:`riskclf.io.read_table` (values as strings)."""
    return read_table(path)


def require_columns(frame: pd.DataFrame, required: Sequence[str], source: str) -> None:
    """Raise a :class:`SchemaError` naming every required column the frame lacks."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:20])) or "none"
        raise SchemaError(
            f"{source} import: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"found columns: {found}"
        )


def source_ids(frame: pd.DataFrame, column: str | None, prefix: str) -> pd.Series:
    """Return the source's id column as strings, or ``<prefix>-<n>`` ids (0-based) without one.

    Raises
    ------
    SchemaError
        If ids are blank or repeat.
    """
    if column is not None and column in frame.columns:
        ids = frame[column].fillna("").astype(str).str.strip()
        blank = ids == ""
        if blank.any():
            rows = [f"row {i + 1}" for i in blank.to_numpy().nonzero()[0]]
            raise SchemaError(
                f"column '{column}': {int(blank.sum())} rows have no id: {format_ids(rows)}"
            )
        check_unique_ids(ids, column)
        return ids
    width = max(5, len(str(len(frame))))
    return pd.Series([f"{prefix}-{i:0{width}d}" for i in range(len(frame))], index=frame.index)


def text_of(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a text column as Python strings, missing values as ``""``."""
    values = frame[column]
    cells = ["" if _is_missing(v) else str(v) for v in values.tolist()]
    return pd.Series(cells, index=frame.index, dtype=object)


def column_or_blank(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a column stripped as strings, or blanks when the frame lacks it."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return text_of(frame, column).str.strip()


def parse_flags(frame: pd.DataFrame, column: str, ids: pd.Series) -> pd.Series:
    """Return a 0/1 column as booleans (blank reads as 0).

    Raises
    ------
    SchemaError
        If a value is not 0/1 (also accepted: ``1.0``, ``true``/``false``, ``yes``/``no``).
    """
    cells = text_of(frame, column).str.strip().str.lower()
    bad = ~cells.isin(_TRUE | _FALSE)
    if bad.any():
        _raise_bad_values(column, "0/1 flags", ids[bad])
    return cells.isin(_TRUE)


def parse_counts(frame: pd.DataFrame, column: str, ids: pd.Series) -> pd.Series:
    """Return a column of counts as floats; blank and negative (``-99`` = unknown) become NaN.

    Raises
    ------
    SchemaError
        If a non-blank value is not a number.
    """
    cells = text_of(frame, column).str.strip()
    numbers = pd.to_numeric(cells.where(cells != ""), errors="coerce").astype(float)
    bad = numbers.isna() & (cells != "")
    if bad.any():
        _raise_bad_values(column, "numbers (blank where unknown)", ids[bad])
    return numbers.where(numbers >= 0)


def parse_dates(values: pd.Series, formats: Iterable[str] = ("%Y-%m-%d",)) -> pd.Series:
    """Return dates as ISO ``YYYY-MM-DD`` strings; ``""`` where blank or in no given format."""
    formats = tuple(formats)
    cells = []
    for value in values.tolist():
        cells.append(_parse_date("" if _is_missing(value) else str(value).strip(), formats))
    return pd.Series(cells, index=values.index, dtype=object)


def native_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return the given native columns that exist, unchanged, renamed with the ``src_`` prefix."""
    kept = [c for c in columns if c in frame.columns]
    return frame[kept].rename(columns={c: f"{NATIVE_PREFIX}{c}" for c in kept})


def build_result(
    *,
    ids: pd.Series,
    texts: pd.Series,
    risk: pd.Series | None,
    themes: pd.Series,
    country: pd.Series | None = None,
    region: pd.Series | None = None,
    date: pd.Series | None = None,
    split: pd.Series | None = None,
    native: pd.DataFrame | None = None,
    extra_counts: dict[str, int] | None = None,
) -> ImportResult:
    """Assemble the output frame in :data:`OUTPUT_COLUMNS` order and count its labels."""
    index = ids.index

    def blank_or(values: pd.Series | None) -> pd.Series:
        if values is None:
            return pd.Series("", index=index, dtype=object)
        return values.fillna("").astype(object)

    frame = pd.DataFrame(
        {
            ID_COLUMN: ids.astype(object),
            TEXT_COLUMN: texts,
            RISK_COLUMN: blank_or(risk),
            THEME_COLUMN: blank_or(themes),
            COUNTRY_COLUMN: blank_or(country),
            REGION_COLUMN: blank_or(region),
            DATE_COLUMN: blank_or(date),
            SPLIT_COLUMN: blank_or(split),
        },
        index=index,
    )
    if native is not None and len(native.columns):
        frame = pd.concat([frame, native], axis=1)
    frame = frame.reset_index(drop=True)
    return ImportResult(frame=frame, counts=count_labels(frame, len(ids), extra_counts))


def count_labels(
    frame: pd.DataFrame, rows_in: int, extra_counts: dict[str, int] | None = None
) -> dict[str, Any]:
    """Return the JSON-ready counts of an imported frame (see :class:`ImportResult`)."""
    risk = frame[RISK_COLUMN]
    theme_lists = [t.split(LABEL_SEPARATOR) if t else [] for t in frame[THEME_COLUMN].tolist()]
    theme_counts = dict.fromkeys(THEMES, 0)
    for themes in theme_lists:
        for theme in themes:
            theme_counts[theme] = theme_counts.get(theme, 0) + 1
    counts: dict[str, Any] = {
        "rows_in": int(rows_in),
        "rows_out": len(frame),
        "risk_level": {level: int((risk == level).sum()) for level in RISK_LEVELS},
        "theme": theme_counts,
        "no_risk_level": int((risk == "").sum()),
        "no_theme": sum(1 for t in theme_lists if not t),
        "empty_text": int((frame[TEXT_COLUMN].str.strip() == "").sum()),
    }
    counts.update({k: int(v) for k, v in (extra_counts or {}).items()})
    return counts


def _raise_bad_values(column: str, expected: str, bad_ids: pd.Series) -> None:
    """Raise the error for values that cannot be read, naming ids but never values."""
    raise SchemaError(
        f"column '{column}': {len(bad_ids)} rows are not {expected}: "
        f"{format_ids(bad_ids.tolist())}"
    )


def _parse_date(value: str, formats: tuple[str, ...]) -> str:
    """One date as ISO text, or ``""``."""
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
