import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from riskclf.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_help_in_a_subprocess():
    done = subprocess.run(
        [sys.executable, "-m", "riskclf", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    for command in ("train", "predict", "evaluate"):
        assert command in done.stdout


def test_train_predict_evaluate(tiny_csv, tmp_path):
    model = tmp_path / "m"
    done = invoke("train", tiny_csv, "--out", model, "--cv-folds", "3")
    assert done.exit_code == 0, done.output
    assert "trained on" in done.output and (model / "metadata.json").is_file()

    inputs = tmp_path / "three.csv"
    pd.read_csv(tiny_csv).head(3).to_csv(inputs, index=False)
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"scored.{fmt}"
        done = invoke("predict", inputs, "--model", model, "--out", out, "--keep", "risk_level")
        assert done.exit_code == 0, done.output
        scored = {
            "csv": pd.read_csv,
            "jsonl": lambda p: pd.read_json(p, lines=True),
            "parquet": pd.read_parquet,
        }[fmt](out)
        assert len(scored) == 3
        for col in (
            "id",
            "risk_level",
            "risk_score",
            "p_low",
            "p_critical",
            "theme",
            "p_theme_terrorism",
            "top_terms",
            "error",
        ):
            assert col in scored.columns
        assert "3 rows in, 3 scored, 0 with errors" in done.output

    metrics = tmp_path / "metrics.json"
    done = invoke("evaluate", tiny_csv, "--model", model, "--out", metrics)
    assert done.exit_code == 0, done.output
    assert "risk level (48 rows)" in done.output
    assert json.loads(metrics.read_text())["risk_level"]["n"] == 48


def test_predict_text_prints_a_summary(trained):
    _, folder = trained
    done = invoke("predict", "--model", folder, "--text", "a suicide blast killed 25 in Zedtown")
    assert done.exit_code == 0, done.output
    for field in ("risk level : critical", "score", "themes", "top terms"):
        assert field in done.output


def test_predict_to_stdout(trained, tiny_csv):
    _, folder = trained
    done = invoke("predict", tiny_csv, "--model", folder, "--format", "jsonl", "--quiet")
    assert done.exit_code == 0
    assert len([line for line in done.stdout.splitlines() if line.startswith("{")]) == 48


def test_usage_errors_exit_2(tmp_path, trained):
    _, folder = trained
    assert invoke("train", tmp_path / "missing.csv").exit_code == 2
    assert invoke("predict", tmp_path / "missing.csv", "--model", folder).exit_code == 2
    assert invoke("predict", "--model", folder).exit_code == 2
    assert invoke("evaluate").exit_code == 2


def test_errors_exit_1_with_one_line_and_no_traceback(tmp_path, tiny_csv, trained):
    _, folder = trained
    bad = tmp_path / "bad.csv"
    bad.write_text("id,story\n1,hello\n")
    done = invoke("predict", bad, "--model", folder)
    assert done.exit_code == 1
    assert "error: no text column" in done.output and "Traceback" not in done.output

    done = invoke("predict", tiny_csv, "--model", tmp_path / "nomodel")
    assert done.exit_code == 1 and "model folder not found" in done.output

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    done = invoke("train", empty, "--out", tmp_path / "m")
    assert done.exit_code == 1 and "is empty" in done.output

    latin = tmp_path / "latin.csv"
    pd.read_csv(tiny_csv).to_csv(latin, index=False)
    latin.write_bytes(latin.read_bytes().replace(b"Zedtown", b"Z\xe9dtown"))
    done = invoke("train", latin, "--out", tmp_path / "m")
    assert done.exit_code == 1
    assert "text is not valid UTF-8" in done.output and "low-00" in done.output
    assert not (tmp_path / "m").exists()


def test_overwrite_refusal(tmp_path, tiny_csv, trained):
    _, folder = trained
    done = invoke("train", tiny_csv, "--out", folder)
    assert done.exit_code == 1 and "already exists; pass --overwrite" in done.output
    out = tmp_path / "scored.csv"
    out.write_text("precious")
    done = invoke("predict", tiny_csv, "--model", folder, "--out", out)
    assert done.exit_code == 1 and "already exists" in done.output
    assert out.read_text() == "precious"


def test_evaluate_split_filter(tiny_csv, trained, tmp_path):
    _, folder = trained
    frame = pd.read_csv(tiny_csv)
    frame["split"] = ["test" if i % 2 else "train" for i in range(len(frame))]
    path = tmp_path / "split.csv"
    frame.to_csv(path, index=False)
    done = invoke("evaluate", path, "--model", folder, "--split", "test")
    assert done.exit_code == 0 and "risk level (24 rows)" in done.output
    done = invoke("evaluate", tiny_csv, "--model", folder, "--split", "test")
    assert done.exit_code == 1 and "has no 'split' column" in done.output


@pytest.mark.parametrize("bad_config", ['{"colour": 1}', '{"cv_folds": 1}'])
def test_bad_config_file(tmp_path, tiny_csv, bad_config):
    config = tmp_path / "c.json"
    config.write_text(bad_config)
    done = invoke("train", tiny_csv, "--out", tmp_path / "m", "--config", config)
    assert done.exit_code == 1 and "error:" in done.output


def test_explain_prints_both_directions(trained):
    _, folder = trained
    done = invoke("explain", "--model", folder, "--text", "a suicide blast killed 25 in Zedtown")
    assert done.exit_code == 0, done.output
    assert "risk level critical" in done.output
    assert "pushes towards it:" in done.output and "pushes against it:" in done.output
    assert "theme terrorism" in done.output
    assert invoke("explain", "--model", folder, "--text", "  ").exit_code == 1
