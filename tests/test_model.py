"""The unfitted heads built from a config, and the served model's heads."""

import numpy as np
import pytest

from riskclf.config import TrainConfig
from riskclf.model import HEAD_SETTINGS, build_risk_head, build_theme_head
from riskclf.served import RiskModel, ServedRiskHead, decide_themes, ordinal_proba


def test_heads_are_built_from_the_config():
    config = TrainConfig(
        risk_model="ordinal",
        C_risk=4.0,
        risk_class_weight="none",
        risk_calibration="none",
        theme_loss="svm",
        theme_nb=True,
        C_theme=0.3,
        theme_svm_balanced=True,
        min_themes=0,
        seed=3,
    )
    risk = build_risk_head(config).get_params()
    assert risk == {
        "model": "ordinal",
        "C": 4.0,
        "class_weight": None,
        "calibration": "none",
        "cv": 3,
        "random_state": 3,
    }
    theme = build_theme_head(config).get_params()
    assert theme["loss"] == "svm" and theme["nb"] and theme["C"] == 0.3
    assert theme["class_weight"] == "balanced" and theme["min_labels"] == 0
    # the defaults: class-balanced, calibrated risk levels; balanced logistic themes
    assert build_risk_head(TrainConfig()).get_params()["class_weight"] == "balanced"
    assert build_risk_head(TrainConfig()).get_params()["calibration"] == "sigmoid"
    assert build_theme_head(TrainConfig()).get_params()["class_weight"] == "balanced"
    assert build_theme_head(TrainConfig(theme_loss="svm")).get_params()["class_weight"] is None


def test_features_read_no_head_setting(tiny_config):
    """--tune fits features once per feature candidate and then varies HEAD_SETTINGS only."""
    from riskclf.features import build_features

    read = set()

    class RecordingConfig:
        def __getattr__(self, name):
            read.add(name)
            return getattr(tiny_config, name)

    assert tiny_config.char_ngrams is not None and tiny_config.casualty_features  # every block
    texts = ["rebels ambushed a patrol in Zedtown", "parliament passed a budget in Zedtown"]
    build_features(RecordingConfig()).fit_transform(texts)
    assert read and not read & HEAD_SETTINGS


def test_ordinal_proba_is_a_distribution_even_when_scores_cross():
    scores = np.array([[2.0, 3.0, -1.0], [-5.0, 0.0, 4.0]])  # not decreasing: must not go < 0
    proba = ordinal_proba(scores)
    assert proba.shape == (2, 4) and (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_served_risk_head_puts_absent_levels_at_zero():
    head = ServedRiskHead(
        "multinomial",
        4,
        coef_=np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]),
        intercept_=np.zeros(3),
        classes_=np.array([1, 2, 3]),
        calibration_=np.zeros((0, 2)),
    )
    proba = head.predict_proba(np.array([[2.0, 0.0], [0.0, 0.0]]))
    assert (proba[:, 0] == 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert head.class_weights().shape == (4, 2) and (head.class_weights()[0] == 0).all()


def test_decide_themes_keeps_thresholds_and_min_labels():
    proba = np.array([[0.9, 0.1, 0.2], [0.1, 0.2, 0.3]])
    thresholds = np.array([0.5, 0.5, 0.5])
    np.testing.assert_array_equal(decide_themes(proba, thresholds, 0), [[1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(decide_themes(proba, thresholds, 1), [[1, 0, 0], [0, 0, 1]])


def test_model_state_round_trip(trained):
    result, _ = trained
    model = result.model
    description, arrays = model.get_state()
    restored = RiskModel.from_state(description, arrays)
    texts = ["rebels ambushed a patrol in Zedtown", "parliament passed a budget"]
    X1, X2 = model.transform(texts), restored.transform(texts)
    assert (X1 != X2).nnz == 0
    np.testing.assert_array_equal(model.risk_proba(X1), restored.risk_proba(X2))
    np.testing.assert_array_equal(model.theme_proba(X1), restored.theme_proba(X2))


def test_a_model_needs_a_head_for_each_label_order(trained):
    result, _ = trained
    model = result.model
    with pytest.raises(ValueError, match="each head needs its labels"):
        RiskModel(model.config, model.risk_levels, None, model.features, None, model.theme_head)
