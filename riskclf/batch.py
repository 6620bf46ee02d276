"""Score whole files chunk by chunk: read, :func:`~riskclf.scoring.score_frame`, write.

Memory is bounded by the chunk size, not the file; output rows keep the input order.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from riskclf.atomic import pid_alive
from riskclf.config import DEFAULT_CHUNK_ROWS, ERROR_COLUMN
from riskclf.io import TableWriter, iter_table
from riskclf.scoring import score_frame
from riskclf.served import RiskModel


@dataclass
class BatchSummary:
    """Counts of a batch run: rows read, scored and with errors, per error kind."""

    rows: int = 0
    scored: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    truncated: int = 0
    warnings: dict[str, int] = field(default_factory=dict)
    duplicate_ids: int = 0
    seconds: float = 0.0
    _seen_ids: set[int] = field(default_factory=set, repr=False)

    def add(self, scored: pd.DataFrame) -> None:
        """Count one scored chunk."""
        failed = scored[ERROR_COLUMN].astype(str) != ""
        self.rows += len(scored)
        self.errors += int(failed.sum())
        self.scored += int((~failed).sum())
        self.truncated += int(scored["truncated"].sum())
        if "warning" in scored.columns:
            warned = scored["warning"].astype(str)
            for flags in warned[warned != ""]:
                for flag in flags.split("|"):
                    self.warnings[flag] = self.warnings.get(flag, 0) + 1
        for row_id in scored["id"].tolist():
            key = hash(row_id)  # ids are only counted, so a hash set keeps memory small
            if key in self._seen_ids:
                self.duplicate_ids += 1
            else:
                self._seen_ids.add(key)
        for kind in scored.loc[failed, ERROR_COLUMN]:
            key = str(kind).split(" (")[0]
            self.error_kinds[key] = self.error_kinds.get(key, 0) + 1

    def line(self) -> str:
        """One-line summary for stderr."""
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        text = (
            f"{_count(self.rows, 'row')} in, {self.scored} scored, {self.errors} with errors "
            f"({self.seconds:.1f} s, {rate:,.0f} rows/s)"
        )
        if self.error_kinds:
            text += "; errors: " + ", ".join(f"{n} {k}" for k, n in self.error_kinds.items())
        if self.truncated:
            text += f"; {_count(self.truncated, 'text')} truncated"
        if self.warnings:
            text += "; warnings: " + ", ".join(f"{n} {k}" for k, n in self.warnings.items())
        if self.duplicate_ids:
            repeat = "repeats" if self.duplicate_ids == 1 else "repeat"
            text += (
                f"; {_count(self.duplicate_ids, 'row')} {repeat} an earlier id "
                "(all kept, in input order)"
            )
        return text


def _count(n: int, noun: str) -> str:
    """``1 text``, ``2 texts``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def iter_scored(
    model: RiskModel,
    sources: Sequence[str | Path],
    *,
    input_format: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    jobs: int = 1,
    **options,
) -> Iterator[pd.DataFrame]:
    """Yield scored chunks of every source in turn, in input order.

    Generated ids run on across sources. With ``jobs > 1`` chunks are scored in that many worker
    processes, each holding one copy of the model; at most ``2 * jobs`` chunks are in flight, so
    memory stays bounded, and results are yielded in input order. ``options`` go to
    :func:`~riskclf.scoring.score_frame`.
    """
    chunks = _numbered_chunks(sources, input_format, chunk_rows)
    if jobs <= 1:
        for offset, chunk in chunks:
            yield score_frame(model, chunk, row_offset=offset, **options)
        return
    description, arrays = model.get_state()
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(os.getpid(), description, arrays)
    ) as pool:
        pending: deque[Future] = deque()
        for offset, chunk in chunks:
            pending.append(pool.submit(_score_in_worker, chunk, offset, options))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _numbered_chunks(sources, input_format, chunk_rows) -> Iterator[tuple[int, pd.DataFrame]]:
    """(rows before this chunk, chunk) over all sources."""
    offset = 0
    for source in sources:
        for chunk in iter_table(source, fmt=input_format, chunk_rows=chunk_rows):
            yield offset, chunk
            offset += len(chunk)


_WORKER_MODEL: RiskModel | None = None
# How often a worker checks that its parent is still there (seconds).
PARENT_CHECK_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _init_worker(parent_pid: int, description: dict, arrays: dict) -> None:
    """Tie the worker's life to its parent, then build the model once per worker process."""
    global _WORKER_MODEL
    _die_with_parent(parent_pid)
    _WORKER_MODEL = RiskModel.from_state(description, arrays)


def _die_with_parent(parent_pid: int) -> None:
    """Make this worker exit when the process that started the pool goes away.

    A worker waits for its next chunk on a pipe that other workers also hold open, so when the
    parent is killed (``kill -9``, the OOM killer) no end-of-file ever arrives and it would wait
    for ever. Two guards, because neither covers every case alone:

    * Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker the moment its
      parent dies, even while the worker is busy in C code holding the GIL. It is Linux-only and
      fires on the death of the *direct* parent, which under the ``forkserver`` start method is
      the fork server, not riskclf.
    * A daemon thread that polls :func:`os.getppid`: portable, and it catches a parent that died
      before ``prctl`` was called (the worker is then re-parented at once). Under ``forkserver``
      the fork server itself exits when riskclf dies, so the chain still ends.

    The parent's SIGTERM handler (which turns SIGTERM into Ctrl-C so outputs are cleaned up) is
    inherited by forked workers, where it would make them swallow SIGTERM; it is reset here so
    ``kill`` ends a worker as usual.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()  # riskclf itself, or the fork server under "forkserver"
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent or not pid_alive(parent_pid):
        os._exit(1)  # the parent died while this worker was starting

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="riskclf-parent-watch", daemon=True).start()


def _score_in_worker(chunk: pd.DataFrame, offset: int, options: dict) -> pd.DataFrame:
    """Score one chunk with the worker's model."""
    return score_frame(_WORKER_MODEL, chunk, row_offset=offset, **options)


def score_files(
    model: RiskModel,
    sources: Sequence[str | Path],
    out: Path | None,
    *,
    fmt: str = "csv",
    overwrite: bool = False,
    progress: bool = False,
    **options,
) -> BatchSummary:
    """Score ``sources`` into ``out`` (``None`` = stdout) and return the counts.

    ``options`` go to :func:`iter_scored`. The output file appears under its name only when
    every chunk was written.
    """
    summary = BatchSummary()
    started = time.perf_counter()
    bar = _progress_bar() if progress else None
    try:
        with TableWriter(out, fmt, overwrite=overwrite) as writer:
            for scored in iter_scored(model, sources, **options):
                writer.write(scored)
                summary.add(scored)
                if bar is not None:
                    bar.update(len(scored))
    finally:
        if bar is not None:
            bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _progress_bar():
    """A rows/s progress bar on stderr."""
    from tqdm import tqdm

    return tqdm(unit=" rows", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
