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
    PLOTS_HINT,
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

MAP_TOP_PX = CHART_TOP_PX + CHART_HEIGHT_PX + 24
MAP_WIDTH_PX = CHART_WIDTH_PX
MAP_HEIGHT_PX = 560
MAP_LABELS = 15


def render_chart(table: pd.DataFrame, *, freq: str = "M", by: str = "place") -> bytes:
    """Draw the mean risk score per period of the busiest places as a PNG.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`build_report`.
    freq : {"M", "W"}
        The table's period, for the axis label and to break lines at periods without articles.
    by : str
        Name of the place column, for the title.

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
    places = _busiest_places(table, CHART_PLACES)
    if places:
        starts = pd.to_datetime(table["period"])
        all_periods = _period_range(starts.min(), starts.max(), freq)
        for place in places:
            rows = table[table["place"] == place]
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
        ax.text(0.5, 0.5, "no scored articles", ha="center", va="center", transform=ax.transAxes)
    shown = f"top {len(places)} of {table['place'].nunique()}" if len(places) else "no"
    ax.set_title(f"Mean risk score per {by} ({shown} by number of articles)")
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
       color: #1b1f24; background: #ffffff; }}
header {{ box-sizing: border-box; height: {HEADER_HEIGHT_PX}px; overflow: hidden;
         padding: 16px {CHART_LEFT_PX}px 0; border-bottom: 1px solid #d0d7de; }}
header h1 {{ margin: 0 0 8px; font-size: 26px; white-space: nowrap; overflow: hidden;
            text-overflow: ellipsis; }}
header p {{ margin: 0; font-size: 15px; color: #57606a; white-space: nowrap; overflow: hidden;
           text-overflow: ellipsis; }}
#chart {{ margin: 0; padding: {CHART_TOP_PX - HEADER_HEIGHT_PX}px {CHART_LEFT_PX}px 0; }}
#risk-chart {{ display: block; width: {CHART_WIDTH_PX}px; height: {CHART_HEIGHT_PX}px; }}
section {{ padding: 0 {CHART_LEFT_PX}px; }}
h2 {{ font-size: 20px; margin: 24px 0 8px; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th, td {{ border: 1px solid #d0d7de; padding: 4px 8px; text-align: right; }}
th {{ background: #f6f8fa; }}
td.text, th.text {{ text-align: left; }}
td.nowrap {{ white-space: nowrap; }}
.table-wrap {{ overflow-x: auto; padding-bottom: 24px; }}
"""

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
        for name, on in [("text", column in _TEXT_COLUMNS), ("nowrap", column in _NOWRAP_COLUMNS)]
        if on
    ]
    return f' class="{" ".join(classes)}"' if classes else ""


def _html_table(frame: pd.DataFrame, table_id: str) -> str:
    """Return ``frame`` as an HTML table with escaped headers and cells."""
    head = "".join(
        f"<th{_TEXT_HEADER if c in _TEXT_COLUMNS else ''}>{html.escape(str(c))}</th>"
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


def _rising_list(rising: pd.DataFrame) -> str:
    """Return the ranked list of places where the mean score rose most."""
    if rising.empty:
        return '<p id="rising-places">No place has articles in two consecutive periods.</p>'
    items = [
        f"<li><strong>{html.escape(str(r.place))}</strong>: "
        f"{r.previous_mean_score:.2f} → {r.mean_score:.2f} "
        f"({r.change_mean_score:+.2f}), {html.escape(r.period)} vs "
        f"{html.escape(r.previous_period)} ({r.articles} vs {r.previous_articles} articles)</li>"
        for r in rising.itertuples(index=False)
    ]
    return '<ol id="rising-places">\n' + "\n".join(items) + "\n</ol>"


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
    lat0, lat1 = points["latitude"].min(), points["latitude"].max()
    lon0, lon1 = points["longitude"].min(), points["longitude"].max()
    # at least 10 degrees across, with a margin, so a single place is not a dot in a void
    span = max(10.0, lat1 - lat0, lon1 - lon0)
    mid_lat, mid_lon = (lat0 + lat1) / 2, (lon0 + lon1) / 2
    lat0, lat1 = mid_lat - span * 0.6, mid_lat + span * 0.6
    lon0, lon1 = mid_lon - span * 0.6 * 1.6, mid_lon + span * 0.6 * 1.6
    plot_w, plot_h = width - legend - 2 * pad, height - 2 * pad
    scale = min(plot_w / (lon1 - lon0), plot_h / (lat1 - lat0))

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
    # biggest first, so small circles stay visible on top
    for rank, r in enumerate(points.sort_values("articles", ascending=False).itertuples()):
        x, y = xy(r.latitude, r.longitude)
        radius = 5 + 25 * (float(r.articles) / most) ** 0.5
        name = html.escape(str(r.place))
        parts.append(
            f'<circle class="map-point" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
            f'fill="{_risk_colour(r.mean_score)}" fill-opacity="0.85" stroke="#1b1f24" '
            f'stroke-width="1"><title>{name}: {int(r.articles)} articles, mean risk '
            f"{r.mean_score:.1f}</title></circle>"
        )
        if rank < MAP_LABELS:
            parts.append(
                f'<text x="{x + radius + 3:.1f}" y="{y + 4:.1f}" font-size="12" '
                f'fill="#1b1f24">{name} ({int(r.articles)})</text>'
            )
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
    rising: pd.DataFrame,
    chart: bytes,
    points: pd.DataFrame,
    *,
    title: str,
    stats: dict[str, Any],
) -> str:
    """Return the self-contained report page."""
    periods = table["period"]
    summary = (
        f"{int(table['articles'].sum())} articles · {table['place'].nunique()} places "
        f"({html.escape(stats['by'])}) · {periods.nunique()} periods, "
        f"{FREQUENCIES[stats['freq']]}, {periods.min()} to {periods.max()} · "
        f"{stats['excluded_rows']} rows excluded (not scored)"
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
</header>
<div id="chart"><img id="risk-chart" src="data:image/png;base64,{encoded}" \
alt="{html.escape(alt)}" width="{CHART_WIDTH_PX}" height="{CHART_HEIGHT_PX}"></div>
<section id="map">
<h2>Where risk is</h2>
<p>One circle per {html.escape(stats["by"])} at the median position of its articles' places:
area by number of articles, colour by mean risk score (hover for the numbers).</p>
{render_map(points, by=stats["by"])}
</section>
<section>
<h2>Where risk rose most</h2>
<p>Change of the mean risk score between each place's latest period and the period just
before it; places without articles in that period are not ranked.</p>
{_rising_list(rising)}
</section>
<section>
<h2>All places and periods</h2>
<div class="table-wrap">
{_html_table(table, "report-table")}
</div>
</section>
</body>
</html>
"""
