"""Import Global Terrorism Database exports (``summary`` as text; attack type and casualties).

GTD records terrorist attacks only, so every event counts as violent: with nobody killed or
wounded it is medium, never low. Export the GTD workbook as CSV first (``riskclf.io`` reads
CSV, TSV, JSONL and Parquet).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskclf.datasets._table import (
    ImportResult,
    build_result,
    column_or_blank,
    load_native,
    native_columns,
    parse_counts,
    require_columns,
    source_ids,
    text_of,
)
from riskclf.datasets.rules import regions_of, risk_levels_from_counts

TEXT_SOURCE = "summary"
ID_SOURCE = "eventid"
ATTACK_SOURCE = "attacktype1_txt"
REQUIRED_COLUMNS: tuple[str, ...] = (TEXT_SOURCE, ATTACK_SOURCE, "nkill", "nwound")
NATIVE_COLUMNS: tuple[str, ...] = (ATTACK_SOURCE, "nkill", "nwound", "region_txt", "gname")
DATE_SOURCES: tuple[str, str, str] = ("iyear", "imonth", "iday")

# Lower-case attack types -> theme; Hijacking, Unarmed Assault and Unknown get none.
THEME_BY_ATTACK: dict[str, str] = {
    "bombing/explosion": "terrorism",
    "armed assault": "terrorism",
    "assassination": "terrorism",
    "hostage taking (kidnapping)": "kidnapping",
    "hostage taking (barricade incident)": "kidnapping",
    "facility/infrastructure attack": "insurgency",
}
KIDNAPPING_ATTACKS: frozenset[str] = frozenset(
    {"hostage taking (kidnapping)", "hostage taking (barricade incident)"}
)


def import_gtd(path: Path) -> ImportResult:
    """Import a GTD export into the training table.

    Parameters
    ----------
    path : Path
        A GTD table with ``summary``, ``attacktype1_txt``, ``nkill`` and ``nwound``; optionally
        ``eventid`` (the id), ``country_txt``, ``region_txt``, ``iyear``, ``imonth``, ``iday``
        and ``gname`` (kept as ``src_gname``).

    Returns
    -------
    ImportResult
        Themes: Bombing/Explosion, Armed Assault, Assassination -> terrorism; Hostage Taking
        (Kidnapping or Barricade Incident) -> kidnapping; Facility/Infrastructure Attack ->
        insurgency; other attack types no theme. Risk by ``nkill``/``nwound`` (hostage taking
        at least high); unknown ``nkill`` leaves the row without a risk level. ``date`` is ISO,
        shortened to ``YYYY-MM`` or ``YYYY`` where GTD codes the day or month as 0.

    Raises
    ------
    SchemaError
        If a required column is missing, ids repeat or a count is not a number.
    """
    path = Path(path)
    frame = load_native(path)
    require_columns(frame, REQUIRED_COLUMNS, "gtd")
    ids = source_ids(frame, ID_SOURCE, f"gtd-{path.stem}")
    attack = column_or_blank(frame, ATTACK_SOURCE).str.lower().str.split().str.join(" ")
    themes = attack.map(THEME_BY_ATTACK).fillna("")
    risk = risk_levels_from_counts(
        parse_counts(frame, "nkill", ids),
        parse_counts(frame, "nwound", ids),
        violent=True,
        kidnapping=attack.isin(KIDNAPPING_ATTACKS),
    )
    country = column_or_blank(frame, "country_txt")
    dates = _gtd_dates(frame)
    return build_result(
        ids=ids,
        texts=text_of(frame, TEXT_SOURCE),
        risk=risk,
        themes=themes,
        country=country,
        region=regions_of(country, column_or_blank(frame, "region_txt")),
        date=dates,
        native=native_columns(frame, NATIVE_COLUMNS),
        extra_counts={"unparsed_date": int((dates == "").sum()) if _has_dates(frame) else 0},
    )


def _has_dates(frame: pd.DataFrame) -> bool:
    """True when the export has a year column to build dates from."""
    return DATE_SOURCES[0] in frame.columns


def _gtd_dates(frame: pd.DataFrame) -> pd.Series:
    """ISO dates from year, month and day; a 0 month or day shortens the date, as GTD means."""
    if not _has_dates(frame):
        return pd.Series("", index=frame.index, dtype=object)
    parts = [pd.to_numeric(column_or_blank(frame, c), errors="coerce") for c in DATE_SOURCES]
    cells = []
    for year, month, day in zip(*(p.tolist() for p in parts), strict=True):
        cells.append(_iso_date(year, month, day))
    return pd.Series(cells, index=frame.index, dtype=object)


def _iso_date(year: float, month: float, day: float) -> str:
    """One GTD date as ISO text, ``""`` when the year is unknown or a part is out of range."""
    if not year == year or year < 1:  # NaN or no year
        return ""
    if not month == month or month == 0:
        return f"{int(year):04d}"
    if not 1 <= month <= 12:
        return ""
    if not day == day or day == 0:
        return f"{int(year):04d}-{int(month):02d}"
    try:
        return pd.Timestamp(int(year), int(month), int(day)).date().isoformat()
    except ValueError:
        return ""
