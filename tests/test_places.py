import numpy as np
import pandas as pd
import pytest

from riskclf.places import NO_PLACE, Gazetteer, tag_places
from riskclf.scoring import score_frame


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.default()


def test_province_and_city_give_the_country(gazetteer):
    tag = gazetteer.tag("Gunmen attacked a checkpost near Quetta, the capital of Balochistan.")
    assert (tag.country, tag.country_code, tag.region) == ("Pakistan", "PK", "South Asia")


def test_kabul_is_afghanistan(gazetteer):
    assert gazetteer.tag("A blast shook a market in Kabul on Friday.").country == "Afghanistan"


def test_no_place_is_not_guessed(gazetteer):
    assert gazetteer.tag("Officials said the talks would resume next week.") == NO_PLACE
    assert gazetteer.tag("") == NO_PLACE


def test_where_it_happens_beats_who_acts(gazetteer):
    tag = gazetteer.tag(
        "China will deploy troops to Pakistan for a joint exercise after Chinese engineers were "
        "killed near Karachi airport."
    )
    assert tag.country == "Pakistan"
    assert tag.countries.split("|") == ["Pakistan", "China"]


def test_demonym_is_weaker_than_a_place(gazetteer):
    tag = gazetteer.tag("Indian troops patrolled the outskirts of Kathmandu.")
    assert tag.country == "Nepal" and "India" in tag.countries


def test_dateline_counts(gazetteer):
    tag = gazetteer.tag("DHAKA, March 3 — Police said two Myanmar nationals were arrested.")
    assert tag.country == "Bangladesh"


def test_case_sensitive_short_names(gazetteer):
    assert gazetteer.tag("They told us the road was closed.") == NO_PLACE
    assert gazetteer.tag("US officials met in Washington.").country == "United States"


def test_accents_fold(gazetteer):
    assert (
        gazetteer.tag("Violence in Culiacán").country
        == gazetteer.tag("Violence in Culiacan").country
        == "Mexico"
    )


def test_must_show_examples(gazetteer):
    tag = gazetteer.tag("Two policemen were shot dead in Sukma")
    assert (tag.country, tag.admin1, tag.admin2, tag.place) == (
        "India",
        "Chhattisgarh",
        "Sukma",
        "Sukma",
    )
    assert tag.latitude == pytest.approx(18.3, abs=0.3)
    assert tag.longitude == pytest.approx(81.6, abs=0.3)
    tag = gazetteer.tag("A blast in Turbat")
    assert (tag.country, tag.admin1, tag.place) == ("Pakistan", "Balochistan", "Turbat")
    assert gazetteer.tag("Protesters blocked the highway in Sylhet").country == "Bangladesh"
    tag = gazetteer.tag("Clashes in Hyderabad, Sindh, left two dead.")
    assert (tag.country, tag.admin1, tag.place) == ("Pakistan", "Sindh", "Hyderabad")
    tag = gazetteer.tag("Clashes in Hyderabad, Telangana, left two dead.")
    assert (tag.country, tag.admin1, tag.place) == ("India", "Telangana", "Hyderabad")
    none = gazetteer.tag("Officials said the talks would resume next week.")
    assert none == NO_PLACE
    assert (none.admin1, none.admin2, none.place, none.latitude, none.longitude) == (
        "",
        "",
        "",
        None,
        None,
    )


def test_district_named_after_its_town_and_spelling_variants(gazetteer):
    # GeoNames lists the town but no district of that name: "<town> district" names one
    tag = gazetteer.tag("Maoists killed a villager in Khunti District of Jharkhand.")
    assert (tag.admin1, tag.admin2) == ("Jharkhand", "Khunti")
    # the Indic direction word and the seat's old spelling name the same district
    tag = gazetteer.tag("Cadres torched a truck in West Midnapore District.")
    assert (tag.admin1, tag.admin2) == ("West Bengal", "Paschim Medinipur")
    # a spelling the gazetteer lacks, vouched for by "district"
    tag = gazetteer.tag("Police arrested two cadres in Palamau district.")
    assert (tag.admin1, tag.admin2) == ("Jharkhand", "Palamu")


def test_common_words_and_lower_case_town_names_are_not_places(gazetteer):
    # "Police" (a town in Poland) and "Mission" (Texas) are stop-listed; a small town's
    # name counts only when written with a capital
    assert gazetteer.tag("Police said the mission was over.") == NO_PLACE
    assert gazetteer.tag("a gaya of people") == NO_PLACE
    assert gazetteer.tag("Violence in Gaya").country == "India"


def test_longest_name_wins_and_case_needs_the_text_as_written(gazetteer):
    # "New Delhi" is one name, not "Delhi" after an unknown "New"; an all-ASCII text takes the
    # lower-cased fast path and still reads "US" as written; a non-ASCII word takes the other
    for text in ("Clashes in New Delhi — US envoy", "Clashes in New Delhi — US envoy in Bogotá"):
        tag = gazetteer.tag(text)
        assert tag.country == "India" and "United States" in tag.countries
    assert gazetteer.tag("Clashes in new delhi — us envoy").countries == "India"


def test_lookup_country(gazetteer):
    assert gazetteer.lookup_country("Pakistan") == ("PK", "South Asia")
    assert gazetteer.lookup_country("Nowhere") == ("", "")


def test_tagging_reads_the_shared_runs_as_its_own_tokens(gazetteer):
    from riskclf.tokens import word_runs

    texts = [
        "QUETTA, Jan 3 — a blast in the city of Quetta, Balochistan.",
        "Fighting near Côte d'Ivoire's border and in São Tomé; the US and KP said.",
        "New York and New Delhi; the Gambia; in the Netherlands",
        "",
    ]
    for text, runs in zip(texts, word_runs(texts), strict=True):
        assert gazetteer.tag(text, runs) == gazetteer.tag(text)


def test_tag_places_many():
    assert [t.country for t in tag_places(["in Colombo", "in Jaffna", "no place"])] == [
        "Sri Lanka",
        "Sri Lanka",
        "",
    ]


def test_scoring_keeps_an_input_country(trained):
    model = trained[0].model
    frame = pd.DataFrame(
        {
            "text": ["A blast in Kabul wounded three.", "A blast in Kabul wounded three."],
            "country": ["Pakistan", ""],
        }
    )
    scored = score_frame(model, frame)
    assert scored["country"].tolist() == ["Pakistan", "Afghanistan"]
    assert scored["country_code"].tolist() == ["PK", "AF"]
    assert scored["region"].tolist() == ["South Asia", "South Asia"]
    assert scored["countries"].tolist() == ["Afghanistan", "Afghanistan"]
    # the finer columns come from the text only where they lie in the kept country
    assert scored["place"].tolist() == ["", "Kabul"]
    assert np.isnan(scored["latitude"].iloc[0]) and scored["latitude"].iloc[1] > 30


def test_scoring_adds_the_place_columns(trained):
    from riskclf.scoring import PLACE_COLUMNS, output_columns

    model = trained[0].model
    frame = pd.DataFrame({"text": ["Two policemen were shot dead in Sukma", "No place here."]})
    scored = score_frame(model, frame)
    assert [c for c in output_columns(model) if c in PLACE_COLUMNS] == list(PLACE_COLUMNS)
    first = scored.iloc[0]
    assert (first["country"], first["admin1"], first["admin2"], first["place"]) == (
        "India",
        "Chhattisgarh",
        "Sukma",
        "Sukma",
    )
    assert scored["place"].iloc[1] == "" and np.isnan(scored["longitude"].iloc[1])


def test_the_compiled_trie_is_cached_and_reloaded(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = Gazetteer.default.__wrapped__(Gazetteer)
    assert list((tmp_path / "riskclf").glob("gazetteer-*.marshal"))
    reloaded = Gazetteer.default.__wrapped__(Gazetteer)
    text = "Gunmen attacked a checkpost near Quetta, the capital of Balochistan."
    assert reloaded.tag(text) == built.tag(text)
    assert reloaded.places == built.places


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    gazetteer = Gazetteer.default.__wrapped__(Gazetteer)
    assert gazetteer.tag("A blast in Turbat").country == "Pakistan"


def test_curated_entries_each_have_a_reason():
    from riskclf.gazetteer import read_curated

    rows = read_curated()
    assert rows and all(r["reason"].strip() for r in rows)
    assert {r["kind"] for r in rows} <= {"alias", "demonym", "admin1_alias", "area"}


# The gazetteer the pinned packages build (sha256 of its bytes): the place numbers in
# docs/benchmarks.md were measured on it. A change to the build, the curated file or the
# stop-lists changes it on purpose: then re-run benchmarks/places.py and update this digest.
GAZETTEER_SHA256 = "35c5436921e0be40df9b4bdf24c435bc0ceff98e8266c6b5cc9fe902c2d49e43"


def test_the_gazetteer_is_built_the_same_from_the_pinned_packages(tmp_path, monkeypatch):
    import hashlib

    import riskclf.gazetteer as gz

    data = gz.build()
    assert hashlib.sha256(data).hexdigest() == GAZETTEER_SHA256
    # built once into the cache folder, then read from it
    monkeypatch.setattr("platformdirs.user_cache_dir", lambda *_: str(tmp_path))
    assert gz.gazetteer_data() == data
    cached = list(tmp_path.glob("gazetteer-*.tsv.gz"))
    assert len(cached) == 1
    monkeypatch.setattr(gz, "build", lambda: pytest.fail("built again instead of read"))
    assert gz.gazetteer_data() == data


def test_shipped_stop_lists_are_what_the_word_packages_build():
    pytest.importorskip("english_words", reason="the gazetteer extra is not installed")
    pytest.importorskip("wordfreq", reason="the gazetteer extra is not installed")
    from riskclf.gazetteer import build_words, shipped_path

    for name, data in build_words().items():
        assert data == shipped_path(name).read_bytes(), "run: python -m riskclf.gazetteer"


def test_regions_cover_every_country():
    import pycountry

    gazetteer = Gazetteer.default()
    missing = [c.alpha_2 for c in pycountry.countries if c.alpha_2 not in gazetteer.regions]
    assert missing == []


# Sentences that take each path of the tagger's word-by-word reading (a one-word name in any
# case or with a capital, a mixed reading written in lower case and said twice, a word that
# only starts or ends longer names, "New Delhi" filed under "delhi", "US" as written, an
# all-capitals dateline, accents, a "<name> district" spelling the gazetteer lacks), with the
# tags the tagger gave before its fast paths were added (commit f542866 and on keep them).
FAST_PATH_TAGS = [
    (
        "Clashes in New Delhi — US envoy",
        ("India", "India|United States", "Delhi", "North West Delhi", "Delhi"),
    ),
    (
        "kabul and kabul again, said the man from Kabul",
        ("Afghanistan", "Afghanistan", "Kabul", "", "Kabul"),
    ),
    (
        "Three Rivers police and the three villages near Quetta",
        ("Pakistan", "Pakistan", "Balochistan", "Quetta", "Quetta"),
    ),
    (
        "QUETTA, Jan 3 — a blast in the city; Karachi traders protested.",
        ("Pakistan", "Pakistan", "Balochistan", "Quetta", "Quetta"),
    ),
    (
        "Police arrested two cadres in Palamau district and one in Bogotá.",
        ("Colombia", "Colombia|India", "Bogota D.C.", "Bogota  D.C.", "Bogota"),
    ),
    (
        "us and US officials in Washington",
        ("United States", "United States", "Washington", "", "Washington"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), FAST_PATH_TAGS)
def test_fast_paths_keep_the_tags(gazetteer, text, expected):
    tag = gazetteer.tag(text)
    assert (tag.country, tag.countries, tag.admin1, tag.admin2, tag.place) == expected


def test_first_words_are_no_dateline_and_a_lone_small_town_in_another_state_is_a_stray(
    gazetteer,
):
    # "Barla" (a town in Rajasthan) is the constable's name: among the first words it once
    # took a dateline's weight; now only "Ranchi" backs a state, so Barla is a stray
    tag = gazetteer.tag(
        "Constable Ravi Barla was shot at a wedding in a village of Ranchi District."
    )
    assert (tag.admin1, tag.admin2, tag.place) == ("Jharkhand", "Ranchi", "Ranchi")


def test_another_name_of_a_foreign_town_is_a_stray_and_a_named_district_never_is(gazetteer):
    # "Markam" and "Praja" are other names of Markham (Canada) and Praia (Cabo Verde); the
    # district named with its unit word keeps its full weight
    for text in (
        "A trader, Sunil Markam, was shot dead in Sukma District on Monday.",
        "Praja Seva members marched to the collectorate in Sukma District.",
    ):
        tag = gazetteer.tag(text)
        assert (tag.country, tag.admin1, tag.admin2) == ("India", "Chhattisgarh", "Sukma")
