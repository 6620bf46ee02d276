"""Copy a fitted model's numbers into the served model: the step between fitting with
scikit-learn and scoring with numpy.

Every fitted map the served model applies is linear or a sigmoid of a linear score, so the
export is exact: ``tests/test_export.py`` checks that the served probabilities equal the fitted
pipeline's ``predict_proba`` within 1e-9 on the starter corpus and on real rows.
"""

from __future__ import annotations

import numpy as np

from riskclf.features import export_features
from riskclf.model import FittedModel
from riskclf.served import RiskModel, ServedRiskHead, ServedThemeHead


def export_model(fitted: FittedModel) -> RiskModel:
    """The served :class:`~riskclf.served.RiskModel` of a fitted model."""
    risk = theme = None
    if fitted.risk_head is not None:
        risk = export_risk_head(fitted.risk_head, len(fitted.risk_levels))
    if fitted.theme_head is not None:
        theme = export_theme_head(fitted.theme_head)
    return RiskModel(
        fitted.config,
        fitted.risk_levels,
        fitted.theme_labels,
        export_features(fitted.features, fitted.config),
        risk,
        theme,
    )


def _linear(estimator) -> tuple[np.ndarray, np.ndarray]:
    """(coef of shape (n_outputs, n_features), intercept) of a fitted linear model, with the
    NB scaling of an NB-SVM pipeline folded into the weights."""
    from sklearn.pipeline import Pipeline

    if isinstance(estimator, Pipeline):
        scaler, model = estimator[0], estimator[-1]
        coef, intercept = _linear(model)
        return coef * scaler.ratio_, intercept
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    intercept = np.atleast_1d(np.asarray(estimator.intercept_, dtype=np.float64))
    return coef.reshape(len(intercept), -1), intercept


def _calibrated(estimator) -> tuple[object, np.ndarray]:
    """(base model, (a, b) rows of its sigmoid calibrators); no rows when uncalibrated."""
    from sklearn.calibration import CalibratedClassifierCV

    from riskclf.estimators import PlattScaled

    if isinstance(estimator, PlattScaled):
        return estimator.estimator, np.array([estimator.sigmoid()], dtype=np.float64)
    if isinstance(estimator, CalibratedClassifierCV):
        (fitted,) = estimator.calibrated_classifiers_  # ensemble=False: one final model
        if fitted.method != "sigmoid":
            raise ValueError(f"only sigmoid calibration can be served, got {fitted.method!r}")
        maps = np.array([[c.a_, c.b_] for c in fitted.calibrators], dtype=np.float64)
        return fitted.estimator, maps
    return estimator, np.zeros((0, 2))


def export_risk_head(head, n_levels: int) -> ServedRiskHead:
    """The served form of a fitted :class:`~riskclf.estimators.RiskClassifier`."""
    from riskclf.estimators import OrdinalClassifier

    base, calibration = _calibrated(head.estimator_)
    coef, intercept = _linear(base)
    kind = "ordinal" if isinstance(base, OrdinalClassifier) else "multinomial"
    return ServedRiskHead(kind, n_levels, coef, intercept, head.classes_, calibration)


def export_theme_head(head) -> ServedThemeHead:
    """The served form of a fitted :class:`~riskclf.estimators.ThemeClassifier`: each theme's
    Platt map ``1 / (1 + exp(a * (w.x + b0) + b))`` folded into ``coef = -a * w`` and
    ``intercept = -(a * b0 + b)``."""
    n_features = head.n_features_in_
    n_themes = len(head.estimators_)
    coef = np.zeros((n_themes, n_features))
    intercept = np.zeros(n_themes)
    fitted = np.zeros(n_themes, dtype=bool)
    for j, estimator in enumerate(head.estimators_):
        if estimator is None:
            continue
        base, calibration = _calibrated(estimator)
        w, b0 = _linear(base)
        a, b = calibration[0] if len(calibration) else (-1.0, 0.0)
        coef[j], intercept[j] = -a * w[0], -(a * b0[0] + b)
        fitted[j] = True
    gate = np.zeros(0)
    if head.gate_ is not None:
        base, calibration = _calibrated(head.gate_)
        w, b0 = _linear(base)
        a, b = calibration[0]
        gate = np.append(-a * w[0], -(a * b0[0] + b))
    return ServedThemeHead(
        head.min_labels, coef, intercept, head.thresholds_, head.constant_, fitted, gate
    )
