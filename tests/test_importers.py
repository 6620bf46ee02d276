"""Dataset importers: mapping rules on tiny synthetic files, and the real files when present.

Every text here is invented; the real datasets are only read in place, never copied.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from conftest import require_shared

from riskclf.config import RISK_LEVELS, THEMES
from riskclf.datasets import OUTPUT_COLUMNS, SOURCES, ImportResult, import_source
from riskclf.datasets.rules import (
    designated_mask,
    join_themes,
    region_of,
    risk_from_counts,
    risk_levels_from_counts,
)
from riskclf.errors import SchemaError


def write_csv(path: Path, records: list[dict]) -> Path:
    """Write records as a CSV file and return its path."""
    pd.DataFrame.from_records(records).to_csv(path, index=False)
    return path


def by_id(result: ImportResult) -> pd.DataFrame:
    """The imported frame indexed by id."""
    return result.frame.set_index("id")


def check_shape(result: ImportResult, rows: int) -> None:
    """Common invariants: fixed leading columns, nothing dropped, labels from the scheme."""
    frame = result.frame
    assert tuple(frame.columns[: len(OUTPUT_COLUMNS)]) == OUTPUT_COLUMNS
    assert all(c.startswith("src_") for c in frame.columns[len(OUTPUT_COLUMNS) :])
    assert result.counts["rows_in"] == result.counts["rows_out"] == len(frame) == rows
    assert set(frame["risk_level"]) <= {"", *RISK_LEVELS}
    themes = {t for cell in frame["theme"] for t in cell.split("|") if t}
    assert themes <= set(THEMES)
    assert result.counts["no_risk_level"] == int((frame["risk_level"] == "").sum())
    assert result.counts["no_theme"] == int((frame["theme"] == "").sum())


# --- the casualty rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("killed", "injured", "abducted", "security", "violent", "expected"),
    [
        (0, 0, 0, False, False, "low"),
        (0, 0, 0, True, False, "medium"),
        (0, 0, 0, False, True, "medium"),
        (0, 1, 0, False, False, "high"),
        (0, 0, 1, False, False, "high"),
        (1, 0, 0, False, False, "high"),
        (9, 0, 0, False, False, "high"),
        (10, 0, 0, False, False, "critical"),
        (10, 0, 3, False, False, "critical"),
        (0, None, None, True, False, "medium"),
        (None, 5, 0, True, True, None),
        (math.nan, 0, 0, False, False, None),
        (None, 0, 2, False, False, None),
    ],
)
def test_casualty_rule_boundaries(killed, injured, abducted, security, violent, expected):
    assert risk_from_counts(killed, injured, abducted, security, violent) == expected


def test_kidnapping_flag_is_at_least_high():
    assert risk_from_counts(0, 0, 0, kidnapping=True) == "high"
    assert risk_from_counts(12, 0, 0, kidnapping=True) == "critical"


def test_vectorised_rule_matches_scalar_rule():
    killed = pd.Series([0, 0, 9, 10, None, 0])
    injured = pd.Series([0, 2, 0, 0, 1, None])
    violent = pd.Series([False, False, False, False, True, True])
    levels = risk_levels_from_counts(killed, injured, violent=violent)
    assert levels.tolist() == ["low", "high", "high", "critical", "", "medium"]


def test_join_themes_keeps_priority_order_without_repeats():
    index = pd.RangeIndex(3)
    flags = [
        ("terrorism", pd.Series([True, False, False])),
        ("insurgency", pd.Series([True, True, False])),
        ("insurgency", pd.Series([True, True, False])),
    ]
    assert join_themes(flags, index).tolist() == ["terrorism|insurgency", "insurgency", ""]


def test_region_mapping_prefers_country_then_source_region():
    assert region_of("Pakistan") == "South Asia"
    assert region_of("Iran", "South Asia") == "Middle East & North Africa"
    assert region_of("Mauritius", "South Asia") == "Sub-Saharan Africa"
    assert region_of("Georgia", "Caucasus and Central Asia") == "Europe"  # regions.csv
    assert region_of("Freedonia", "Western Africa") == "Sub-Saharan Africa"
    assert region_of("Freedonia", "Caucasus and Central Asia") == ""
    assert region_of("", "") == ""


def test_designated_groups_match_actor_spellings():
    actors = pd.Series(
        [
            "Islamic State (Syria)",
            "TTP: Tehreek-i-Taliban Pakistan",
            "Unidentified Armed Group",
            None,
        ]
    )
    assert designated_mask(actors).tolist() == [True, True, False, False]


# --- satp (ConfliBERT) ---------------------------------------------------------------------------

SATP_LABELS = ("armed_assault", "bombing_explosion", "kidnapping", "other")


def satp_row(row_id: str, labels: tuple[int, int, int, int], country: str = "India") -> dict:
    return {
        "id": row_id,
        "split": "dev",
        "text": f"Synthetic: incident report {row_id}",
        **dict(zip(SATP_LABELS, labels, strict=True)),
        "any_event": int(any(labels)),
        "n_labels": sum(labels),
        "region": "South Asia",
        "country_heuristic": country,
        "dup_within_split": 0,
        "text_in_train": 0,
    }


def test_satp_csv_maps_each_label_and_keeps_unlabelled_rows(tmp_path):
    path = write_csv(
        tmp_path / "dev.csv",
        [
            satp_row("s1", (0, 1, 0, 0)),
            satp_row("s2", (0, 0, 1, 0), "Pakistan"),
            satp_row("s3", (1, 0, 0, 1), "unknown"),
            satp_row("s4", (1, 1, 1, 0), "ambiguous"),
            satp_row("s5", (0, 0, 0, 0), "Nepal"),
        ],
    )
    result = import_source("satp", path)
    check_shape(result, 5)
    frame = by_id(result)
    assert frame["theme"].tolist() == [
        "terrorism",
        "kidnapping",
        "insurgency",
        "terrorism|kidnapping|insurgency",
        "",
    ]
    assert (frame["risk_level"] == "").all()
    assert frame["country"].tolist() == ["India", "Pakistan", "", "", "Nepal"]
    assert (frame["region"] == "South Asia").all()
    assert (frame["split"] == "dev").all()
    assert frame.loc["s3", "src_armed_assault"] == "1"
    assert "src_text_in_train" in frame.columns
    assert result.counts["no_theme"] == 1
    assert result.counts["no_risk_level"] == 5
    assert result.counts["theme"]["insurgency"] == 2


def test_satp_reads_conflibert_tsv_without_header(tmp_path):
    folder = tmp_path / "satp_all"
    folder.mkdir()
    path = folder / "test.tsv"
    path.write_text(
        'Synthetic: a "crude" bomb went off near a depot\t0\t1\t0\t0\n'
        "Synthetic: officials held talks\t0\t0\t0\t0\n",
        encoding="utf-8",
    )
    result = import_source("satp", path)
    check_shape(result, 2)
    assert result.frame["id"].tolist() == ["satp_all-test-00000", "satp_all-test-00001"]
    assert result.frame["text"][0].startswith('Synthetic: a "crude"')
    assert result.frame["theme"].tolist() == ["terrorism", ""]
    assert (result.frame["split"] == "test").all()
    assert (result.frame["region"] == "South Asia").all()


def test_satp_tsv_with_header_and_wrong_field_count(tmp_path):
    with_header = tmp_path / "train.tsv"
    with_header.write_text(
        "text\t" + "\t".join(SATP_LABELS) + "\nSynthetic: an ambush\t1\t0\t0\t0\n",
        encoding="utf-8",
    )
    assert import_source("satp", with_header).frame["theme"].tolist() == ["insurgency"]
    broken = tmp_path / "dev.tsv"
    broken.write_text("Synthetic: a raid\t1\t0\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="3 tab-separated fields per line"):
        import_source("satp", broken)


def test_satp_rejects_missing_columns_and_bad_flags(tmp_path):
    path = write_csv(tmp_path / "a.csv", [{"id": "s1", "text": "Synthetic", "kidnapping": 1}])
    with pytest.raises(SchemaError, match="'armed_assault', 'bombing_explosion', 'other'"):
        import_source("satp", path)
    row = satp_row("s9", (0, 1, 0, 0))
    row["kidnapping"] = "maybe"
    path = write_csv(tmp_path / "b.csv", [row])
    with pytest.raises(SchemaError, match="column 'kidnapping': 1 rows are not 0/1 flags: s9"):
        import_source("satp", path)


# --- satp-maoist (code-satp) ---------------------------------------------------------------------

MAOIST_FLAGS = (
    "armed_assault",
    "arrest",
    "bombing",
    "infrastructure",
    "surrender",
    "seizure",
    "abduction",
)


def maoist_row(
    row_id: str,
    killed: object = 0,
    injured: object = 0,
    abducted: object = 0,
    split: str = "train",
    **flags: int,
) -> dict:
    return {
        "id": row_id,
        "split_time": split,
        "split_hash": "dev",
        "text": f"Synthetic: Maoist incident {row_id}",
        "year": 2011,
        "date": "2011-03-04",
        "region": "South Asia",
        "country": "India",
        "state": "Synthetic State",
        **{f: flags.get(f, 0) for f in MAOIST_FLAGS},
        "total_fatalities": killed,
        "total_injuries": injured,
        "total_abducted": abducted,
        "property_damage": flags.get("property_damage", 0),
    }


def test_maoist_casualty_rule_and_theme_flags(tmp_path):
    path = write_csv(
        tmp_path / "maoist.csv",
        [
            maoist_row("m01", killed=10, armed_assault=1),
            maoist_row("m02", killed=9, bombing=1, armed_assault=1),
            maoist_row("m03", killed=0, injured=2, bombing=1, split="dev"),
            maoist_row("m04", abducted=1, abduction=1, armed_assault=1),
            maoist_row("m05", abduction=1),
            maoist_row("m06", arrest=1, seizure=1, split="test"),
            maoist_row("m07", surrender=1),
            maoist_row("m08", infrastructure=1),
            maoist_row("m09", property_damage=1),
            maoist_row("m10"),
            maoist_row("m11", killed="", injured=3, armed_assault=1),
            maoist_row("m12", injured="", seizure=1),
        ],
    )
    result = import_source("satp-maoist", path)
    check_shape(result, 12)
    frame = by_id(result)
    assert frame["risk_level"].tolist() == [
        "critical",
        "high",
        "high",
        "high",
        "high",
        "medium",
        "medium",
        "medium",
        "medium",
        "low",
        "",
        "medium",
    ]
    assert frame["theme"].tolist() == [
        "insurgency",
        "terrorism|insurgency",
        "terrorism",
        "kidnapping|insurgency",
        "kidnapping",
        "security_operations",
        "security_operations",
        "insurgency",
        "",
        "",
        "insurgency",
        "security_operations",
    ]
    assert frame.loc["m03", "split"] == "dev"
    assert frame.loc["m01", "date"] == "2011-03-04"
    assert frame.loc["m01", "country"] == "India"
    assert frame.loc["m01", "region"] == "South Asia"
    assert frame.loc["m11", "src_total_fatalities"] == ""
    assert result.counts["no_risk_level"] == 1
    assert result.counts["no_theme"] == 2
    assert result.counts["risk_level"] == {"low": 1, "medium": 5, "high": 4, "critical": 1}


def test_maoist_file_without_split_columns(tmp_path):
    records = [maoist_row("m1", killed=1, armed_assault=1)]
    for record in records:
        del record["split_time"], record["split_hash"]
    path = write_csv(tmp_path / "nosplit.csv", records)
    result = import_source("satp-maoist", path)
    check_shape(result, 1)
    assert result.frame["split"].tolist() == [""]
    assert result.frame["risk_level"].tolist() == ["high"]


def test_maoist_rejects_missing_columns_and_bad_counts(tmp_path):
    record = maoist_row("m1")
    del record["total_abducted"], record["abduction"]
    with pytest.raises(SchemaError, match="missing column\\(s\\) 'abduction', 'total_abducted'"):
        import_source("satp-maoist", write_csv(tmp_path / "a.csv", [record]))
    bad = write_csv(tmp_path / "b.csv", [maoist_row("m7", killed="several")])
    with pytest.raises(SchemaError, match="column 'total_fatalities': 1 rows are not numbers.*m7"):
        import_source("satp-maoist", bad)


# --- cameo ---------------------------------------------------------------------------------------


def cameo_row(row_id: str, label_id: int, label_name: str, military: int = 0) -> dict:
    return {
        "id": row_id,
        "split": "train",
        "text": f"Synthetic: news sentence {row_id}",
        "label_id": label_id,
        "label_name": label_name,
        "quad_class": "synthetic",
        "military_keyword": military,
    }


def test_cameo_maps_each_class(tmp_path):
    path = write_csv(
        tmp_path / "train.csv",
        [
            cameo_row("c0", 0, "make_statement"),
            cameo_row("c1", 1, "verbal_cooperation"),
            cameo_row("c2", 2, "material_cooperation", military=1),
            cameo_row("c3", 2, "material_cooperation", military=0),
            cameo_row("c4", 3, "verbal_conflict", military=1),
            cameo_row("c5", 4, "material_conflict", military=1),
        ],
    )
    result = import_source("cameo", path)
    check_shape(result, 6)
    frame = by_id(result)
    assert frame["theme"].tolist() == [
        "politics",
        "politics",
        "security_operations",
        "politics",
        "politics",
        "",
    ]
    assert (frame["risk_level"] == "").all()
    assert (frame["split"] == "train").all()
    assert frame.loc["c5", "src_label_name"] == "material_conflict"
    assert result.counts["no_theme"] == 1
    assert result.counts["theme"]["politics"] == 4


def test_cameo_reads_label_id_alone_and_checks_labels(tmp_path):
    records = [cameo_row("c1", 2, "material_cooperation", 1)]
    del records[0]["label_name"]
    result = import_source("cameo", write_csv(tmp_path / "ids.csv", records))
    assert result.frame["theme"].tolist() == ["security_operations"]
    mismatch = write_csv(tmp_path / "m.csv", [cameo_row("c9", 0, "verbal_conflict")])
    with pytest.raises(
        SchemaError, match="label_name.*1 rows are not the name of its label_id: c9"
    ):
        import_source("cameo", mismatch)
    unknown = write_csv(tmp_path / "u.csv", [cameo_row("c8", 7, "verbal_conflict")])
    with pytest.raises(SchemaError, match="column 'label_id': 1 rows are not codes 0-4: c8"):
        import_source("cameo", unknown)
    record = cameo_row("c7", 0, "make_statement")
    del record["military_keyword"]
    with pytest.raises(SchemaError, match="missing column\\(s\\) 'military_keyword'"):
        import_source("cameo", write_csv(tmp_path / "k.csv", [record]))


# --- ACLED ---------------------------------------------------------------------------------------


def acled_row(
    row_id: str,
    event_type: str,
    sub_event_type: str,
    fatalities: object = 0,
    actor1: str = "Unidentified Armed Group (Freedonia)",
    country: str = "Pakistan",
    region: str = "South Asia",
    event_date: str = "2023-05-06",
) -> dict:
    return {
        "event_id_cnty": row_id,
        "event_date": event_date,
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": actor1,
        "country": country,
        "region": region,
        "fatalities": fatalities,
        "notes": f"Synthetic: event {row_id} in a made-up district",
    }


def test_acled_maps_event_types_and_fatalities(tmp_path):
    rows = [
        acled_row("A01", "Protests", "Peaceful protest"),
        acled_row("A02", "Riots", "Mob violence", fatalities=1),
        acled_row("A03", "Explosions/Remote violence", "Remote explosive/landmine/IED", 10),
        acled_row("A04", "Explosions/Remote violence", "Suicide bomb", 3),
        acled_row("A05", "Explosions/Remote violence", "Grenade", 0),
        acled_row("A06", "Explosions/Remote violence", "Air/drone strike", 9),
        acled_row("A07", "Explosions/Remote violence", "Shelling/artillery/missile attack", 0),
        acled_row("A08", "Battles", "Armed clash", 2),
        acled_row("A09", "Violence against civilians", "Attack", 1, actor1="Islamic State (X)"),
        acled_row("A10", "Violence against civilians", "Attack", 1),
        acled_row("A11", "Violence against civilians", "Abduction/forced disappearance", 0),
        acled_row("A12", "Strategic developments", "Arrests", 0),
        acled_row("A13", "Strategic developments", "Looting/property destruction", 0),
        acled_row("A14", "Strategic developments", "Agreement", 0),
        acled_row("A15", "Strategic developments", "Change to group/activity", 0),
        acled_row("A16", "Explosions/Remote violence", "Chemical weapon", ""),
        acled_row("A17", "Strategic developments", "Other", 0),
    ]
    result = import_source("acled", write_csv(tmp_path / "acled.csv", rows))
    check_shape(result, len(rows))
    frame = by_id(result)
    assert frame["theme"].tolist() == [
        "civil_unrest",
        "civil_unrest",
        "terrorism",
        "terrorism",
        "terrorism",
        "armed_conflict",
        "armed_conflict",
        "insurgency",
        "terrorism",
        "crime",
        "kidnapping",
        "security_operations",
        "crime",
        "politics",
        "politics",
        "",
        "",
    ]
    assert frame["risk_level"].tolist() == [
        "medium",
        "high",
        "critical",
        "high",
        "medium",
        "high",
        "medium",
        "high",
        "high",
        "high",
        "high",
        "medium",
        "medium",
        "low",
        "low",
        "",
        "low",
    ]
    assert frame.loc["A01", "date"] == "2023-05-06"
    assert frame.loc["A01", "region"] == "South Asia"
    assert frame.loc["A16", "src_fatalities"] == ""
    assert result.counts["no_theme"] == 2
    assert result.counts["no_risk_level"] == 1


def test_acled_attack_without_actor_column_has_no_theme(tmp_path):
    records = [acled_row("B1", "Violence against civilians", "Attack", 0)]
    del records[0]["actor1"], records[0]["event_id_cnty"]
    result = import_source("acled", write_csv(tmp_path / "noactor.csv", records))
    assert result.frame["theme"].tolist() == [""]
    assert result.frame["risk_level"].tolist() == ["medium"]
    assert result.frame["id"].tolist() == ["acled-noactor-00000"]
    assert result.counts["no_theme"] == 1


def test_acled_places_and_dates(tmp_path):
    rows = [
        acled_row(
            "C1",
            "Protests",
            "Peaceful protest",
            country="Georgia",
            region="Caucasus and Central Asia",
            event_date="15 January 2023",
        ),
        acled_row(
            "C2",
            "Protests",
            "Peaceful protest",
            country="Kazakhstan",
            region="Caucasus and Central Asia",
            event_date="not a date",
        ),
        acled_row("C3", "Protests", "Peaceful protest", country="Freedonia", region="Atlantis"),
        acled_row(
            "C4",
            "Protests",
            "Peaceful protest",
            country="Freedonia",
            region="Western Africa",
            event_date="",
        ),
    ]
    result = import_source("acled", write_csv(tmp_path / "places.csv", rows))
    frame = by_id(result)
    assert frame["region"].tolist() == [
        "Europe",  # Georgia: the project's one country-to-region table, regions.csv
        "Central Asia",
        "",
        "Sub-Saharan Africa",
    ]
    assert frame["date"].tolist() == ["2023-01-15", "", "2023-05-06", ""]
    assert frame["country"].tolist() == ["Georgia", "Kazakhstan", "Freedonia", "Freedonia"]
    assert result.counts["unparsed_date"] == 1


def test_acled_rejects_missing_columns_and_repeated_ids(tmp_path):
    record = acled_row("D1", "Protests", "Peaceful protest")
    del record["notes"], record["fatalities"]
    with pytest.raises(
        SchemaError, match="acled import: missing column\\(s\\) 'notes', 'fatalities'"
    ):
        import_source("acled", write_csv(tmp_path / "a.csv", [record]))
    twice = [acled_row("D2", "Protests", "Peaceful protest")] * 2
    with pytest.raises(SchemaError, match="event_id_cnty.*D2"):
        import_source("acled", write_csv(tmp_path / "b.csv", twice))


# --- GTD -----------------------------------------------------------------------------------------


def gtd_row(
    eventid: str,
    attack: str,
    nkill: object = 0,
    nwound: object = 0,
    country: str = "India",
    region: str = "South Asia",
    date: tuple[int, int, int] = (2015, 6, 7),
) -> dict:
    return {
        "eventid": eventid,
        "iyear": date[0],
        "imonth": date[1],
        "iday": date[2],
        "country_txt": country,
        "region_txt": region,
        "summary": f"Synthetic: attack {eventid} on a fictional post",
        "attacktype1_txt": attack,
        "gname": "Synthetic Front",
        "nkill": nkill,
        "nwound": nwound,
    }


def test_gtd_maps_attack_types_and_casualties(tmp_path):
    rows = [
        gtd_row("201501", "Bombing/Explosion", 10, 0),
        gtd_row("201502", "Armed Assault", 9, 0),
        gtd_row("201503", "Assassination", 0, 1),
        gtd_row("201504", "Hostage Taking (Kidnapping)", 0, 0),
        gtd_row("201505", "Hostage Taking (Barricade Incident)", 0, 0),
        gtd_row("201506", "Facility/Infrastructure Attack", 0, 0),
        gtd_row("201507", "Unarmed Assault", "", 2),
        gtd_row("201508", "Unknown", 0, ""),
    ]
    result = import_source("gtd", write_csv(tmp_path / "gtd.csv", rows))
    check_shape(result, len(rows))
    frame = by_id(result)
    assert frame["theme"].tolist() == [
        "terrorism",
        "terrorism",
        "terrorism",
        "kidnapping",
        "kidnapping",
        "insurgency",
        "",
        "",
    ]
    assert frame["risk_level"].tolist() == [
        "critical",
        "high",
        "high",
        "high",
        "high",
        "medium",
        "",
        "medium",
    ]
    assert frame.loc["201501", "src_gname"] == "Synthetic Front"
    assert frame.loc["201501", "date"] == "2015-06-07"
    assert result.counts["no_theme"] == 2
    assert result.counts["no_risk_level"] == 1
    assert result.counts["risk_level"] == {"low": 0, "medium": 2, "high": 4, "critical": 1}


def test_gtd_partial_dates_and_regions(tmp_path):
    rows = [
        gtd_row("1", "Armed Assault", country="Mauritius", date=(1990, 4, 0)),
        gtd_row("2", "Armed Assault", country="Mexico", region="North America", date=(1990, 0, 0)),
        gtd_row("3", "Armed Assault", country="Freedonia", region="Southeast Asia"),
        gtd_row(
            "4",
            "Armed Assault",
            country="Iran",
            region="Middle East & North Africa",
            date=(1990, 2, 30),
        ),
    ]
    frame = by_id(import_source("gtd", write_csv(tmp_path / "places.csv", rows)))
    assert frame["date"].tolist() == ["1990-04", "1990", "2015-06-07", ""]
    assert frame["region"].tolist() == [
        "Sub-Saharan Africa",
        "Latin America & Caribbean",
        "South-East Asia",
        "Middle East & North Africa",
    ]


def test_gtd_rejects_missing_columns(tmp_path):
    record = gtd_row("1", "Armed Assault")
    del record["nwound"], record["attacktype1_txt"]
    with pytest.raises(SchemaError, match="gtd import: .*'attacktype1_txt', 'nwound'"):
        import_source("gtd", write_csv(tmp_path / "a.csv", [record]))


def test_unknown_source_is_rejected(tmp_path):
    assert SOURCES == ("satp", "satp-maoist", "cameo", "acled", "gtd")
    with pytest.raises(SchemaError, match="unknown dataset source 'ucdp'; choose one of satp"):
        import_source("ucdp", tmp_path / "x.csv")


# --- the real datasets in ../shared/datasets ----------------------------------------------------

SATP_ROWS = {
    "satp_all": {"train": 4757, "dev": 1192, "test": 1487},
    "satp_relevant": {"train": 1085, "dev": 232, "test": 233},
}


@pytest.mark.parametrize("subset", ["satp_all", "satp_relevant"])
@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_real_satp_conflibert(subset, split):
    shared = require_shared()
    result = import_source("satp", shared / "satp_conflibert" / subset / f"{split}.csv")
    check_shape(result, SATP_ROWS[subset][split])
    frame = result.frame
    assert (frame["split"] == split).all()
    assert (frame["region"] == "South Asia").all()
    assert result.counts["no_risk_level"] == len(frame)
    # No theme exactly where the source says no event.
    assert result.counts["no_theme"] == int((frame["src_any_event"] == "0").sum())
    if subset == "satp_all":
        assert 0.75 < result.counts["no_theme"] / len(frame) < 0.85  # README: ~80% all-zero
    else:
        assert result.counts["no_theme"] == 0
    assert set(frame["country"]) <= {
        "",
        "India",
        "Pakistan",
        "Nepal",
        "Bangladesh",
        "Afghanistan",
        "Sri Lanka",
    }


def test_real_satp_maoist_matches_readme_risk_counts():
    shared = require_shared()
    result = import_source("satp-maoist", shared / "satp_maoist_india" / "satp_maoist_india.csv")
    check_shape(result, 9920)
    frame = result.frame
    table = pd.crosstab(frame["split"], frame["risk_level"])
    expected = {
        "train": {"medium": 4375, "high": 2751, "critical": 77, "low": 0, "": 2},
        "dev": {"medium": 695, "high": 215, "critical": 5, "low": 0, "": 0},
        "test": {"medium": 1246, "high": 548, "critical": 5, "low": 1, "": 0},
    }
    for split, levels in expected.items():
        for level, count in levels.items():
            got = int(table.loc[split, level]) if level in table.columns else 0
            assert got == count, (split, level)
    assert result.counts["no_risk_level"] == 2  # README: total_fatalities missing for 2 rows
    assert frame["split"].value_counts().to_dict() == {"train": 7205, "test": 1800, "dev": 915}
    assert (frame["country"] == "India").all() and (frame["region"] == "South Asia").all()
    assert result.counts["unparsed_date"] == 0
    flags = {
        "terrorism": "src_bombing",
        "kidnapping": "src_abduction",
    }
    for theme, column in flags.items():
        assert result.counts["theme"][theme] == int((frame[column] == "1").sum())


@pytest.mark.parametrize(("split", "rows"), [("train", 1349), ("test", 451)])
def test_real_cameo(split, rows):
    shared = require_shared()
    result = import_source("cameo", shared / "cameo_penta" / f"{split}.csv")
    check_shape(result, rows)
    frame = result.frame
    names = frame["src_label_name"]
    assert result.counts["no_theme"] == int((names == "material_conflict").sum())
    cooperation = names == "material_cooperation"
    military = frame["src_military_keyword"] == "1"
    assert result.counts["theme"]["security_operations"] == int((cooperation & military).sum())
    assert (
        result.counts["theme"]["politics"]
        + result.counts["theme"]["security_operations"]
        + result.counts["no_theme"]
        == rows
    )
    assert (frame["split"] == split).all()
