"""The labelling status: counts, agreement and the gain estimate of the next batch."""

from __future__ import annotations

import pytest
from test_adapting import CONFIG, base_frame, feed_labels

from riskclf.errors import ConfigError
from riskclf.labelling import _gain_line, label_status
from riskclf.training import train_model


def test_gain_follows_the_slope_per_doubling():
    curve = [
        {"labels": 0.0, "macro_f1": 0.5},
        {"labels": 50.0, "macro_f1": 0.6},
        {"labels": 100.0, "macro_f1": 0.7},
    ]
    # +10 points per doubling; 150 labels + 150 more is one doubling
    assert "+10.0 points of macro-F1" in _gain_line(curve, 150, 150)
    flat = [dict(p, macro_f1=0.7) for p in curve]
    assert "not expected to help" in _gain_line(flat, 150, 50)


def test_status_counts_and_cross_validates_both_heads():
    model = train_model(base_frame(), CONFIG).model
    labels = feed_labels()
    labels.loc[0, ["risk_level", "theme"]] = None
    status = label_status(labels, model, base_frame(), weight=3, batch=10)
    assert (status.labelled, status.unlabelled, status.weight) == (23, 1, 3)
    assert sum(status.counts["risk_level"].values()) == 23
    for head in ("risk", "theme"):
        info = status.heads[head]
        assert info["rows"] == 23 and info["folds"] == 3
        assert [p["labels"] for p in info["curve"]][0] == 0.0
        assert 0.0 <= info["cross_validated"]["macro_f1"] <= 1.0
    assert any(line.startswith("theme: learning curve") for line in status.lines())
    with pytest.raises(ConfigError, match="batch must be at least 1"):
        label_status(labels, model, base_frame(), batch=0)
