"""The estimators: an ordinal or multinomial risk head, a multi-label theme head, and the model
that joins them to one shared feature matrix.

Fitting uses scikit-learn's linear models; a fitted head keeps only its ``coef_`` and
``intercept_`` arrays, so scoring is one sparse product per head and needs no scikit-learn
(imported only inside the ``fit`` methods).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from riskclf.config import TrainConfig
from riskclf.features import Features, features_state, fit_features, restore_features


def _logistic(C: float, seed: int, *, binary: bool = True):
    """A class-balanced logistic regression.

    liblinear is the fastest solver for the binary sparse problems; lbfgs fits the multinomial.
    """
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=C,
        class_weight="balanced",
        solver="liblinear" if binary else "lbfgs",
        dual=binary,  # the dual problem is far faster when features outnumber rows
        max_iter=2000,
        random_state=seed,
    )


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically safe logistic function."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class LinearHead:
    """Shared plumbing: after ``fit`` a head is just ``coef_`` and ``intercept_`` arrays.

    The scikit-learn models used for fitting are not kept, so scoring is one sparse matrix
    product per head and a model file holds plain arrays (see ``artifact.py``).
    """

    #: names of the fitted array attributes, saved and restored by ``artifact.py``
    ARRAYS: tuple[str, ...] = ("coef_", "intercept_")

    def get_params(self) -> dict:
        """The constructor arguments (JSON-ready)."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def decision_function(self, X) -> np.ndarray:
        """Linear scores ``X @ coef_.T + intercept_``, shape (n_rows, n_outputs)."""
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Return (JSON-ready parameters, fitted arrays)."""
        return self.get_params(), {name: getattr(self, name) for name in self.ARRAYS}

    @classmethod
    def from_state(cls, params: dict, arrays: dict[str, np.ndarray]):
        """Rebuild a fitted head from :meth:`get_state` output."""
        head = cls(**params)
        for name in cls.ARRAYS:
            setattr(head, name, arrays[name])
        head._restore()
        return head

    def _restore(self) -> None:
        """Recompute derived attributes after the arrays are set."""


class OrdinalClassifier(LinearHead):
    """Cumulative-link ordinal classifier: one binary logistic model per threshold "level >= k".

    ``P(level = k) = P(level >= k) - P(level >= k + 1)``, with the cumulative probabilities made
    non-increasing first so no probability is negative.

    Parameters
    ----------
    n_levels : int
        Number of ordered levels; labels are codes ``0 .. n_levels - 1``. Levels that never occur
        in training get probability 0.
    C : float
        Inverse regularisation strength of each binary model.
    seed : int
        Random state of the binary models.
    """

    ARRAYS = ("coef_", "intercept_", "present_")

    def __init__(self, n_levels: int = 4, C: float = 16.0, seed: int = 13) -> None:
        self.n_levels = n_levels
        self.C = C
        self.seed = seed

    def fit(self, X, y) -> OrdinalClassifier:
        y = np.asarray(y, dtype=int)
        self.present_ = np.unique(y)
        models = [_logistic(self.C, self.seed).fit(X, y >= lv) for lv in self.present_[1:]]
        self.coef_ = np.vstack([m.coef_ for m in models]) if models else np.zeros((0, X.shape[1]))
        self.intercept_ = np.concatenate([m.intercept_ for m in models]) if models else np.zeros(0)
        self._restore()
        return self

    def _restore(self) -> None:
        self.classes_ = np.arange(self.n_levels)

    def predict_proba(self, X) -> np.ndarray:
        n = X.shape[0]
        cumulative = np.ones((n, len(self.present_) + 1))
        cumulative[:, 1:-1] = _sigmoid(self.decision_function(X))
        cumulative[:, -1] = 0.0
        cumulative = np.minimum.accumulate(cumulative, axis=1)
        proba = np.zeros((n, self.n_levels))
        proba[:, self.present_] = cumulative[:, :-1] - cumulative[:, 1:]
        return proba

    def predict(self, X) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)

    def class_weights(self) -> np.ndarray:
        """Per-level feature weights for explanations, shape (n_levels, n_features).

        A level's weights are those of its own "level >= k" model: why the article is at least
        that severe. The lowest present level takes the negated first model: why it is not higher.
        """
        weights = np.zeros((self.n_levels, self.coef_.shape[1]))
        for i, level in enumerate(self.present_):
            if i == 0:
                weights[level] = -self.coef_[0] if len(self.coef_) else 0.0
            else:
                weights[level] = self.coef_[i - 1]
        return weights


class MultinomialClassifier(LinearHead):
    """Multinomial logistic regression over level codes, with absent levels at probability 0."""

    ARRAYS = ("coef_", "intercept_", "present_")

    def __init__(self, n_levels: int = 4, C: float = 16.0, seed: int = 13) -> None:
        self.n_levels = n_levels
        self.C = C
        self.seed = seed

    def fit(self, X, y) -> MultinomialClassifier:
        y = np.asarray(y, dtype=int)
        model = _logistic(self.C, self.seed, binary=False).fit(X, y)
        self.present_ = model.classes_
        coef, intercept = model.coef_, model.intercept_
        if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row, make it symmetric
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        self.coef_, self.intercept_ = coef, intercept
        self._restore()
        return self

    def _restore(self) -> None:
        self.classes_ = np.arange(self.n_levels)

    def predict_proba(self, X) -> np.ndarray:
        scores = self.decision_function(X)
        scores -= scores.max(axis=1, keepdims=True)
        expd = np.exp(scores)
        proba = np.zeros((X.shape[0], self.n_levels))
        proba[:, self.present_] = expd / expd.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)

    def class_weights(self) -> np.ndarray:
        """Per-level weights relative to the mean over levels, shape (n_levels, n_features)."""
        weights = np.zeros((self.n_levels, self.coef_.shape[1]))
        weights[self.present_] = self.coef_ - self.coef_.mean(axis=0)
        return weights


class MultiLabelClassifier(LinearHead):
    """One-vs-rest linear models with calibrated probabilities and a threshold per label.

    Each label gets a class-balanced logistic regression (``loss="logistic"``) or a linear SVM
    (``loss="svm"``), optionally on NB-SVM features (``nb=True``: each feature scaled by its
    log-count ratio between positive and negative rows, Wang & Manning 2012). SVM margins are
    turned into probabilities by Platt scaling fitted on out-of-fold margins of the training
    rows. Both scalings are linear, so they are folded into ``coef_`` and ``intercept_``: a fitted
    head is still one matrix product and a sigmoid.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of each label's model.
    threshold : float or None
        Fixed threshold for every label; ``None`` picks, per label, the threshold that maximises
        F1 on out-of-fold predictions of the training data.
    min_labels : int
        Predict at least this many labels per row (the most probable), even below threshold.
    cv_folds : int
        Folds used for the out-of-fold predictions (thresholds and Platt scaling).
    loss : {"logistic", "svm"}
        The per-label model.
    nb : bool
        Scale features by their log-count ratio first.
    svm_balanced : bool
        Weight the SVM's classes by inverse frequency (``loss="svm"``; the logistic model is
        always class-balanced).
    seed : int
        Random state.
    """

    ARRAYS = ("coef_", "intercept_", "thresholds_", "constant_", "fitted_")

    def __init__(
        self,
        C: float = 16.0,
        threshold: float | None = None,
        min_labels: int = 1,
        cv_folds: int = 3,
        loss: str = "logistic",
        nb: bool = False,
        svm_balanced: bool = False,
        seed: int = 13,
    ) -> None:
        self.C = C
        self.threshold = threshold
        self.min_labels = min_labels
        self.cv_folds = cv_folds
        self.loss = loss
        self.nb = nb
        self.svm_balanced = svm_balanced
        self.seed = seed

    def fit(self, X, Y) -> MultiLabelClassifier:
        Y = np.asarray(Y, dtype=int)
        n_labels = Y.shape[1]
        self.coef_ = np.zeros((n_labels, X.shape[1]))
        self.intercept_ = np.zeros(n_labels)
        self.thresholds_ = np.full(n_labels, 0.5 if self.threshold is None else self.threshold)
        self.constant_ = Y.mean(axis=0)
        self.fitted_ = np.zeros(n_labels, dtype=bool)
        for j in range(n_labels):
            y = Y[:, j]
            if y.min() == y.max():  # label never (or always) seen: predict its constant rate
                continue
            oof = self._oof_scores(X, y)
            slope, offset = (1.0, 0.0)
            if self.loss == "svm":
                slope, offset = _platt(oof, y) if oof is not None else (1.0, 0.0)
            if self.threshold is None and oof is not None:
                self.thresholds_[j] = best_f1_threshold(y, _sigmoid(slope * oof + offset))
            w, b = self._fit_one(X, y)
            self.coef_[j], self.intercept_[j] = slope * w, slope * b + offset
            self.fitted_[j] = True
        return self

    def _fit_one(self, X, y) -> tuple[np.ndarray, float]:
        """Weights and bias of one label's model on the original features."""
        ratio = _log_count_ratio(X, y) if self.nb else None
        Xs = X.multiply(ratio).tocsr() if ratio is not None else X
        if self.loss == "svm":
            from sklearn.svm import LinearSVC

            model = LinearSVC(
                C=self.C,
                class_weight="balanced" if self.svm_balanced else None,
                max_iter=5000,
                random_state=self.seed,
            ).fit(Xs, y)
        else:
            model = _logistic(self.C, self.seed).fit(Xs, y)
        w = model.coef_[0] * ratio if ratio is not None else model.coef_[0]
        return np.asarray(w).ravel(), float(model.intercept_[0])

    def _oof_scores(self, X, y) -> np.ndarray | None:
        """Out-of-fold linear scores of the training rows (None when too few positives)."""
        folds = min(self.cv_folds, int(y.sum()), int(len(y) - y.sum()))
        if folds < 2:
            return None
        from sklearn.model_selection import StratifiedKFold

        oof = np.zeros(len(y))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.seed)
        for fit_rows, val_rows in splitter.split(np.zeros(len(y)), y):
            w, b = self._fit_one(X[fit_rows], y[fit_rows])
            oof[val_rows] = np.asarray(X[val_rows] @ w).ravel() + b
        return oof

    def predict_proba(self, X) -> np.ndarray:
        proba = _sigmoid(self.decision_function(X))
        return np.where(self.fitted_, proba, self.constant_)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Turn probabilities into a 0/1 label matrix using the thresholds and ``min_labels``."""
        chosen = proba >= self.thresholds_
        if self.min_labels > 0 and proba.shape[1]:
            k = min(self.min_labels, proba.shape[1])
            top = np.argsort(-proba, axis=1, kind="stable")[:, :k]
            rows = np.nonzero(chosen.sum(axis=1) < k)[0]
            chosen[rows[:, None], top[rows]] = True
        return chosen.astype(int)

    def predict(self, X) -> np.ndarray:
        return self.decide(self.predict_proba(X))

    def class_weights(self) -> np.ndarray:
        """Per-label feature weights, shape (n_labels, n_features)."""
        return self.coef_


def _log_count_ratio(X, y, alpha: float = 1.0) -> np.ndarray:
    """NB log-count ratio of each feature between positive and negative rows (Wang & Manning)."""
    pos = alpha + np.asarray(X[y == 1].sum(axis=0)).ravel()
    neg = alpha + np.asarray(X[y == 0].sum(axis=0)).ravel()
    return np.log((pos / pos.sum()) / (neg / neg.sum()))


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and offset of a 1-D logistic fit of labels on scores (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def best_f1_threshold(y: np.ndarray, proba: np.ndarray) -> float:
    """Return the probability threshold with the highest F1 for binary labels ``y``.

    Candidates are the midpoints between sorted distinct probabilities, clipped to [0.05, 0.95]
    so a threshold tuned on few positives cannot become extreme.
    """
    order = np.argsort(-proba, kind="stable")
    p_sorted, y_sorted = proba[order], y[order]
    tp = np.cumsum(y_sorted)
    fp = np.cumsum(1 - y_sorted)
    positives = y.sum()
    f1 = 2 * tp / (tp + fp + positives)
    # Only cut between distinct probabilities.
    last_of_run = np.r_[p_sorted[1:] != p_sorted[:-1], True]
    f1 = np.where(last_of_run, f1, -1)
    best = int(np.argmax(f1))
    nxt = p_sorted[best + 1] if best + 1 < len(p_sorted) else 0.0
    return float(np.clip((p_sorted[best] + nxt) / 2, 0.05, 0.95))


#: Settings read only by the heads (and by :meth:`RiskModel.fit_heads`), never by
#: :func:`~riskclf.features.fit_features`: configs that differ only in these get the same fitted
#: features, so ``--tune`` fits those once for all of them.
HEAD_SETTINGS = frozenset(
    {
        "risk_model",
        "C_risk",
        "C_theme",
        "theme_loss",
        "theme_nb",
        "theme_svm_balanced",
        "theme_threshold",
        "min_themes",
        "blank_themes",
    }
)


class RiskModel:
    """Fitted features plus a risk head and/or a theme head.

    Parameters
    ----------
    config : TrainConfig
        The settings the model is built from.
    risk_levels : sequence of str or None
        Ordered risk levels; ``None`` when the model has no risk head.
    theme_labels : sequence of str or None
        Theme labels (column order of the theme probabilities); ``None`` for no theme head.
    """

    def __init__(
        self,
        config: TrainConfig,
        risk_levels: Sequence[str] | None,
        theme_labels: Sequence[str] | None,
    ) -> None:
        if risk_levels is None and theme_labels is None:
            raise ValueError("a model needs a risk head, a theme head or both")
        self.config = config
        self.risk_levels = tuple(risk_levels) if risk_levels is not None else None
        self.theme_labels = tuple(theme_labels) if theme_labels is not None else None
        self.features: Features | None = None
        self.risk_head = None
        if risk_levels is not None:
            head_cls = (
                OrdinalClassifier if config.risk_model == "ordinal" else MultinomialClassifier
            )
            self.risk_head = head_cls(n_levels=len(risk_levels), C=config.C_risk, seed=config.seed)
        self.theme_head = None
        if theme_labels is not None:
            self.theme_head = MultiLabelClassifier(
                C=config.C_theme,
                threshold=config.theme_threshold,
                min_labels=config.min_themes,
                loss=config.theme_loss,
                nb=config.theme_nb,
                svm_balanced=config.theme_svm_balanced,
                seed=config.seed,
            )

    def fit(
        self,
        texts: Sequence[str],
        risk_codes: np.ndarray | None = None,
        theme_matrix: np.ndarray | None = None,
    ) -> RiskModel:
        """Fit the features on ``texts``, then the heads on their matrix (:meth:`fit_heads`).

        ``risk_codes`` holds level codes with -1 for unlabelled rows; ``theme_matrix`` is a 0/1
        matrix whose all-zero rows count as unlabelled for the theme head.
        """
        texts = list(texts)
        features = fit_features(self.config, texts)
        return self.fit_heads(features, features.transform(texts), risk_codes, theme_matrix)

    def fit_heads(
        self,
        features: Features,
        X: sparse.csr_matrix,
        risk_codes: np.ndarray | None = None,
        theme_matrix: np.ndarray | None = None,
    ) -> RiskModel:
        """Adopt fitted ``features`` and fit each head on the rows of ``X`` that carry its label.

        ``features`` must have been fitted with this model's feature settings (every setting
        outside :data:`HEAD_SETTINGS`) and ``X`` must be their matrix of the training texts.
        ``--tune`` uses this to fit the features once for all candidates that differ only in
        head settings; :meth:`fit` is this after fitting the features.

        Parameters
        ----------
        features : Features
            Fitted feature blocks, kept by the model and not changed.
        X : sparse matrix
            ``features.transform(texts)`` of the training texts.
        risk_codes, theme_matrix : ndarray or None
            As in :meth:`fit`.

        Returns
        -------
        RiskModel
            This model, fitted.
        """
        self.features = features
        if self.risk_head is not None:
            labelled = risk_codes >= 0
            self.risk_head.fit(X[labelled], risk_codes[labelled])
        if self.theme_head is not None:
            labelled = theme_matrix.sum(axis=1) > 0
            if self.config.blank_themes == "none":
                labelled[:] = True
            self.theme_head.fit(X[labelled], theme_matrix[labelled])
        return self

    def transform(
        self, texts: Sequence[str], runs: Sequence[list[str]] | None = None
    ) -> sparse.csr_matrix:
        """Return the shared feature matrix of ``texts`` (``runs``, if given: their
        :func:`riskclf.tokens.word_runs`)."""
        return self.features.transform(texts, runs)

    def risk_proba(self, X) -> np.ndarray:
        """Probabilities of each risk level, columns in level order."""
        return self.risk_head.predict_proba(X)

    def theme_proba(self, X) -> np.ndarray:
        """Probability of each theme label, columns in ``theme_labels`` order."""
        return self.theme_head.predict_proba(X)

    _HEADS = {"ordinal": OrdinalClassifier, "multinomial": MultinomialClassifier}

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
        """Rebuild a fitted model from :meth:`get_state` output."""
        config = TrainConfig.from_dict(description["config"])
        model = cls(config, description["risk_levels"], description["theme_labels"])
        model.features = restore_features(config, arrays)
        for key, head_cls in (
            ("risk", cls._HEADS[config.risk_model]),
            ("theme", MultiLabelClassifier),
        ):
            params = description["heads"].get(key)
            if params is not None:
                head_arrays = {n: arrays[f"{key}.{n}"] for n in head_cls.ARRAYS}
                setattr(model, f"{key}_head", head_cls.from_state(params, head_arrays))
        return model
