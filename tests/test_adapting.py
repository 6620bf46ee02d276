"""Training on a base corpus plus a user's labels: checks, theme sources, weights, held-out
rows never fitted, and the sources in the model card."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_CONFIG, make_frame

import riskclf.adapting as adapting
from riskclf.adapting import (
    adapt_model,
    candidate_weights,
    choose_weight,
    cross_validate_feed,
    fit_adapted,
    prepare_adaptation,
    read_feed_labels,
)
from riskclf.card import render_model_card
from riskclf.errors import ConfigError, SchemaError
from riskclf.export import export_model

CONFIG = TINY_CONFIG.replace(cv_folds=0)


def base_frame() -> pd.DataFrame:
    """The tiny frame with every fourth row held out as the base's test split."""
    frame = make_frame(12)
    frame["split"] = ["test" if i % 4 == 0 else "train" for i in range(len(frame))]
    return frame


def feed_labels(rows_per_class: int = 6) -> pd.DataFrame:
    """A synthetic labelled feed in another voice: one-line logs with a new place."""
    frame = make_frame(rows_per_class)
    frame["id"] = [f"feed-{i:03d}" for i in range(len(frame))]
    frame["text"] = "LOG Harbourside: " + frame["body"].str.split(". ", regex=False).str[0]
    return frame.drop(columns=["title", "body"])


def test_read_feed_labels_counts_unlabelled_rows_and_reads_none():
    labels = feed_labels()
    labels.loc[:3, ["risk_level", "theme"]] = None
    labels.loc[4, ["risk_level", "theme"]] = (None, "none")
    table, unlabelled = read_feed_labels(labels, CONFIG)
    assert unlabelled == 4
    assert len(table) == len(labels) - 4
    assert table.themes[table.ids.index("feed-004")] == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(risk_level=None, theme=None), "none of the 24 rows has a"),
        (lambda f: f.drop(columns=["risk_level", "theme"]), "no label column"),
        (lambda f: f.assign(id="same"), "ids occur more than once in the labels"),
        (lambda f: f.assign(risk_level="severe"), "labels outside the declared set"),
    ],
)
def test_bad_labels_are_refused(change, message):
    with pytest.raises(SchemaError, match=message):
        read_feed_labels(change(feed_labels()), CONFIG)


def test_ids_shared_with_the_base_are_refused():
    labels = feed_labels()
    labels.loc[0, "id"] = base_frame()["id"][1]
    with pytest.raises(SchemaError, match="1 ids of the labels are also ids of the base"):
        prepare_adaptation(base_frame(), labels, CONFIG)


def test_theme_source_follows_the_label_sets():
    shared = prepare_adaptation(base_frame(), feed_labels(), CONFIG)
    assert shared.theme_source == "base+feed"
    assert shared.holdout is not None and len(shared.holdout) == 12

    own = feed_labels().assign(theme=lambda f: np.where(f.index % 2, "raid", "blast"))
    data = prepare_adaptation(base_frame(), own, CONFIG)
    assert data.theme_source == "feed" and data.theme_labels == ["blast", "raid"]
    model = export_model(fit_adapted(data, 1))
    assert model.theme_labels == ("blast", "raid") and model.risk_levels is not None

    none = prepare_adaptation(base_frame(), feed_labels().drop(columns=["theme"]), CONFIG)
    assert none.theme_source == "base"


def test_held_out_base_rows_are_never_fitted():
    data = prepare_adaptation(base_frame(), feed_labels(), CONFIG)
    fitted = fit_adapted(data, 3)
    held = set(data.holdout.ids)
    for part, ids in fitted.fit_ids.items():
        assert not held & set(ids), part
        assert set(data.feed.ids) <= set(ids), part


def test_weight_pulls_the_model_towards_the_feed_labels():
    labels = feed_labels()
    # the feed disagrees with the base: its arrest logs are "high"
    changed = labels["risk_level"] == "medium"
    labels.loc[changed, "risk_level"] = "high"
    data = prepare_adaptation(base_frame(), labels, CONFIG)
    texts = labels.loc[changed, "text"].tolist()
    high = list(data.risk_levels).index("high")

    def p_high(weight):
        model = export_model(fit_adapted(data, weight))
        return model.risk_proba(model.transform(texts))[:, high].mean()

    assert p_high(10) > p_high(1) + 0.05


def test_candidate_weights_never_let_the_feed_swamp_the_base():
    data = prepare_adaptation(base_frame(), feed_labels(), CONFIG)
    # 36 base rows, 24 feed rows: weight w counts as 24 w rows; at most 2 x 36 = 72
    assert candidate_weights(data, (1, 3, 10, 30)) == (1, 3)
    with pytest.raises(ConfigError, match="whole numbers >= 1"):
        candidate_weights(data, (0, 2))


def test_cross_validation_never_fits_the_rows_it_scores(monkeypatch):
    data = prepare_adaptation(base_frame(), feed_labels(), CONFIG)
    fitted_rows, scored_parts = [], {}
    real_fit, real_score = adapting.fit_adapted, adapting._score_feed

    def recording_fit(data, weight, *, feed_rows=None, **kwargs):
        fitted = real_fit(data, weight, feed_rows=feed_rows, **kwargs)
        fitted_rows.append(set(fitted.fit_ids["features"]))
        return fitted

    def recording_score(data, head, parts):
        scored_parts[len(scored_parts)] = [val for val, _ in parts]
        return real_score(data, head, parts)

    monkeypatch.setattr(adapting, "fit_adapted", recording_fit)
    monkeypatch.setattr(adapting, "_score_feed", recording_score)
    scores = cross_validate_feed(data, (1, 3), head="risk", fractions=(0.5, 1.0), folds=3)
    # 3 folds x 2 shares x 2 weights; every (share, weight) scores each feed row once
    assert len(fitted_rows) == 12 and len(scored_parts) == 4
    for held_out in scored_parts.values():
        assert sorted(np.concatenate(held_out)) == list(range(len(data.feed)))
    for fold, held_out in enumerate(scored_parts[0]):
        held_ids = {data.feed.ids[i] for i in held_out}
        for fit in fitted_rows[4 * fold : 4 * fold + 4]:
            assert not held_ids & fit
    low, high = scores.fitted_feed_rows[0.5], scores.fitted_feed_rows[1.0]
    assert (1.0, 3) in scores.scores and low < high


def test_choose_weight_takes_the_lowest_brier_and_says_how():
    data = prepare_adaptation(base_frame(), feed_labels(), CONFIG)
    choice = choose_weight(data, (1, 3, 10))
    assert [c["weight"] for c in choice.candidates] == [1, 3]
    best = min(choice.candidates, key=lambda c: c["brier"])
    assert choice.weight == best["weight"]
    assert "3-fold cross-validation on 24 labelled rows" in choice.how


def test_too_few_rows_take_the_middle_weight():
    data = prepare_adaptation(base_frame(), feed_labels().head(8), CONFIG)
    choice = choose_weight(data, (1, 3, 10))
    assert choice.weight == 3 and "too few to validate on" in choice.how


def test_adapt_model_reports_both_sources_in_the_card():
    result = adapt_model(base_frame(), feed_labels(), CONFIG)
    a = result.adaptation
    assert (a["base_rows"], a["base_holdout_rows"], a["feed_rows"]) == (36, 12, 24)
    assert result.metrics["holdout"]["risk_level"]["n"] == 12
    card = render_model_card(
        {"training_data": result.data, "adaptation": {"base_source": "base.csv", **a}}
    )
    assert "| base corpus (base.csv) | 36 | 12 | 1 |" in card
    assert f"| your labels | 24 | 0 | {a['feed_weight']} |" in card
