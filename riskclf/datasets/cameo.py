"""Import CAMEO "penta-class" news sentences (ConfliBERT ``cameo_class``).

The five CAMEO classes say whether a sentence reports a statement, cooperation or conflict, in
words or in deeds. They map onto the politics and security_operations themes; material
conflict is too broad for one theme and is left unlabelled. No risk level is derived.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskclf.config import ID_COLUMN, SPLIT_COLUMN, TEXT_COLUMN
from riskclf.datasets._table import (
    ImportResult,
    build_result,
    column_or_blank,
    load_native,
    native_columns,
    parse_flags,
    require_columns,
    source_ids,
    text_of,
)
from riskclf.errors import SchemaError
from riskclf.schema import format_ids

# label_id -> label_name, in ConfliBERT's order.
LABEL_NAMES: tuple[str, ...] = (
    "make_statement",
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)
MILITARY_COLUMN = "military_keyword"
THEME_BY_LABEL: dict[str, str] = {
    "make_statement": "politics",
    "verbal_cooperation": "politics",
    "verbal_conflict": "politics",
    "material_conflict": "",  # fighting, sanctions, expulsions...: no single theme
}
NATIVE_COLUMNS: tuple[str, ...] = ("label_id", "label_name", "quad_class", MILITARY_COLUMN)


def import_cameo(path: Path) -> ImportResult:
    """Import a CAMEO penta-class table into the training table.

    Parameters
    ----------
    path : Path
        A table with ``text``, ``label_name`` or ``label_id`` (0-4) and ``military_keyword``
        (0/1); optionally ``id`` and ``split``.

    Returns
    -------
    ImportResult
        Themes: ``make_statement``, ``verbal_cooperation``, ``verbal_conflict`` -> politics;
        ``material_cooperation`` -> security_operations where ``military_keyword`` is 1, else
        politics; ``material_conflict`` -> no theme. No risk level, country or region.

    Raises
    ------
    SchemaError
        If a column is missing, a label is unknown, or ``label_id`` and ``label_name`` disagree.
    """
    path = Path(path)
    frame = load_native(path)
    label_column = "label_name" if "label_name" in frame.columns else "label_id"
    require_columns(frame, (TEXT_COLUMN, label_column, MILITARY_COLUMN), "cameo")
    ids = source_ids(frame, ID_COLUMN, f"cameo-{path.stem}")
    labels = _label_names(frame, ids)
    military = parse_flags(frame, MILITARY_COLUMN, ids)
    cooperation_theme = military.map({True: "security_operations", False: "politics"})
    themes = labels.map(THEME_BY_LABEL).where(labels != "material_cooperation", cooperation_theme)
    return build_result(
        ids=ids,
        texts=text_of(frame, TEXT_COLUMN),
        risk=None,
        themes=themes,
        split=column_or_blank(frame, SPLIT_COLUMN),
        native=native_columns(frame, NATIVE_COLUMNS),
    )


def _label_names(frame: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """The label name of each row, from ``label_name`` or ``label_id``, checked to agree."""
    by_id = None
    if "label_id" in frame.columns:
        codes = column_or_blank(frame, "label_id").str.replace(r"\.0$", "", regex=True)
        by_id = codes.map({str(code): name for code, name in enumerate(LABEL_NAMES)})
        _check_known(by_id.notna(), "label_id", f"codes 0-{len(LABEL_NAMES) - 1}", ids)
    if "label_name" not in frame.columns:
        return by_id
    names = column_or_blank(frame, "label_name").str.lower()
    _check_known(names.isin(LABEL_NAMES), "label_name", ", ".join(LABEL_NAMES), ids)
    if by_id is not None:
        _check_known(names == by_id, "label_name", "the name of its label_id", ids)
    return names


def _check_known(ok: pd.Series, column: str, expected: str, ids: pd.Series) -> None:
    """Raise for rows whose label is not ``expected``, naming the rows."""
    if not ok.all():
        raise SchemaError(
            f"column '{column}': {int((~ok).sum())} rows are not {expected}: "
            f"{format_ids(ids[~ok].tolist())}"
        )
