"""The whole labelling loop through the CLI on tiny data: suggest -> fill in labels -> train with
the base corpus -> status -> suggest the next batch; and its refusals."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import TINY_CONFIG, make_frame
from typer.testing import CliRunner

from riskclf.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def loop_files(tmp_path_factory):
    """base.csv (with a test split), feed.csv (unlabelled), the hidden truth of the feed,
    a config file and a model trained on the base."""
    folder = tmp_path_factory.mktemp("loop")
    base = make_frame(12)
    base["split"] = ["test" if i % 4 == 0 else "train" for i in range(len(base))]
    base.to_csv(folder / "base.csv", index=False)
    feed = make_frame(10)
    feed["id"] = [f"feed-{i:03d}" for i in range(len(feed))]
    feed["text"] = "LOG Harbourside: " + feed["body"].str.split(". ", regex=False).str[0]
    truth = feed.set_index("id")[["risk_level", "theme"]]
    feed[["id", "text"]].to_csv(folder / "feed.csv", index=False)
    config = folder / "tiny.json"
    config.write_text(json.dumps(TINY_CONFIG.replace(cv_folds=0).to_dict()))
    done = invoke("train", folder / "base.csv", "--out", folder / "m0", "--config", config)
    assert done.exit_code == 0, done.output
    return folder, truth


def fill_in(path, truth, out):
    """The simulated user: fill the empty label columns from the hidden truth."""
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows["risk_level"] = truth.loc[rows["id"], "risk_level"].to_numpy()
    rows["theme"] = truth.loc[rows["id"], "theme"].to_numpy()
    rows.to_csv(out, index=False)
    return rows


def test_suggest_label_train_status_loop(loop_files):
    folder, truth = loop_files
    to_label = folder / "to_label.csv"
    done = invoke(
        "label", "suggest", folder / "feed.csv", "--model", folder / "m0", "--n", 16,
        "--out", to_label, "--seed", 1,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "chose 16 of 40 rows to label" in done.output
    suggested = pd.read_csv(to_label, dtype=str, keep_default_na=False)
    assert len(suggested) == 16 and (suggested["risk_level"] == "").all()
    assert {"text", "guess_risk_level", "p_critical", "guess_theme", "uncertainty"} <= set(
        suggested.columns
    )

    labels = folder / "labels.csv"
    fill_in(to_label, truth, labels)
    done = invoke(
        "train", labels, "--base", folder / "base.csv", "--out", folder / "m1",
        "--config", folder / "tiny.json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "trained on 36 base rows + 16 of your rows (weight" in done.output
    metadata = json.loads((folder / "m1" / "metadata.json").read_text())
    adaptation = metadata["adaptation"]
    assert (adaptation["base_rows"], adaptation["feed_rows"]) == (36, 16)
    assert adaptation["feed_weight"] in (1, 3)
    card = (folder / "m1" / "MODEL_CARD.md").read_text()
    assert f"| your labels | 16 | 0 | {adaptation['feed_weight']} |" in card
    assert "| base corpus (" in card and "| 36 | 12 | 1 |" in card

    done = invoke(
        "label", "status", labels, "--model", folder / "m1", "--base", folder / "base.csv",
        "--out", folder / "status.json",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "labelled rows: 16 (not labelled yet: 0)" in done.output
    assert "risk: cross-validated (3 folds" in done.output
    assert "learning curve" in done.output
    status = json.loads((folder / "status.json").read_text())
    assert sum(status["counts"]["risk_level"].values()) == 16
    assert status["weight"] == adaptation["feed_weight"]
    curve = status["heads"]["risk"]["curve"]
    assert [round(p["labels"]) for p in curve][0] == 0 and curve[-1]["labels"] > 8

    done = invoke(
        "label", "suggest", folder / "feed.csv", "--model", folder / "m1", "--n", 8,
        "--labelled", labels, "--out", folder / "next.csv",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    following = pd.read_csv(folder / "next.csv", dtype=str)
    assert not set(following["id"]) & set(suggested["id"])
    assert "16 already labelled" in done.output


def test_suggest_refuses_a_missing_feed_and_an_existing_out(loop_files):
    folder, _ = loop_files
    done = invoke("label", "suggest", folder / "nope.csv", "--model", folder / "m0")
    assert done.exit_code == 2
    out = folder / "exists.csv"
    out.write_text("id\n")
    done = invoke("label", "suggest", folder / "feed.csv", "--model", folder / "m0", "--out", out)
    assert done.exit_code == 1
    assert "already exists; pass --overwrite" in done.output
    assert "Traceback" not in done.output


def test_train_with_base_refuses_labels_not_filled_in(loop_files):
    folder, _ = loop_files
    empty = folder / "empty.csv"
    pd.DataFrame({"id": ["x1", "x2"], "text": ["a b c", "d e f"], "risk_level": ["", ""]}).to_csv(
        empty, index=False
    )
    done = invoke("train", empty, "--base", folder / "base.csv", "--out", folder / "m2")
    assert done.exit_code == 1
    assert "none of the 2 rows has a 'risk_level' or 'theme' label yet" in done.output
    assert "Traceback" not in done.output
    done = invoke("train", empty, "--base", folder / "base.csv", "--out", folder / "m2", "--tune")
    assert done.exit_code == 2


def test_status_with_too_few_labels_says_so(loop_files):
    folder, truth = loop_files
    few = folder / "few.csv"
    rows = pd.DataFrame({"id": truth.index[:5]})
    rows["text"] = "LOG Harbourside: police arrested four suspects"
    rows["text"] = rows["text"] + " " + rows["id"]
    rows["risk_level"] = truth["risk_level"].iloc[:5].to_numpy()
    rows.to_csv(few, index=False)
    done = invoke("label", "status", few, "--model", folder / "m0", "--base", folder / "base.csv")
    assert done.exit_code == 0, done.output
    assert "5 labelled rows are too few to cross-validate" in done.output
    done = invoke("label", "status", few, "--model", folder / "m0", "--batch", 0)
    assert done.exit_code == 2
