"""The regional report's aggregation: risk per place and period from a scored table.

(:mod:`riskclf.report_html` renders the page; :func:`write_report` writes both files.)

A scored table (the output of ``riskclf predict`` with a date and a place column kept) is grouped
by place (``country``, ``region`` or any other column) and by calendar period (weeks starting on
Monday, or calendar months). Each (place, period) row holds the number of articles, the mean and
90th-percentile risk score, the count per risk level, the share of high/critical articles, the
most frequent themes and the change against the previous period of the same place.

Rows whose ``error`` column is set were not scored: they are left out and counted, never used.
Periods in which a place has no articles have no row. A change is measured against the
*immediately preceding* calendar period only (the month or week just before); when the place had
no articles then, the change is NaN rather than a comparison with an older period, so a gap in
coverage never reads as a sudden rise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskclf.atomic import write_text_atomically
from riskclf.config import (
    COUNTRY_COLUMN,
    DATE_COLUMN,
    LABEL_SEPARATOR,
    RISK_COLUMN,
    RISK_LEVELS,
    THEME_COLUMN,
)
from riskclf.errors import InputError, SchemaError
from riskclf.io import check_output_path, read_table
from riskclf.schema import format_ids, get_ids, reader_errors

SCORE_COLUMN = "risk_score"
UNKNOWN_PLACE = "(unknown)"
FREQUENCIES = {"W": "weekly (weeks starting Monday)", "M": "monthly"}
TOP_THEMES = 3
CHART_PLACES = 8
REPORT_CSV = "report.csv"
REPORT_HTML = "report.html"
PLOTS_HINT = 'pip install "riskclf[plots]"'

# Fewest articles a place needs in a period to be drawn, mapped and compared: below this a
# mean score is one or two articles' noise. The table and report.csv keep every row.
MIN_ARTICLES = 3
Z_90 = 1.645  # a one-sided 95% / two-sided 90% normal quantile
MIN_CHANGE_SE = 1.0  # risk-score points
# The groupings the CLI offers (``riskclf report --by``); the library takes any column.
GROUPINGS = ("country", "region", "admin1", "admin2", "place")
LATITUDE_COLUMN = "latitude"
LONGITUDE_COLUMN = "longitude"

# An ISO 8601 date, optionally with a time and a zone; only the date part as written is used.
_ISO_DATE = (
    r"\s*(\d{4}-\d{2}-\d{2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?\s*"
)


def build_report(
    scored: pd.DataFrame,
    *,
    by: str = COUNTRY_COLUMN,
    freq: str = "M",
    date_column: str = DATE_COLUMN,
    levels: Sequence[str] = RISK_LEVELS,
) -> pd.DataFrame:
    """Summarise a scored table per place and calendar period.

    Parameters
    ----------
    scored : DataFrame
        Output of scoring: ``risk_level``, ``risk_score`` (0–100), ``theme`` (``|``-joined,
        optional), the place column ``by`` and the date column. Values may be strings (a table
        read back from CSV). Rows with a non-empty ``error`` are left out and counted.
    by : str
        Column holding the place, e.g. ``"country"`` or ``"region"``. Empty places are grouped
        under ``"(unknown)"``.
    freq : {"M", "W"}
        Calendar months, or weeks starting on Monday.
    date_column : str
        Column holding the article date, ISO 8601 (``2024-05-17``, optionally with a time and
        zone: the date as written is used, without converting zones) or a datetime column.
    levels : sequence of str
        Risk levels, lowest first; ``share_high_critical`` counts the two highest.

    Returns
    -------
    DataFrame
        One row per (place, period) with articles, sorted by place (``"(unknown)"`` last), then
        period. Columns: ``place``, ``period`` (first day of the period, ``YYYY-MM-DD``),
        ``articles``, ``mean_score``, ``p90_score`` (numpy's linear interpolation),
        ``sd_score`` (the sample standard deviation, 0 for one article),
        ``n_<level>`` per level, ``share_high_critical``, ``top_themes`` (the three most
        frequent themes, ties alphabetical, e.g. ``terrorism (4), insurgency (2)``),
        ``change_mean_score`` and ``change_share_high_critical`` (against the immediately
        preceding period of the same place; NaN when the place had no articles then). Scores
        are rounded to 2 decimals and shares to 4; changes are differences of the rounded
        values. ``table.attrs`` holds ``input_rows``, ``excluded_rows``, ``by`` and ``freq``.

    Raises
    ------
    SchemaError
        If the table is empty or has no scored rows, lacks the date, score, level or place
        column, ``freq`` is unknown, or rows have unparsable dates, scores or levels (naming up
        to five ids).
    """
    table, _, _ = _build(scored, by=by, freq=freq, date_column=date_column, levels=levels)
    return table


def rising_places(
    table: pd.DataFrame, *, top: int = 10, min_articles: int = MIN_ARTICLES
) -> pd.DataFrame:
    """Rank places by how surely their mean risk score rose in their latest period.

    For each place, its latest period is compared with the immediately preceding calendar
    period; only places with at least ``min_articles`` articles in *both* periods are
    compared (one article against one article says nothing). A rise is ranked by the lower
    end of its 90% interval (``change_mean_score - 1.645 * change_se``), so a large change
    on few, scattered articles ranks below a smaller one that many articles agree on.
    Falls are in :func:`falling_places`.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`build_report`.
    top : int
        Number of places to return.
    min_articles : int
        Fewest articles a period needs to be compared (default :data:`MIN_ARTICLES`).

    Returns
    -------
    DataFrame
        At most ``top`` rows with a positive change, surest rise first (ties by place):
        ``place``, ``period``, ``previous_period``, ``articles``, ``previous_articles``,
        ``mean_score``, ``previous_mean_score``, ``change_mean_score``, ``change_se`` (the
        standard error of the change, from each period's ``sd_score`` and article count),
        ``change_low`` (the lower end of the 90% interval) and ``certainty`` (the normal
        approximation's probability that the mean really rose, 0–1).

    Raises
    ------
    SchemaError
        If ``table`` lacks a column of the report.
    ValueError
        If ``top`` or ``min_articles`` is less than 1.
    """
    changes = _latest_changes(table, top=top, min_articles=min_articles)
    rises = changes[changes["change_mean_score"] > 0]
    rises = rises.sort_values(["change_low", "place"], ascending=[False, True], kind="stable")
    return rises.head(top).reset_index(drop=True)


def falling_places(
    table: pd.DataFrame, *, top: int = 10, min_articles: int = MIN_ARTICLES
) -> pd.DataFrame:
    """The places whose mean risk score fell in their latest period, surest fall first: as
    :func:`rising_places`, with ``change_low`` the *upper* end of the 90% interval (closest
    to zero last) and ``certainty`` the probability that the mean really fell."""
    changes = _latest_changes(table, top=top, min_articles=min_articles)
    falls = changes[changes["change_mean_score"] < 0].copy()
    falls["change_low"] = (falls["change_mean_score"] + Z_90 * falls["change_se"]).round(2)
    falls["certainty"] = 1.0 - falls["certainty"]
    falls = falls.sort_values(["change_low", "place"], ascending=[True, True], kind="stable")
    return falls.head(top).reset_index(drop=True)


def _latest_changes(table: pd.DataFrame, *, top: int, min_articles: int) -> pd.DataFrame:
    """Each place's latest period against the one before, where both have enough articles."""
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    if min_articles < 1:
        raise ValueError(f"min_articles must be at least 1, got {min_articles}")
    needed = ["place", "period", "articles", "mean_score", "sd_score", "change_mean_score"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise SchemaError(
            f"not a report table: missing column(s) {', '.join(missing)}; "
            "pass the output of build_report"
        )
    columns = [
        "place",
        "period",
        "previous_period",
        "articles",
        "previous_articles",
        "mean_score",
        "previous_mean_score",
        "change_mean_score",
        "change_se",
        "change_low",
        "certainty",
    ]
    if table.empty:
        return pd.DataFrame(columns=columns)
    ordered = table.sort_values(["place", "period"], kind="stable")
    previous = ordered.groupby("place", sort=False).shift(1)
    latest = ordered.groupby("place", sort=False).tail(1).index
    rows = ordered.loc[latest].assign(
        previous_period=previous.loc[latest, "period"],
        previous_articles=previous.loc[latest, "articles"],
        previous_mean_score=previous.loc[latest, "mean_score"],
        previous_sd_score=previous.loc[latest, "sd_score"],
    )
    # change_mean_score is NaN unless the row before is the immediately preceding period.
    rows = rows[
        rows["change_mean_score"].notna()
        & (rows["articles"] >= min_articles)
        & (rows["previous_articles"] >= min_articles)
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    se = np.sqrt(
        rows["sd_score"] ** 2 / rows["articles"]
        + rows["previous_sd_score"] ** 2 / rows["previous_articles"]
    )
    # a floor so that identical scores (sd 0) do not claim perfect certainty; rounded first
    # so that the interval and certainty can be recomputed from the table's columns
    se = np.maximum(se, MIN_CHANGE_SE).round(2)
    rows = rows.assign(
        change_se=se,
        change_low=(rows["change_mean_score"] - Z_90 * se).round(2),
        certainty=np.round(_normal_cdf(rows["change_mean_score"] / se), 3),
    )
    rows["previous_articles"] = rows["previous_articles"].astype(int)
    return rows[columns].reset_index(drop=True)


def _normal_cdf(z: pd.Series) -> np.ndarray:
    """The standard normal distribution function."""
    from scipy.special import ndtr

    return ndtr(np.asarray(z, dtype=float))


def write_report(
    scored: pd.DataFrame | str | Path,
    out_dir: Path,
    *,
    by: str = COUNTRY_COLUMN,
    freq: str = "M",
    date_column: str = DATE_COLUMN,
    title: str | None = None,
    overwrite: bool = False,
    min_articles: int = MIN_ARTICLES,
) -> dict[str, Path]:
    """Write ``report.csv`` and a self-contained ``report.html`` into ``out_dir``.

    The HTML page (:mod:`riskclf.report_html`) holds a title, a summary line, the minimum
    rule with what it leaves out (``id="minimum"``), a PNG chart of the mean risk score over
    time for the places with the most articles (embedded as base64, ``id="risk-chart"``), the
    risk map (inline SVG, ``id="risk-map"``), the rises and the falls of the latest period
    (``id="rising-places"``, ``id="falling-places"``) and the table of the place-periods with
    enough articles (``id="report-table"``); ``report.csv`` has every row. It loads nothing
    from elsewhere and needs no JavaScript. Both files are written under temporary names and
    renamed when complete.

    Parameters
    ----------
    scored : DataFrame, str or Path
        The scored table, or a file ``riskclf predict`` wrote (read with
        :func:`riskclf.io.read_table`).
    out_dir : Path
        Output folder; created if missing, provided its parent exists.
    by, freq, date_column
        As in :func:`build_report`.
    title : str, optional
        Page title; a default names the place column and the period.
    overwrite : bool
        Replace existing report files.
    min_articles : int
        Fewest articles a place needs in a period to be drawn, mapped, compared and listed on
        the page (default :data:`MIN_ARTICLES`; ``report.csv`` keeps every row).

    Returns
    -------
    dict of str to Path
        ``{"csv": ..., "html": ...}``.

    Raises
    ------
    InputError
        If ``out_dir`` is a file, its parent is missing, or a report file exists and
        ``overwrite`` is false.
    SchemaError
        As :func:`build_report`.
    RiskclfError
        If matplotlib (the ``plots`` extra) is not installed.
    """
    out_dir = Path(out_dir)
    targets = {"csv": out_dir / REPORT_CSV, "html": out_dir / REPORT_HTML}
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file; give a folder for the report")
    if not out_dir.exists() and not out_dir.parent.is_dir():
        raise InputError(f"cannot create {out_dir}: its parent folder does not exist")
    if out_dir.is_dir():
        for path in targets.values():
            check_output_path(path, overwrite=overwrite)

    if isinstance(scored, (str, Path)):
        scored = read_table(scored)
    from riskclf.report_html import render_chart, render_page

    table, stats, points = _build(
        scored, by=by, freq=freq, date_column=date_column, levels=RISK_LEVELS
    )
    freq_name = FREQUENCIES[freq.upper()].split(" ")[0]
    title = title or f"Security risk by {by}, {freq_name}"
    chart = render_chart(table, freq=freq, by=by, min_articles=min_articles)
    changes = (
        rising_places(table, min_articles=min_articles),
        falling_places(table, min_articles=min_articles),
    )
    page = render_page(
        table, changes, chart, points, title=title, stats=stats, min_articles=min_articles
    )

    out_dir.mkdir(exist_ok=True)
    write_text_atomically(targets["csv"], table.to_csv(index=False, lineterminator="\n"))
    write_text_atomically(targets["html"], page)
    return targets


def _build(
    scored: pd.DataFrame, *, by: str, freq: str, date_column: str, levels: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Validate, aggregate and add the changes; return the table, the row counts and the map
    points (see :func:`map_points`)."""
    freq = _check_freq(freq)
    levels = tuple(levels)
    if len(levels) < 2 or len(set(levels)) != len(levels):
        raise SchemaError("levels must hold at least two distinct risk levels, lowest first")
    rows, stats = _prepare(scored, by=by, freq=freq, date_column=date_column, levels=levels)
    table = _aggregate(rows, levels)
    table = _add_changes(table, freq)
    table.attrs.update(stats, by=by, freq=freq)
    return table, {**stats, "by": by, "freq": freq}, map_points(rows)


def map_points(rows: pd.DataFrame) -> pd.DataFrame:
    """One point per place over the whole period: ``place``, ``articles``, ``mean_score`` and
    the median ``latitude``/``longitude`` of its articles (places without coordinates, and
    ``(unknown)``, are left out), most articles first."""
    located = rows[rows["latitude"].notna() & rows["longitude"].notna()]
    located = located[located["place"] != UNKNOWN_PLACE]
    columns = ["place", "articles", "mean_score", "latitude", "longitude"]
    if located.empty:
        return pd.DataFrame(columns=columns)
    groups = located.groupby("place", sort=True)
    points = pd.DataFrame(
        {
            "articles": rows.groupby("place")["score"].size().reindex(groups.size().index),
            "mean_score": rows.groupby("place")["score"].mean().reindex(groups.size().index),
            "latitude": groups["latitude"].median(),
            "longitude": groups["longitude"].median(),
        }
    ).reset_index()
    points["mean_score"] = points["mean_score"].round(2)
    return points.sort_values(["articles", "place"], ascending=[False, True], kind="stable")[
        columns
    ].reset_index(drop=True)


def _check_freq(freq: str) -> str:
    """Return the normalised frequency, or raise naming the choices."""
    key = str(freq).upper()
    if key not in FREQUENCIES:
        raise SchemaError(
            f"unknown freq {freq!r}: use 'W' (weeks starting Monday) or 'M' (calendar months)"
        )
    return key


def _prepare(
    scored: pd.DataFrame, *, by: str, freq: str, date_column: str, levels: tuple[str, ...]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Check columns, drop the unscored rows and parse place, period, score, level and themes."""
    if scored is None or len(scored) == 0:
        raise SchemaError("the scored table is empty: nothing to report")
    missing = [
        f"'{name}' ({role})"
        for name, role in [
            (date_column, "date column; choose it with --date-column"),
            (SCORE_COLUMN, "risk score; score the table with 'riskclf predict' first"),
            (RISK_COLUMN, "risk level; score the table with 'riskclf predict' first"),
            (by, "place column; choose it with by / --by, e.g. country, region or admin1"),
        ]
        if name not in scored.columns
    ]
    if missing:
        raise SchemaError(f"the scored table lacks column(s) {'; '.join(missing)}")

    unscored = np.array([e.strip() != "" for e in reader_errors(scored)], dtype=bool)
    frame = scored.loc[~unscored]
    if frame.empty:
        raise SchemaError(
            f"no scored rows: all {len(scored)} rows have the 'error' column set; "
            "nothing to report"
        )
    ids = get_ids(frame)
    out = pd.DataFrame(index=frame.index)
    out["place"] = _parse_places(frame[by])
    out["period"] = _period_starts(_parse_dates(frame[date_column], ids, date_column), freq)
    out["score"] = _parse_scores(frame[SCORE_COLUMN], ids)
    out["level"] = _parse_levels(frame[RISK_COLUMN], ids, levels)
    for column in (LATITUDE_COLUMN, LONGITUDE_COLUMN):
        values = frame[column] if column in frame.columns else pd.Series(np.nan, frame.index)
        out[column] = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    themes = frame[THEME_COLUMN] if THEME_COLUMN in frame.columns else pd.Series("", frame.index)
    out["themes"] = [_split_themes(v) for v in themes.tolist()]
    return out, {"input_rows": len(scored), "excluded_rows": int(unscored.sum())}


def _is_blank(value: object) -> bool:
    """Return True for None, NaN, NaT and whitespace-only strings."""
    if isinstance(value, str):
        return value.strip() == ""
    return value is None or bool(pd.isna(value))


def _parse_places(values: pd.Series) -> list[str]:
    """Return the stripped place names, ``(unknown)`` where empty."""
    return [UNKNOWN_PLACE if _is_blank(v) else str(v).strip() for v in values.tolist()]


def _parse_dates(values: pd.Series, ids: pd.Series, column: str) -> pd.Series:
    """Return the calendar date of each row (midnight, no zone), or raise naming bad rows."""
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.tz_localize(None) if values.dt.tz is not None else values
        dates = dates.dt.normalize()
    else:
        text = pd.Series(
            ["" if _is_blank(v) else _date_text(v) for v in values.tolist()],
            index=values.index,
            dtype=object,
        )
        parts = text.str.extract(f"^{_ISO_DATE}$", expand=False)
        dates = pd.to_datetime(parts, format="%Y-%m-%d", errors="coerce")
    bad = dates.isna().to_numpy()
    if bad.any():
        raise SchemaError(
            f"column '{column}': {int(bad.sum())} scored rows have a missing or unparsable date "
            "(expected ISO 8601, e.g. 2024-05-17 or 2024-05-17T08:30:00Z): "
            f"ids {format_ids(ids[bad].tolist())}"
        )
    return dates


def _date_text(value: object) -> str:
    """Return a date-like value as ISO text (dates and timestamps) or as its string."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _period_starts(dates: pd.Series, freq: str) -> pd.Series:
    """Return the first day of the week (Monday) or month of each date."""
    if freq == "W":
        return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    return dates - pd.to_timedelta(dates.dt.day - 1, unit="D")


def _period_range(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Return every period start from ``first`` to ``last``."""
    step = pd.DateOffset(weeks=1) if freq == "W" else pd.DateOffset(months=1)
    return pd.date_range(first, last, freq=step)


def _previous_start(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    """Return the start of the calendar period just before the one starting at ``start``."""
    return start - (pd.DateOffset(weeks=1) if freq == "W" else pd.DateOffset(months=1))


def _parse_scores(values: pd.Series, ids: pd.Series) -> np.ndarray:
    """Return the scores as floats, or raise naming rows that are not numbers in 0–100."""
    scores = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(scores)
    if bad.any():
        raise SchemaError(
            f"column '{SCORE_COLUMN}': {int(bad.sum())} scored rows have no numeric score: "
            f"ids {format_ids(ids[bad].tolist())}"
        )
    out_of_range = (scores < 0) | (scores > 100)
    if out_of_range.any():
        raise SchemaError(
            f"column '{SCORE_COLUMN}': {int(out_of_range.sum())} scores are outside 0–100: "
            f"ids {format_ids(ids[out_of_range].tolist())}"
        )
    return scores


def _parse_levels(values: pd.Series, ids: pd.Series, levels: tuple[str, ...]) -> list[str]:
    """Return the level names (matched ignoring case and spaces), or raise naming bad rows."""
    lookup = {level.strip().lower(): level for level in levels}
    parsed = [lookup.get(v.strip().lower()) if isinstance(v, str) else None for v in values]
    bad = np.array([p is None for p in parsed], dtype=bool)
    if bad.any():
        raise SchemaError(
            f"column '{RISK_COLUMN}': {int(bad.sum())} scored rows have a level outside "
            f"{', '.join(levels)}: ids {format_ids(ids[bad].tolist())}"
        )
    return parsed


def _split_themes(value: object) -> tuple[str, ...]:
    """Split a ``|``-joined theme cell into its labels (empty for a blank cell)."""
    if _is_blank(value):
        return ()
    parts = (p.strip() for p in str(value).split(LABEL_SEPARATOR))
    return tuple(dict.fromkeys(p for p in parts if p))


def _format_top_themes(themes: Sequence[tuple[str, ...]]) -> str:
    """Return the most frequent themes as ``label (count)``, ties broken alphabetically."""
    counts = Counter(label for labels in themes for label in labels)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_THEMES]
    return ", ".join(f"{label} ({count})" for label, count in ranked)


def _aggregate(rows: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """Return one row per (place, period), sorted by place (unknown last) then period."""
    top_levels = set(levels[-2:])
    records = []
    for (place, period), group in rows.groupby(["place", "period"], sort=True):
        scores = group["score"].to_numpy(dtype=float)
        level_counts = group["level"].value_counts()
        record: dict[str, Any] = {
            "place": place,
            "period": period,
            "articles": len(group),
            "mean_score": round(float(scores.mean()), 2),
            "p90_score": round(float(np.percentile(scores, 90)), 2),
            # sample standard deviation (0 for a single article)
            "sd_score": round(float(scores.std(ddof=1)) if len(scores) > 1 else 0.0, 2),
        }
        for level in levels:
            record[f"n_{level}"] = int(level_counts.get(level, 0))
        high = sum(int(level_counts.get(level, 0)) for level in top_levels)
        record["share_high_critical"] = round(high / len(group), 4)
        record["top_themes"] = _format_top_themes(group["themes"].tolist())
        records.append(record)
    records.sort(key=lambda r: (r["place"] == UNKNOWN_PLACE, r["place"], r["period"]))
    return pd.DataFrame.from_records(records)


def _add_changes(table: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Add the changes against the immediately preceding period; format the period as text."""
    by_key = {
        (place, period): (mean, share)
        for place, period, mean, share in zip(
            table["place"],
            table["period"],
            table["mean_score"],
            table["share_high_critical"],
            strict=True,
        )
    }
    change_mean, change_share = [], []
    for place, period, mean, share in zip(
        table["place"],
        table["period"],
        table["mean_score"],
        table["share_high_critical"],
        strict=True,
    ):
        previous = by_key.get((place, _previous_start(period, freq)))
        if previous is None:
            change_mean.append(np.nan)
            change_share.append(np.nan)
        else:
            change_mean.append(round(mean - previous[0], 2))
            change_share.append(round(share - previous[1], 4))
    table = table.assign(change_mean_score=change_mean, change_share_high_critical=change_share)
    table["period"] = [p.strftime("%Y-%m-%d") for p in table["period"]]
    return table


def _busiest_places(table: pd.DataFrame, limit: int) -> list[str]:
    """Return up to ``limit`` places with the most articles (ties alphabetical)."""
    totals = table.groupby("place")["articles"].sum()
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [place for place, _ in ranked[:limit]]
