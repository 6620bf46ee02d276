"""The served model: the fitted numbers as numpy arrays, and scoring with them.

Training fits scikit-learn estimators (:mod:`riskclf.estimators`); :mod:`riskclf.export` copies
their fitted numbers (vocabularies, idf, coefficients, calibration maps, thresholds) into the
objects below. Scoring needs neither scikit-learn (whose import alone takes about a second) nor
a pickle: a model file is plain arrays plus JSON (:mod:`riskclf.artifact`), and a test pins the
served probabilities to the fitted pipeline's ``predict_proba`` (``tests/test_export.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from riskclf.config import TrainConfig
from riskclf.features import Features, features_state, restore_features


def sigmoid(z) -> np.ndarray:
    """The logistic function, safe from overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def ordinal_proba(scores) -> np.ndarray:
    """Class probabilities from the "y >= k" linear scores of a cumulative ordinal model:
    ``P(y = k) = P(y >= k) - P(y >= k + 1)``, the cumulative probabilities made non-increasing
    first so that none is negative."""
    scores = np.asarray(scores)
    cumulative = np.ones((scores.shape[0], scores.shape[1] + 2))
    cumulative[:, 1:-1] = sigmoid(scores)
    cumulative[:, -1] = 0.0
    cumulative = np.minimum.accumulate(cumulative, axis=1)
    return cumulative[:, :-1] - cumulative[:, 1:]


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    expd = np.exp(shifted)
    return expd / expd.sum(axis=1, keepdims=True)


def apply_log_map(proba: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``softmax(A @ log p + c)`` row by row, for ``matrix = [A | c]`` (see
    :mod:`riskclf.feed_calibration`)."""
    logits = np.log(np.maximum(proba, 1e-12)) @ matrix[:, :-1].T + matrix[:, -1]
    logits -= logits.max(axis=1, keepdims=True)
    expd = np.exp(logits)
    return expd / expd.sum(axis=1, keepdims=True)


def decide_themes(proba: np.ndarray, thresholds: np.ndarray, min_labels: int) -> np.ndarray:
    """0/1 theme matrix: each theme at or above its threshold, and at least ``min_labels`` per
    row (the most probable ones)."""
    chosen = proba >= thresholds
    if min_labels > 0 and proba.shape[1]:
        k = min(min_labels, proba.shape[1])
        top = np.argsort(-proba, axis=1, kind="stable")[:, :k]
        rows = np.nonzero(chosen.sum(axis=1) < k)[0]
        chosen[rows[:, None], top[rows]] = True
    return chosen.astype(int)


class ServedHead:
    """Shared plumbing: a head is JSON-ready parameters plus named arrays."""

    ARRAYS: tuple[str, ...] = ()
    PARAMS: tuple[str, ...] = ()

    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-ready parameters, arrays)."""
        params = {name: getattr(self, name) for name in self.PARAMS}
        return params, {name: getattr(self, name) for name in self.ARRAYS}

    @classmethod
    def from_state(cls, params: dict, arrays: dict[str, np.ndarray]):
        """Rebuild a head from :meth:`get_state` output."""
        return cls(**params, **arrays)


class ServedRiskHead(ServedHead):
    """A fitted risk head: linear scores, the model's link, then the calibration map.

    Parameters
    ----------
    kind : {"multinomial", "ordinal"}
        Softmax (sigmoid for two classes) of the scores, or cumulative "y >= k" models.
    n_levels : int
        Number of risk levels; levels absent from training get probability 0.
    coef_, intercept_ : ndarray
        Linear scores ``X @ coef_.T + intercept_``.
    classes_ : ndarray of int
        The level codes the model was fitted on, in column order.
    calibration_ : ndarray of shape (n_calibrators, 2)
        ``(a, b)`` of each sigmoid ``1 / (1 + exp(a * response + b))``; no rows: uncalibrated.
        The response is the decision function (multinomial) or the probabilities (ordinal); for
        two classes one calibrator maps the positive class, as scikit-learn does.
    adaptation_ : ndarray of shape (n_present, n_present + 1), optional
        ``[A | c]`` of the feed adaptation ``softmax(A @ log p + c)`` applied last (see
        :mod:`riskclf.feed_calibration`); no rows: none.
    """

    ARRAYS = ("coef_", "intercept_", "classes_", "calibration_", "adaptation_")
    PARAMS = ("kind", "n_levels")

    def __init__(
        self, kind, n_levels, coef_, intercept_, classes_, calibration_, adaptation_=None
    ) -> None:
        self.kind = kind
        self.n_levels = int(n_levels)
        self.coef_ = np.asarray(coef_, dtype=np.float64)
        self.intercept_ = np.asarray(intercept_, dtype=np.float64)
        self.classes_ = np.asarray(classes_, dtype=np.int64)
        self.calibration_ = np.asarray(calibration_, dtype=np.float64).reshape(-1, 2)
        n = len(self.classes_)
        if adaptation_ is None:
            adaptation_ = np.zeros((0, n + 1))
        self.adaptation_ = np.asarray(adaptation_, dtype=np.float64).reshape(-1, n + 1)

    def present_proba(self, X, *, adapted: bool = True) -> np.ndarray:
        """Probabilities of the levels the model was fitted on (``classes_`` order); with
        ``adapted=False`` before any feed adaptation."""
        return self._present(X, adapted=adapted)

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of each level, shape (n_rows, n_levels)."""
        present = self._present(X, adapted=True)
        proba = np.zeros((present.shape[0], self.n_levels))
        proba[:, self.classes_] = present
        return proba

    def _present(self, X, *, adapted: bool) -> np.ndarray:
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        two = len(self.classes_) == 2
        if self.kind == "ordinal":
            base = ordinal_proba(scores)
            response = base[:, 1:] if two else base
        elif two:
            response = scores
            positive = sigmoid(scores[:, 0])
            base = np.column_stack([1.0 - positive, positive])
        else:
            response, base = scores, softmax(scores)
        if len(self.calibration_):
            a, b = self.calibration_[:, 0], self.calibration_[:, 1]
            mapped = sigmoid(-(a * response + b))
            if two:
                present = np.column_stack([1.0 - mapped[:, 0], mapped[:, 0]])
            else:
                total = mapped.sum(axis=1, keepdims=True)
                uniform = np.full_like(mapped, 1.0 / mapped.shape[1])
                present = np.divide(mapped, total, out=uniform, where=total != 0)
            present[(present > 1.0) & (present <= 1.0 + 1e-5)] = 1.0
        else:
            present = base
        if adapted and len(self.adaptation_):
            present = apply_log_map(present, self.adaptation_)
        return present

    def class_weights(self) -> np.ndarray:
        """Per-level feature weights for explanations, shape (n_levels, n_features).

        Multinomial: each level's weights relative to the mean over levels. Ordinal: a level's
        weights are those of its own "level >= k" model (why the article is at least that
        severe); the lowest present level takes the negated first model (why it is not higher).
        """
        weights = np.zeros((self.n_levels, self.coef_.shape[1]))
        if self.kind == "ordinal":
            for i, level in enumerate(self.classes_):
                weights[level] = -self.coef_[0] if i == 0 else self.coef_[i - 1]
        elif len(self.classes_) == 2:
            weights[self.classes_] = np.vstack([-self.coef_[0] / 2, self.coef_[0] / 2])
        else:
            weights[self.classes_] = self.coef_ - self.coef_.mean(axis=0)
        return weights


class ServedThemeHead(ServedHead):
    """A fitted theme head: per theme ``sigmoid(X @ coef_[j] + intercept_[j])`` (the Platt map
    is folded into the weights), a threshold each, and at least ``min_labels`` themes a row.

    A theme that was never (or always) seen in training (``fitted_`` false) predicts its
    constant training rate. With a gate (``gate_``: weights then bias of the folded "any
    theme" model; empty: none) a fitted theme's probability is the gate's times its own.
    """

    ARRAYS = ("coef_", "intercept_", "thresholds_", "constant_", "fitted_", "gate_")
    PARAMS = ("min_labels",)

    def __init__(
        self, min_labels, coef_, intercept_, thresholds_, constant_, fitted_, gate_=None
    ) -> None:
        self.min_labels = int(min_labels)
        self.coef_ = np.asarray(coef_, dtype=np.float64)
        self.intercept_ = np.asarray(intercept_, dtype=np.float64)
        self.thresholds_ = np.asarray(thresholds_, dtype=np.float64)
        self.constant_ = np.asarray(constant_, dtype=np.float64)
        self.fitted_ = np.asarray(fitted_, dtype=bool)
        self.gate_ = np.zeros(0) if gate_ is None else np.asarray(gate_, dtype=np.float64)

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each theme, shape (n_rows, n_themes)."""
        proba = sigmoid(np.asarray(X @ self.coef_.T) + self.intercept_)
        if len(self.gate_):
            proba = proba * sigmoid(np.asarray(X @ self.gate_[:-1]) + self.gate_[-1])[:, None]
        return np.where(self.fitted_, proba, self.constant_)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """0/1 theme matrix from probabilities (thresholds and ``min_labels``)."""
        return decide_themes(proba, self.thresholds_, self.min_labels)

    def predict(self, X) -> np.ndarray:
        return self.decide(self.predict_proba(X))

    def class_weights(self) -> np.ndarray:
        """Per-theme feature weights, shape (n_themes, n_features)."""
        return self.coef_


class RiskModel:
    """A served model: feature blocks plus a risk head and/or a theme head.

    Built by :func:`riskclf.export.export_model` from a fitted model, or by :meth:`from_state`
    from a model file. Every scoring path reads it through :func:`riskclf.scoring.score_frame`.

    Parameters
    ----------
    config : TrainConfig
        The settings it was trained with.
    risk_levels, theme_labels : sequence of str or None
        Label orders of the heads (``None``: no such head).
    features : Features
        The feature blocks.
    risk_head : ServedRiskHead or None
    theme_head : ServedThemeHead or None
    """

    def __init__(
        self,
        config: TrainConfig,
        risk_levels: Sequence[str] | None,
        theme_labels: Sequence[str] | None,
        features: Features,
        risk_head: ServedRiskHead | None = None,
        theme_head: ServedThemeHead | None = None,
    ) -> None:
        if (risk_levels is None) != (risk_head is None) or (theme_labels is None) != (
            theme_head is None
        ):
            raise ValueError("each head needs its labels, and each label order its head")
        if risk_head is None and theme_head is None:
            raise ValueError("a model needs a risk head, a theme head or both")
        self.config = config
        self.risk_levels = tuple(risk_levels) if risk_levels is not None else None
        self.theme_labels = tuple(theme_labels) if theme_labels is not None else None
        self.features = features
        self.risk_head = risk_head
        self.theme_head = theme_head

    def transform(
        self, texts: Sequence[str], runs: Sequence[list[str]] | None = None
    ) -> sparse.csr_matrix:
        """The feature matrix of ``texts`` (``runs``, if given: their
        :func:`riskclf.tokens.word_runs`)."""
        return self.features.transform(texts, runs)

    def risk_proba(self, X) -> np.ndarray:
        """Probabilities of each risk level, columns in level order."""
        return self.risk_head.predict_proba(X)

    def theme_proba(self, X) -> np.ndarray:
        """Probability of each theme label, columns in ``theme_labels`` order."""
        return self.theme_head.predict_proba(X)

    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Return (JSON-ready description, arrays) from which :meth:`from_state` rebuilds it."""
        arrays = dict(features_state(self.features))
        heads: dict[str, dict] = {}
        for key, head in (("risk", self.risk_head), ("theme", self.theme_head)):
            if head is not None:
                params, head_arrays = head.get_state()
                heads[key] = params
                arrays.update({f"{key}.{name}": value for name, value in head_arrays.items()})
        description = {
            "config": self.config.to_dict(),
            "risk_levels": list(self.risk_levels) if self.risk_levels is not None else None,
            "theme_labels": list(self.theme_labels) if self.theme_labels is not None else None,
            "heads": heads,
        }
        return description, arrays

    @classmethod
    def from_state(cls, description: dict, arrays: dict[str, np.ndarray]) -> RiskModel:
        """Rebuild a model from :meth:`get_state` output."""
        config = TrainConfig.from_dict(description["config"])
        heads = {}
        for key, head_cls in (("risk", ServedRiskHead), ("theme", ServedThemeHead)):
            params = description["heads"].get(key)
            if params is not None:
                head_arrays = {
                    n: arrays[f"{key}.{n}"] for n in head_cls.ARRAYS if f"{key}.{n}" in arrays
                }
                heads[key] = head_cls.from_state(params, head_arrays)
        return cls(
            config,
            description["risk_levels"],
            description["theme_labels"],
            restore_features(config, arrays),
            heads.get("risk"),
            heads.get("theme"),
        )
