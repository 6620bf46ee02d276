"""Model file size and load time: riskclf's array format against joblib (pickle).

    python benchmarks/model_files.py

Measures the default model and a ~200k-feature model (word 1-3-grams of the real SATP texts,
when ../shared/datasets is present). Load time is the best of 5 loads in this process.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import joblib
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, SHARED, machine, markdown_table, write_section  # noqa: E402

from riskclf.artifact import build_metadata, load_model, save_model  # noqa: E402
from riskclf.config import TrainConfig  # noqa: E402
from riskclf.training import train_model  # noqa: E402


def best_of(fn, n: int = 5) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(name: str, folder: Path, work: Path) -> list[object]:
    model = load_model(folder).model
    n_features = model.features.n_features()
    pickled = work / f"{name}.joblib"
    joblib.dump(model, pickled)
    ours = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
    return [
        name,
        f"{n_features:,}",
        f"{ours:.1f}",
        f"{best_of(lambda: load_model(folder)):.3f}",
        f"{pickled.stat().st_size / 2**20:.1f}",
        f"{best_of(lambda: joblib.load(pickled)):.3f}",
    ]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="riskclf-models-"))
    default = ROOT / "models" / "default"
    if not (default / "metadata.json").exists():
        sys.exit("train the default model first: riskclf train")
    rows = [measure("default", default, work)]
    if SHARED.is_dir():
        texts = pd.concat(
            [
                pd.read_csv(
                    SHARED / "satp_conflibert" / "satp_all" / "train.csv", usecols=["text"]
                ),
                pd.read_csv(
                    SHARED / "satp_maoist_india" / "satp_maoist_india.csv", usecols=["text"]
                ),
            ],
            ignore_index=True,
        )
        texts["risk_level"] = ["low", "high"] * (len(texts) // 2) + ["low"] * (len(texts) % 2)
        config = TrainConfig(
            word_ngrams=(1, 3),
            min_df=1,
            max_word_features=200_000,
            cv_folds=0,
            casualty_features=False,
        )
        result = train_model(texts, config)
        folder = work / "big"
        save_model(
            result.model, build_metadata(result.model, data=result.data, metrics={}), folder
        )
        rows.append(measure("200k features (SATP texts, word 1-3-grams)", folder, work))
    table = markdown_table(
        ["model", "features", "riskclf MB", "riskclf load s", "joblib MB", "joblib load s"], rows
    )
    print(table)
    write_section(
        "model_files",
        "## Model files: size and load time\n\n"
        f"Machine: {machine()}.\n\nCommand: `python benchmarks/model_files.py` (best of 5 loads; "
        "riskclf = the whole model folder, loaded with its sha256 and format checks; joblib = "
        "the same fitted model pickled, which is *not* safe to load from an untrusted source). "
        "The large model's labels are arbitrary: it exists only to have 200k features.\n\n"
        + table
        + "\n",
    )


if __name__ == "__main__":
    main()
