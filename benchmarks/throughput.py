"""Batch-scoring throughput: riskclf against a plain scikit-learn pipeline on the same file.

Run from the project root:

    python benchmarks/throughput.py --sizes 10000,100000

For every size it makes an input with ``riskclf bench-data`` (sentences of the starter corpus
recombined), then times whole processes, one after the other, on that file:

- ``read + tokenize``: read the CSV in chunks and run the word regex over every text (a floor);
- ``plain sklearn``: ``TfidfVectorizer()`` + ``LogisticRegression()`` fitted on the starter
  corpus's risk labels, ``predict_proba`` on the whole list in one process, probabilities written;
- ``riskclf predict`` with ``--jobs 1``/``--jobs 2``, with and without explanations (full output:
  both heads, place tagging);
- ``riskclf predict --engine dask`` on a local 2-worker cluster.

Peak RSS is the sum over the process and its children, sampled every 50 ms. With ``--repeat N``
every pipeline runs N times, in rounds, and its fastest wall time (and largest peak RSS) is
reported: single runs on a shared machine vary by 20% and more. Results are printed and written
to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    Run,
    machine,
    markdown_table,
    python,
    run_measured,
    write_section,
)

BASELINE = """
import sys, joblib, pandas as pd
model = joblib.load(sys.argv[1])
frame = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False)
texts = (frame["title"] + "\\n\\n" + frame["body"]).tolist()
proba = model.predict_proba(texts)
out = pd.DataFrame(proba, columns=[f"p_{c}" for c in model.classes_])
out.insert(0, "id", frame["id"])
out.to_csv(sys.argv[3], index=False)
"""

FIT_BASELINE = """
import sys, joblib, pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
corpus = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
train = corpus[corpus["split"] == "train"]
pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
pipe.fit((train["title"] + "\\n\\n" + train["body"]).tolist(), train["risk_level"])
joblib.dump(pipe, sys.argv[2])
"""

LOWER_BOUND = """
import re, sys, pandas as pd
token = re.compile(r"(?u)\\b\\w\\w+\\b")
n = 0
for chunk in pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, chunksize=2000):
    for text in (chunk["title"] + "\\n\\n" + chunk["body"]).tolist():
        n += len(token.findall(text.lower()))
print(n)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated article counts")
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "riskclf-bench"))
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask engine")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated starts of words: run only the pipelines whose names contain one",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each pipeline, in rounds; the fastest wall time is reported",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    riskclf = [python(), "-m", "riskclf"]
    model = Path(args.model)
    if not (model / "metadata.json").exists():
        run_measured([*riskclf, "train", "--out", str(model), "--overwrite"])
    corpus = ROOT / "data" / "starter_corpus.csv"
    baseline_model = work / "baseline.joblib"
    run_measured([python(), "-c", FIT_BASELINE, str(corpus), str(baseline_model)])

    rows_md: list[list[object]] = []
    for n in sizes:
        data = work / f"bench-{n}.csv"
        if not data.exists():
            run_measured([*riskclf, "bench-data", str(n), "--out", str(data)])
        mb = data.stat().st_size / 2**20
        out = work / "out"
        variants = [
            ("read + tokenize (floor)", [python(), "-c", LOWER_BOUND, str(data)]),
            (
                "plain sklearn (1 core, risk only)",
                [python(), "-c", BASELINE, str(baseline_model), str(data), str(out) + ".csv"],
            ),
        ]
        for jobs in (1, 2):
            for explain in (False, True):
                flag = "--explain" if explain else "--no-explain"
                variants.append(
                    (
                        f"riskclf --jobs {jobs} {flag}",
                        [
                            *riskclf,
                            "predict",
                            str(data),
                            "--model",
                            str(model),
                            "--out",
                            str(out) + ".csv",
                            "--overwrite",
                            "--quiet",
                            "--jobs",
                            str(jobs),
                            flag,
                        ],
                    )
                )
        if not args.no_dask:
            variants.append(
                (
                    "riskclf --engine dask (2 workers) --no-explain",
                    [
                        *riskclf,
                        "predict",
                        str(data),
                        "--model",
                        str(model),
                        "--engine",
                        "dask",
                        "--jobs",
                        "2",
                        "--out",
                        str(out) + "-dask",
                        "--overwrite",
                        "--quiet",
                        "--no-explain",
                    ],
                )
            )
        if args.only:
            # each key must start a word of the name: "plain" must not pick "--no-explain"
            keep = [re.compile(r"(?<![\w-])" + re.escape(k.strip())) for k in args.only.split(",")]
            variants = [(n, c) for n, c in variants if any(k.search(n) for k in keep)]
        # --repeat: the variants run in turn, round after round, so a slow spell of the
        # machine hits them alike; each keeps its fastest wall time and its largest peak RSS
        results: dict[str, Run] = {}
        for _ in range(args.repeat):
            for name, cmd in variants:
                r = run_measured(cmd)
                shutil.rmtree(str(out) + "-dask", ignore_errors=True)
                print(
                    f"{n:>9} {name:<45} {r.seconds:8.1f} s {n / r.seconds:10.0f} docs/s "
                    f"{r.peak_rss_mb:8.0f} MB",
                    flush=True,
                )
                best = results.get(name)
                if best is not None:
                    r = Run(min(r.seconds, best.seconds), max(r.peak_rss_mb, best.peak_rss_mb))
                results[name] = r
        floor = results["read + tokenize (floor)"].seconds
        plain = results["plain sklearn (1 core, risk only)"].seconds  # --only must keep both
        for name, r in results.items():
            rows_md.append(
                [
                    f"{n:,}",
                    name,
                    f"{r.seconds:.1f}",
                    f"{n / r.seconds:,.0f}",
                    f"{mb / r.seconds:.2f}",
                    f"{r.peak_rss_mb:,.0f}",
                    f"{plain / r.seconds:.2f}",
                    f"{r.seconds / floor:.2f}",
                ]
            )
    table = markdown_table(
        [
            "articles",
            "pipeline",
            "wall s",
            "docs/s",
            "MB/s",
            "peak RSS MB",
            "speed vs plain",
            "time vs floor",
        ],
        rows_md,
    )
    print(table)
    if not args.no_write:
        write_section(
            "throughput" + ("-" + args.sizes.replace(",", "-") if args.only else ""),
            f"## Batch-scoring throughput: {args.sizes} articles\n\n"
            f"Machine: {machine()}.\n\n"
            f"Command: `python benchmarks/throughput.py --sizes {args.sizes}"
            + (f" --only '{args.only}'" if args.only else "")
            + (" --no-dask" if args.no_dask else "")
            + (f" --repeat {args.repeat}" if args.repeat > 1 else "")
            + "` (input: "
            "`riskclf bench-data N`, about 0.9 KB of text per article; whole-process wall time "
            "and peak RSS summed over worker processes"
            + (
                f"; each pipeline run {args.repeat} times in rounds, fastest wall time and "
                "largest peak RSS shown"
                if args.repeat > 1
                else ""
            )
            + ").\n\n"
            + table
            + "\n",
        )


if __name__ == "__main__":
    main()
