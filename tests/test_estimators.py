"""riskclf's own estimators: the scikit-learn API, and the learning each must do."""

import numpy as np
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from riskclf.estimators import (
    THRESHOLD_GRID,
    NBScaler,
    OrdinalClassifier,
    RiskClassifier,
    ThemeClassifier,
    best_f1_threshold,
)

_NB_FAILS = (
    "check_fit_score_takes_y",
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit",
    "check_estimator_sparse_tag",
    "check_estimator_sparse_array",
    "check_estimator_sparse_matrix",
    "check_f_contiguous_array_estimator",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1sample",
    "check_dict_unchanged",
    "check_fit2d_predict1d",
    "check_dtype_object",
)


def _expected_failures(estimator):
    if isinstance(estimator, NBScaler):
        # the NB log-count ratio is defined for two classes: these checks fit it on a
        # multi-class target (or one sample), which it refuses with a ValueError
        return dict.fromkeys(_NB_FAILS, "NBScaler needs a binary target")
    # class weights are "balanced" or None: the heads take no per-class dict
    return {"check_class_weight_classifiers": "class_weight is 'balanced' or None"}


@parametrize_with_checks(
    [
        OrdinalClassifier(C=1.0),
        RiskClassifier(C=1.0),
        RiskClassifier(calibration="none"),
        NBScaler(),
    ],
    expected_failed_checks=_expected_failures,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def _blobs(n_per_class, centres, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    X = np.vstack(
        [
            rng.normal(c, scale, size=(n, len(c)))
            for n, c in zip(n_per_class, centres, strict=False)
        ]
    )
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    return X, y


@pytest.mark.parametrize(
    ("estimator", "message"),
    [
        (RiskClassifier(model="bogus"), "'model' parameter of RiskClassifier must be a str among"),
        (RiskClassifier(calibration="platt"), "'calibration' parameter"),
        (ThemeClassifier(loss="svn"), "'loss' parameter of ThemeClassifier must be a str among"),
        (ThemeClassifier(threshold=1.5), "'threshold' parameter"),
        (OrdinalClassifier(C=-1), "'C' parameter of OrdinalClassifier"),
    ],
)
def test_a_misspelt_setting_is_an_error_not_a_fallback(estimator, message):
    X, y = _blobs([20, 20], [[0, 0], [2, 2]])
    Y = np.column_stack([y, 1 - y])
    with pytest.raises(InvalidParameterError, match=message):
        estimator.fit(X, Y if isinstance(estimator, ThemeClassifier) else y)


def test_theme_classifier_clones_and_sets_params():
    head = ThemeClassifier(loss="svm", nb=True, C=0.3, min_labels=0)
    copy = clone(head)
    assert copy.get_params() == head.get_params()
    assert copy.set_params(C=2.0).C == 2.0 and head.C == 0.3


def test_ordinal_probabilities_are_a_distribution_and_weights_point_up():
    X, y = _blobs([30, 30, 30, 30], [[0, 0], [3, 0], [6, 0], [9, 0]])
    model = OrdinalClassifier().fit(X, y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba >= 0).all() and (model.predict(X) == y).mean() > 0.8
    assert (model.coef_[:, 0] > 0).all()


def test_class_weighting_lifts_minority_recall():
    # an overlapping three-class problem where one class is 4% of the rows
    X, y = _blobs([500, 500, 40], [[0, 0], [2.5, 0], [1.25, 1.2]], scale=1.0)
    X_new, y_new = _blobs([500, 500, 40], [[0, 0], [2.5, 0], [1.25, 1.2]], seed=1)
    recall = {}
    for weight in ("balanced", None):
        head = RiskClassifier(class_weight=weight, calibration="none", random_state=0).fit(X, y)
        recall[weight] = (head.predict(X_new)[y_new == 2] == 2).mean()
    assert recall["balanced"] > recall[None] + 0.3


def _ece(proba: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Class-wise expected calibration error: per class, the binned gap between the predicted
    probability and the observed rate, averaged over classes."""
    edges = np.linspace(0, 1, bins + 1)
    per_class = []
    for k in range(proba.shape[1]):
        p, hit = proba[:, k], (y == k)
        bin_of = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
        gap = sum(
            (bin_of == b).mean() * abs(hit[bin_of == b].mean() - p[bin_of == b].mean())
            for b in range(bins)
            if (bin_of == b).any()
        )
        per_class.append(gap)
    return float(np.mean(per_class))


def test_calibration_bounds_the_error_that_class_weighting_causes():
    # Class weights pull the probabilities towards a uniform prior; on a skewed problem
    # (80/15/5) that is badly calibrated. The sigmoid calibration on out-of-fold responses
    # must bring it back.
    centres = [[0, 0], [1.5, 0], [0.75, 1.0]]
    X, y = _blobs([1600, 300, 100], centres)
    X_new, y_new = _blobs([1600, 300, 100], centres, seed=2)
    calibrated = RiskClassifier(random_state=0).fit(X, y)
    raw = RiskClassifier(calibration="none", random_state=0).fit(X, y)
    assert _ece(raw.predict_proba(X_new), y_new) > 0.08
    assert _ece(calibrated.predict_proba(X_new), y_new) < 0.03


def test_svm_theme_probabilities_are_calibrated():
    # An SVM's margin is no probability: the sigmoid of it is badly calibrated; Platt scaling
    # on out-of-fold margins must fix that.
    from sklearn.svm import LinearSVC

    rng = np.random.default_rng(4)
    X = rng.normal(size=(7000, 4))
    y = (X[:, 0] + rng.normal(scale=1.0, size=7000) > 1.0).astype(int)
    head = ThemeClassifier(loss="svm", C=1.0, min_labels=0, random_state=0)
    head.fit(X[:2000], y[:2000, None])
    p = head.predict_proba(X[2000:])[:, 0]
    margin = LinearSVC(C=1.0).fit(X[:2000], y[:2000]).decision_function(X[2000:])
    raw = 1 / (1 + np.exp(-margin))
    calibrated_error = _ece(np.column_stack([1 - p, p]), y[2000:])
    assert calibrated_error < 0.03
    assert _ece(np.column_stack([1 - raw, raw]), y[2000:]) > 3 * calibrated_error


def test_theme_thresholds_come_out_of_fold():
    # One weak signal among 2,000 noise features: the final model fits its training rows far
    # better than it predicts unseen ones, so the threshold that is best on its own training
    # rows differs from the one that is best on out-of-fold predictions.
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rng = np.random.default_rng(1)
    signal = rng.normal(size=300)
    y = (signal + rng.normal(scale=1.5, size=300) > 1.0).astype(int)
    noise = sparse.random(300, 2000, density=0.02, random_state=1, format="csr")
    X = sparse.hstack([sparse.csr_matrix(signal[:, None]), noise], format="csr")
    head = ThemeClassifier(C=10.0, min_labels=0, random_state=0).fit(X, y[:, None])
    # the same folds, predicted by models that never saw the row, mapped by the calibration
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    margins = cross_val_predict(head._base(*X.shape), X, y, cv=folds, method="decision_function")
    a, b = head.estimators_[0].sigmoid()
    out_of_fold = best_f1_threshold(y, 1 / (1 + np.exp(a * margins + b)))
    in_sample = best_f1_threshold(y, head.predict_proba(X)[:, 0])
    assert in_sample != out_of_fold
    assert head.thresholds_[0] == out_of_fold


def test_never_seen_theme_is_constant_and_min_labels_is_kept():
    X, y = _blobs([40, 40], [[0, 0], [3, 3]])
    Y = np.column_stack([y, np.zeros_like(y)])
    head = ThemeClassifier(min_labels=0, random_state=0).fit(X, Y)
    assert head.estimators_[1] is None
    np.testing.assert_array_equal(head.predict_proba(X)[:, 1], 0.0)
    assert (head.predict(X)[:, 0] == y).mean() > 0.9
    at_least_one = head.set_params(min_labels=1).predict(X)
    assert (at_least_one.sum(axis=1) == 1).all()


def test_best_f1_threshold_matches_f1_score():
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(6)
    y = (rng.random(300) < 0.2).astype(int)
    proba = np.clip(0.3 * y + rng.random(300) * 0.7, 0, 1)
    scores = [f1_score(y, proba >= t, zero_division=0) for t in THRESHOLD_GRID]
    assert best_f1_threshold(y, proba) == THRESHOLD_GRID[int(np.argmax(scores))]


def test_the_gate_multiplies_in_the_any_theme_probability():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(600, 3))
    event = X[:, 0] > 0.8  # about a fifth of the rows have a theme at all
    Y = np.column_stack([event & (X[:, 1] > 0), event & (X[:, 1] <= 0)]).astype(int)
    gated = ThemeClassifier(gate=True, min_labels=0, random_state=0).fit(X, Y)
    plain = ThemeClassifier(min_labels=0, random_state=0).fit(X, Y)
    assert gated.gate_ is not None and plain.gate_ is None
    p_gate = gated.gate_.predict_proba(X)[:, 1]
    unscaled = np.column_stack([e.predict_proba(X)[:, 1] for e in gated.estimators_])
    np.testing.assert_allclose(gated.predict_proba(X), unscaled * p_gate[:, None])
    # the theme models learnt only from rows with an event
    assert (gated.predict(X)[~event].sum(axis=1) > 0).mean() < 0.2
