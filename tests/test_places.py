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


def test_regions_cover_every_country():
    import pycountry

    gazetteer = Gazetteer.default()
    missing = [c.alpha_2 for c in pycountry.countries if c.alpha_2 not in gazetteer.regions]
    assert missing == []
