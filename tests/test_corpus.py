"""The shipped starter corpus: schema, vocabulary, coverage, uniqueness, and its data card."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from riskclf.config import DEFAULT_CORPUS, REGIONS, RISK_LEVELS, THEMES

CARD = Path(__file__).resolve().parents[1] / "data" / "README.md"
COLUMNS = [
    "id",
    "date",
    "country",
    "region",
    "risk_level",
    "theme",
    "split",
    "voice",
    "title",
    "body",
]
# The 660 original articles: a headline and a 60-300-word body each.
LONG_VOICES = {"wire", "local", "statement", "analysis", "feature", "follow_up", "near_miss"}
# The 1,400 rows added to bring in the voices of real feeds; `headline` rows have no body.
SHORT_VOICES = {"log", "protest", "everyday", "press_note", "bulletin", "follow_up_terse"}
# The 330 `q` rows for the quiet side of security feeds (nobody hurt in the new event) and the
# look-alikes where the new event does hurt people; short, like the voices above.
QUIET_VOICES = {"aftermath": 150, "review": 80, "alert": 40, "contrast": 60}
SHORT_VOICES |= set(QUIET_VOICES)
# The 60 `mc` rows: single events with ten to a few hundred dead (critical) in existing voices,
# and tallies of many deaths across a year or many attacks (review, low) to keep them balanced.
MASS_VOICES = {
    "log": 12,
    "wire": 8,
    "press_note": 6,
    "headline": 8,
    "follow_up_terse": 6,
    "contrast": 8,
    "review": 12,
}
VOICES = LONG_VOICES | SHORT_VOICES | {"headline"}


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return pd.read_csv(DEFAULT_CORPUS, dtype=str, keep_default_na=False)


def theme_rows(corpus):
    return corpus["theme"].str.split("|").explode()


def test_schema_and_vocabulary(corpus):
    assert list(corpus.columns) == COLUMNS
    assert corpus["id"].is_unique
    filled = [column for column in COLUMNS if column != "body"]
    assert (corpus[filled] != "").all().all()
    assert set(corpus["voice"]) == VOICES
    # The body may be empty only for headline-only rows, and those have no body at all.
    headline = corpus["voice"] == "headline"
    assert (corpus.loc[~headline, "body"] != "").all()
    assert (corpus.loc[headline, "body"] == "").all()
    assert set(corpus["risk_level"]) <= set(RISK_LEVELS)
    assert set(theme_rows(corpus)) <= set(THEMES)
    assert set(corpus["region"]) <= set(REGIONS)
    assert set(corpus["split"]) == {"train", "test"}
    assert pd.to_datetime(corpus["date"], format="%Y-%m-%d").notna().all()


def test_coverage(corpus):
    assert len(corpus) == 2450
    assert corpus["risk_level"].value_counts().min() >= 300
    themes = theme_rows(corpus).value_counts()
    assert set(themes.index) == set(THEMES) and themes.min() >= 100
    assert corpus["region"].nunique() == len(REGIONS)
    assert (corpus["region"] == "South Asia").mean() >= 0.65
    assert (corpus["split"] == "test").sum() >= 450
    # Every level and every voice appears in both parts of the split (it is stratified).
    assert pd.crosstab(corpus["split"], corpus["risk_level"]).min().min() >= 80
    assert pd.crosstab(corpus["split"], corpus["voice"]).min().min() >= 5


def test_article_shape(corpus):
    body_words = corpus["body"].str.split().str.len()
    words = (corpus["title"] + " " + corpus["body"]).str.split().str.len()
    long_voice = corpus["voice"].isin(LONG_VOICES)
    short_voice = corpus["voice"].isin(SHORT_VOICES)
    bad_long = long_voice & ~body_words.between(60, 300)
    bad_short = short_voice & ~words.between(15, 300)
    assert not bad_long.any(), corpus.loc[bad_long, "id"].tolist()
    assert not bad_short.any(), corpus.loc[bad_short, "id"].tolist()
    # A headline-only row is a whole headline, not a stub (15 words would cut most of them).
    headline_words = corpus.loc[corpus["voice"] == "headline", "title"].str.split().str.len()
    assert headline_words.between(8, 40).all()


def test_no_near_duplicates(corpus):
    vectors = CountVectorizer(ngram_range=(3, 3), token_pattern=r"(?u)\b\w+\b").fit_transform(
        corpus["title"] + " " + corpus["body"]
    )
    similarity = (normalize(vectors) @ normalize(vectors).T).toarray()
    np.fill_diagonal(similarity, 0)
    i, j = np.unravel_index(similarity.argmax(), similarity.shape)
    assert similarity[i, j] <= 0.6, (corpus["id"][i], corpus["id"][j], similarity[i, j])


@pytest.fixture(scope="module")
def follow_up_candidates(corpus) -> np.ndarray:
    """Similarity of each row to the rows that could report the event it follows up."""
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
        corpus["title"] + " " + corpus["body"]
    )
    similarity = (vectors @ vectors.T).toarray()
    days = pd.to_datetime(corpus["date"]).to_numpy().astype("datetime64[D]").astype(int)
    country = corpus["country"].to_numpy(dtype=object)
    close = (country[:, None] == country[None, :]) & (abs(days[:, None] - days[None, :]) <= 30)
    follow_up = (corpus["voice"] == "follow_up_terse").to_numpy()
    # The event report is the most similar row of the same country within 30 days that is not
    # itself a follow-up.
    return np.where(close & ~follow_up[None, :], similarity, 0.0)


def test_follow_ups_share_the_split_of_the_event_they_follow(corpus, follow_up_candidates):
    """A terse follow-up and the report of its event sit on the same side of the split."""
    similarity = follow_up_candidates
    # The `mc` toll updates follow up events the corpus does not report (checked below).
    mass = corpus["id"].str.startswith("mc-")
    rows = np.flatnonzero(((corpus["voice"] == "follow_up_terse") & ~mass).to_numpy())
    assert len(rows) >= 50
    events = similarity[rows].argmax(axis=1)
    assert (similarity[rows, events] >= 0.15).all()
    split, ids = corpus["split"].to_numpy(dtype=object), corpus["id"].to_numpy(dtype=object)
    apart = split[rows] != split[events]
    assert not apart.any(), list(zip(ids[rows[apart]], ids[events[apart]], strict=True))


def test_quiet_feed_rows_keep_their_voices_and_the_casualty_rule(corpus):
    """The `q` rows: their voices, and the new event (not the recalled one) sets the level."""
    quiet = corpus[corpus["id"].str.startswith("q-")]
    assert quiet["voice"].value_counts().to_dict() == QUIET_VOICES
    # Nobody is hurt in the new event of an aftermath, review or alert row, however many
    # deaths it recalls; every contrast row's new event hurts someone.
    calm = quiet[quiet["voice"] != "contrast"]
    assert set(calm["risk_level"]) == {"low", "medium"}
    contrast = quiet[quiet["voice"] == "contrast"]
    assert set(contrast["risk_level"]) == {"high", "critical"}
    # Aftermath and review rows are there because they mention deaths: most name a toll.
    recalling = calm[calm["voice"] != "alert"]
    pattern = r"\b(?:killed|killing|killings|dead|died|deaths|martyred)\b"
    assert recalling["body"].str.contains(pattern).mean() >= 0.7
    # Only the new rows were split at this merge: the 2,060 before them keep 1,546/514.
    first_2060 = ~corpus["id"].str.startswith(("q-", "mc-"))
    assert (corpus.loc[first_2060, "split"] == "test").sum() == 514


def test_mass_casualty_rows_keep_their_voices_and_levels(corpus, follow_up_candidates):
    """The `mc` rows: one event with ten or more dead is critical, a tally of many is low."""
    mass = corpus[corpus["id"].str.startswith("mc-")]
    assert mass["voice"].value_counts().to_dict() == MASS_VOICES
    review = mass["voice"] == "review"
    assert set(mass.loc[review, "risk_level"]) == {"low"}
    assert set(mass.loc[~review, "risk_level"]) == {"critical"}
    # Their toll updates have no event row to share a split with: no row of the same country
    # within 30 days comes near the 0.15 that every older follow-up reaches with its event.
    follow_up = np.flatnonzero((mass["voice"] == "follow_up_terse").to_numpy())
    similarity = follow_up_candidates[mass.index[follow_up]]
    assert len(follow_up) == 6 and similarity.max() < 0.15
    # Split at this merge on their own: the 2,390 rows before them keep 597 test rows.
    assert (corpus.loc[~corpus["id"].str.startswith("mc-"), "split"] == "test").sum() == 597


def test_data_card_states_the_row_total(corpus):
    assert f"**{len(corpus):,} original, news-style articles" in CARD.read_text(encoding="utf-8")


def card_table(name: str) -> dict[str, int]:
    """Parse the two-column count table headed ``| name | rows |`` in the data card."""
    text = CARD.read_text(encoding="utf-8")
    block = re.search(rf"^\| {name} \| rows \|\n\|---\|---\|\n((?:\|.*\n)+)", text, re.M)
    assert block, f"no '{name}' table in {CARD}"
    rows = [line.strip("|").split("|") for line in block.group(1).strip().splitlines()]
    return {k.strip(): int(v) for k, v in rows}


@pytest.mark.parametrize("column", ["risk_level", "theme", "region", "split", "voice"])
def test_data_card_counts_match_the_file(corpus, column):
    actual = theme_rows(corpus) if column == "theme" else corpus[column]
    assert card_table(column) == actual.value_counts().to_dict()


def test_data_card_counts_every_voice():
    assert set(card_table("voice")) == VOICES
