"""What the casualty parser buys, and what it costs: the default model with and without it.

Run from the project root (the real-data rows need ../shared/datasets):

    python benchmarks/parser_value.py

Trains the default model twice on the starter corpus, exactly as ``riskclf train`` does, once
as shipped and once with ``casualty_features`` off. Both are scored on

- the starter corpus's own held-out rows (the split column's ``test`` rows), and
- real reporting they never saw: the SATP Maoist India **train and dev** rows (the test years
  are left alone; nothing here is tuned on them), risk level by the TAXONOMY casualty rule;

and timed on the same ``bench-data`` articles (``score_frame`` without explanations, one
process, best of three). Results are printed and written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    SHARED,
    best_of,
    machine,
    markdown_table,
    python,
    run_measured,
    write_section,
)

LEVELS = ("medium", "high", "critical")  # almost no SATP Maoist row is "low"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10000, help="bench-data articles to time")
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()

    import pandas as pd

    from riskclf.config import TrainConfig
    from riskclf.datasets import import_source
    from riskclf.evaluation import risk_metrics
    from riskclf.io import read_table
    from riskclf.scoring import score_frame
    from riskclf.training import train_model

    maoist_csv = SHARED / "satp_maoist_india" / "satp_maoist_india.csv"
    real = None
    if maoist_csv.exists():
        real = import_source("satp-maoist", maoist_csv).frame
        real = real[real["split"].isin(["train", "dev"]) & real["risk_level"].isin(LEVELS)]
        real = real[["id", "text", "risk_level"]].reset_index(drop=True)
    else:
        print(f"SATP Maoist rows skipped: {maoist_csv} is absent", file=sys.stderr)

    data = Path(tempfile.gettempdir()) / "riskclf-bench" / f"bench-{args.rows}.csv"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        run_measured([python(), "-m", "riskclf", "bench-data", str(args.rows), "--out", str(data)])
    bench = pd.read_csv(data, dtype=str, keep_default_na=False)
    corpus = read_table(ROOT / "data" / "starter_corpus.csv")

    rows = []
    for name, casualty in (("as shipped (with the parser)", True), ("without the parser", False)):
        result = train_model(corpus, TrainConfig(casualty_features=casualty, cv_folds=0))
        model = result.model
        holdout = result.metrics["holdout"]["risk_level"]
        row = [name, f"{100 * holdout['macro_f1']:.1f}", f"{holdout['qwk']:.3f}"]
        if real is not None:
            scored = score_frame(model, real, explain=False, places=False)
            proba = scored[[f"p_{level}" for level in model.risk_levels]].to_numpy()
            m = risk_metrics(real["risk_level"], proba, model.risk_levels, f1_levels=LEVELS)
            recall = {level: m["per_class"][level]["recall"] for level in LEVELS}
            row += [f"{100 * m['macro_f1']:.1f}", f"{m['qwk']:.3f}"]
            row += [f"{100 * recall[level]:.0f}%" for level in LEVELS]
        else:
            row += ["skipped"] * 5
        seconds = best_of(lambda model=model: score_frame(model, bench, explain=False))
        row.append(f"{1e6 * seconds / len(bench):,.0f}")
        rows.append(row)
        print(" | ".join(row), flush=True)

    n_real = f"{len(real):,}" if real is not None else "0"
    header = ["default model", "starter holdout macro-F1", "holdout QWK"]
    header += [f"SATP Maoist ({n_real} rows) macro-F1", "QWK"]
    header += [f"recall {level}" for level in LEVELS]
    header.append("score_frame µs/article")
    table = markdown_table(header, rows)
    print(table)
    if not args.no_write:
        write_section(
            "parser-value",
            "## What the casualty parser buys\n\n"
            f"Machine: {machine()}.\n\n"
            "Command: `python benchmarks/parser_value.py` (the default model trained as "
            "`riskclf train` does, with and without `casualty_features`; scored on the starter "
            "corpus's held-out rows and on the SATP Maoist India train and dev rows, which it "
            "never saw, levels by the TAXONOMY casualty rule, macro-F1 over medium/high/critical; "
            f"timed on {len(bench):,} `bench-data` articles, one process, best of three).\n\n"
            + table
            + "\n",
        )


if __name__ == "__main__":
    main()
