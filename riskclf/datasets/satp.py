"""Import SATP incident snippets labelled for ConfliBERT (``satp_all``, ``satp_relevant``).

Two layouts are read: ConfliBERT's own TSV files (``text`` and the four 0/1 labels, usually
without a header; the split is the file name) and the CSV files of ``../shared/datasets``
(``id, split, text``, the four labels, ``region``, ``country_heuristic`` and leakage flags).
The labels give a theme only; with no casualty counts no risk level is derived.
"""

from __future__ import annotations

import csv
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
from riskclf.datasets.rules import is_known_country, join_themes
from riskclf.errors import SchemaError

LABEL_COLUMNS: tuple[str, ...] = ("armed_assault", "bombing_explosion", "kidnapping", "other")
# Label -> theme, in the order themes are listed (primary first).
THEME_RULES: tuple[tuple[str, str], ...] = (
    ("bombing_explosion", "terrorism"),
    ("kidnapping", "kidnapping"),
    ("armed_assault", "insurgency"),
    ("other", "insurgency"),
)
NATIVE_COLUMNS: tuple[str, ...] = (
    *LABEL_COLUMNS,
    "any_event",
    "n_labels",
    "country_heuristic",
    "dup_within_split",
    "text_in_train",
)
SATP_REGION = "South Asia"  # SATP reports on South Asia only
_SPLITS = ("train", "dev", "test")


def import_satp(path: Path) -> ImportResult:
    """Import one SATP/ConfliBERT file into the training table.

    Parameters
    ----------
    path : Path
        A ConfliBERT ``.tsv`` file (``text`` + ``armed_assault``, ``bombing_explosion``,
        ``kidnapping``, ``other``; header optional) or a table with those columns and optionally
        ``id``, ``split``, ``region`` and ``country_heuristic``.

    Returns
    -------
    ImportResult
        Themes: ``bombing_explosion`` -> terrorism, ``kidnapping`` -> kidnapping,
        ``armed_assault`` and ``other`` -> insurgency; all-zero rows have no theme. No risk
        level. ``country`` is ``country_heuristic`` where it names a country, ``region`` is
        South Asia.

    Raises
    ------
    SchemaError
        If a label column is missing or holds values other than 0/1.
    """
    path = Path(path)
    frame = _read_conflibert_tsv(path) if path.suffix.lower() == ".tsv" else load_native(path)
    require_columns(frame, (TEXT_COLUMN, *LABEL_COLUMNS), "satp")
    ids = source_ids(frame, ID_COLUMN, f"{path.parent.name}-{path.stem}")
    flags = {c: parse_flags(frame, c, ids) for c in LABEL_COLUMNS}
    themes = join_themes(((theme, flags[c]) for c, theme in THEME_RULES), frame.index)

    heuristic = column_or_blank(frame, "country_heuristic")
    country = heuristic.where(heuristic.map(is_known_country), "")
    region = column_or_blank(frame, "region").replace("", SATP_REGION)
    if SPLIT_COLUMN in frame.columns:
        split = column_or_blank(frame, SPLIT_COLUMN)
    else:
        split = pd.Series(path.stem if path.stem in _SPLITS else "", index=frame.index)
    return build_result(
        ids=ids,
        texts=text_of(frame, TEXT_COLUMN),
        risk=None,
        themes=themes,
        country=country,
        region=region,
        split=split,
        native=native_columns(frame, NATIVE_COLUMNS),
    )


def _read_conflibert_tsv(path: Path) -> pd.DataFrame:
    """Read a ConfliBERT TSV: five tab-separated fields, no quoting, header optional."""
    with open(path, encoding="utf-8-sig", errors="surrogateescape") as handle:
        first = handle.readline().rstrip("\r\n").split("\t")
    has_header = bool(first) and first[0].strip().lower() == TEXT_COLUMN
    try:
        frame = pd.read_csv(
            path,
            sep="\t",
            header=0 if has_header else None,
            dtype=object,
            keep_default_na=False,
            quoting=csv.QUOTE_NONE,  # ConfliBERT texts hold bare quote characters
            encoding="utf-8-sig",
            encoding_errors="surrogateescape",
        )
    except pd.errors.EmptyDataError:
        raise SchemaError(f"{path} is empty: expected text and four 0/1 labels per line") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise SchemaError(f"{path} is not a well-formed TSV file ({detail})") from None
    if not has_header:
        if frame.shape[1] != 1 + len(LABEL_COLUMNS):
            raise SchemaError(
                f"{path} has {frame.shape[1]} tab-separated fields per line; a ConfliBERT SATP "
                f"file has 5 (text, {', '.join(LABEL_COLUMNS)}) or a header row naming them"
            )
        frame.columns = [TEXT_COLUMN, *LABEL_COLUMNS]
    return frame
