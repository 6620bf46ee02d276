"""Open the HTML report in headless Chromium: the chart is drawn where expected, the table renders.

Needs the ``chromium`` binary (Debian package ``chromium``); skipped when it is not installed.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskclf.report import build_report, write_report
from riskclf.report_html import (
    CHART_HEIGHT_PX,
    CHART_LEFT_PX,
    CHART_TOP_PX,
    CHART_WIDTH_PX,
)

Image = pytest.importorskip("PIL.Image", reason="Pillow (installed with matplotlib) is needed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary on PATH (install the Debian package 'chromium' to run this test)",
)
WINDOW = (1280, 2000)

# Invented articles: three places over three months, one without a place, one not scored.
ROWS = [
    ("a01", "2024-01-03", "Alpha", "low", 10, "politics", ""),
    ("a02", "2024-01-10", "Alpha", "medium", 30, "crime|politics", ""),
    ("a03", "2024-02-14", "Alpha", "critical", 90, "terrorism", ""),
    ("a04", "2024-02-20", "Alpha", "critical", 100, "terrorism|armed_conflict", ""),
    ("a05", "2024-03-05", "Alpha", "medium", 50, "crime", ""),
    ("b01", "2024-01-15", "Bravo", "critical", 95, "terrorism", ""),
    ("b02", "2024-02-01", "Bravo", "high", 65, "insurgency", ""),
    ("b03", "2024-03-18", "Bravo", "low", 15, "politics|civil_unrest", ""),
    ("c01", "2024-01-05", "Charlie", "high", 55, "armed_conflict", ""),
    ("c02", "2024-02-06", "Charlie", "high", 65, "security_operations", ""),
    ("c03", "2024-03-11", "Charlie", "critical", 85, "armed_conflict", ""),
    ("c04", "2024-03-12", "Charlie", "medium", 35, "kidnapping", ""),
    ("u01", "2024-03-20", "", "medium", 45, "crime", ""),
    ("e01", "", "Alpha", "", None, "", "empty text"),
]
COLUMNS = ["id", "date", "country", "risk_level", "risk_score", "theme", "error"]


# Invented coordinates for the three places (the unknown row has none).
COORDINATES = {"Alpha": (10.0, 20.0), "Bravo": (14.0, 26.0), "Charlie": (6.0, 31.0)}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    scored = pd.DataFrame(ROWS, columns=COLUMNS)
    scored["latitude"] = [COORDINATES.get(c, (None, None))[0] for c in scored["country"]]
    scored["longitude"] = [COORDINATES.get(c, (None, None))[1] for c in scored["country"]]
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
        "--force-device-scale-factor=1",
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        *extra,
        page.resolve().as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_chart_is_drawn_at_its_place(report, tmp_path):
    page, _ = report
    shot = tmp_path / "shot.png"
    run_chromium(page, tmp_path / "profile", f"--screenshot={shot}")
    assert shot.is_file() and shot.stat().st_size > 0

    image = Image.open(shot).convert("RGB")
    assert image.size == WINDOW
    box = (
        CHART_LEFT_PX,
        CHART_TOP_PX,
        CHART_LEFT_PX + CHART_WIDTH_PX,
        CHART_TOP_PX + CHART_HEIGHT_PX,
    )
    chart = np.asarray(image.crop(box), dtype=np.int16)

    # Not blank: many colours (lines, markers, anti-aliased text) and plenty of ink.
    colours = np.unique(chart.reshape(-1, 3), axis=0)
    assert len(colours) > 100, len(colours)
    non_white = (chart < 245).any(axis=2).mean()
    assert 0.02 < non_white < 0.6, non_white
    # The line colours of the first three places (matplotlib's tab10 blue, orange, green).
    for rgb in [(31, 119, 180), (255, 127, 14), (44, 160, 44)]:
        assert (np.abs(chart - rgb).max(axis=2) <= 12).sum() > 50, rgb

    # The pixels are the embedded PNG's: the chart sits exactly in the box.
    html = page.read_text(encoding="utf-8")
    encoded = re.search(r'id="risk-chart" src="data:image/png;base64,([^"]+)"', html).group(1)
    embedded = Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGB")
    assert embedded.size == (CHART_WIDTH_PX, CHART_HEIGHT_PX)
    difference = np.abs(chart - np.asarray(embedded, dtype=np.int16)).mean()
    assert difference < 8, difference


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


def test_rendered_dom_has_the_table(report, tmp_path):
    page, table = report
    result = run_chromium(page, tmp_path / "profile", "--dump-dom")
    dom = result.stdout
    assert 'id="report-table"' in dom
    assert 'id="risk-chart"' in dom
    parser = _TableRows()
    parser.feed(dom)
    assert parser.rows == len(table) + 1  # one header row
    assert len(table) == 3 + 3 + 3 + 1  # Alpha, Bravo, Charlie in Jan–Mar; (unknown) in Mar
    assert parser.cells.count("(unknown)") == 1
    assert parser.cells.count("Alpha") == 3
    assert "2024-03-01" in parser.cells
    assert "13 articles" in dom and "1 rows excluded" in dom


def test_map_is_drawn(report, tmp_path):
    from riskclf.report_html import _risk_colour

    page, table = report
    shot = tmp_path / "shot.png"
    run_chromium(page, tmp_path / "profile", f"--screenshot={shot}")
    image = np.asarray(Image.open(shot).convert("RGB"), dtype=np.int16)
    below_chart = image[CHART_TOP_PX + CHART_HEIGHT_PX :]
    background = np.array([0xF4, 0xF8, 0xFB])
    # each place's circle: its mean-risk colour at 85% opacity over the map's background
    for place in COORDINATES:
        rows = table[table["place"] == place]
        mean = float((rows["mean_score"] * rows["articles"]).sum() / rows["articles"].sum())
        fill = np.array([int(_risk_colour(mean)[k : k + 2], 16) for k in (1, 3, 5)])
        expected = 0.85 * fill + 0.15 * background
        close = (np.abs(below_chart - expected).max(axis=2) <= 6).sum()
        assert close > 100, (place, close)
