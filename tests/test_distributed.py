"""The Dask engine on a local cluster gives exactly the local output."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed")

from riskclf.batch import iter_scored  # noqa: E402
from riskclf.distributed import score_dask  # noqa: E402


def test_dask_equals_local(trained, tiny_frame, tmp_path):
    model = trained[0].model
    frame = pd.concat([tiny_frame] * 4, ignore_index=True).drop(columns=["risk_level", "theme"])
    paths = []
    for i in range(3):  # several files, read through a glob
        part = frame.iloc[i::3].copy()
        part["id"] = [f"f{i}-{j}" for j in range(len(part))]
        paths.append(tmp_path / f"in-{i}.csv")
        part.to_csv(paths[-1], index=False)
    local = pd.concat(iter_scored(model, paths)).reset_index(drop=True)
    summary = score_dask(
        model, [str(tmp_path / "in-*.csv")], tmp_path / "out", workers=2, blocksize=2000
    )
    assert summary.rows == len(local) and summary.errors == 0
    assert summary.partitions > 3  # the small blocksize splits files into several partitions
    remote = pd.read_parquet(tmp_path / "out").reset_index(drop=True)
    assert remote["id"].tolist() == local["id"].tolist()
    numeric = [c for c in local.columns if c.startswith("p_")] + ["risk_score"]
    np.testing.assert_allclose(
        remote[numeric].to_numpy(float), local[numeric].to_numpy(float), rtol=0, atol=1e-9
    )
    for col in ("risk_level", "theme", "top_terms", "country"):
        assert remote[col].tolist() == local[col].tolist()


def test_auto_blocksize_gives_every_worker_several_partitions(tmp_path):
    from riskclf.distributed import MAX_BLOCKSIZE, MIN_BLOCKSIZE, auto_blocksize

    for i in range(2):
        (tmp_path / f"in-{i}.csv").write_bytes(b"x" * 20 * 2**20)  # 40 MiB in all
    assert auto_blocksize([str(tmp_path / "in-*.csv")], slots=2) == 5 * 2**20
    assert auto_blocksize([str(tmp_path / "in-0.csv")], slots=64) == MIN_BLOCKSIZE
    assert auto_blocksize(["s3://bucket/news-*.csv"], slots=2) == MAX_BLOCKSIZE
