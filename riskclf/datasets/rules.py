"""The label rules of TAXONOMY.md that every importer shares.

The casualty rule turns counts of killed, injured and abducted people into a risk level; the
place rule turns a country (or, failing that, a source's own region name) into one of the
project's regions; the designated-group rule tells whether an actor name is a group that
governments list as terrorist. Missing casualty counts leave a row unlabelled: nothing is guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from riskclf.config import LABEL_SEPARATOR, RISK_LEVELS

LOW, MEDIUM, HIGH, CRITICAL = RISK_LEVELS
CRITICAL_KILLED = 10  # killed in one event from which the level is critical

_SOUTH_ASIA = "South Asia"
_CENTRAL_ASIA = "Central Asia"
_EAST_ASIA = "East Asia"
_SOUTH_EAST_ASIA = "South-East Asia"
_MENA = "Middle East & North Africa"
_AFRICA = "Sub-Saharan Africa"
_EUROPE = "Europe"
_NORTH_AMERICA = "North America"
_LATIN_AMERICA = "Latin America & Caribbean"
_OCEANIA = "Oceania"

# Countries whose region must not be taken from a source's own region name: South Asia as
# TAXONOMY.md defines it (Iran is Middle East), and countries that ACLED or GTD place in a
# region other than the UN M49 one (GTD puts Mauritius in South Asia, Mexico in North America,
# Sudan and the Caucasus elsewhere). Keys are lower case; aliases are the sources' spellings.
SOURCE_REGIONS: dict[str, str] = {
    # ACLED
    "southern asia": _SOUTH_ASIA,
    "south asia": _SOUTH_ASIA,
    "middle east": _MENA,
    "northern africa": _MENA,
    "eastern africa": _AFRICA,
    "western africa": _AFRICA,
    "middle africa": _AFRICA,
    "southern africa": _AFRICA,
    "east asia": _EAST_ASIA,
    "southeast asia": _SOUTH_EAST_ASIA,
    "europe": _EUROPE,
    "north america": _NORTH_AMERICA,
    "central america": _LATIN_AMERICA,
    "south america": _LATIN_AMERICA,
    "caribbean": _LATIN_AMERICA,
    "oceania": _OCEANIA,
    # GTD
    "central asia": _CENTRAL_ASIA,
    "middle east & north africa": _MENA,
    "sub-saharan africa": _AFRICA,
    "western europe": _EUROPE,
    "eastern europe": _EUROPE,
    "central america & caribbean": _LATIN_AMERICA,
    "australasia & oceania": _OCEANIA,
}

# Groups on the US, UK, Indian or Pakistani lists of terrorist organisations, as patterns over
# actor names that were lower-cased with hyphens turned into spaces. A starting list, not a
# registry: importers take their own through ``designated_groups``.
DESIGNATED_GROUPS: tuple[str, ...] = (
    r"\bislamic state\b",
    r"\bisis\b",
    r"\bisil\b",
    r"\biswap\b",
    r"\biskp\b",
    r"\bdaesh\b",
    r"\bal qa[ei]da\b",
    r"\baqap\b",
    r"\baqim\b",
    r"\bal shabaab\b",
    r"\bboko haram\b",
    r"\bjnim\b",
    r"\bjama'?at nusrat al islam\b",
    r"\bhay'?at tahrir al sham\b",
    r"\bteh?ree?k i taliban\b",
    r"\bttp\b",
    r"\bhaqqani\b",
    r"\blashkar i jhangvi\b",
    r"\blashkar e jhangvi\b",
    r"\blashkar e ta[iy]+[ae]?ba\b",
    r"\blashkar e toiba\b",
    r"\bjaish e moh?amm?[ae]d\b",
    r"\bhizb ?ul mujahideen\b",
    r"\bjamaat ul ahrar\b",
    r"\bbaloch(istan)? liberation (army|front)\b",
    r"\bcpi \(maoist\)",
    r"\bcommunist party of india \(maoist\)",
    r"\bunited liberation front of as(om|sam)\b",
    r"\bliberation tigers of tamil eelam\b",
    r"\bltte\b",
    r"\bhamas\b",
    r"\bhezbollah\b",
    r"\bhizballah\b",
    r"\bkurdistan workers'? party\b",
    r"\bpkk\b",
)


def risk_from_counts(
    killed: float | None,
    injured: float | None = None,
    abducted: float | None = None,
    security_event: bool = False,
    violent: bool = False,
    kidnapping: bool = False,
) -> str | None:
    """Return the risk level of one event by the casualty rule of TAXONOMY.md.

    Parameters
    ----------
    killed : float or None
        People killed; ``None`` or NaN means the count is unknown.
    injured, abducted : float or None
        People injured and abducted; unknown counts are read as none reported.
    security_event : bool
        The event is an arrest, raid, seizure, surrender or threat.
    violent : bool
        The event is violent (an attack, a clash, damage to property) even if nobody was hurt.
    kidnapping : bool
        The event is a kidnapping, whatever the count of abducted people says.

    Returns
    -------
    str or None
        ``"critical"`` for 10 or more killed; ``"high"`` for 1-9 killed, anyone injured or a
        kidnapping; ``"medium"`` for a violent or security event where nobody was hurt; else
        ``"low"``. ``None`` (unlabelled) when the number killed is unknown.

    Examples
    --------
    >>> risk_from_counts(0, 0, 0, security_event=True)
    'medium'
    >>> risk_from_counts(0, 2)
    'high'
    >>> risk_from_counts(None, 5) is None
    True
    """
    levels = risk_levels_from_counts(
        pd.Series([_as_number(killed)], dtype=float),
        pd.Series([_as_number(injured)], dtype=float),
        pd.Series([_as_number(abducted)], dtype=float),
        security_event=bool(security_event),
        violent=bool(violent),
        kidnapping=bool(kidnapping),
    )
    level = levels.iloc[0]
    return level or None


def risk_levels_from_counts(
    killed: pd.Series,
    injured: pd.Series | None = None,
    abducted: pd.Series | None = None,
    *,
    security_event: pd.Series | bool = False,
    violent: pd.Series | bool = False,
    kidnapping: pd.Series | bool = False,
) -> pd.Series:
    """Apply the casualty rule to whole columns; the vectorised :func:`risk_from_counts`.

    Parameters
    ----------
    killed : pandas.Series
        Numbers killed per row, NaN where unknown.
    injured, abducted : pandas.Series, optional
        Numbers injured and abducted; NaN or an absent column reads as none reported.
    security_event, violent, kidnapping : pandas.Series of bool, or bool
        Per-row event flags (see :func:`risk_from_counts`).

    Returns
    -------
    pandas.Series
        Risk levels as strings with the index of ``killed``; ``""`` where the number killed is
        unknown, so the row stays in the table unlabelled.
    """
    index = killed.index
    killed = pd.to_numeric(killed, errors="coerce").astype(float)
    injured_n = _counts_or_zero(injured, index)
    abducted_n = _counts_or_zero(abducted, index)
    hurt = (killed >= 1) | (injured_n >= 1) | (abducted_n >= 1) | _flags(kidnapping, index)
    eventful = _flags(security_event, index) | _flags(violent, index)
    levels = np.select(
        [
            killed.isna().to_numpy(),
            (killed >= CRITICAL_KILLED).to_numpy(),
            hurt.to_numpy(),
            eventful.to_numpy(),
        ],
        ["", CRITICAL, HIGH, MEDIUM],
        default=LOW,
    )
    return pd.Series(levels, index=index, dtype=object)


def join_themes(flags: Iterable[tuple[str, pd.Series]], index: pd.Index) -> pd.Series:
    """Join per-row theme flags into ``|``-separated themes, first flagged first, no repeats.

    Parameters
    ----------
    flags : iterable of (str, pandas.Series of bool)
        Theme names with the rows that carry them, in priority order (primary first).
    index : pandas.Index
        Index of the rows.

    Returns
    -------
    pandas.Series
        The joined themes; ``""`` for rows with no flag set.
    """
    themes: list[list[str]] = [[] for _ in range(len(index))]
    for theme, mask in flags:
        for row in np.flatnonzero(mask.reindex(index, fill_value=False).to_numpy(dtype=bool)):
            if theme not in themes[row]:
                themes[row].append(theme)
    return pd.Series([LABEL_SEPARATOR.join(t) for t in themes], index=index, dtype=object)


def region_of(country: str, source_region: str = "") -> str:
    """Return the project region of a place, or ``""`` when neither name is known.

    The country decides when the place gazetteer (:mod:`riskclf.places`) knows it; otherwise the
    source's own region name is translated through :data:`SOURCE_REGIONS`.

    Examples
    --------
    >>> region_of("Pakistan")
    'South Asia'
    >>> region_of("Mauritius", "South Asia")
    'Sub-Saharan Africa'
    >>> region_of("Atlantis")
    ''
    """
    by_country = _gazetteer().lookup_country(country)[1] if country else ""
    if by_country:
        return by_country
    return SOURCE_REGIONS.get(_place_key(source_region), "")


def regions_of(countries: pd.Series, source_regions: pd.Series | None = None) -> pd.Series:
    """Apply :func:`region_of` to whole columns (``source_regions`` may be absent)."""
    given = source_regions if source_regions is not None else pd.Series("", index=countries.index)
    cells = [region_of(c, r) for c, r in zip(countries.tolist(), given.tolist(), strict=True)]
    return pd.Series(cells, index=countries.index, dtype=object)


def is_known_country(name: str) -> bool:
    """Tell whether ``name`` is a country the gazetteer knows (not ``unknown`` etc.)."""
    return bool(name) and _gazetteer().lookup_country(name)[0] != ""


def _gazetteer():
    """The shared place gazetteer (one copy per process)."""
    from riskclf.places import Gazetteer

    return Gazetteer.default()


def designated_mask(actors: pd.Series, patterns: Iterable[str] = DESIGNATED_GROUPS) -> pd.Series:
    """Return which actor names match a designated terrorist group.

    Parameters
    ----------
    actors : pandas.Series
        Actor or group names (ACLED ``actor1``, GTD ``gname``); missing names never match.
    patterns : iterable of str
        Regular expressions over names lower-cased with hyphens and underscores as spaces.

    Returns
    -------
    pandas.Series of bool
    """
    regex = re.compile("|".join(f"(?:{p})" for p in patterns) or r"(?!x)x")
    names = actors.fillna("").astype(str).str.lower()
    names = names.str.replace(r"[-‐–_]+", " ", regex=True).str.replace(r"\s+", " ", regex=True)
    return names.map(lambda name: bool(regex.search(name))).astype(bool)


def _place_key(name: object) -> str:
    """Lower-case, trimmed place name; ``""`` for missing values."""
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    return " ".join(str(name).split()).lower()


def _as_number(value: object) -> float:
    """A count as float, NaN when missing."""
    if value is None or value is pd.NA:
        return math.nan
    return float(value)  # type: ignore[arg-type]


def _counts_or_zero(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """Counts as floats with unknown values read as zero (none reported)."""
    if values is None:
        return pd.Series(0.0, index=index)
    return pd.to_numeric(values, errors="coerce").astype(float).fillna(0.0)


def _flags(values: pd.Series | bool, index: pd.Index) -> pd.Series:
    """A scalar or a column of flags as a boolean column."""
    if isinstance(values, pd.Series):
        return values.fillna(False).astype(bool)
    return pd.Series(bool(values), index=index)
