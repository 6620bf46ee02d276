import json
import subprocess
import sys
from pathlib import Path

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


@pytest.mark.parametrize(
    "bad_config", ['{"colour": 1}', '{"cv_folds": 1}', "{not json", "[1, 2]", b"\xff\xfe"]
)
def test_bad_config_file(tmp_path, tiny_csv, bad_config):
    config = tmp_path / "c.json"
    if isinstance(bad_config, bytes):
        config.write_bytes(bad_config)
    else:
        config.write_text(bad_config)
    done = invoke("train", tiny_csv, "--out", tmp_path / "m", "--config", config)
    assert done.exit_code == 1 and done.output.startswith("error:"), done.output
    assert len(done.output.strip().splitlines()) == 1


def test_explain_prints_both_directions(trained):
    _, folder = trained
    done = invoke("explain", "--model", folder, "--text", "a suicide blast killed 25 in Zedtown")
    assert done.exit_code == 0, done.output
    assert "risk level critical" in done.output
    assert "pushes towards it:" in done.output and "pushes against it:" in done.output
    assert "theme terrorism" in done.output
    assert invoke("explain", "--model", folder, "--text", "  ").exit_code == 1


@pytest.mark.parametrize(
    ("args", "option", "choices"),
    [
        (["train", "--risk-model", "bogus"], "--risk-model", "'ordinal', 'multinomial'"),
        (["report", "SCORED", "--freq", "Q"], "--freq", "'W', 'M'"),
        (["report", "SCORED", "--by", "anything"], "--by", "'country', 'region'"),
        (["predict", "-", "--format", "xlsx"], "--format", "'csv', 'jsonl', 'parquet'"),
        (["predict", "-", "--input-format", "xml"], "--input-format", "'csv', 'tsv'"),
        (["predict", "-", "--engine", "spark"], "--engine", "'local', 'dask'"),
        (["data", "import", "nope", "DATA", "out.csv"], "SOURCE", "'satp', 'satp-maoist'"),
    ],
)
def test_wrong_option_values_exit_2_listing_the_choices(tiny_csv, args, option, choices):
    args = [str(tiny_csv) if a in ("SCORED", "DATA") else a for a in args]
    done = invoke(*args)
    assert done.exit_code == 2, done.output
    assert f"Invalid value for '{option}'" in done.output and choices in done.output


def test_help_pages_show_no_type_labels_for_flags_and_lists():
    for command in ([], ["train"], ["predict"], ["explain"], ["evaluate"], ["report"]):
        done = invoke(*command, "--help")
        assert done.exit_code == 0
        assert "<bool>" not in done.output and "<str>" not in done.output, command
    help_page = invoke("predict", "--help").output
    assert "--keep COLUMN" in help_page and "--format <csv|jsonl|parquet>" in help_page


def test_skip_bad_rows_trains_on_the_rest_and_names_them(tiny_csv, tmp_path):
    frame = pd.read_csv(tiny_csv)
    frame.loc[3, "body"] = frame.loc[3, "title"] = None  # no text at all
    frame.loc[5, "risk_level"] = "severe"  # outside the declared levels
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    bad_ids = [frame.loc[3, "id"], frame.loc[5, "id"]]

    done = invoke("train", path, "--out", tmp_path / "refused", "--cv-folds", "0")
    assert done.exit_code == 1
    assert "2 rows cannot be used for training" in done.output
    assert "--skip-bad-rows" in done.output and not (tmp_path / "refused").exists()

    model = tmp_path / "m"
    done = invoke("train", path, "--out", model, "--cv-folds", "0", "--skip-bad-rows")
    assert done.exit_code == 0, done.output
    assert (
        f"left out 2 unusable rows (1 empty text, 1 risk_level outside the declared set): "
        f"{bad_ids[0]}, {bad_ids[1]}" in done.output
    )
    meta = json.loads((model / "metadata.json").read_text())
    assert meta["training_data"]["rows"] == len(frame) - 2
    assert meta["training_data"]["skipped_rows"] == [
        {"id": bad_ids[0], "reason": "empty text"},
        {"id": bad_ids[1], "reason": "risk_level outside the declared set"},
    ]


def test_evaluate_report_worst_errors_carry_the_article_start(trained, tiny_csv, tmp_path):
    pytest.importorskip("matplotlib")
    _, folder = trained
    frame = pd.read_csv(tiny_csv)
    frame["risk_level"] = frame["risk_level"].map(  # flip the truth, so there are errors
        {"low": "critical", "critical": "low", "medium": "high", "high": "medium"}
    )
    path = tmp_path / "flipped.csv"
    frame.to_csv(path, index=False)
    report = tmp_path / "report"
    done = invoke("evaluate", path, "--model", folder, "--report", report)
    assert done.exit_code == 0, done.output
    worst = pd.read_csv(report / "worst_errors.csv")
    assert len(worst) > 0 and "snippet" in worst.columns
    by_id = frame.set_index("id")
    for row in worst.itertuples():
        assert row.snippet.startswith(by_id.loc[row.id, "title"])
    assert not list(report.glob(".*"))  # no temporaries left behind


def test_train_with_no_arguments_works_in_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = invoke("train", "--cv-folds", "0")
    assert done.exit_code == 0, done.output
    assert (Path("models") / "default" / "manifest.json").is_file()
    done = invoke("predict", "--text", "Gunmen abducted three engineers in Khost.")
    assert done.exit_code == 0 and "risk level :" in done.output
    done = invoke("train", "--out", Path("typo") / "m")
    assert done.exit_code == 1 and "folder does not exist: typo" in done.output


def test_train_out_under_models_works_in_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    done = invoke("train", "--cv-folds", "0", "--out", str(Path("models") / "mine"))
    assert done.exit_code == 0, done.output
    assert (Path("models") / "mine" / "manifest.json").is_file()
