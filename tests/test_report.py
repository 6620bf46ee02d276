"""Tests of the regional report on a small hand-made scored table with hand-computed numbers."""

from __future__ import annotations

import base64
import math
import re
import sys

import numpy as np
import pandas as pd
import pytest

from riskclf.config import RISK_LEVELS
from riskclf.errors import InputError, RiskclfError, SchemaError
from riskclf.report import build_report, falling_places, rising_places, write_report

COLUMNS = ["id", "date", "country", "region", "risk_level", "risk_score", "theme", "error"]
# Invented places and articles. Alpha has articles in Jan, Feb and Mar 2024; Bravo in Jan and Mar
# (no Feb, so its March change is NaN); Charlie in Feb and Mar; two rows have no country; two
# rows were not scored (error set) and must be left out, although their other cells are bad.
ROWS = [
    ("a01", "2024-01-03", "Alpha", "North", "low", 10, "politics", ""),
    ("a02", "2024-01-10", "Alpha", "North", "medium", 30, "crime|politics", ""),
    ("a03", "2024-01-24", "Alpha", "North", "high", 60, "terrorism", ""),
    ("a04", "2024-02-01", "Alpha", "North", "high", 70, "terrorism|insurgency", ""),
    ("a05", "2024-02-14", "Alpha", "North", "critical", 90, "terrorism", ""),
    ("a06", "2024-02-29", "Alpha", "North", "medium", 40, "insurgency|crime", ""),
    ("a07", "2024-02-20", "Alpha", "North", "critical", 100, "terrorism|armed_conflict", ""),
    ("a08", "2024-03-05", "Alpha", "North", "medium", 50, "crime", ""),
    ("b01", "2024-01-15", "Bravo", "North", "critical", 95, "terrorism", ""),
    # The date as written counts: 23:30 at +05:00 is still 31 January.
    ("b02", "2024-01-31T23:30:00+05:00", "Bravo", "North", "high", 65, "insurgency", ""),
    ("b03", "2024-03-01", "Bravo", "North", "low", 5, "politics", ""),
    ("b04", "2024-03-18", "Bravo", "North", "low", 15, "politics|civil_unrest", ""),
    ("b05", "2024-03-30", "Bravo", "North", "medium", 25, "civil_unrest", ""),
    ("c01", "2024-02-05", "Charlie", "South", "high", 55, "armed_conflict", ""),
    (
        "c02",
        "2024-02-06",
        "Charlie",
        "South",
        "high",
        65,
        "armed_conflict|security_operations",
        "",
    ),
    ("c03", "2024-03-11", "Charlie", "South", "critical", 85, "armed_conflict", ""),
    ("c04", "2024-03-12", "Charlie", "South", "medium", 35, "security_operations", ""),
    ("c05", "2024-03-13", "Charlie", "South", "critical", 88.5, "kidnapping", ""),
    ("u01", "2024-03-20", "", "South", "medium", 45, "crime", ""),
    ("u02", "2024-03-21", "  ", "South", "high", 55, "crime", ""),
    ("e01", "", "Alpha", "North", "", None, "", "empty text"),
    ("e02", None, None, None, None, None, None, "line 7 is not valid JSON"),
]
NAN = float("nan")


@pytest.fixture
def scored() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


def p90(values: list[float]) -> float:
    """90th percentile by linear interpolation between the sorted values, done by hand."""
    values = sorted(values)
    position = 0.9 * (len(values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (position - low) * (values[high] - values[low])


def row(table: pd.DataFrame, place: str, period: str) -> pd.Series:
    match = table[(table["place"] == place) & (table["period"] == period)]
    assert len(match) == 1, (place, period)
    return match.iloc[0]


def test_monthly_rows_order_and_columns(scored):
    table = build_report(scored)
    assert list(table.columns) == [
        "place",
        "period",
        "articles",
        "mean_score",
        "p90_score",
        "sd_score",
        "n_low",
        "n_medium",
        "n_high",
        "n_critical",
        "share_high_critical",
        "top_themes",
        "change_mean_score",
        "change_share_high_critical",
    ]
    assert list(zip(table["place"], table["period"], table["articles"], strict=True)) == [
        ("Alpha", "2024-01-01", 3),
        ("Alpha", "2024-02-01", 4),
        ("Alpha", "2024-03-01", 1),
        ("Bravo", "2024-01-01", 2),
        ("Bravo", "2024-03-01", 3),
        ("Charlie", "2024-02-01", 2),
        ("Charlie", "2024-03-01", 3),
        ("(unknown)", "2024-03-01", 2),
    ]
    # 22 rows in, 2 not scored: 20 articles reported, 2 excluded and counted.
    assert table["articles"].sum() == 20
    assert table.attrs["excluded_rows"] == 2
    assert table.attrs["input_rows"] == 22


def test_monthly_numbers_by_hand(scored):
    table = build_report(scored)

    jan = row(table, "Alpha", "2024-01-01")
    assert jan["mean_score"] == round((10 + 30 + 60) / 3, 2) == 33.33
    assert p90([10, 30, 60]) == 54.0  # position 1.8: 30 + 0.8 * (60 - 30)
    assert jan["p90_score"] == 54.0
    # sample sd: mean 33.33, squared deviations 544.4 + 11.1 + 711.1, over n - 1 = 2
    assert jan["sd_score"] == round(math.sqrt((10**2 + 30**2 + 60**2 - 3 * (100 / 3) ** 2) / 2), 2)
    assert jan["sd_score"] == 25.17
    assert (jan["n_low"], jan["n_medium"], jan["n_high"], jan["n_critical"]) == (1, 1, 1, 0)
    assert jan["share_high_critical"] == round(1 / 3, 4) == 0.3333
    assert jan["top_themes"] == "politics (2), crime (1), terrorism (1)"
    assert math.isnan(jan["change_mean_score"])
    assert math.isnan(jan["change_share_high_critical"])

    feb = row(table, "Alpha", "2024-02-01")
    assert feb["mean_score"] == (70 + 90 + 40 + 100) / 4 == 75.0
    assert feb["p90_score"] == p90([70, 90, 40, 100]) == 97.0  # 90 + 0.7 * 10
    assert (feb["n_low"], feb["n_medium"], feb["n_high"], feb["n_critical"]) == (0, 1, 1, 2)
    assert feb["share_high_critical"] == 0.75
    # terrorism 3, insurgency 2, then armed_conflict and crime tie at 1: alphabetical order.
    assert feb["top_themes"] == "terrorism (3), insurgency (2), armed_conflict (1)"
    assert feb["change_mean_score"] == pytest.approx(75.0 - 33.33)
    assert feb["change_mean_score"] == 41.67
    assert feb["change_share_high_critical"] == 0.4167

    mar = row(table, "Alpha", "2024-03-01")
    assert (mar["articles"], mar["mean_score"], mar["p90_score"]) == (1, 50.0, 50.0)
    assert mar["share_high_critical"] == 0.0
    assert mar["change_mean_score"] == -25.0
    assert mar["change_share_high_critical"] == -0.75

    bravo_jan = row(table, "Bravo", "2024-01-01")
    assert bravo_jan["mean_score"] == 80.0
    assert bravo_jan["p90_score"] == p90([95, 65]) == 92.0
    assert bravo_jan["share_high_critical"] == 1.0

    # Bravo had no articles in February: no comparison with January, by design.
    bravo_mar = row(table, "Bravo", "2024-03-01")
    assert bravo_mar["mean_score"] == 15.0
    assert bravo_mar["p90_score"] == p90([5, 15, 25]) == 23.0
    assert (bravo_mar["n_low"], bravo_mar["n_medium"]) == (2, 1)
    assert bravo_mar["top_themes"] == "civil_unrest (2), politics (2)"
    assert math.isnan(bravo_mar["change_mean_score"])
    assert math.isnan(bravo_mar["change_share_high_critical"])

    charlie_mar = row(table, "Charlie", "2024-03-01")
    assert charlie_mar["mean_score"] == (85 + 35 + 88.5) / 3 == 69.5
    assert charlie_mar["p90_score"] == pytest.approx(p90([85, 35, 88.5]))
    assert charlie_mar["p90_score"] == 87.8  # 85 + 0.8 * 3.5
    assert charlie_mar["share_high_critical"] == 0.6667
    assert charlie_mar["change_mean_score"] == 69.5 - 60.0
    assert charlie_mar["change_share_high_critical"] == -0.3333
    assert charlie_mar["top_themes"] == (
        "armed_conflict (1), kidnapping (1), security_operations (1)"
    )

    unknown = row(table, "(unknown)", "2024-03-01")
    assert (unknown["articles"], unknown["mean_score"], unknown["p90_score"]) == (2, 50.0, 54.0)
    assert unknown["top_themes"] == "crime (2)"
    assert unknown["share_high_critical"] == 0.5


def test_p90_matches_numpy_linear(scored):
    table = build_report(scored)
    feb = row(table, "Alpha", "2024-02-01")
    assert feb["p90_score"] == np.percentile([70, 90, 40, 100], 90, method="linear")


def test_weekly_periods_start_on_monday(scored):
    table = build_report(scored, freq="W")
    alpha = table[table["place"] == "Alpha"]
    # 2024-01-01 is a Monday; a06 (Thu 29 Feb) falls in the week of Mon 26 Feb.
    assert alpha["period"].tolist() == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-22",
        "2024-01-29",
        "2024-02-12",
        "2024-02-19",
        "2024-02-26",
        "2024-03-04",
    ]
    assert alpha["mean_score"].tolist() == [10.0, 30.0, 60.0, 70.0, 90.0, 100.0, 40.0, 50.0]
    # NaN after a week without articles (15 Jan, 5 Feb), else the difference to the week before.
    np.testing.assert_array_equal(
        alpha["change_mean_score"].to_numpy(), [NAN, 20.0, NAN, 10.0, NAN, 10.0, -60.0, 10.0]
    )
    assert pd.Timestamp("2024-01-01").weekday() == 0
    assert all(pd.Timestamp(p).weekday() == 0 for p in table["period"])
    charlie = table[table["place"] == "Charlie"]
    assert charlie["period"].tolist() == ["2024-02-05", "2024-03-11"]
    assert charlie["articles"].tolist() == [2, 3]
    bravo = table[table["place"] == "Bravo"]
    assert bravo["period"].tolist()[:2] == ["2024-01-15", "2024-01-29"]
    assert len(table) == 8 + 5 + 2 + 1


def test_by_region(scored):
    table = build_report(scored, by="region")
    assert list(zip(table["place"], table["period"], table["articles"], strict=True)) == [
        ("North", "2024-01-01", 5),
        ("North", "2024-02-01", 4),
        ("North", "2024-03-01", 4),
        ("South", "2024-02-01", 2),
        ("South", "2024-03-01", 5),
    ]
    north_mar = row(table, "North", "2024-03-01")
    assert north_mar["mean_score"] == (50 + 5 + 15 + 25) / 4
    assert north_mar["change_mean_score"] == round(23.75 - 75.0, 2)


def test_custom_date_column_and_datetime_values(scored):
    renamed = scored.rename(columns={"date": "published"})
    table = build_report(renamed, date_column="published")
    assert table["articles"].sum() == 20
    typed = scored[scored["error"] == ""].copy()
    typed["date"] = pd.to_datetime(typed["date"].str.slice(0, 10))
    pd.testing.assert_frame_equal(build_report(typed), build_report(scored))


def test_string_values_as_read_from_csv(scored, tmp_path):
    path = tmp_path / "scored.csv"
    scored.to_csv(path, index=False)
    from riskclf.io import read_table

    pd.testing.assert_frame_equal(build_report(read_table(path)), build_report(scored))


def normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_rises_and_falls_by_hand(scored):
    table = build_report(scored)
    # Latest periods: Alpha Mar (1 article, -25 vs Feb's 4), Charlie Mar (3 articles, +9.5 vs
    # Feb's 2); Bravo has no Feb and (unknown) only one period, so they are never compared.
    rising = rising_places(table, min_articles=1)
    falling = falling_places(table, min_articles=1)
    assert rising["place"].tolist() == ["Charlie"]
    assert falling["place"].tolist() == ["Alpha"]
    charlie = rising.iloc[0]
    assert (charlie["period"], charlie["previous_period"]) == ("2024-03-01", "2024-02-01")
    assert (charlie["articles"], charlie["previous_articles"]) == (3, 2)
    assert (charlie["mean_score"], charlie["previous_mean_score"]) == (69.5, 60.0)
    assert charlie["change_mean_score"] == 9.5
    # sd of Feb (55, 65) and of Mar (85, 35, 88.5), from the table
    feb, mar = row(table, "Charlie", "2024-02-01"), row(table, "Charlie", "2024-03-01")
    assert feb["sd_score"] == round(math.sqrt(2 * 5**2), 2) == 7.07
    se = math.sqrt(feb["sd_score"] ** 2 / 2 + mar["sd_score"] ** 2 / 3)
    assert charlie["change_se"] == round(se, 2)
    se = charlie["change_se"]  # the interval and certainty follow from the rounded se
    assert charlie["change_low"] == round(9.5 - 1.645 * se, 2)
    assert charlie["certainty"] == round(normal_cdf(9.5 / se), 3)
    assert 0.5 < charlie["certainty"] < 0.9  # a rise, but on five scattered articles
    alpha = falling.iloc[0]
    assert alpha["change_mean_score"] == -25.0
    # one article in March: its sd is 0, the change's se comes from February alone
    se = round(math.sqrt(row(table, "Alpha", "2024-02-01")["sd_score"] ** 2 / 4), 2)
    assert alpha["change_se"] == se
    assert alpha["change_low"] == round(-25.0 + 1.645 * se, 2)
    assert alpha["certainty"] == round(normal_cdf(25.0 / se), 3)


def test_minimum_articles_rule(scored):
    table = build_report(scored)
    # By default a period needs 3 articles: Charlie's February (2) and Alpha's March (1) are
    # too few, so nothing is compared.
    assert rising_places(table).empty and falling_places(table).empty
    assert rising_places(table, min_articles=2)["place"].tolist() == ["Charlie"]
    assert falling_places(table, min_articles=2).empty


def test_surer_rise_ranks_first():
    # Invented: Loud rises +30 on 3 scattered articles per month, Steady +10 on 40 agreeing ones
    rows = []
    for month, scores in [("2024-01-05", [10, 80, 20]), ("2024-02-05", [90, 20, 90])]:
        rows += [(f"l{month}{i}", month, "Loud", "medium", s) for i, s in enumerate(scores)]
    for month, base in [("2024-01-05", 40), ("2024-02-05", 50)]:
        rows += [(f"s{month}{i}", month, "Steady", "medium", base + i % 3) for i in range(40)]
    frame = pd.DataFrame(rows, columns=["id", "date", "country", "risk_level", "risk_score"])
    rising = rising_places(build_report(frame))
    assert rising["place"].tolist() == ["Steady", "Loud"]
    loud, steady = rising.iloc[1], rising.iloc[0]
    assert loud["change_mean_score"] > steady["change_mean_score"]
    assert steady["certainty"] > 0.99 > loud["certainty"]


def test_rising_places_rejects_bad_input(scored):
    with pytest.raises(ValueError, match="top must be at least 1"):
        rising_places(build_report(scored), top=0)
    with pytest.raises(SchemaError, match="not a report table: missing column"):
        rising_places(scored)


# --- rejections ---------------------------------------------------------------------------------


def test_missing_date_column(scored):
    with pytest.raises(SchemaError, match=r"lacks column\(s\) 'date' \(date column"):
        build_report(scored.drop(columns="date"))
    with pytest.raises(SchemaError, match="'published' \\(date column"):
        build_report(scored, date_column="published")


def test_missing_score_column(scored):
    with pytest.raises(SchemaError, match="lacks column\\(s\\) 'risk_score' \\(risk score"):
        build_report(scored.drop(columns="risk_score"))


def test_missing_level_column(scored):
    with pytest.raises(SchemaError, match="'risk_level' \\(risk level"):
        build_report(scored.drop(columns="risk_level"))


def test_missing_place_column(scored):
    with pytest.raises(SchemaError, match="'province' \\(place column; choose it with by"):
        build_report(scored, by="province")
    with pytest.raises(SchemaError, match="'country' \\(place column"):
        build_report(scored.drop(columns="country"))


def test_unparsable_dates_name_five_ids(scored):
    bad = scored.copy()
    bad.loc[:5, "date"] = ["03/01/2024", "yesterday", "", "2024-02-30", "2024-13-01", "20240105"]
    with pytest.raises(
        SchemaError,
        match=r"column 'date': 6 scored rows have a missing or unparsable date .*"
        r"ids a01, a02, a03, a04, a05 \(\+1 more\)",
    ):
        build_report(bad)


def test_unknown_freq(scored):
    with pytest.raises(SchemaError, match="unknown freq 'Q': use 'W'"):
        build_report(scored, freq="Q")


def test_empty_input(scored):
    with pytest.raises(SchemaError, match="the scored table is empty"):
        build_report(pd.DataFrame())
    with pytest.raises(SchemaError, match="the scored table is empty"):
        build_report(scored.iloc[:0])


def test_only_unscored_rows(scored):
    with pytest.raises(SchemaError, match="no scored rows: all 2 rows have the 'error' column"):
        build_report(scored[scored["error"] != ""])


def test_bad_scores_and_levels(scored):
    bad = scored.copy()
    bad["risk_score"] = bad["risk_score"].astype(object)
    bad.loc[1, "risk_score"] = "high"
    with pytest.raises(
        SchemaError, match="'risk_score': 1 scored rows have no numeric score: ids a02"
    ):
        build_report(bad)
    bad.loc[1, "risk_score"] = 120
    with pytest.raises(SchemaError, match="1 scores are outside 0–100: ids a02"):
        build_report(bad)
    bad = scored.copy()
    bad.loc[2, "risk_level"] = "severe"
    with pytest.raises(SchemaError, match="'risk_level': 1 scored rows have a level outside"):
        build_report(bad)


# --- write_report -------------------------------------------------------------------------------


def table_rows(page: str) -> list[str]:
    """Return the <tr> elements of the report table."""
    found = re.search(r'<table id="report-table">(.*?)</table>', page, flags=re.S)
    assert found is not None
    return re.findall(r"<tr>.*?</tr>", found.group(1), flags=re.S)


def test_write_report_files(scored, tmp_path):
    out = tmp_path / "report"
    paths = write_report(scored, out, title="Test report <&>")
    assert paths == {"csv": out / "report.csv", "html": out / "report.html"}
    assert all(p.is_file() for p in paths.values())
    assert sorted(p.name for p in out.iterdir()) == ["report.csv", "report.html"]

    table = build_report(scored)
    pd.testing.assert_frame_equal(pd.read_csv(paths["csv"]), table)

    page = paths["html"].read_text(encoding="utf-8")
    rows = table_rows(page)
    # the page lists the place-periods with 3+ articles and says how many it leaves out
    shown = table[table["articles"] >= 3]
    assert len(shown) == 4
    assert len(rows) == len(shown) + 1  # header row
    for place, period in zip(shown["place"], shown["period"], strict=True):
        assert any(f">{place}<" in r and f">{period}<" in r for r in rows[1:]), (place, period)
    assert "at least 3 articles — 4 of 8 place-periods" in page
    assert 'data-min-articles="3"' in page
    assert "<h1>Test report &lt;&amp;&gt;</h1>" in page
    assert "20 articles" in page and "2 rows excluded" in page
    png = re.search(r'<img id="risk-chart" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert png is not None
    assert base64.b64decode(png.group(1)).startswith(b"\x89PNG\r\n\x1a\n")
    # Self-contained: nothing loaded from elsewhere, no script.
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="(?!data:)', page)
    assert '<p id="rising-places" class="note">No place rose' in page
    assert '<p id="falling-places" class="note">No place fell' in page
    page = write_report(scored, tmp_path / "low", min_articles=1)["html"].read_text("utf-8")
    rising = re.search(r'<ol id="rising-places">(.*?)</ol>', page, flags=re.S).group(1)
    falling = re.search(r'<ol id="falling-places">(.*?)</ol>', page, flags=re.S).group(1)
    assert "Charlie" in rising and "Alpha" not in rising and "Alpha" in falling
    assert "2 → 3 articles" in rising and "sure" in rising


def test_write_report_escapes_cells(scored, tmp_path):
    hostile = scored.copy()
    hostile.loc[hostile["country"] == "Charlie", "country"] = "<b>Charlie & co</b>"
    page = write_report(hostile, tmp_path / "r")["html"].read_text(encoding="utf-8")
    assert "&lt;b&gt;Charlie &amp; co&lt;/b&gt;" in page
    assert "<b>Charlie" not in page


def test_write_report_from_file(scored, tmp_path):
    source = tmp_path / "scored.csv"
    scored.to_csv(source, index=False)
    paths = write_report(source, tmp_path / "out", by="region", freq="W")
    pd.testing.assert_frame_equal(
        pd.read_csv(paths["csv"]), build_report(scored, by="region", freq="W")
    )


def test_write_report_refuses_overwrite(scored, tmp_path):
    out = tmp_path / "report"
    write_report(scored, out)
    before = (out / "report.html").read_bytes()
    with pytest.raises(InputError, match="report.csv already exists; pass --overwrite"):
        write_report(scored, out)
    assert (out / "report.html").read_bytes() == before
    (out / "report.csv").unlink()
    with pytest.raises(InputError, match="report.html already exists"):
        write_report(scored, out)
    assert not (out / "report.csv").exists()
    write_report(scored, out, title="again", overwrite=True)
    assert "<h1>again</h1>" in (out / "report.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["report.csv", "report.html"]


def test_write_report_output_folder(scored, tmp_path):
    with pytest.raises(InputError, match="its parent folder does not exist"):
        write_report(scored, tmp_path / "missing" / "report")
    assert not (tmp_path / "missing").exists()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(InputError, match="is a file; give a folder"):
        write_report(scored, a_file)


def test_write_report_bad_input_writes_nothing(scored, tmp_path):
    with pytest.raises(SchemaError, match="unknown freq"):
        write_report(scored, tmp_path / "r", freq="D")
    assert not (tmp_path / "r").exists()


def test_missing_matplotlib_gives_install_hint(scored, tmp_path, monkeypatch):
    # A None entry makes "import matplotlib..." raise ImportError.
    for name in ("matplotlib", "matplotlib.dates", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    with pytest.raises(RiskclfError, match=re.escape('pip install "riskclf[plots]"')):
        write_report(scored, tmp_path / "r")
    assert not (tmp_path / "r").exists()


# --- the risk map and the groupings -------------------------------------------------------------


def with_places(scored: pd.DataFrame) -> pd.DataFrame:
    """The fixture with invented admin1 names and coordinates: Alpha at (10, 20), Bravo at
    (12, 24), Charlie at (8, 30), the unknown rows without coordinates."""
    located = scored.copy()
    coordinates = {"Alpha": (10.0, 20.0), "Bravo": (12.0, 24.0), "Charlie": (8.0, 30.0)}
    located["admin1"] = located["country"].map({"Alpha": "A1", "Bravo": "B1", "Charlie": "C1"})
    located["latitude"] = [coordinates.get(c, (np.nan, np.nan))[0] for c in located["country"]]
    located["longitude"] = [coordinates.get(c, (np.nan, np.nan))[1] for c in located["country"]]
    return located


def test_groupings_offered_to_the_cli():
    from riskclf.report import GROUPINGS

    assert GROUPINGS[:3] == ("country", "region", "admin1")


def test_report_by_admin1(scored):
    table = build_report(with_places(scored), by="admin1")
    assert sorted(set(table["place"])) == ["(unknown)", "A1", "B1", "C1"]
    assert table.loc[table["place"] == "A1", "articles"].sum() == 8


def test_map_points_by_hand(scored):
    from riskclf.report import _build

    _, _, points = _build(
        with_places(scored), by="country", freq="M", date_column="date", levels=RISK_LEVELS
    )
    assert points["place"].tolist() == ["Alpha", "Bravo", "Charlie"]  # most articles first
    assert points["articles"].tolist() == [8, 5, 5]
    assert points["mean_score"].tolist() == [
        round((10 + 30 + 60 + 70 + 90 + 40 + 100 + 50) / 8, 2),
        round((95 + 65 + 5 + 15 + 25) / 5, 2),
        round((55 + 65 + 85 + 35 + 88.5) / 5, 2),
    ]
    assert points[["latitude", "longitude"]].values.tolist() == [[10, 20], [12, 24], [8, 30]]


def test_page_draws_the_map(scored, tmp_path):
    page = write_report(with_places(scored), tmp_path / "r")["html"].read_text(encoding="utf-8")
    svg = re.search(r'<svg id="risk-map".*?</svg>', page, flags=re.S)
    assert svg is not None
    circles = re.findall(
        r'<circle class="map-point" cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg.group(0)
    )
    assert len(circles) == 3
    radii = sorted(float(r) for _, _, r in circles)
    assert radii[-1] > radii[0]  # Alpha, with the most articles, is the biggest
    # Charlie lies east of Alpha (larger x) and south (larger y)
    by_title = dict(zip(re.findall(r"<title>(\w+):", svg.group(0)), circles, strict=True))
    assert float(by_title["Charlie"][0]) > float(by_title["Alpha"][0])
    assert float(by_title["Charlie"][1]) > float(by_title["Alpha"][1])
    assert not re.search(r'(src|href)="(?!data:)', page)


def test_page_says_why_there_is_no_map(scored, tmp_path):
    page = write_report(scored, tmp_path / "r")["html"].read_text(encoding="utf-8")
    assert '<p id="risk-map-missing">' in page and "<svg" not in page
