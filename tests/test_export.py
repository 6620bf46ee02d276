"""Fit with scikit-learn, serve with numpy: the served model must give the fitted pipeline's
probabilities exactly (within 1e-9), on the starter corpus and on real reporting."""

import numpy as np
import pandas as pd
import pytest
from conftest import make_frame, require_shared

from riskclf.config import DEFAULT_CORPUS, TrainConfig
from riskclf.export import export_model
from riskclf.schema import TextColumns, get_texts
from riskclf.served import RiskModel
from riskclf.training import _prepare, fit_model


def _fitted(frame: pd.DataFrame, config: TrainConfig):
    table, risk_levels, theme_labels, _ = _prepare(
        frame, config, TextColumns(), "risk_level", "theme", "split"
    )
    return fit_model(table, config, risk_levels, theme_labels)


def _assert_served_equals_fitted(fitted, texts):
    served = export_model(fitted)
    X = served.transform(texts)
    if fitted.risk_head is not None:
        expected = np.zeros((len(texts), len(fitted.risk_levels)))
        head = fitted.risk_head
        expected[:, head.classes_] = fitted.pipeline("risk").predict_proba(texts)
        np.testing.assert_allclose(served.risk_proba(X), expected, rtol=0, atol=1e-9)
    if fitted.theme_head is not None:
        expected = fitted.pipeline("theme").predict_proba(texts)
        np.testing.assert_allclose(served.theme_proba(X), expected, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(
            served.theme_head.decide(served.theme_proba(X)),
            fitted.pipeline("theme").predict(texts),
        )
    # and through a model file's arrays
    restored = RiskModel.from_state(*served.get_state())
    X2 = restored.transform(texts)
    if fitted.risk_head is not None:
        np.testing.assert_array_equal(restored.risk_proba(X2), served.risk_proba(X))
    return served


@pytest.fixture(scope="module")
def starter_fit():
    """The default config fitted on the starter corpus's training rows."""
    frame = pd.read_csv(DEFAULT_CORPUS, dtype=str, keep_default_na=False)
    frame = frame[frame["split"] == "train"].drop(columns="split")
    return _fitted(frame, TrainConfig()), frame


def test_served_default_model_equals_the_fitted_pipeline_on_the_starter_corpus(starter_fit):
    fitted, _ = starter_fit
    corpus = pd.read_csv(DEFAULT_CORPUS, dtype=str, keep_default_na=False)
    texts = get_texts(corpus).tolist()
    _assert_served_equals_fitted(fitted, texts + ["", "x", "Two killed.", "Ünïcödé — ½"])


@pytest.mark.slow
def test_served_default_model_equals_the_fitted_pipeline_on_real_reporting(starter_fit):
    shared = require_shared()
    fitted, _ = starter_fit
    maoist = pd.read_csv(shared / "satp_maoist_india" / "satp_maoist_india.csv", dtype=str)
    satp = pd.read_csv(shared / "satp_conflibert" / "satp_all" / "test.csv", dtype=str)
    texts = maoist["text"].dropna().sample(800, random_state=0).tolist()
    texts += satp["text"].dropna().sample(800, random_state=0).tolist()
    _assert_served_equals_fitted(fitted, texts)


@pytest.mark.parametrize(
    "changes",
    [
        {"risk_model": "ordinal", "theme_loss": "svm", "theme_nb": True, "C_theme": 0.3},
        {"risk_calibration": "none", "char_ngrams": (2, 4), "theme_loss": "svm"},
        {"risk_class_weight": "none", "theme_threshold": 0.4, "word_ngrams": (1, 3)},
        {"risk_model": "ordinal", "risk_calibration": "none", "casualty_features": False},
    ],
)
def test_every_head_and_block_is_served_exactly(changes):
    config = TrainConfig(min_df=1, cv_folds=0, seed=7).replace(**changes)
    frame = make_frame()
    fitted = _fitted(frame, config)
    texts = (frame["title"] + "\n\n" + frame["body"]).tolist() + ["rebels ambushed a convoy"]
    _assert_served_equals_fitted(fitted, texts)


def test_two_risk_levels_are_served_exactly():
    frame = make_frame()
    frame = frame[frame["risk_level"].isin(["low", "critical"])]
    for model in ("multinomial", "ordinal"):
        config = TrainConfig(min_df=1, cv_folds=0, risk_model=model)
        fitted = _fitted(frame.drop(columns="theme"), config)
        served = _assert_served_equals_fitted(fitted, frame["body"].tolist())
        proba = served.risk_proba(served.transform(frame["body"].tolist()))
        assert (proba[:, [1, 2]] == 0).all()  # levels never seen get probability 0


def test_the_any_theme_gate_is_served_exactly():
    frame = make_frame()
    frame.loc[frame["risk_level"] == "low", "theme"] = ""  # a quarter of the rows: no theme
    config = TrainConfig(
        min_df=1, cv_folds=0, blank_themes="none", min_themes=0, theme_gate=True, seed=7
    )
    fitted = _fitted(frame, config)
    assert fitted.theme_head.gate_ is not None
    texts = (frame["title"] + "\n\n" + frame["body"]).tolist()
    served = _assert_served_equals_fitted(fitted, texts)
    assert len(served.theme_head.gate_) == served.theme_head.coef_.shape[1] + 1
    # rows without a theme get low probabilities for every theme
    proba = served.theme_proba(served.transform(texts))
    low = (frame["risk_level"] == "low").to_numpy()
    assert proba[low].max(axis=1).mean() < proba[~low].max(axis=1).mean()
