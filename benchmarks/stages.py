"""Where the scoring time goes: microseconds per article for each stage of ``score_frame``.

    python benchmarks/stages.py [--rows 10000]

Times, in this one process and best of three, every stage the batch path runs for a chunk of
``riskclf bench-data`` articles with the default model: reading the CSV, finding the word runs
(once per article, shared), each feature block, the two heads, place tagging, the whole
``score_frame`` with and without explanations, and writing the CSV. Results are printed and
written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, best_of, machine, markdown_table, python, run_measured, write_section  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()

    import numpy as np
    import pandas as pd

    from riskclf.artifact import load_model
    from riskclf.places import Gazetteer
    from riskclf.schema import get_texts
    from riskclf.scoring import score_frame
    from riskclf.tokens import word_runs

    data = Path(tempfile.gettempdir()) / "riskclf-bench" / f"bench-{args.rows}.csv"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        run_measured([python(), "-m", "riskclf", "bench-data", str(args.rows), "--out", str(data)])
    model = load_model(args.model).model
    frame = pd.read_csv(data, dtype=str, keep_default_na=False)
    texts = get_texts(frame).tolist()
    X = model.transform(texts)
    scored = score_frame(model, frame)
    gazetteer = Gazetteer.default()

    runs = word_runs(texts)
    stages: list[tuple[str, object]] = [
        ("read the CSV (pandas)", lambda: pd.read_csv(data, dtype=str, keep_default_na=False)),
        ("word runs (found once, shared)", lambda: word_runs(texts)),
    ]
    for name, block in model.features.blocks:
        if getattr(block, "reads_runs", False):
            stages.append(
                (f"feature block: {name}", lambda block=block: block.transform(texts, runs))
            )
        else:
            stages.append((f"feature block: {name}", lambda block=block: block.transform(texts)))
    stages += [
        ("risk and theme heads", lambda: (model.risk_proba(X), model.theme_proba(X))),
        ("place tagging", lambda: [gazetteer.tag(t, r) for t, r in zip(texts, runs, strict=True)]),
        ("score_frame --no-explain", lambda: score_frame(model, frame, explain=False)),
        ("score_frame --explain", lambda: score_frame(model, frame, explain=True)),
        ("write the CSV", lambda: scored.to_csv(io.StringIO(), index=False)),
    ]
    rows = []
    for name, fn in stages:
        micro = 1e6 * best_of(fn) / len(frame)
        rows.append([name, f"{micro:,.1f}"])
        print(f"{name:<32} {micro:8.1f} us per article", flush=True)
    mean_chars = float(np.mean([len(t) for t in texts]))
    table = markdown_table(["stage", "µs per article"], rows)
    print(table)
    if not args.no_write:
        write_section(
            "stages",
            "## Where the scoring time goes\n\n"
            f"Machine: {machine()}.\n\n"
            f"Command: `python benchmarks/stages.py --rows {args.rows}` (one process, best of "
            f"three; {len(frame):,} `bench-data` articles of {mean_chars:,.0f} characters on "
            "average, default model; the blocks, heads and place tagging are parts of "
            "`score_frame`, the blocks and place tagging given the shared word runs).\n\n"
            + table
            + "\n",
        )


if __name__ == "__main__":
    main()
