"""Score many files on a Dask cluster with the same :func:`~riskclf.scoring.score_frame`.

Dask is an optional extra (``pip install "riskclf[dask]"``). The input is read as a Dask
dataframe (files or globs, CSV or Parquet), the model is sent to every worker once, each
partition is scored by ``score_frame`` and the result is written as partitioned Parquet or CSV.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from riskclf.atomic import atomic_path
from riskclf.errors import InputError, RiskclfError
from riskclf.schema import TextColumns
from riskclf.scoring import score_frame
from riskclf.served import RiskModel


@dataclass
class DaskSummary:
    """What a Dask run wrote."""

    rows: int
    errors: int
    partitions: int
    out_dir: Path

    def line(self) -> str:
        """One-line summary for stderr."""
        return (
            f"{self.rows} rows in, {self.rows - self.errors} scored, {self.errors} with errors "
            f"({self.partitions} partitions) -> {self.out_dir}"
        )


def _require_dask():
    """Import dask.dataframe and distributed, or say how to install them."""
    try:
        import dask.dataframe as dd
        import distributed
    except ImportError:
        raise RiskclfError(
            'the Dask engine needs the dask extra: pip install "riskclf[dask]"'
        ) from None
    return dd, distributed


MAX_BLOCKSIZE = 64 * 2**20
MIN_BLOCKSIZE = 2**20


def auto_blocksize(sources: Sequence[str], slots: int) -> int:
    """Bytes of CSV per partition: about four partitions per worker thread, so every worker has
    work and a slow partition does not hold the run up, within 1–64 MiB. Sources that are not
    local files (``s3://...``) count as large."""
    total = 0
    for source in sources:
        matches = glob.glob(source)
        if not matches:
            return MAX_BLOCKSIZE
        total += sum(Path(m).stat().st_size for m in matches)
    return int(min(MAX_BLOCKSIZE, max(MIN_BLOCKSIZE, total / (4 * max(slots, 1)))))


def read_dask(sources: Sequence[str], fmt: str, blocksize: str | int = MAX_BLOCKSIZE):
    """Read CSV or Parquet files (globs allowed) as one Dask dataframe of strings."""
    dd, _ = _require_dask()
    if fmt == "csv":
        return dd.read_csv(
            list(sources),
            dtype=object,
            keep_default_na=False,
            blocksize=blocksize,
            encoding="utf-8-sig",
            encoding_errors="surrogateescape",
        )
    if fmt == "parquet":
        return dd.read_parquet(list(sources))
    raise InputError(f"the Dask engine reads csv or parquet, not {fmt}")


def _score_partition(partition: pd.DataFrame, model, offsets, options, partition_info=None):
    """Score one partition; generated ids continue from the rows of earlier partitions."""
    number = partition_info["number"] if partition_info else 0
    offset = int(offsets[number]) if offsets is not None else 0
    scored = score_frame(model, partition, row_offset=offset, **options).reset_index(drop=True)
    return _typed(scored)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as pandas strings, so Dask can derive the Parquet schema from the meta."""
    text = [c for c in frame.columns if frame[c].dtype == object]
    return frame.astype(dict.fromkeys(text, "string"))


def _part_name(number: int) -> str:
    """Zero-padded part names, so files sort in row order."""
    return f"part-{number:05d}.parquet"


def _part_number(number: int) -> str:
    """The ``*`` of ``part-*.csv``."""
    return f"{number:05d}"


def _count_rows(partition: pd.DataFrame) -> pd.DataFrame:
    """Rows and rows with errors of one scored partition."""
    errors = int((partition["error"].astype(str) != "").sum())
    return pd.DataFrame({"rows": [len(partition)], "errors": [errors]})


def score_dask(
    model: RiskModel,
    sources: Sequence[str],
    out_dir: Path,
    *,
    fmt: str = "parquet",
    input_format: str = "csv",
    scheduler: str | None = None,
    workers: int = 2,
    blocksize: str | int | None = None,
    overwrite: bool = False,
    columns: TextColumns = TextColumns(),
    **options,
) -> DaskSummary:
    """Score ``sources`` on a Dask cluster into the folder ``out_dir``.

    Parameters
    ----------
    model : RiskModel
        The fitted model; it is scattered to every worker once.
    sources : sequence of str
        Files or globs.
    out_dir : Path
        Output folder of ``part-<nnnnn>.parquet`` or ``part-<nnnnn>.csv`` files, in row order.
    fmt : {"parquet", "csv"}
        Output format.
    input_format : {"csv", "parquet"}
        Input format.
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); without it a local cluster of
        ``workers`` processes is started and stopped.
    blocksize : str or int, optional
        Bytes of CSV per partition; by default :func:`auto_blocksize` for the cluster's threads.
    overwrite : bool
        Replace an existing output folder.
    options
        Passed to :func:`~riskclf.scoring.score_frame` (``passthrough``, ``explain``, …).
    """
    dd, distributed = _require_dask()
    import dask

    if fmt not in ("parquet", "csv"):
        raise InputError(f"the Dask engine writes parquet or csv, not {fmt}")
    if out_dir.exists() and not overwrite:
        raise InputError(f"{out_dir} already exists; pass --overwrite to replace it")
    if not out_dir.parent.exists():
        raise InputError(f"output folder does not exist: {out_dir.parent}")
    options = {**options, "columns": columns}
    if scheduler:
        client = distributed.Client(scheduler)
        cluster = None
    else:
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
    try:
        if blocksize is None:
            slots = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
            blocksize = auto_blocksize(sources, slots)
        frame = read_dask(sources, input_format, blocksize)
        offsets = None
        if columns.id not in frame.columns:
            lengths = frame.map_partitions(len).compute()
            offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        [model_future] = client.scatter([model], broadcast=True)
        meta = _typed(score_frame(model, frame._meta.head(0), **options).reset_index(drop=True))
        scored = frame.map_partitions(
            _score_partition, model_future, offsets, options, meta=meta, align_dataframes=False
        )
        counts = scored.map_partitions(_count_rows, meta={"rows": "int64", "errors": "int64"})
        with atomic_path(out_dir, folder=True) as tmp:
            if fmt == "parquet":
                write = scored.to_parquet(
                    tmp, write_index=False, compute=False, name_function=_part_name
                )
            else:
                write = scored.to_csv(
                    str(tmp / "part-*.csv"), index=False, compute=False, name_function=_part_number
                )
            # One compute for both, so each partition is scored once.
            _, counts = dask.compute(write, counts)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return DaskSummary(
        rows=int(counts["rows"].sum()),
        errors=int(counts["errors"].sum()),
        partitions=frame.npartitions,
        out_dir=out_dir,
    )
