"""Chunked scoring: row count and order across chunk borders, and --jobs equality."""

import pandas as pd

from riskclf.batch import iter_scored, score_files
from riskclf.scoring import score_frame


def make_input(tmp_path, tiny_frame, copies=5):
    frame = pd.concat([tiny_frame] * copies, ignore_index=True)
    frame["id"] = [f"r{i}" for i in range(len(frame))]
    path = tmp_path / "in.csv"
    frame.drop(columns=["risk_level", "theme"]).to_csv(path, index=False)
    return frame, path


def test_chunk_borders_keep_count_and_order(trained, tiny_frame, tmp_path):
    frame, path = make_input(tmp_path, tiny_frame)
    whole = score_frame(trained[0].model, pd.read_csv(path, dtype=object, keep_default_na=False))
    for chunk_rows in (1, 7, 48, 1000):
        chunks = list(iter_scored(trained[0].model, [path], chunk_rows=chunk_rows))
        joined = pd.concat(chunks)
        assert joined["id"].tolist() == frame["id"].tolist()
        pd.testing.assert_frame_equal(joined, whole)


def test_generated_ids_run_on_across_sources(trained, tmp_path):
    for name in ("a.csv", "b.csv"):
        pd.DataFrame({"text": ["one", "two", "three"]}).to_csv(tmp_path / name, index=False)
    chunks = iter_scored(trained[0].model, [tmp_path / "a.csv", tmp_path / "b.csv"], chunk_rows=2)
    assert pd.concat(chunks)["id"].tolist() == [f"row-{i}" for i in range(1, 7)]


def test_jobs_give_identical_output(trained, tiny_frame, tmp_path):
    _, path = make_input(tmp_path, tiny_frame)
    one = pd.concat(iter_scored(trained[0].model, [path], chunk_rows=9, jobs=1))
    two = pd.concat(iter_scored(trained[0].model, [path], chunk_rows=9, jobs=2))
    pd.testing.assert_frame_equal(one, two)


def test_score_files_summary(trained, tiny_frame, tmp_path):
    _, path = make_input(tmp_path, tiny_frame, copies=2)
    summary = score_files(
        trained[0].model, [path], tmp_path / "out.jsonl", fmt="jsonl", chunk_rows=10, jobs=2
    )
    assert (summary.rows, summary.scored, summary.errors) == (96, 96, 0)
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 96
