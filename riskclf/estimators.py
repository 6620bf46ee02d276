"""riskclf's own scikit-learn estimators: the risk head, the theme head and their parts.

Each follows the estimator API (``__init__`` only stores parameters, ``_parameter_constraints``
validates them when ``fit`` runs, fitted attributes end in ``_``), so ``clone``,
``GridSearchCV`` and ``sklearn.utils.estimator_checks`` work on them. They are fitting-side
objects: scoring never imports them (see :mod:`riskclf.served` and :mod:`riskclf.export`).

What the library already does is used as it is: probabilities are calibrated by
``CalibratedClassifierCV`` (sigmoid, fitted on out-of-fold responses, one final model) and
per-theme thresholds are chosen on ``cross_val_predict`` out-of-fold predictions (F1).
Written here is only what scikit-learn has no estimator for: a cumulative-link
ordinal model, NB log-count-ratio scaling (Wang & Manning 2012), and a multi-label head whose
labels each keep their own tuned threshold (``OneVsRestClassifier`` thresholds every label at
0.5 and ignores a tuned one).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from riskclf.casualty_features import FEATURE_NAMES, casualty_matrix
from riskclf.served import decide_themes, ordinal_proba, sigmoid

#: candidate thresholds of a theme: a threshold tuned on few positives cannot become extreme
THRESHOLD_GRID = np.round(np.linspace(0.05, 0.95, 91), 2)


def _logistic(C: float, class_weight, random_state, *, binary: bool, n_rows: int, n_cols: int):
    """A logistic regression: liblinear (dual when features outnumber rows, far faster) for
    binary problems; newton-cg for the multinomial one (on the 2,000-odd-row starter corpus it
    converges in about 10 iterations and 0.5 s where lbfgs took 11 s, and closer to the optimum).
    """
    if binary:
        return LogisticRegression(
            C=C,
            class_weight=class_weight,
            solver="liblinear",
            dual=bool(n_cols > n_rows),
            max_iter=2000,
            random_state=random_state,
        )
    return LogisticRegression(
        C=C,
        class_weight=class_weight,
        solver="newton-cg",
        max_iter=2000,
        random_state=random_state,
    )


class _ProbabilisticClassifier(ClassifierMixin, BaseEstimator):
    """Shared by the risk classifiers: predict the most probable class; sparse input welcome."""

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)  # checks that it is fitted first
        return self.classes_[proba.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class OrdinalClassifier(_ProbabilisticClassifier):
    """Cumulative-link ordinal classifier: one binary logistic model per threshold "y >= k".

    Classes are ordered as sorted. ``P(y = k) = P(y >= k) - P(y >= k + 1)``, with the
    cumulative probabilities made non-increasing first so no probability is negative.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of each binary model.
    class_weight : {"balanced"} or None
        Class weights of each binary model.
    random_state : int or None
        Random state of the binary models.
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
    }

    def __init__(self, C: float = 16.0, class_weight="balanced", random_state=None) -> None:
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X, y) -> OrdinalClassifier:
        self._validate_params()
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"OrdinalClassifier needs at least two classes; got one in {len(y)} sample(s)"
            )
        models = [
            _logistic(
                self.C,
                self.class_weight,
                self.random_state,
                binary=True,
                n_rows=X.shape[0],
                n_cols=X.shape[1],
            ).fit(X, codes >= k)
            for k in range(1, len(self.classes_))
        ]
        self.coef_ = np.vstack([m.coef_ for m in models])
        self.intercept_ = np.concatenate([m.intercept_ for m in models])
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        return ordinal_proba(X @ self.coef_.T + self.intercept_)


class NBScaler(TransformerMixin, BaseEstimator):
    """Scale each feature by its naive-Bayes log-count ratio between the two classes (NB-SVM).

    Parameters
    ----------
    alpha : float
        Smoothing added to each feature's total in each class.
    """

    _parameter_constraints: dict = {"alpha": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X, y) -> NBScaler:
        self._validate_params()
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(f"NBScaler needs a binary target, got classes {classes}")
        X = abs(X)
        positive = y == classes[1]
        pos = self.alpha + np.asarray(X[positive].sum(axis=0)).ravel()
        neg = self.alpha + np.asarray(X[~positive].sum(axis=0)).ravel()
        self.ratio_ = np.log((pos / pos.sum()) / (neg / neg.sum()))
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        if sparse.issparse(X):
            return X.multiply(self.ratio_).tocsr()
        return X * self.ratio_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class CasualtySignals(TransformerMixin, BaseEstimator):
    """The parsed casualty counts of each text as 18 numeric columns (stateless).

    Scoring uses :func:`riskclf.casualty_features.casualty_matrix` directly; this wrapper
    only lets the block sit in a ``FeatureUnion`` beside the TF-IDF vectorizers.
    """

    def fit(self, texts, y=None) -> CasualtySignals:
        self.n_features_out_ = len(FEATURE_NAMES)
        return self

    def transform(self, texts):
        return casualty_matrix(list(texts))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(FEATURE_NAMES, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


class MarginColumn(ClassifierMixin, BaseEstimator):
    """A stand-in classifier whose decision function is the first column of its input: behind
    ``FrozenEstimator`` it lets ``CalibratedClassifierCV`` fit Platt scaling on margins that
    were computed out of fold elsewhere."""

    def fit(self, X, y) -> MarginColumn:
        self.classes_ = np.unique(y)
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X)[:, 0]

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


class PlattScaled:
    """A fitted linear model plus ``CalibratedClassifierCV(method="sigmoid")`` fitted on its
    out-of-fold ``margins``: ``predict_proba`` maps the model's margin through the sigmoid."""

    def __init__(self, estimator, margins: np.ndarray, y: np.ndarray) -> None:
        from sklearn.frozen import FrozenEstimator

        self.estimator = estimator
        frozen = FrozenEstimator(MarginColumn().fit(margins, y))
        self.calibrator = CalibratedClassifierCV(frozen, method="sigmoid").fit(margins, y)

    def predict_proba(self, X) -> np.ndarray:
        margin = np.asarray(self.estimator.decision_function(X)).reshape(-1, 1)
        return self.calibrator.predict_proba(margin)

    def sigmoid(self) -> tuple[float, float]:
        """``(a, b)`` of the fitted map ``1 / (1 + exp(a * margin + b))``."""
        ((calibrator,),) = [c.calibrators for c in self.calibrator.calibrated_classifiers_]
        return float(calibrator.a_), float(calibrator.b_)


def _folds(counts: np.ndarray, wanted: int) -> int:
    """Folds for stratified CV when the rarest class has ``counts.min()`` rows (0 = no CV)."""
    folds = min(wanted, int(counts.min())) if len(counts) else 0
    return folds if folds >= 2 else 0


class RiskClassifier(_ProbabilisticClassifier):
    """The risk head: multinomial logistic regression or an ordinal model, with calibrated
    probabilities.

    Parameters
    ----------
    model : {"multinomial", "ordinal"}
        The linear model.
    C : float
        Inverse regularisation strength.
    class_weight : {"balanced"} or None
        Class weights while fitting. Calibration is fitted on unweighted out-of-fold
        responses, so the probabilities follow the training rows' class prior again.
    calibration : {"sigmoid", "none"}
        ``"sigmoid"``: ``CalibratedClassifierCV(method="sigmoid", ensemble=False)``, one sigmoid
        per class on out-of-fold responses, then normalised; ``"none"``: the model's own.
    cv : int
        Calibration folds (fewer when the rarest class has fewer rows; none below two).
    random_state : int or None
        Seed of the models and the folds.
    """

    _parameter_constraints: dict = {
        "model": [StrOptions({"multinomial", "ordinal"})],
        "C": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), None],
        "calibration": [StrOptions({"sigmoid", "none"})],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        model: str = "multinomial",
        C: float = 16.0,
        class_weight="balanced",
        calibration: str = "sigmoid",
        cv: int = 3,
        random_state=None,
    ) -> None:
        self.model = model
        self.C = C
        self.class_weight = class_weight
        self.calibration = calibration
        self.cv = cv
        self.random_state = random_state

    def _base(self, n_rows: int, n_cols: int):
        if self.model == "ordinal":
            return OrdinalClassifier(self.C, self.class_weight, self.random_state)
        return _logistic(
            self.C,
            self.class_weight,
            self.random_state,
            binary=False,
            n_rows=n_rows,
            n_cols=n_cols,
        )

    def fit(self, X, y) -> RiskClassifier:
        self._validate_params()
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"RiskClassifier needs at least two classes; got one in {len(y)} sample(s)"
            )
        base = self._base(*X.shape)
        folds = _folds(counts, self.cv) if self.calibration == "sigmoid" else 0
        if folds:
            splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            base = CalibratedClassifierCV(base, method="sigmoid", cv=splitter, ensemble=False)
        self.estimator_ = base.fit(X, y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """The multi-label theme head: per theme a linear model with calibrated probabilities and
    a decision threshold of its own.

    Per theme: the linear model (logistic regression, or a linear SVM, optionally on NB-scaled
    features), Platt scaling (``CalibratedClassifierCV(method="sigmoid")``) fitted on its
    out-of-fold margins (``cross_val_predict``), and with ``threshold=None`` the threshold of
    :data:`THRESHOLD_GRID` with the best F1 on the same out-of-fold rows. A theme never (or
    always) seen predicts its constant rate; one with too few rows for folds keeps the
    uncalibrated model and 0.5.

    With ``gate=True`` (for data where most rows have no theme, such as SATP's non-incident
    items) one more model, fitted the same way, gives the probability that a row has any theme;
    the theme models are fitted on the rows that have one, and a theme's probability is the
    gate's times its own (``P(theme) = P(any) P(theme | any)``); thresholds are chosen on that
    product, out of fold.

    Parameters
    ----------
    loss : {"logistic", "svm"}
        The per-theme linear model.
    nb : bool
        Scale features by their NB log-count ratio first.
    C : float
        Inverse regularisation strength.
    class_weight : {"balanced"} or None
        Class weights of each theme's model.
    threshold : float or None
        A fixed threshold for every theme, or ``None`` to tune one per theme.
    min_labels : int
        Predict at least this many themes per row (the most probable), even below threshold.
    cv : int
        Folds of the calibration and of the threshold search.
    gate : bool
        Fit an "any theme" gate (see above).
    random_state : int or None
        Seed of the models and the folds.
    """

    _parameter_constraints: dict = {
        "gate": ["boolean"],
        "loss": [StrOptions({"logistic", "svm"})],
        "nb": ["boolean"],
        "C": [Interval(Real, 0, None, closed="neither")],
        "class_weight": [StrOptions({"balanced"}), None],
        "threshold": [Interval(Real, 0, 1, closed="neither"), None],
        "min_labels": [Interval(Integral, 0, None, closed="left")],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        loss: str = "logistic",
        nb: bool = False,
        C: float = 16.0,
        class_weight="balanced",
        threshold: float | None = None,
        min_labels: int = 1,
        cv: int = 3,
        gate: bool = False,
        random_state=None,
    ) -> None:
        self.gate = gate
        self.loss = loss
        self.nb = nb
        self.C = C
        self.class_weight = class_weight
        self.threshold = threshold
        self.min_labels = min_labels
        self.cv = cv
        self.random_state = random_state

    def _base(self, n_rows: int, n_cols: int):
        """The unfitted linear model of one theme."""
        if self.loss == "svm":
            model = LinearSVC(
                C=self.C,
                class_weight=self.class_weight,
                max_iter=5000,
                random_state=self.random_state,
            )
        else:
            model = _logistic(
                self.C,
                self.class_weight,
                self.random_state,
                binary=True,
                n_rows=n_rows,
                n_cols=n_cols,
            )
        return make_pipeline(NBScaler(), model) if self.nb else model

    def _splitter(self, folds: int) -> StratifiedKFold:
        return StratifiedKFold(folds, shuffle=True, random_state=self.random_state)

    def _fit_scaled(self, X, y, rows: np.ndarray):
        """Fit one binary model on ``rows``: (PlattScaled model, or the plain model when the
        rows are too few for folds, or None when one class is missing; out-of-fold calibrated
        probabilities of every row, or None without folds). Rows outside ``rows`` take the
        final model's probability: it never saw them either."""
        Xf, yf = X[rows], y[rows]
        counts = np.bincount(yf, minlength=2)
        if counts.min() == 0:
            return None, None
        base = self._base(*Xf.shape)
        folds = _folds(counts, self.cv)
        if not folds:
            return base.fit(Xf, yf), None
        # Out-of-fold margins, then one final model: Platt scaling is fitted on the margins and
        # the threshold chosen on them, so both come from rows each model never saw. This is
        # what CalibratedClassifierCV(base, cv=folds, ensemble=False) fits, but it does not
        # keep the margins, and refitting the folds to get them again costs 3 fits of 7.
        fitted_margins = cross_val_predict(
            base, Xf, yf, cv=self._splitter(folds), method="decision_function"
        )
        scaled = PlattScaled(clone(base).fit(Xf, yf), fitted_margins.reshape(-1, 1), yf)
        margins = np.empty(len(y))
        margins[rows] = fitted_margins
        if not rows.all():
            margins[~rows] = scaled.estimator.decision_function(X[~rows])
        return scaled, scaled.calibrator.predict_proba(margins.reshape(-1, 1))[:, 1]

    def _fit_one(self, X, y, rows: np.ndarray, gate_proba: np.ndarray | None):
        """(fitted estimator or None for a constant theme, its threshold)."""
        estimator, proba = self._fit_scaled(X, y, rows)
        if self.threshold is not None or proba is None:
            return estimator, 0.5 if self.threshold is None else self.threshold
        if gate_proba is not None:
            proba = proba * gate_proba
        return estimator, best_f1_threshold(y, proba)

    def fit(self, X, Y) -> ThemeClassifier:
        self._validate_params()
        X = validate_data(self, X, accept_sparse="csr")
        Y = np.asarray(Y, dtype=int)
        if Y.ndim != 2 or Y.shape[0] != X.shape[0] or not np.isin(Y, (0, 1)).all():
            raise ValueError("Y must be a 0/1 matrix with one row per row of X")
        self.classes_ = np.arange(Y.shape[1])
        self.constant_ = Y.mean(axis=0)
        self.gate_, gate_proba = None, None
        rows = np.ones(len(Y), dtype=bool)
        any_theme = Y.any(axis=1)
        if self.gate and 0 < any_theme.sum() < len(Y):
            self.gate_, gate_proba = self._fit_scaled(X, any_theme.astype(int), rows)
            if gate_proba is not None:  # a gate needs folds; without them, no gate
                rows = any_theme
            else:
                self.gate_ = None
        self.estimators_, thresholds = [], []
        for j in range(Y.shape[1]):
            estimator, threshold = self._fit_one(X, Y[:, j], rows, gate_proba)
            self.estimators_.append(estimator)
            thresholds.append(threshold)
        self.thresholds_ = np.array(thresholds)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each theme (independent: rows need not sum to 1)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        columns = []
        for j, estimator in enumerate(self.estimators_):
            if estimator is None:
                columns.append(np.full(X.shape[0], self.constant_[j]))
            elif hasattr(estimator, "predict_proba"):
                columns.append(estimator.predict_proba(X)[:, 1])
            else:  # an uncalibrated SVM: a sigmoid of its margin
                margin = estimator.decision_function(X)
                columns.append(sigmoid(margin))
        if not columns:
            return np.zeros((X.shape[0], 0))
        proba = np.column_stack(columns)
        if self.gate_ is not None:
            gate = self.gate_.predict_proba(X)[:, 1:2]
            fitted = np.array([e is not None for e in self.estimators_])
            proba = np.where(fitted, proba * gate, proba)
        return proba

    def predict(self, X) -> np.ndarray:
        return decide_themes(self.predict_proba(X), self.thresholds_, self.min_labels)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags


def best_f1_threshold(y: np.ndarray, proba: np.ndarray) -> float:
    """The threshold of :data:`THRESHOLD_GRID` with the best F1 of ``proba >= threshold``
    (the lowest one among ties); F1 of every threshold at once, as ``f1_score`` computes it
    (``zero_division=0``) but without 91 calls of it."""
    y = np.asarray(y, dtype=bool)
    chosen = np.asarray(proba)[:, None] >= THRESHOLD_GRID[None, :]
    tp = (chosen & y[:, None]).sum(axis=0)
    denominator = chosen.sum(axis=0) + y.sum()
    f1 = np.divide(2 * tp, denominator, out=np.zeros(len(THRESHOLD_GRID)), where=denominator > 0)
    return float(THRESHOLD_GRID[int(np.argmax(f1))])
