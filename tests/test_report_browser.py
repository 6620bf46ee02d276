"""Open the HTML report in headless Chromium: the chart is drawn where expected, the risk map is
drawn, the minimum-count rule holds on the rendered page, and the page fits a 1280 px window —
on invented articles and on the starter corpus's test split.

Needs the ``chromium`` binary (Debian package ``chromium``); skipped when it is not installed.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskclf.report import MIN_ARTICLES, build_report, write_report
from riskclf.report_html import (
    CHART_HEIGHT_PX,
    CHART_LEFT_PX,
    CHART_TOP_PX,
    CHART_WIDTH_PX,
    _risk_colour,
)

Image = pytest.importorskip("PIL.Image", reason="Pillow (installed with matplotlib) is needed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary on PATH (install the Debian package 'chromium' to run this test)",
)
WINDOW = (1280, 2400)
COLUMNS = ["id", "date", "country", "risk_level", "risk_score", "theme", "error"]
# Invented places and their invented coordinates; Delta has too few articles to be shown.
COORDINATES = {
    "Alpha": (10.0, 20.0),
    "Bravo": (14.0, 26.0),
    "Charlie": (6.0, 31.0),
    "Delta": (12.0, 29.0),
}
# Invented articles per (place, month): the scores of each.
SCORES = {
    ("Alpha", "2024-01"): [10, 30, 20, 25],
    ("Alpha", "2024-02"): [90, 100, 80, 85, 95],
    ("Alpha", "2024-03"): [50, 55, 45],
    ("Bravo", "2024-01"): [95, 90, 85],
    ("Bravo", "2024-02"): [65, 60, 70],
    ("Bravo", "2024-03"): [15, 20, 10, 25],
    ("Charlie", "2024-01"): [55, 50, 60],
    ("Charlie", "2024-02"): [65, 60, 55],
    ("Charlie", "2024-03"): [85, 80, 90, 75, 35],
    ("Delta", "2024-02"): [99],
    ("Delta", "2024-03"): [1],
}
LEVELS = ["low", "medium", "high", "critical"]


def invented_rows() -> pd.DataFrame:
    rows = []
    for (place, month), scores in SCORES.items():
        for k, score in enumerate(scores):
            level = LEVELS[min(3, int(score // 25))]
            rows.append((f"{place[0]}{month}-{k}", f"{month}-{k + 3:02d}", place, level, score))
    rows.append(("u01", "2024-03-20", "", "medium", 45))  # no place
    frame = pd.DataFrame(rows, columns=COLUMNS[:5]).assign(theme="crime", error="")
    frame.loc[len(frame)] = ["e01", "", "Alpha", "", None, "", "empty text"]  # not scored
    frame["latitude"] = [COORDINATES.get(c, (None, None))[0] for c in frame["country"]]
    frame["longitude"] = [COORDINATES.get(c, (None, None))[1] for c in frame["country"]]
    return frame


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    scored = invented_rows()
    out = tmp_path_factory.mktemp("report")
    paths = write_report(scored, out)
    return paths["html"], build_report(scored)


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a local page with networking and background services off."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *extra,
        page.resolve().as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def screenshot(page: Path, tmp_path: Path) -> np.ndarray:
    shot = tmp_path / "shot.png"
    run_chromium(page, tmp_path / "profile", f"--screenshot={shot}")
    image = Image.open(shot).convert("RGB")
    assert image.size == WINDOW
    return np.asarray(image, dtype=np.int16)


def measured_layout(page: Path, tmp_path: Path) -> dict:
    """The rendered page's widths and the map's circles, measured by a script added to a copy
    of the page (the report itself has no script)."""
    probe = tmp_path / "probe.html"
    script = """<script>
window.addEventListener("load", () => {
  const doc = document.documentElement;
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify({
    scrollWidth: doc.scrollWidth,
    clientWidth: doc.clientWidth,
    widest: Math.max(...[...document.body.querySelectorAll("*")].map(
      (e) => e.getBoundingClientRect().right)),
    circles: [...document.querySelectorAll("#risk-map circle.map-point")].map(
      (c) => ({r: c.getBoundingClientRect().width, title: c.textContent}))
  });
  document.body.appendChild(out);
});
</script>"""
    probe.write_text(
        page.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8"
    )
    dom = run_chromium(
        probe, tmp_path / "profile-probe", "--virtual-time-budget=2000", "--dump-dom"
    ).stdout
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, flags=re.S)
    assert found is not None, dom[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def test_chart_is_drawn_at_its_place(report, tmp_path):
    page, _ = report
    image = screenshot(page, tmp_path)
    chart = image[
        CHART_TOP_PX : CHART_TOP_PX + CHART_HEIGHT_PX,
        CHART_LEFT_PX : CHART_LEFT_PX + CHART_WIDTH_PX,
    ]

    # Not blank: many colours (lines, markers, anti-aliased text) and plenty of ink.
    colours = np.unique(chart.reshape(-1, 3), axis=0)
    assert len(colours) > 100, len(colours)
    non_white = (chart < 245).any(axis=2).mean()
    assert 0.02 < non_white < 0.6, non_white
    # The line colours of the first three places (matplotlib's tab10 blue, orange, green).
    for rgb in [(31, 119, 180), (255, 127, 14), (44, 160, 44)]:
        assert (np.abs(chart - rgb).max(axis=2) <= 12).sum() > 50, rgb
    # Delta (1 article a month) is not drawn: no fourth line colour (tab10 red).
    assert (np.abs(chart - (214, 39, 40)).max(axis=2) <= 12).sum() == 0

    # The pixels are the embedded PNG's: the chart sits exactly in the box.
    html = page.read_text(encoding="utf-8")
    encoded = re.search(r'id="risk-chart" src="data:image/png;base64,([^"]+)"', html).group(1)
    embedded = Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGB")
    assert embedded.size == (CHART_WIDTH_PX, CHART_HEIGHT_PX)
    difference = np.abs(chart - np.asarray(embedded, dtype=np.int16)).mean()
    assert difference < 8, difference


def test_map_is_drawn(report, tmp_path):
    page, table = report
    below_chart = screenshot(page, tmp_path)[CHART_TOP_PX + CHART_HEIGHT_PX :]
    background = np.array([0xF4, 0xF8, 0xFB])
    # each shown place's circle: its mean-risk colour at 85% opacity over the map's background
    for place in ("Alpha", "Bravo", "Charlie"):
        rows = table[table["place"] == place]
        mean = float((rows["mean_score"] * rows["articles"]).sum() / rows["articles"].sum())
        fill = np.array([int(_risk_colour(mean)[k : k + 2], 16) for k in (1, 3, 5)])
        expected = 0.85 * fill + 0.15 * background
        close = (np.abs(below_chart - expected).max(axis=2) <= 6).sum()
        assert close > 100, (place, close)
    layout = measured_layout(page, tmp_path)
    circles = {c["title"].split(":")[0]: c["r"] for c in layout["circles"]}
    # Delta's 2 articles are below the minimum; the circle area follows the article count
    assert sorted(circles) == ["Alpha", "Bravo", "Charlie"]
    assert circles["Alpha"] > circles["Bravo"]  # 12 articles against 10


def test_page_fits_1280_px(report, tmp_path):
    layout = measured_layout(report[0], tmp_path)
    assert layout["scrollWidth"] <= WINDOW[0], layout
    assert layout["widest"] <= WINDOW[0], layout


class _TableRows(HTMLParser):
    """Count the <tr> elements inside the table with id ``report-table``."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.rows = 0
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "report-table") in attrs:
            self.depth = 1
        elif tag == "table" and self.depth:
            self.depth += 1
        elif tag == "tr" and self.depth:
            self.rows += 1
        elif tag == "td" and self.depth:
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells[-1] += data


def test_rendered_dom_keeps_the_minimum_count_rule(report, tmp_path):
    page, table = report
    dom = run_chromium(page, tmp_path / "profile", "--dump-dom").stdout
    assert 'id="report-table"' in dom and 'id="risk-chart"' in dom and 'id="risk-map"' in dom
    parser = _TableRows()
    parser.feed(dom)
    shown = table[table["articles"] >= MIN_ARTICLES]
    assert len(shown) == 9  # Alpha, Bravo, Charlie in Jan–Mar; not Delta, not (unknown)
    assert parser.rows == len(shown) + 1  # one header row
    assert parser.cells.count("Alpha") == 3
    assert "Delta" not in parser.cells and "(unknown)" not in parser.cells
    counts = [int(c) for c in parser.cells[2 :: len(shown.columns)]]
    assert min(counts) >= MIN_ARTICLES
    assert f"at least {MIN_ARTICLES} articles — 9 of 12 place-periods" in dom
    assert f"{int(table['articles'].sum())} articles" in dom and "1 rows excluded" in dom
    assert table["articles"].sum() == 36
    # rises and falls in their own lists, with article counts and certainty
    rising = re.search(r'<ol id="rising-places">(.*?)</ol>', dom, flags=re.S).group(1)
    falling = re.search(r'<ol id="falling-places">(.*?)</ol>', dom, flags=re.S).group(1)
    assert "Charlie" in rising and "3 → 5 articles" in rising and "% sure" in rising
    assert "Alpha" in falling and "Bravo" in falling and "Delta" not in dom.split("<body>")[1]


def test_starter_corpus_report_fits_and_keeps_the_rule(trained, tmp_path):
    """The starter corpus's test split, scored (by the tiny test model: the places and dates
    are real, the scores are not the default model's), reported by country."""
    from riskclf.config import DEFAULT_CORPUS
    from riskclf.io import read_table
    from riskclf.scoring import score_frame

    corpus = read_table(DEFAULT_CORPUS)
    test = corpus[corpus["split"] == "test"]
    scored = score_frame(trained[0].model, test.drop(columns=["country", "region"]))
    scored["date"] = test["date"].to_numpy()
    page = write_report(scored, tmp_path / "report")["html"]
    table = build_report(scored)
    layout = measured_layout(page, tmp_path)
    assert layout["scrollWidth"] <= WINDOW[0], layout
    dom = run_chromium(page, tmp_path / "profile", "--dump-dom").stdout
    parser = _TableRows()
    parser.feed(dom)
    shown = table[table["articles"] >= MIN_ARTICLES]
    assert 0 < len(shown) < len(table)  # the corpus has thin place-periods to leave out
    assert parser.rows == len(shown) + 1
    mapped = {c["title"].split(":")[0] for c in layout["circles"]}
    totals = table.groupby("place")["articles"].sum()
    assert mapped and all(totals[p] >= MIN_ARTICLES for p in mapped)
