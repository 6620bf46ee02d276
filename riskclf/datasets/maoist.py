"""Import code-satp's hand-coded incidents of India's Maoist insurgency (``satp_maoist_india``).

Each row is one SATP incident summary with action flags and casualty counts coded by the
code-satp project, so both heads get labels: risk by the casualty rule, themes by the flags.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from riskclf.config import DATE_COLUMN, ID_COLUMN, TEXT_COLUMN
from riskclf.datasets._table import (
    ImportResult,
    build_result,
    column_or_blank,
    load_native,
    native_columns,
    parse_counts,
    parse_dates,
    parse_flags,
    require_columns,
    source_ids,
    text_of,
)
from riskclf.datasets.rules import join_themes, regions_of, risk_levels_from_counts

ACTION_FLAGS: tuple[str, ...] = (
    "armed_assault",
    "arrest",
    "bombing",
    "infrastructure",
    "surrender",
    "seizure",
    "abduction",
)
COUNT_COLUMNS: tuple[str, ...] = ("total_fatalities", "total_injuries", "total_abducted")
# Flag -> theme, in priority order (primary first).
THEME_RULES: tuple[tuple[str, str], ...] = (
    ("bombing", "terrorism"),
    ("abduction", "kidnapping"),
    ("armed_assault", "insurgency"),
    ("infrastructure", "insurgency"),
    ("arrest", "security_operations"),
    ("seizure", "security_operations"),
    ("surrender", "security_operations"),
)
SECURITY_FLAGS: tuple[str, ...] = ("arrest", "seizure", "surrender")
VIOLENT_FLAGS: tuple[str, ...] = ("armed_assault", "bombing", "infrastructure", "abduction")
SPLIT_SOURCE = "split_time"  # train 2005-2013, dev 2014, test 2015-2016
NATIVE_COLUMNS: tuple[str, ...] = (
    *ACTION_FLAGS,
    "perpetrator",
    *COUNT_COLUMNS,
    "total_arrests",
    "total_surrenders",
    "property_damage",
    "split_hash",
    "year",
    "state",
    "district",
    "dup_text",
    "overlaps_conflibert_satp",
)
MAOIST_COUNTRY = "India"  # the dataset covers India's Maoist insurgency only


def import_maoist(path: Path) -> ImportResult:
    """Import the code-satp Maoist incident table into the training table.

    Parameters
    ----------
    path : Path
        A table with ``text``, the action flags (``armed_assault``, ``arrest``, ``bombing``,
        ``infrastructure``, ``surrender``, ``seizure``, ``abduction``) and ``total_fatalities``,
        ``total_injuries``, ``total_abducted``; optionally ``id``, ``date``, ``country``,
        ``property_damage`` and the split column ``split_time``.

    Returns
    -------
    ImportResult
        Risk by the casualty rule: 10+ killed critical; 1-9 killed, anyone injured, anyone
        abducted or the ``abduction`` flag high; otherwise medium for an arrest, seizure,
        surrender, violent action or property damage, else low. Unknown ``total_fatalities``
        leaves the row without a risk level; unknown injuries read as none reported.
        Themes from the flags: bombing -> terrorism, abduction -> kidnapping, armed_assault or
        infrastructure -> insurgency, arrest/seizure/surrender -> security_operations.

    Raises
    ------
    SchemaError
        If a required column is missing, a flag is not 0/1 or a count is not a number.
    """
    path = Path(path)
    frame = load_native(path)
    require_columns(frame, (TEXT_COLUMN, *ACTION_FLAGS, *COUNT_COLUMNS), "maoist")
    ids = source_ids(frame, ID_COLUMN, path.stem)
    flags = {c: parse_flags(frame, c, ids) for c in ACTION_FLAGS}
    killed, injured, abducted = (parse_counts(frame, c, ids) for c in COUNT_COLUMNS)
    property_damage = (
        parse_flags(frame, "property_damage", ids)
        if "property_damage" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    risk = risk_levels_from_counts(
        killed,
        injured,
        abducted,
        security_event=_any(flags, SECURITY_FLAGS),
        violent=_any(flags, VIOLENT_FLAGS) | property_damage,
        kidnapping=flags["abduction"],
    )
    themes = join_themes(((theme, flags[c]) for c, theme in THEME_RULES), frame.index)

    country = column_or_blank(frame, "country")
    if "country" not in frame.columns:
        country = country.replace("", MAOIST_COUNTRY)
    date = parse_dates(column_or_blank(frame, DATE_COLUMN))
    unparsed = int(((date == "") & (column_or_blank(frame, DATE_COLUMN) != "")).sum())
    return build_result(
        ids=ids,
        texts=text_of(frame, TEXT_COLUMN),
        risk=risk,
        themes=themes,
        country=country,
        region=regions_of(country, column_or_blank(frame, "region")),
        date=date,
        split=column_or_blank(frame, SPLIT_SOURCE),
        native=native_columns(frame, NATIVE_COLUMNS),
        extra_counts={"unparsed_date": unparsed},
    )


def _any(flags: dict[str, pd.Series], names: tuple[str, ...]) -> pd.Series:
    """Rows where any of the named flags is set."""
    result = flags[names[0]].copy()
    for name in names[1:]:
        result |= flags[name]
    return result
