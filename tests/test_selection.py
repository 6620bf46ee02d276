"""Choosing rows to label: uncertainty, diversity, skipping, determinism, option checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_frame

from riskclf.errors import ConfigError, SchemaError
from riskclf.selection import (
    NEAR_DUPLICATE,
    labelled_rows,
    risk_uncertainty,
    suggest_rows,
    theme_uncertainty,
    uncertainty,
)


def feed_frame() -> pd.DataFrame:
    """A synthetic feed: the tiny frame's sentences under new ids and places, unlabelled."""
    frame = make_frame(10)
    frame["id"] = [f"feed-{i:03d}" for i in range(len(frame))]
    frame["body"] = frame["body"].str.replace("Zedtown", "Harbourside")
    return frame.drop(columns=["risk_level", "theme"])


def test_risk_uncertainty_is_one_minus_the_margin():
    proba = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.6, 0.3, 0.1]])
    assert risk_uncertainty(proba) == pytest.approx([0.0, 1.0, 0.7])


def test_theme_uncertainty_is_closeness_to_the_threshold():
    proba = np.array([[0.3, 0.0], [0.0, 1.0], [0.65, 0.1]])
    thresholds = np.array([0.3, 0.5])
    # row 0 sits on a threshold; row 1 is certain both ways; row 2: (1-0.65)/(1-0.3) = 0.5 left
    assert theme_uncertainty(proba, thresholds) == pytest.approx([1.0, 0.0, 0.5])


def test_uncertainty_restricted_to_some_themes(trained):
    model = trained[0].model
    X = model.transform(feed_frame()["body"].tolist())
    one = uncertainty(model, X, "theme", ["politics"])
    column = list(model.theme_labels).index("politics")
    expected = theme_uncertainty(
        model.theme_proba(X)[:, [column]], model.theme_head.thresholds_[[column]]
    )
    assert one == pytest.approx(expected)
    with pytest.raises(ConfigError, match="themes not known to the model: weather"):
        uncertainty(model, X, "theme", ["weather"])


def test_suggest_is_deterministic_and_skips_labelled_ids(trained):
    model, feed = trained[0].model, feed_frame()
    first = suggest_rows(model, feed, 8, seed=3)
    again = suggest_rows(model, feed, 8, seed=3)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    assert len(first.frame) == 8 and first.frame["id"].is_unique
    skipped = suggest_rows(model, feed, 8, seed=3, labelled_ids=first.frame["id"])
    assert not set(skipped.frame["id"]) & set(first.frame["id"])
    assert skipped.counts["already_labelled"] == 8


def test_suggest_output_has_guesses_and_empty_label_columns(trained):
    model = trained[0].model
    out = suggest_rows(model, feed_frame(), 5, seed=0).frame
    levels = [f"p_{lv}" for lv in model.risk_levels]
    assert {"id", "text", "guess_risk_level", "guess_theme", "uncertainty", *levels} <= set(out)
    assert (out["risk_level"] == "").all() and (out["theme"] == "").all()
    assert np.allclose(out[levels].sum(axis=1), 1.0, atol=1e-3)
    # most uncertain first
    assert out["uncertainty"].is_monotonic_decreasing


def test_active_picks_more_uncertain_rows_than_random(trained):
    model, feed = trained[0].model, feed_frame()
    active = suggest_rows(model, feed, 6, seed=1, pool_factor=2)
    random = [suggest_rows(model, feed, 6, seed=s, strategy="random") for s in range(5)]
    assert active.frame["uncertainty"].mean() > np.mean(
        [r.frame["uncertainty"].mean() for r in random]
    )


def test_no_two_near_duplicates_are_chosen(trained):
    model = trained[0].model
    feed = feed_frame()
    copies = feed.copy()
    copies["id"] = copies["id"] + "-copy"
    copies["body"] = copies["body"] + " Police said."  # near-, not exact, duplicates
    both = pd.concat([feed, copies], ignore_index=True)
    out = suggest_rows(model, both, 20, seed=0, strategy="uncertainty").frame
    X = model.transform(out["text"].tolist())
    X = X.multiply(1 / np.sqrt(X.multiply(X).sum(axis=1))).tocsr()
    similarity = (X @ X.T).toarray()
    np.fill_diagonal(similarity, 0)
    assert similarity.max() < NEAR_DUPLICATE


def test_exact_repeats_and_empty_texts_are_skipped_and_counted(trained):
    model = trained[0].model
    feed = feed_frame().head(6)
    extra = pd.DataFrame(
        {"id": ["rep", "empty"], "title": [feed["title"][0], ""], "body": [feed["body"][0], ""]}
    )
    result = suggest_rows(model, pd.concat([feed, extra], ignore_index=True), 10, seed=0)
    assert result.counts["repeated_text"] == 1 and result.counts["unscorable"] == 1
    assert "rep" not in set(result.frame["id"]) and "empty" not in set(result.frame["id"])
    assert result.counts["chosen"] + result.counts["near_duplicates_skipped"] == 6


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n": 0}, "n must be a positive number of rows"),
        ({"head": "place"}, "head must be one of both, risk, theme"),
        ({"strategy": "greedy"}, "strategy must be one of active, uncertainty, random"),
        ({"pool_factor": 0}, "pool_factor must be at least 1"),
    ],
)
def test_bad_options_are_refused(trained, options, message):
    kwargs = {"n": 3, **options}
    with pytest.raises(ConfigError, match=message):
        suggest_rows(trained[0].model, feed_frame(), **kwargs)


def test_repeated_feed_ids_are_refused(trained):
    feed = feed_frame()
    feed.loc[1, "id"] = feed.loc[0, "id"]
    with pytest.raises(SchemaError, match="1 ids occur more than once"):
        suggest_rows(trained[0].model, feed, 3)


def test_labelled_rows_collects_ids_texts_and_themes():
    labels = pd.DataFrame(
        {"id": ["a", "b"], "text": ["one text", "two text"], "theme": ["crime|politics", "none"]}
    )
    known = labelled_rows([labels])
    assert known.ids == ["a", "b"] and known.texts == ["one text", "two text"]
    assert known.themes == {"crime", "politics"}
    with pytest.raises(SchemaError, match="a label file has no 'id' column"):
        labelled_rows([labels.drop(columns=["id"])])
