"""build_model: the one library call behind `riskclf train`."""

import json

import pandas as pd
import pytest

from riskclf.artifact import load_model
from riskclf.building import build_model
from riskclf.errors import ArtifactError, SchemaError


def test_build_model_trains_saves_and_summarises(tiny_csv, tiny_config, tmp_path):
    out = tmp_path / "m"
    summary = build_model(tiny_csv, out, config=tiny_config.replace(cv_folds=0))
    assert summary.path == out and summary.rows_read == 48 and summary.dropped == []
    assert summary.train_rows + summary.holdout_rows == 48
    assert summary.line().startswith(f"trained on {summary.train_rows} rows")
    assert summary.dropped_line() == "" and summary.tuned_on is None
    assert load_model(out).metadata["training_data"]["source"] == str(tiny_csv)


def test_existing_folder_is_refused_before_any_work(tmp_path):
    out = tmp_path / "m"
    out.mkdir()
    # The table does not even exist: the refusal comes first, not after training.
    with pytest.raises(ArtifactError, match="already exists; pass --overwrite"):
        build_model(tmp_path / "missing.csv", out)
    with pytest.raises(ArtifactError, match="folder does not exist"):
        build_model(tmp_path / "missing.csv", tmp_path / "no" / "m")


def test_unusable_rows_without_and_with_skip(tiny_csv, tiny_config, tmp_path):
    frame = pd.read_csv(tiny_csv).drop(columns=["id"])  # ids are generated: row-<n>
    frame.loc[[2, 40], "body"] = "   "
    frame.loc[[2, 40], "title"] = ""
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    config = tiny_config.replace(cv_folds=0)
    with pytest.raises(SchemaError, match=r"2 rows cannot be used .*row-3, row-41.*--skip-bad"):
        build_model(path, tmp_path / "refused", config=config)
    summary = build_model(path, tmp_path / "m", config=config, skip_bad_rows=True)
    assert summary.dropped == [("row-3", "empty text"), ("row-41", "empty text")]
    assert summary.rows_read == 48 and summary.train_rows + summary.holdout_rows == 46
    meta = json.loads((tmp_path / "m" / "metadata.json").read_text())
    assert meta["training_data"]["rows_read"] == 48 and meta["training_data"]["rows"] == 46
