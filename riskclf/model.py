"""The unfitted estimators of each head, built from a :class:`TrainConfig`, and the fitted
model that joins them to one shared feature union.

Fitting happens in :mod:`riskclf.training`; :mod:`riskclf.export` turns a :class:`FittedModel`
into the served :class:`riskclf.served.RiskModel` that scoring and model files use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from riskclf.config import TrainConfig

#: Settings read only by the heads, never by :func:`riskclf.features.build_features`: configs
#: that differ only in these get the same fitted features, so ``--tune`` fits those once.
HEAD_SETTINGS = frozenset(
    {
        "risk_model",
        "C_risk",
        "C_theme",
        "risk_class_weight",
        "risk_calibration",
        "calibration_folds",
        "theme_loss",
        "theme_nb",
        "theme_svm_balanced",
        "theme_gate",
        "theme_threshold",
        "min_themes",
        "blank_themes",
    }
)


def build_risk_head(config: TrainConfig):
    """The unfitted risk head of ``config``: a :class:`~riskclf.estimators.RiskClassifier`."""
    from riskclf.estimators import RiskClassifier

    return RiskClassifier(
        model=config.risk_model,
        C=config.C_risk,
        class_weight="balanced" if config.risk_class_weight == "balanced" else None,
        calibration=config.risk_calibration,
        cv=config.calibration_folds,
        random_state=config.seed,
    )


def build_theme_head(config: TrainConfig):
    """The unfitted theme head of ``config``: a :class:`~riskclf.estimators.ThemeClassifier`.

    Logistic theme models are always class-balanced; SVMs when ``theme_svm_balanced``.
    """
    from riskclf.estimators import ThemeClassifier

    balanced = config.theme_loss == "logistic" or config.theme_svm_balanced
    return ThemeClassifier(
        loss=config.theme_loss,
        nb=config.theme_nb,
        C=config.C_theme,
        class_weight="balanced" if balanced else None,
        threshold=config.theme_threshold,
        min_labels=config.min_themes,
        cv=config.calibration_folds,
        gate=config.theme_gate,
        random_state=config.seed,
    )


@dataclass
class FittedModel:
    """Fitted scikit-learn objects: the feature union and each head.

    Attributes
    ----------
    config : TrainConfig
    risk_levels, theme_labels : tuple of str or None
        Label orders (``None``: no such head).
    features : FeatureUnion
        Fitted on the texts of every row in ``fit_ids["features"]``.
    risk_head, theme_head : estimator or None
        Fitted on the feature rows that carry their label.
    fit_ids : dict
        The ids of the rows each part was fitted on (``features``, ``risk``, ``theme``), so a
        test can assert that held-out rows never were.
    """

    config: TrainConfig
    risk_levels: tuple[str, ...] | None
    theme_labels: tuple[str, ...] | None
    features: object
    risk_head: object | None = None
    theme_head: object | None = None
    fit_ids: dict[str, list[str]] = field(default_factory=dict)

    def pipeline(self, head: str):
        """The fitted features and one head (``"risk"`` or ``"theme"``) as a scikit-learn
        ``Pipeline`` of already fitted steps: ``predict_proba`` on raw texts."""
        from sklearn.pipeline import Pipeline

        return Pipeline([("features", self.features), ("head", getattr(self, f"{head}_head"))])


def label_orders(
    risk_levels: Sequence[str] | None, theme_labels: Sequence[str] | None
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """Label orders as tuples (``None`` kept)."""
    return (
        tuple(risk_levels) if risk_levels is not None else None,
        tuple(theme_labels) if theme_labels is not None else None,
    )
