import numpy as np
import pytest

from riskclf.errors import SchemaError
from riskclf.evaluation import (
    calibration_bins,
    evaluate_model,
    expected_calibration_error,
    format_report,
    risk_metrics,
    theme_metrics,
)

LEVELS = ["low", "medium", "high", "critical"]


def test_risk_metrics_on_known_values():
    proba = np.array([[0.9, 0.1, 0, 0], [0, 0.8, 0.2, 0], [0, 0, 0.3, 0.7], [0, 0, 0.6, 0.4]])
    m = risk_metrics(["low", "medium", "high", "critical"], proba, LEVELS)
    assert m["accuracy"] == 0.5
    assert m["mae_levels"] == 0.5
    assert m["confusion_matrix"]["matrix"] == [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 0, 1],
        [0, 0, 1, 0],
    ]
    assert m["per_class"]["high"]["recall"] == 0.0
    brier = np.mean([0.01 + 0.01, 0.04 + 0.04, 0.49 + 0.49, 0.36 + 0.36])
    assert m["brier"] == pytest.approx(brier)
    assert 0 < m["qwk"] < 1


def test_ece_of_perfectly_calibrated_bins_is_zero():
    bins = calibration_bins(np.array([0.75] * 4), np.array([1, 1, 1, 0.0]))
    assert len(bins) == 1 and bins[0]["count"] == 4 and bins[0]["accuracy"] == 0.75
    assert expected_calibration_error(bins) == pytest.approx(0.0)
    over = calibration_bins(np.array([0.95, 0.95]), np.array([0.0, 0.0]))
    assert expected_calibration_error(over) == pytest.approx(0.95)


def test_theme_metrics():
    labels = ["a", "b", "c"]
    proba = np.array([[0.9, 0.6, 0.1], [0.2, 0.8, 0.1]])
    chosen = (proba > 0.5).astype(int)
    m = theme_metrics([("a",), ("b", "c")], proba, chosen, labels)
    assert m["per_class"]["a"]["f1"] == 1.0
    assert m["per_class"]["c"]["recall"] == 0.0
    assert m["primary"]["accuracy"] == 1.0
    assert m["subset_accuracy"] == 0.0


def test_evaluate_model_and_report(trained, tiny_frame):
    result, _ = trained
    metrics = evaluate_model(result.model, tiny_frame)
    assert metrics["risk_level"]["n"] == 48 and metrics["theme"]["n"] == 48
    report = format_report(metrics)
    assert "risk level (48 rows)" in report and "critical" in report


def test_evaluate_rejects_unknown_labels(trained, tiny_frame):
    result, _ = trained
    tiny_frame.loc[0, "theme"] = "weather"
    with pytest.raises(SchemaError, match="weather"):
        evaluate_model(result.model, tiny_frame)


def test_evaluate_needs_a_label_column(trained, tiny_frame):
    result, _ = trained
    with pytest.raises(SchemaError, match="nothing to evaluate"):
        evaluate_model(result.model, tiny_frame.drop(columns=["risk_level", "theme"]))
