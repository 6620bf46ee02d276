"""Adapting a model to a feed: EM prior shift without labels, recalibration with a few."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from riskclf.artifact import load_model
from riskclf.cli import app
from riskclf.feed_calibration import estimate_prior, prior_shift, recalibrate, top_label_ece
from riskclf.served import apply_log_map

runner = CliRunner()


def _posteriors(prior_train, prior_feed, n, seed=0):
    """Rows drawn with the feed's prior; the probabilities a calibrated model trained under
    ``prior_train`` gives them (three 1-D Gaussian classes)."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=prior_feed)
    x = rng.normal(loc=np.array([0.0, 1.5, 3.0])[y], scale=1.0)
    likelihood = np.exp(-0.5 * (x[:, None] - np.array([0.0, 1.5, 3.0])) ** 2)
    joint = likelihood * prior_train
    return joint / joint.sum(axis=1, keepdims=True), y


def test_em_recovers_the_feed_prior():
    train, feed = np.array([0.3, 0.4, 0.3]), np.array([0.7, 0.28, 0.02])
    proba, y = _posteriors(train, feed, 20000)
    estimated, _ = estimate_prior(proba, train)
    np.testing.assert_allclose(estimated, feed, atol=0.02)
    # the shifted probabilities are better calibrated than the model's own
    adapted = apply_log_map(proba, prior_shift(proba, train).matrix)
    assert top_label_ece(adapted, y) < 0.02 < top_label_ece(proba, y)


def test_em_leaves_a_matching_prior_alone():
    train = np.array([0.3, 0.4, 0.3])
    proba, _ = _posteriors(train, train, 20000, seed=1)
    np.testing.assert_allclose(estimate_prior(proba, train)[0], train, atol=0.02)


def test_recalibration_with_labels_is_measured_out_of_fold():
    train, feed = np.array([0.3, 0.4, 0.3]), np.array([0.7, 0.28, 0.02])
    proba, y = _posteriors(train, feed, 400, seed=2)
    adaptation = recalibrate(proba, y)
    report = adaptation.report
    assert report["ece_after_cross_validated"] < report["ece_before"]
    assert report["rows"] == 400 and len(report["labelled_per_level"]) == 3
    adapted = apply_log_map(proba, adaptation.matrix)
    np.testing.assert_allclose(adapted.sum(axis=1), 1.0)


@pytest.fixture
def feed(tmp_path):
    """A feed of the tiny synthetic articles where critical reports are rare."""
    from conftest import make_frame

    frame = make_frame(24)
    rare = frame[frame["risk_level"] == "critical"].head(2)
    feed = pd.concat([frame[frame["risk_level"] != "critical"], rare]).drop(columns="theme")
    path = tmp_path / "feed.csv"
    feed.to_csv(path, index=False)
    return path, feed


def test_calibrate_cli_without_labels(trained, feed, tmp_path):
    _, folder = trained
    path, frame = feed
    out = tmp_path / "adapted"
    done = runner.invoke(app, ["calibrate", str(folder), str(path), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "prior-shift (EM) on" in done.output and "estimated feed prior" in done.output
    before, after = load_model(folder), load_model(out)
    assert after.metadata["feed_calibration"]["method"] == "prior-shift (EM)"
    texts = (frame["title"] + "\n\n" + frame["body"]).tolist()
    p_before = before.model.risk_proba(before.model.transform(texts))
    p_after = after.model.risk_proba(after.model.transform(texts))
    # critical is rare in this feed: the adapted model says so
    assert p_after[:, 3].mean() < p_before[:, 3].mean()
    prior = after.metadata["feed_calibration"]["estimated_prior"]
    np.testing.assert_allclose(p_after.mean(axis=0), prior, atol=1e-3)
    # adapting an adapted model starts again from the unadapted probabilities
    again = tmp_path / "again"
    runner.invoke(app, ["calibrate", str(out), str(path), "--out", str(again)])
    assert load_model(again).metadata["feed_calibration"]["estimated_prior"] == prior


def test_calibrate_cli_with_labels_and_its_errors(trained, feed, tmp_path):
    _, folder = trained
    path, frame = feed
    out = tmp_path / "adapted"
    done = runner.invoke(
        app, ["calibrate", str(folder), str(path), "--labels", str(path), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "recalibration (labels)" in done.output and "cross-validated" in done.output
    bad = frame.assign(risk_level="extreme")
    bad_path = tmp_path / "bad.csv"
    bad.to_csv(bad_path, index=False)
    fresh = tmp_path / "not-written"
    done = runner.invoke(
        app, ["calibrate", str(folder), str(path), "--labels", str(bad_path), "--out", str(fresh)]
    )
    assert done.exit_code == 1 and "levels extreme are not levels the model knows" in done.output
    assert not fresh.exists()
    done = runner.invoke(app, ["calibrate", str(folder), str(path), "--out", str(out)])
    assert done.exit_code == 1 and "already exists" in done.output
