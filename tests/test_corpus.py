"""The shipped starter corpus: schema, vocabulary, coverage, uniqueness, and its data card."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer
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


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return pd.read_csv(DEFAULT_CORPUS, dtype=str, keep_default_na=False)


def theme_rows(corpus):
    return corpus["theme"].str.split("|").explode()


def test_schema_and_vocabulary(corpus):
    assert list(corpus.columns) == COLUMNS
    assert corpus["id"].is_unique
    assert (corpus[COLUMNS] != "").all().all()
    assert set(corpus["risk_level"]) <= set(RISK_LEVELS)
    assert set(theme_rows(corpus)) <= set(THEMES)
    assert set(corpus["region"]) <= set(REGIONS)
    assert set(corpus["split"]) == {"train", "test"}
    assert pd.to_datetime(corpus["date"], format="%Y-%m-%d").notna().all()


def test_coverage(corpus):
    assert len(corpus) >= 600
    assert corpus["risk_level"].value_counts().min() >= 80
    themes = theme_rows(corpus).value_counts()
    assert set(themes.index) == set(THEMES) and themes.min() >= 40
    assert corpus["region"].nunique() >= 8
    assert (corpus["region"] == "South Asia").mean() >= 0.40
    assert (corpus["split"] == "test").sum() >= 150
    # Every level appears in both parts of the split (it is stratified).
    assert pd.crosstab(corpus["split"], corpus["risk_level"]).min().min() > 0


def test_article_shape(corpus):
    words = corpus["body"].str.split().str.len()
    assert words.between(60, 300).all(), corpus.loc[~words.between(60, 300), "id"].tolist()


def test_no_near_duplicates(corpus):
    vectors = CountVectorizer(ngram_range=(3, 3), token_pattern=r"(?u)\b\w+\b").fit_transform(
        corpus["title"] + " " + corpus["body"]
    )
    similarity = (normalize(vectors) @ normalize(vectors).T).toarray()
    np.fill_diagonal(similarity, 0)
    i, j = np.unravel_index(similarity.argmax(), similarity.shape)
    assert similarity[i, j] <= 0.6, (corpus["id"][i], corpus["id"][j], similarity[i, j])


def card_table(name: str) -> dict[str, int]:
    """Parse the two-column count table headed ``| name | rows |`` in the data card."""
    text = CARD.read_text(encoding="utf-8")
    block = re.search(rf"^\| {name} \| rows \|\n\|---\|---\|\n((?:\|.*\n)+)", text, re.M)
    assert block, f"no '{name}' table in {CARD}"
    rows = [line.strip("|").split("|") for line in block.group(1).strip().splitlines()]
    return {k.strip(): int(v) for k, v in rows}


@pytest.mark.parametrize("column", ["risk_level", "theme", "region", "split"])
def test_data_card_counts_match_the_file(corpus, column):
    actual = theme_rows(corpus) if column == "theme" else corpus[column]
    assert card_table(column) == actual.value_counts().to_dict()
