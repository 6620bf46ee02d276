"""The regional report's page: the chart, the risk map and the tables as one self-contained
HTML file (no network, no JavaScript). :mod:`riskclf.report` does the aggregation.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

import pandas as pd

from riskclf.errors import RiskclfError
from riskclf.report import (
    CHART_PLACES,
    FREQUENCIES,
    MIN_ARTICLES,
    PLOTS_HINT,
    Z_90,
    _busiest_places,
    _check_freq,
    _is_blank,
    _period_range,
)

# Layout of the HTML page: a fixed-height header, then the chart at a known position, so a
# screenshot test can find the chart without parsing the page.
HEADER_HEIGHT_PX = 120
CHART_LEFT_PX = 24
CHART_TOP_PX = HEADER_HEIGHT_PX + 16
CHART_WIDTH_PX = 1200
CHART_HEIGHT_PX = 540

PAGE_WIDTH_PX = CHART_LEFT_PX * 2 + CHART_WIDTH_PX  # fits a 1280 px window
MAP_WIDTH_PX = CHART_WIDTH_PX
MAP_HEIGHT_PX = 560
MAP_LABELS = 15
FEW_POINTS = 6  # fewer drawn place-periods than this: the chart says so
MAP_MAX_RADIUS_PX = 18


def render_chart(
    table: pd.DataFrame, *, freq: str = "M", by: str = "place", min_articles: int = MIN_ARTICLES
) -> bytes:
    """Draw the mean risk score per period of the busiest places as a PNG, showing only the
    periods in which a place has at least ``min_articles`` articles.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`build_report`.
    freq : {"M", "W"}
        The table's period, for the axis label and to break lines at periods without articles.
    by : str
        Name of the place column, for the title.
    min_articles : int
        Fewest articles a (place, period) needs to be drawn; lines break where a period has
        fewer.

    Returns
    -------
    bytes
        A PNG of ``CHART_WIDTH_PX`` × ``CHART_HEIGHT_PX`` pixels.

    Raises
    ------
    RiskclfError
        If matplotlib (the ``plots`` extra) is not installed.
    """
    try:
        import matplotlib.dates as mdates
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise RiskclfError(
            f"the HTML report draws a chart with matplotlib: {PLOTS_HINT}"
        ) from None

    freq = _check_freq(freq)
    dpi = 100
    # Agg canvas on a bare Figure: no pyplot, no global backend switch, no GUI.
    fig = Figure(
        figsize=(CHART_WIDTH_PX / dpi, CHART_HEIGHT_PX / dpi), dpi=dpi, layout="constrained"
    )
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    enough = table[table["articles"] >= min_articles]
    places = _busiest_places(enough, CHART_PLACES) if not enough.empty else []
    if places:
        starts = pd.to_datetime(table["period"])
        all_periods = _period_range(starts.min(), starts.max(), freq)
        for place in places:
            rows = enough[enough["place"] == place]
            # Reindexing on every period leaves NaN where the place had no articles: a gap.
            series = pd.Series(rows["mean_score"].to_numpy(), index=pd.to_datetime(rows["period"]))
            series = series.reindex(all_periods)
            ax.plot(
                series.index.to_numpy(), series.to_numpy(), marker="o", linewidth=2, label=place
            )
        if freq == "M":
            # One tick per month (thinned to at most 12), labelled by month, not by day.
            interval = max(1, -(-len(all_periods) // 12))
            ax.xaxis.set_major_locator(mdates.MonthLocator(interval=interval))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
        else:
            locator = mdates.AutoDateLocator(minticks=3, maxticks=12)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.legend(title=by, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        ax.text(
            0.5,
            0.5,
            f"no {by} has {min_articles} or more articles in a period",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    if places and len(enough) < FEW_POINTS:
        ax.text(
            0.5,
            0.93,
            f"Only {len(enough)} of {len(table)} place-periods have {min_articles}+ articles: "
            "the map below covers the whole span",
            ha="center",
            va="top",
            transform=ax.transAxes,
            color="#57606a",
        )
    shown = f"top {len(places)} of {table['place'].nunique()}" if len(places) else "no"
    ax.set_title(
        f"Mean risk score per {by} ({shown} by number of articles; periods with "
        f"{min_articles}+ articles)"
    )
    ax.set_xlabel("Week starting (Monday)" if freq == "W" else "Month")
    ax.set_ylabel("Mean risk score (0–100)")
    # A little room beyond 0 and 100 so markers at the limits are drawn whole.
    ax.set_ylim(-3, 103)
    ax.set_yticks(range(0, 101, 20))
    ax.grid(True, alpha=0.3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# --- HTML -------------------------------------------------------------------------------------

_CSS = f"""
body {{ margin: 0; font-family: system-ui, -apple-system, "Segoe UI", sans-serif;
       color: #1b1f24; background: #ffffff; max-width: {PAGE_WIDTH_PX}px; }}
header {{ box-sizing: border-box; height: {HEADER_HEIGHT_PX}px; overflow: hidden;
         padding: 16px {CHART_LEFT_PX}px 0; border-bottom: 1px solid #d0d7de; }}
header h1 {{ margin: 0 0 8px; font-size: 26px; white-space: nowrap; overflow: hidden;
            text-overflow: ellipsis; }}
header p {{ margin: 0 0 4px; font-size: 15px; color: #57606a; white-space: nowrap;
           overflow: hidden; text-overflow: ellipsis; }}
#chart {{ margin: 0; padding: {CHART_TOP_PX - HEADER_HEIGHT_PX}px {CHART_LEFT_PX}px 0; }}
#risk-chart {{ display: block; width: {CHART_WIDTH_PX}px; height: {CHART_HEIGHT_PX}px; }}
section {{ box-sizing: border-box; padding: 0 {CHART_LEFT_PX}px; max-width: {PAGE_WIDTH_PX}px; }}
h2 {{ font-size: 20px; margin: 24px 0 8px; }}
.changes {{ display: flex; gap: 32px; }}
.changes > div {{ flex: 1; min-width: 0; }}
.changes li {{ margin-bottom: 4px; }}
.note {{ color: #57606a; font-size: 14px; }}
table {{ border-collapse: collapse; font-size: 12px; width: 100%; table-layout: auto; }}
th, td {{ border: 1px solid #d0d7de; padding: 3px 5px; text-align: right; }}
th {{ background: #f6f8fa; }}
td.text, th.text {{ text-align: left; }}
td.nowrap {{ white-space: nowrap; }}
td.themes {{ min-width: 180px; }}
.table-wrap {{ padding-bottom: 24px; }}
"""

# Shorter headers for the page (report.csv keeps the column names).
_HEADERS = {
    "mean_score": "mean",
    "p90_score": "p90",
    "sd_score": "sd",
    "n_low": "low",
    "n_medium": "med.",
    "n_high": "high",
    "n_critical": "crit.",
    "share_high_critical": "high+crit.",
    "top_themes": "top themes",
    "change_mean_score": "Δ mean",
    "change_share_high_critical": "Δ high+crit.",
}

_TEXT_COLUMNS = {"place", "period", "top_themes", "previous_period"}
_NOWRAP_COLUMNS = {"period", "previous_period"}
_TEXT_HEADER = ' class="text"'


def _format_cell(column: str, value: object) -> str:
    """Format one table value for the page (escaped)."""
    if not isinstance(value, str) and _is_blank(value):
        return "–"
    if column.startswith("change_share"):
        return f"{100 * float(value):+.1f} pp"
    if column.startswith("share"):
        return f"{100 * float(value):.1f}%"
    if column.startswith("change"):
        return f"{float(value):+.2f}"
    if isinstance(value, float):
        return f"{value:.2f}"
    return html.escape(str(value))


def _cell_class(column: str) -> str:
    """Return the class attribute of a cell: text left-aligned, dates unbroken."""
    classes = [
        name
        for name, on in [
            ("text", column in _TEXT_COLUMNS),
            ("nowrap", column in _NOWRAP_COLUMNS),
            ("themes", column == "top_themes"),
        ]
        if on
    ]
    return f' class="{" ".join(classes)}"' if classes else ""


def _html_table(frame: pd.DataFrame, table_id: str) -> str:
    """Return ``frame`` as an HTML table with escaped headers and cells."""
    head = "".join(
        f'<th{_TEXT_HEADER if c in _TEXT_COLUMNS else ""} title="{html.escape(str(c))}">'
        f"{html.escape(_HEADERS.get(str(c), str(c)))}</th>"
        for c in frame.columns
    )
    body = []
    for record in frame.itertuples(index=False):
        cells = "".join(
            f"<td{_cell_class(c)}>{_format_cell(c, v)}</td>"
            for c, v in zip(frame.columns, record, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table id="{table_id}">\n<thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody>\n</table>"
    )


def _percent(share: float) -> str:
    """A probability as a percentage that never claims certainty ("<1%", ">99%")."""
    if share > 0.99:
        return ">99%"
    if share < 0.01:
        return "<1%"
    return f"{share:.0%}"


def _change_list(changes: pd.DataFrame, list_id: str, empty: str) -> str:
    """Return a ranked list of rises or falls with their article counts and certainty."""
    if changes.empty:
        return f'<p id="{list_id}" class="note">{html.escape(empty)}</p>'
    items = [
        f"<li><strong>{html.escape(str(r.place))}</strong>: "
        f"{r.previous_mean_score:.1f} → {r.mean_score:.1f} ({r.change_mean_score:+.1f}, "
        f"± {Z_90 * r.change_se:.1f}), {_percent(r.certainty)} sure; "
        f"{r.previous_articles} → {r.articles} articles, "
        f"{html.escape(str(r.previous_period))} → {html.escape(str(r.period))}</li>"
        for r in changes.itertuples(index=False)
    ]
    return f'<ol id="{list_id}">\n' + "\n".join(items) + "\n</ol>"


def _risk_colour(score: float) -> str:
    """Green (0) through amber (50) to red (100)."""
    stops = [(0.0, (26, 152, 80)), (50.0, (254, 178, 76)), (100.0, (215, 25, 28))]
    score = min(100.0, max(0.0, float(score)))
    for (s0, c0), (s1, c1) in zip(stops, stops[1:], strict=False):
        if score <= s1:
            t = (score - s0) / (s1 - s0)
            return "#" + "".join(
                f"{round(a + t * (b - a)):02x}" for a, b in zip(c0, c1, strict=True)
            )
    return "#d7191c"


def _extent(values: pd.Series, low: float, high: float) -> tuple[float, float]:
    """The values' range with a 10% margin, at least 10 degrees, within ``low``–``high``."""
    first, last = float(values.min()), float(values.max())
    middle, half = (first + last) / 2, max(10.0, (last - first) * 1.2) / 2
    return max(low, middle - half), min(high, middle + half)


def _widen(first: float, last: float, size: float, low: float, high: float) -> tuple[float, float]:
    """Widen ``first``–``last`` to ``size`` degrees about its middle, within ``low``–``high``."""
    size = min(size, high - low)
    middle = (first + last) / 2
    first = min(max(low, middle - size / 2), high - size)
    return first, first + size


def render_map(points: pd.DataFrame, *, by: str = "place") -> str:
    """Draw the risk map as inline SVG: one circle per place at its coordinates, its area
    proportional to the number of articles and its colour the mean risk score, on a
    longitude/latitude grid (equirectangular, fitted to the places), the busiest places
    labelled.

    Parameters
    ----------
    points : DataFrame
        Output of :func:`riskclf.report.map_points`.
    by : str
        Name of the place column, for the caption.

    Returns
    -------
    str
        An ``<svg id="risk-map">`` element, or a ``<p id="risk-map-missing">`` saying why
        there is no map.
    """
    if points.empty:
        return (
            '<p id="risk-map-missing">No place has coordinates: score the articles with '
            "riskclf predict (it writes latitude and longitude) to draw the map.</p>"
        )
    width, height, pad, legend = MAP_WIDTH_PX, MAP_HEIGHT_PX, 40, 170
    plot_w, plot_h = width - legend - 2 * pad, height - 2 * pad
    # the places' extent plus a margin, at least 10 degrees each way, within the globe; the
    # shorter side is widened to fill the frame (one scale for both: degrees stay square)
    lat0, lat1 = _extent(points["latitude"], -90.0, 90.0)
    lon0, lon1 = _extent(points["longitude"], -180.0, 180.0)
    scale = min(plot_w / (lon1 - lon0), plot_h / (lat1 - lat0))
    lat0, lat1 = _widen(lat0, lat1, plot_h / scale, -90.0, 90.0)
    lon0, lon1 = _widen(lon0, lon1, plot_w / scale, -180.0, 180.0)
    span = max(lat1 - lat0, lon1 - lon0)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (pad + (lon - lon0) * scale, pad + (lat1 - lat) * scale)

    parts = [
        f'<svg id="risk-map" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Map of mean risk score per {html.escape(by)}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f4f8fb"/>',
    ]
    step = 5 if span <= 30 else 10 if span <= 80 else 30
    right = pad + (lon1 - lon0) * scale
    bottom = pad + (lat1 - lat0) * scale
    for lat in range(int(lat0 // step * step), int(lat1) + step, step):
        if lat0 <= lat <= lat1:
            y = xy(lat, lon0)[1]
            parts.append(
                f'<line x1="{pad}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
                'stroke="#c9d6e0" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{pad - 4}" y="{y + 4:.1f}" font-size="11" '
                f'text-anchor="end" fill="#57606a">{lat}°</text>'
            )
    for lon in range(int(lon0 // step * step), int(lon1) + step, step):
        if lon0 <= lon <= lon1:
            x = xy(lat0, lon)[0]
            parts.append(
                f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{bottom:.1f}" '
                'stroke="#c9d6e0" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{bottom + 16:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#57606a">{lon}°</text>'
            )
    most = float(points["articles"].max())
    labels: list[str] = []
    taken: list[tuple[float, float, float, float]] = []  # label boxes already placed
    # biggest first, so small circles stay visible on top
    for r in points.sort_values("articles", ascending=False).itertuples():
        x, y = xy(r.latitude, r.longitude)
        radius = 4 + MAP_MAX_RADIUS_PX * (float(r.articles) / most) ** 0.5
        name = html.escape(str(r.place))
        parts.append(
            f'<circle class="map-point" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
            f'fill="{_risk_colour(r.mean_score)}" fill-opacity="0.85" stroke="#1b1f24" '
            f'stroke-width="1"><title>{name}: {int(r.articles)} articles, mean risk '
            f"{r.mean_score:.1f}</title></circle>"
        )
        # label the busiest places, skipping a label that would overlap one already placed
        text = f"{r.place} ({int(r.articles)})"
        box = (x + radius + 3, y - 9, x + radius + 3 + 7 * len(text), y + 5)
        if len(labels) < MAP_LABELS and not any(
            box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken
        ):
            taken.append(box)
            labels.append(
                f'<text x="{box[0]:.1f}" y="{y + 4:.1f}" font-size="12" fill="#1b1f24" '
                f'stroke="#f4f8fb" stroke-width="3" paint-order="stroke">'
                f"{html.escape(text)}</text>"
            )
    parts += labels  # on top of every circle
    lx = width - legend + 10
    parts.append(f'<text x="{lx}" y="{pad}" font-size="13" font-weight="bold">Mean risk</text>')
    for k, score in enumerate((0, 25, 50, 75, 100)):
        y = pad + 22 + k * 24
        parts.append(
            f'<circle cx="{lx + 10}" cy="{y}" r="8" fill="{_risk_colour(score)}" '
            'stroke="#1b1f24" stroke-width="1"/>'
        )
        parts.append(f'<text x="{lx + 26}" y="{y + 4}" font-size="12">{score}</text>')
    parts.append(f'<text x="{lx}" y="{pad + 160}" font-size="12">Circle area: articles</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def render_page(
    table: pd.DataFrame,
    changes: tuple[pd.DataFrame, pd.DataFrame],
    chart: bytes,
    points: pd.DataFrame,
    *,
    title: str,
    stats: dict[str, Any],
    min_articles: int = MIN_ARTICLES,
) -> str:
    """Return the self-contained report page.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`riskclf.report.build_report`; the page lists the (place, period)
        rows with at least ``min_articles`` articles and says how many it leaves out.
    changes : (DataFrame, DataFrame)
        :func:`riskclf.report.rising_places` and :func:`riskclf.report.falling_places`.
    chart : bytes
        :func:`render_chart`'s PNG.
    points : DataFrame
        :func:`riskclf.report.map_points`; places with fewer than ``min_articles`` articles
        in all are not mapped.
    title : str
    stats : dict
        ``by``, ``freq``, ``excluded_rows`` (as :func:`riskclf.report.write_report` passes).
    min_articles : int
        The minimum, stated on the page.
    """
    rises, falls = changes
    periods = table["period"]
    shown = table[table["articles"] >= min_articles]
    mapped = points[points["articles"] >= min_articles]
    summary = (
        f"{int(table['articles'].sum())} articles · {table['place'].nunique()} places "
        f"({html.escape(stats['by'])}) · {periods.nunique()} periods, "
        f"{FREQUENCIES[stats['freq']]}, {periods.min()} to {periods.max()} · "
        f"{stats['excluded_rows']} rows excluded (not scored)"
    )
    rule = (
        f"Shown: places and periods with at least {min_articles} articles — "
        f"{len(shown)} of {len(table)} place-periods, {len(mapped)} of {len(points)} mapped "
        "places; every row is in report.csv."
    )
    encoded = base64.b64encode(chart).decode("ascii")
    alt = f"Line chart of the mean risk score per period for the busiest places by {stats['by']}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{html.escape(title)}</h1>
<p id="summary">{summary}</p>
<p id="minimum" data-min-articles="{min_articles}">{html.escape(rule)}</p>
</header>
<div id="chart"><img id="risk-chart" src="data:image/png;base64,{encoded}" \
alt="{html.escape(alt)}" width="{CHART_WIDTH_PX}" height="{CHART_HEIGHT_PX}"></div>
<section id="map">
<h2>Where risk is</h2>
<p class="note">One circle per {html.escape(stats["by"])} with {min_articles}+ articles, at
the median position of its articles' places: area by number of articles, colour by mean risk
score (hover for the numbers).</p>
{render_map(mapped, by=stats["by"])}
</section>
<section>
<h2>Change in the latest period</h2>
<p class="note">Each place's latest period against the period just before it, both with
{min_articles}+ articles; ranked by how sure the change is (the near end of its 90% interval),
with the article counts behind each mean.</p>
<div class="changes">
<div><h3>Rises</h3>
{_change_list(rises, "rising-places", "No place rose between two periods with enough articles.")}
</div>
<div><h3>Falls</h3>
{_change_list(falls, "falling-places", "No place fell between two periods with enough articles.")}
</div>
</div>
</section>
<section>
<h2>Places and periods with {min_articles}+ articles</h2>
<div class="table-wrap">
{_html_table(shown, "report-table")}
</div>
</section>
</body>
</html>
"""
