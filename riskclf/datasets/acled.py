"""Import ACLED event exports (``notes`` as text; event type, sub-type and fatalities as labels).

ACLED codes each event with an ``event_type`` and a ``sub_event_type``; those set the theme. The
risk level comes from ``fatalities`` by the casualty rule; ACLED has no injury counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from riskclf.datasets._table import (
    ImportResult,
    build_result,
    column_or_blank,
    load_native,
    native_columns,
    parse_counts,
    parse_dates,
    require_columns,
    source_ids,
    text_of,
)
from riskclf.datasets.rules import (
    DESIGNATED_GROUPS,
    designated_mask,
    regions_of,
    risk_levels_from_counts,
)

TEXT_SOURCE = "notes"
ID_SOURCE = "event_id_cnty"
ACTOR_SOURCE = "actor1"
REQUIRED_COLUMNS: tuple[str, ...] = (TEXT_SOURCE, "event_type", "sub_event_type", "fatalities")
NATIVE_COLUMNS: tuple[str, ...] = (
    "event_type",
    "sub_event_type",
    "fatalities",
    ACTOR_SOURCE,
    "region",
)
DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y")

# Lower-case event types whose every sub-type has one theme.
THEME_BY_EVENT_TYPE: dict[str, str] = {"protests": "civil_unrest", "riots": "civil_unrest"}
# Lower-case sub-event types -> theme. "attack" (violence against civilians) is decided by actor.
THEME_BY_SUB_EVENT: dict[str, str] = {
    "remote explosive/landmine/ied": "terrorism",
    "suicide bomb": "terrorism",
    "grenade": "terrorism",
    "air/drone strike": "armed_conflict",
    "shelling/artillery/missile attack": "armed_conflict",
    "armed clash": "insurgency",
    "abduction/forced disappearance": "kidnapping",
    "arrests": "security_operations",
    "looting/property destruction": "crime",
    "agreement": "politics",
    "change to group/activity": "politics",
}
ATTACK_SUB_EVENT = "attack"
KIDNAPPING_SUB_EVENT = "abduction/forced disappearance"
# With nobody killed, these events are still security-relevant (medium); the rest are low.
VIOLENT_EVENT_TYPES: frozenset[str] = frozenset(
    {"battles", "explosions/remote violence", "violence against civilians", "protests", "riots"}
)
SECURITY_SUB_EVENTS: frozenset[str] = frozenset(
    {
        "arrests",
        "disrupted weapons use",
        "looting/property destruction",
        "headquarters or base established",
    }
)


def import_acled(
    path: Path, *, designated_groups: Iterable[str] = DESIGNATED_GROUPS
) -> ImportResult:
    """Import an ACLED export into the training table.

    Parameters
    ----------
    path : Path
        An ACLED export with ``notes``, ``event_type``, ``sub_event_type`` and ``fatalities``;
        optionally ``event_id_cnty`` (the id), ``event_date``, ``country``, ``region`` and
        ``actor1``.
    designated_groups : iterable of str
        Patterns of designated terrorist groups (see :func:`rules.designated_mask`).

    Returns
    -------
    ImportResult
        Themes: Protests, Riots -> civil_unrest; IED, suicide bomb, grenade -> terrorism;
        air/drone strike, shelling -> armed_conflict; armed clash -> insurgency; attack on
        civilians -> terrorism when ``actor1`` is a designated group, else crime (no theme
        without ``actor1``); abduction -> kidnapping; arrests -> security_operations; looting ->
        crime; agreement, change to group -> politics; other sub-types no theme. Risk by
        ``fatalities``; an abduction is at least high.

    Raises
    ------
    SchemaError
        If a required column is missing, ids repeat or ``fatalities`` is not a number.
    """
    path = Path(path)
    frame = load_native(path)
    require_columns(frame, REQUIRED_COLUMNS, "acled")
    ids = source_ids(frame, ID_SOURCE, f"acled-{path.stem}")
    event_type = _key(column_or_blank(frame, "event_type"))
    sub_event = _key(column_or_blank(frame, "sub_event_type"))

    themes = sub_event.map(THEME_BY_SUB_EVENT).fillna("")
    themes = event_type.map(THEME_BY_EVENT_TYPE).fillna(themes)
    attack = sub_event == ATTACK_SUB_EVENT
    if ACTOR_SOURCE in frame.columns:
        designated = designated_mask(column_or_blank(frame, ACTOR_SOURCE), designated_groups)
        themes = themes.mask(attack, designated.map({True: "terrorism", False: "crime"}))

    risk = risk_levels_from_counts(
        parse_counts(frame, "fatalities", ids),
        security_event=sub_event.isin(SECURITY_SUB_EVENTS),
        violent=event_type.isin(VIOLENT_EVENT_TYPES),
        kidnapping=sub_event == KIDNAPPING_SUB_EVENT,
    )
    country = column_or_blank(frame, "country")
    raw_date = column_or_blank(frame, "event_date")
    date = parse_dates(raw_date, DATE_FORMATS)
    return build_result(
        ids=ids,
        texts=text_of(frame, TEXT_SOURCE),
        risk=risk,
        themes=themes,
        country=country,
        region=regions_of(country, column_or_blank(frame, "region")),
        date=date,
        native=native_columns(frame, NATIVE_COLUMNS),
        extra_counts={"unparsed_date": int(((date == "") & (raw_date != "")).sum())},
    )


def _key(values: pd.Series) -> pd.Series:
    """Lower-case values with whitespace runs collapsed, for matching ACLED's type names."""
    return values.str.lower().str.split().str.join(" ")
