"""Names, label orders, defaults and the training configuration.

This is the only library module (with ``cli.py``) that knows where the starter corpus and the
``models/`` folder are; every other function takes paths and objects.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from riskclf.errors import ConfigError

# The starter corpus ships inside the package (``riskclf/resources/starter_corpus.csv`` is a
# link to ``data/starter_corpus.csv`` in the source tree, copied into the wheel), so `riskclf
# train` works after a plain ``pip install .`` from any folder.
DEFAULT_CORPUS = Path(str(files("riskclf") / "resources" / "starter_corpus.csv"))
# Models are written to and read from ./models/default of the folder the command runs in.
MODELS_DIR = Path("models")
DEFAULT_MODEL_DIR = MODELS_DIR / "default"

# Column names of the training and scoring tables.
ID_COLUMN = "id"
TEXT_COLUMN = "text"
TITLE_COLUMN = "title"
BODY_COLUMN = "body"
RISK_COLUMN = "risk_level"
THEME_COLUMN = "theme"
SPLIT_COLUMN = "split"
DATE_COLUMN = "date"
COUNTRY_COLUMN = "country"
REGION_COLUMN = "region"
ERROR_COLUMN = "error"
LABEL_SEPARATOR = "|"

RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")
THEMES: tuple[str, ...] = (
    "terrorism",
    "insurgency",
    "armed_conflict",
    "security_operations",
    "kidnapping",
    "crime",
    "civil_unrest",
    "politics",
)
REGIONS: tuple[str, ...] = (
    "South Asia",
    "Central Asia",
    "East Asia",
    "South-East Asia",
    "Middle East & North Africa",
    "Sub-Saharan Africa",
    "Europe",
    "North America",
    "Latin America & Caribbean",
    "Oceania",
)

# Choices of the risk head (TrainConfig.risk_model).
RISK_MODELS: tuple[str, ...] = ("ordinal", "multinomial")

# Scoring defaults.
DEFAULT_CHUNK_ROWS = 2000
DEFAULT_TOP_TERMS = 5
MAX_TEXT_CHARS = 100_000  # longer texts are truncated and flagged, so one row cannot stall a run


@dataclass(frozen=True)
class TrainConfig:
    """Settings for :func:`riskclf.training.train_model`.

    Parameters
    ----------
    risk_levels : tuple of str
        Ordered risk levels, lowest first. Labels outside it are rejected.
    themes : tuple of str or None
        Allowed theme labels; ``None`` learns whatever themes the table holds.
    word_ngrams, char_ngrams : tuple of int
        N-gram ranges of the word and character TF-IDF blocks; ``char_ngrams=None`` drops
        the character block.
    word_sublinear_tf : bool
        Weight word n-gram counts as ``1 + log(count)`` (True) or by the raw count (False).
    min_df : int
        Minimum number of documents a term must occur in.
    max_word_features, max_char_features : int
        Vocabulary caps of the two blocks.
    risk_model : {"ordinal", "multinomial"}
        Cumulative "level >= k" binary models, or one multinomial logistic regression.
    C_risk, C_theme : float
        Inverse regularisation strength of the heads.
    risk_class_weight : {"balanced", "none"}
        Weight the risk levels by inverse frequency while fitting, so rare levels are not
        ignored; the calibration then restores the training rows' prior in the probabilities.
    risk_calibration : {"sigmoid", "none"}
        Calibrate the risk probabilities (a sigmoid per level fitted on out-of-fold responses,
        scikit-learn's ``CalibratedClassifierCV``), or keep the model's own.
    calibration_folds : int
        Folds of the out-of-fold predictions that calibration and theme thresholds are fitted
        on (fewer when a class has fewer rows).
    theme_loss : {"logistic", "svm"}
        Per-theme model: logistic regression, or a linear SVM with Platt-scaled probabilities.
    theme_nb : bool
        Scale theme features by their NB log-count ratio (NB-SVM).
    theme_svm_balanced : bool
        Weight each theme's SVM by inverse class frequency, as the logistic theme models always
        are (``theme_loss="svm"`` only).
    theme_gate : bool
        Fit an "any theme" gate and the theme models on the rows that have a theme:
        ``P(theme) = P(any) P(theme | any)`` (for data where most rows have none; use with
        ``blank_themes="none"``).
    casualty_features : bool
        Add counts of killed/injured/abducted parsed from the text to the features.
    theme_threshold : float or None
        Fixed decision threshold for themes; ``None`` chooses one per label on out-of-fold
        predictions of the training data.
    min_themes : int
        At least this many themes per article (the most probable ones) even below threshold.
    blank_themes : {"unlabelled", "none"}
        What an empty theme cell means: the row is unlabelled for themes (left out of the theme
        head), or it has no theme (a negative example for every theme, as in SATP's non-incident
        rows; use with ``min_themes=0``).
    test_size : float
        Share of rows held out for evaluation when the table has no ``split`` column.
    cv_folds : int
        Folds of the stratified cross-validation reported in the metrics (0 to skip).
    seed : int
        Seed of every random choice.
    """

    risk_levels: tuple[str, ...] = RISK_LEVELS
    themes: tuple[str, ...] | None = None
    word_ngrams: tuple[int, int] = (1, 2)
    # Character n-grams cost seven times the scoring time of the word block and did not beat
    # word n-grams on the real dev sets once C was tuned (docs/benchmarks.md); --tune tries them.
    char_ngrams: tuple[int, int] | None = None
    word_sublinear_tf: bool = True
    min_df: int = 2
    max_word_features: int = 200_000
    max_char_features: int = 200_000
    risk_model: str = "multinomial"
    # 64 rather than 16: on real reports the default model never saw (SATP Maoist train+dev
    # and an audited satp_all train/dev sample, benchmarks/transfer.py --dev), weaker
    # regularisation of the risk head cut false alarms on quiet items (9.0% -> 6.6%) and the
    # calibration error (0.067 -> 0.057) at the same macro-F1; 128 measured the same
    C_risk: float = 64.0
    C_theme: float = 16.0
    risk_class_weight: str = "balanced"
    risk_calibration: str = "sigmoid"
    calibration_folds: int = 3
    theme_loss: str = "logistic"
    theme_nb: bool = False
    theme_svm_balanced: bool = False
    theme_gate: bool = False
    casualty_features: bool = True
    theme_threshold: float | None = None
    min_themes: int = 1
    blank_themes: str = "unlabelled"
    test_size: float = 0.2
    cv_folds: int = 5
    seed: int = 13

    def __post_init__(self) -> None:
        if self.risk_model not in RISK_MODELS:
            raise ConfigError(
                f"risk_model must be one of {', '.join(RISK_MODELS)}, got {self.risk_model!r}"
            )
        if len(self.risk_levels) < 2 or len(set(self.risk_levels)) != len(self.risk_levels):
            raise ConfigError("risk_levels must hold at least two distinct levels")
        if not 0.0 < self.test_size < 1.0:
            raise ConfigError(f"test_size must be between 0 and 1, got {self.test_size}")
        if self.cv_folds == 1 or self.cv_folds < 0:
            raise ConfigError(f"cv_folds must be 0 (skip) or at least 2, got {self.cv_folds}")
        if self.risk_class_weight not in ("balanced", "none"):
            raise ConfigError(
                f"risk_class_weight must be 'balanced' or 'none', got {self.risk_class_weight!r}"
            )
        if self.risk_calibration not in ("sigmoid", "none"):
            raise ConfigError(
                f"risk_calibration must be 'sigmoid' or 'none', got {self.risk_calibration!r}"
            )
        if not isinstance(self.calibration_folds, int) or self.calibration_folds < 2:
            raise ConfigError(
                f"calibration_folds must be at least 2, got {self.calibration_folds}"
            )
        if self.theme_loss not in ("logistic", "svm"):
            raise ConfigError(f"theme_loss must be 'logistic' or 'svm', got {self.theme_loss!r}")
        if self.blank_themes not in ("unlabelled", "none"):
            raise ConfigError(
                f"blank_themes must be 'unlabelled' or 'none', got {self.blank_themes!r}"
            )
        if not isinstance(self.theme_gate, bool):
            raise ConfigError(f"theme_gate must be true or false, got {self.theme_gate!r}")
        if not isinstance(self.word_sublinear_tf, bool):
            raise ConfigError(
                f"word_sublinear_tf must be true or false, got {self.word_sublinear_tf!r}"
            )
        if self.min_df < 1:
            raise ConfigError(f"min_df must be at least 1, got {self.min_df}")
        if self.theme_threshold is not None and not 0.0 < self.theme_threshold < 1.0:
            raise ConfigError(f"theme_threshold must be in (0, 1), got {self.theme_threshold}")
        for name in ("word_ngrams", "char_ngrams"):
            value = getattr(self, name)
            if value is not None and (len(value) != 2 or not 1 <= value[0] <= value[1]):
                raise ConfigError(f"{name} must be a (low, high) pair with 1 <= low <= high")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """Build a config from a mapping, rejecting unknown keys.

        Lists are turned into tuples so a config read back from JSON compares equal.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(
                f"unknown config keys: {', '.join(unknown)}; "
                f"known keys: {', '.join(sorted(known))}"
            )
        converted = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        return cls(**converted)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a JSON-ready dict."""
        values = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}

    def replace(self, **changes: Any) -> TrainConfig:
        """Return a copy with some settings changed (unknown keys rejected)."""
        return TrainConfig.from_dict({**self.to_dict(), **changes})


def load_config(path: Path | None = None, **overrides: Any) -> TrainConfig:
    """Build a :class:`TrainConfig` from a JSON file of settings, then ``overrides``.

    ``None`` overrides are ignored, so unset command-line options keep the file's values.

    Raises
    ------
    ConfigError
        The file cannot be read, is not a JSON object, or holds unknown keys or bad values.
    """
    settings: dict[str, Any] = {}
    if path is not None:
        try:
            settings = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path} is not valid JSON ({exc})") from None
        if not isinstance(settings, dict):
            raise ConfigError(f'{path} must hold a JSON object of settings, e.g. {{"seed": 13}}')
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return TrainConfig.from_dict(settings)
