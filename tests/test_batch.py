"""Chunked scoring: row count and order across chunk borders, --jobs equality, and workers
that end with their parent."""

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import pandas as pd
import psutil

from riskclf import batch
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


def _riskclf(*args):
    return [sys.executable, "-m", "riskclf", *map(str, args)]


def test_kill_9_of_the_parent_ends_the_workers_and_the_next_run_cleans_up(trained, tmp_path):
    """``kill -9`` gives the parent no chance to stop its --jobs workers or remove its partial
    output: the workers must notice on their own, and the next run into the folder tidies up."""
    rows = 60_000
    path = tmp_path / "many.csv"
    pd.DataFrame(
        {"id": range(rows), "text": ["rebels ambushed a patrol near Zedtown"] * rows}
    ).to_csv(path, index=False)
    out = tmp_path / "scored.csv"
    command = _riskclf(
        "predict", path, "--model", trained[1], "--out", out, "--chunk-rows", 100, "--jobs", 2
    )
    proc = subprocess.Popen([*command, "--quiet"], stderr=subprocess.PIPE)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    # Wait until both workers run and the first chunks were written.
    while not (list(tmp_path.glob(".scored.csv.*.partial")) and len(parent.children()) >= 2):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "scoring never started writing"
        time.sleep(0.05)
    workers = parent.children(recursive=True)
    proc.kill()
    proc.wait(timeout=10)

    def running(process):
        try:
            return process.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    gone_by = time.monotonic() + 5
    while any(running(w) for w in workers) and time.monotonic() < gone_by:
        time.sleep(0.1)
    left = [w.pid for w in workers if running(w)]
    for pid in left:  # do not leave them behind if the assertion fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers still running 5 s after the parent was killed: {left}"

    stale = tmp_path / f".scored.csv.{proc.pid}.partial"
    assert stale.exists() and not out.exists()
    small = tmp_path / "few.csv"
    pd.DataFrame({"id": [1, 2], "text": ["police arrested four suspects"] * 2}).to_csv(
        small, index=False
    )
    done = subprocess.run(
        _riskclf("predict", small, "--model", trained[1], "--out", out, "--jobs", 1),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not stale.exists()
    assert len(pd.read_csv(out)) == 2


def _sigterm_is_default() -> bool:
    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def _sigterm_is_default_after_guard(parent_pid: int) -> bool:
    batch._die_with_parent(parent_pid)
    return _sigterm_is_default()


def test_a_worker_does_not_swallow_sigterm():
    """Forked workers inherit the CLI's SIGTERM-as-Ctrl-C handler, which made them ignore
    ``kill``; the worker guard restores the default."""
    from riskclf.cli import _terminate

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            inherited = pool.submit(_sigterm_is_default).result(timeout=60)
            guarded = pool.submit(_sigterm_is_default_after_guard, os.getpid()).result(timeout=60)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not inherited and guarded
