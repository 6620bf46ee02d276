"""Atomic writes: a target appears whole or not at all, and dead writers' temporaries go."""

import os
import subprocess
import sys

import pytest

from riskclf.atomic import atomic_path, partial_path, remove_stale_partials, write_text_atomically


def dead_pid() -> int:
    """The id of a process that has exited."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def test_file_appears_only_on_success(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    write_text_atomically(target, "whole")
    assert target.read_text() == "whole"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_folder_is_replaced_whole(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    with atomic_path(target, folder=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    target = tmp_path / "out.csv"
    pid = dead_pid()
    stale_file = partial_path(target, pid)
    stale_file.write_text("left by kill -9")
    stale_folder = tmp_path / f".out.csv.{pid}.old"  # a replaced folder not yet removed
    stale_folder.mkdir()
    other = tmp_path / f".other.csv.{pid}.partial"  # another target: not ours to judge
    other.write_text("x")
    live = partial_path(target, os.getppid())  # a writer that is still running
    live.write_text("still being written")
    assert sorted(remove_stale_partials(target)) == sorted([stale_file, stale_folder])
    assert live.exists() and other.exists()
    write_text_atomically(target, "fresh")
    assert live.exists()
