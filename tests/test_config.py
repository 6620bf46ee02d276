import pytest

from riskclf.config import TrainConfig
from riskclf.errors import ConfigError


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ConfigError, match="unknown config keys: colour"):
        TrainConfig.from_dict({"colour": "red"})


def test_round_trip_through_dict():
    config = TrainConfig(word_ngrams=(1, 3), char_ngrams=None, C_risk=2.0)
    assert TrainConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"risk_model": "tree"}, "risk_model must be"),
        ({"test_size": 1.5}, "test_size must be between 0 and 1"),
        ({"cv_folds": 1}, "cv_folds must be 0"),
        ({"min_df": 0}, "min_df must be at least 1"),
        ({"word_sublinear_tf": "no"}, "word_sublinear_tf must be true or false"),
        ({"word_ngrams": (2, 1)}, "word_ngrams must be"),
        ({"risk_levels": ("low",)}, "at least two distinct levels"),
        ({"theme_threshold": 1.0}, "theme_threshold must be in"),
    ],
)
def test_invalid_values_are_rejected(changes, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig().replace(**changes)
