import numpy as np
import pytest
from scipy import sparse

from riskclf.config import TrainConfig
from riskclf.model import (
    HEAD_SETTINGS,
    MultiLabelClassifier,
    MultinomialClassifier,
    OrdinalClassifier,
    RiskModel,
    best_f1_threshold,
)


@pytest.fixture
def ordinal_data():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2, 3], 30)
    X = rng.normal(size=(120, 5)) + y[:, None] * np.array([3.0, 0, 0, 0, 0])
    return sparse.csr_matrix(X), y


@pytest.mark.parametrize("head", [OrdinalClassifier, MultinomialClassifier])
def test_risk_heads_give_a_distribution(head, ordinal_data):
    X, y = ordinal_data
    model = head(n_levels=4).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (120, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all()
    assert (model.predict(X) == y).mean() > 0.7


@pytest.mark.parametrize("head", [OrdinalClassifier, MultinomialClassifier])
def test_absent_level_gets_zero_probability(head, ordinal_data):
    X, y = ordinal_data
    keep = y > 0  # no 'low' rows at all
    proba = head(n_levels=4).fit(X[keep], y[keep]).predict_proba(X)
    assert (proba[:, 0] == 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_ordinal_weights_point_up_the_scale(ordinal_data):
    X, y = ordinal_data
    weights = OrdinalClassifier(n_levels=4).fit(X, y).class_weights()
    assert weights.shape == (4, 5)
    assert weights[3, 0] > 0 and weights[0, 0] < 0


def test_multilabel_thresholds_and_min_labels():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 3))
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0.5, np.zeros(90, dtype=bool)]).astype(int)
    head = MultiLabelClassifier(min_labels=1).fit(sparse.csr_matrix(X), Y)
    assert not head.fitted_[2]  # never-seen label: constant, not fitted
    assert ((0.05 <= head.thresholds_) & (head.thresholds_ <= 0.95)).all()
    chosen = head.predict(sparse.csr_matrix(X))
    assert (chosen.sum(axis=1) >= 1).all()
    assert (chosen[:, 0] == Y[:, 0]).mean() > 0.85


def test_best_f1_threshold_separates_perfectly():
    y = np.array([0, 0, 1, 1])
    proba = np.array([0.1, 0.3, 0.6, 0.9])
    threshold = best_f1_threshold(y, proba)
    assert 0.3 < threshold <= 0.6


def test_model_state_round_trip(tiny_frame, tiny_config):
    from riskclf.training import train_model

    model = train_model(tiny_frame, tiny_config.replace(cv_folds=0)).model
    description, arrays = model.get_state()
    restored = RiskModel.from_state(description, arrays)
    texts = ["rebels ambushed a patrol in Zedtown", "parliament passed a budget"]
    X1, X2 = model.transform(texts), restored.transform(texts)
    assert (X1 != X2).nnz == 0
    np.testing.assert_array_equal(model.risk_proba(X1), restored.risk_proba(X2))
    np.testing.assert_array_equal(model.theme_proba(X1), restored.theme_proba(X2))


@pytest.mark.parametrize(("loss", "nb"), [("svm", False), ("svm", True), ("logistic", True)])
def test_svm_and_nb_heads_fold_into_linear_weights(loss, nb):
    rng = np.random.default_rng(2)
    X = sparse.csr_matrix(np.abs(rng.normal(size=(120, 6))))
    Y = np.column_stack([X[:, 0].toarray().ravel() > 0.8, X[:, 1].toarray().ravel() > 1.0])
    head = MultiLabelClassifier(loss=loss, nb=nb, C=1.0, min_labels=0).fit(X, Y.astype(int))
    proba = head.predict_proba(X)
    assert ((proba >= 0) & (proba <= 1)).all() and proba.std() > 0.1
    # Platt scaling and NB ratios live inside coef_/intercept_: one product and a sigmoid.
    manual = 1 / (1 + np.exp(-(X @ head.coef_.T + head.intercept_)))
    np.testing.assert_allclose(proba, manual, rtol=0, atol=1e-9)
    assert (head.predict(X) == Y).mean() > 0.85


def test_balanced_svm_weighs_up_rare_positives():
    rng = np.random.default_rng(3)
    X = sparse.csr_matrix(np.abs(rng.normal(size=(200, 5))))
    # a rare, noisy label: an unweighted SVM leans towards the negative class
    y = ((X[:, 0].toarray().ravel() + rng.normal(scale=0.5, size=200)) > 1.9).astype(int)
    assert 0.05 < y.mean() < 0.2
    margins = {}
    for balanced in (False, True):
        head = MultiLabelClassifier(loss="svm", C=1.0, svm_balanced=balanced, min_labels=0)
        w, b = head._fit_one(X, y)
        margins[balanced] = np.asarray(X @ w).ravel() + b
    assert (margins[True] > 0).sum() > (margins[False] > 0).sum()
    config = TrainConfig(theme_loss="svm", theme_svm_balanced=True)
    assert RiskModel(config, None, ["a", "b"]).theme_head.svm_balanced


def test_features_read_no_head_setting(tiny_config):
    """--tune shares fitted features among configs that differ only in HEAD_SETTINGS."""
    from riskclf.features import fit_features

    read = set()

    class RecordingConfig:
        def __getattr__(self, name):
            read.add(name)
            return getattr(tiny_config, name)

    assert tiny_config.char_ngrams is not None and tiny_config.casualty_features  # every block
    texts = ["rebels ambushed a patrol in Zedtown", "parliament passed a budget in Zedtown"]
    fit_features(RecordingConfig(), texts).transform(texts)
    assert read and not read & HEAD_SETTINGS
