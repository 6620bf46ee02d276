"""Adapt to a feed: active vs random selection of the rows to label, on real data.

Run from the project root (needs ../shared/datasets):

    python benchmarks/active.py [--quick] [--feeds maoist,satp_all] [--seeds 3]

A simulated user starts from the default model (the starter corpus's train rows, default
settings) and a feed whose labels are hidden until a row is "labelled":

- **maoist**: the SATP Maoist incidents of the train years (``split_time`` train, 2005-2013),
  risk levels and themes from ``riskclf.datasets``' importer; scored on the test years
  (2015-2016): risk macro-F1 over medium/high/critical and the risk ECE.
- **satp_all**: ConfliBERT's SATP train split, themes as the importer maps the four SATP labels
  (bombing -> terrorism, kidnapping -> kidnapping, armed assault and other -> insurgency), a
  row with none of them labelled ``none``; trained with ``blank_themes="none"`` and
  ``min_themes=0``; scored on its test split: theme macro-F1 over the three themes.

Each round ``riskclf.selection.suggest_rows`` (``active``, or ``random`` for comparison) picks
rows up to the next budget (50, 100, 200, 400: batches of 50, 50, 100, 200), their labels are
revealed, and ``riskclf.adapting.adapt_model`` trains on the starter corpus's train rows plus
all labels so far, the weight chosen by cross-validation on them. Every model is also scored
on the starter corpus's held-out rows (risk macro-F1). References: the default model, and the
model trained on all train+dev rows of the feed's dataset with the same settings. Finally
``riskclf label suggest`` is timed on a 100,000-row ``riskclf bench-data`` feed.
Results are printed and written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    SHARED,
    machine,
    markdown_table,
    python,
    run_measured,
    write_section,
)

BUDGETS = (50, 100, 200, 400)
QUICK_BUDGETS = (50, 200)
STRATEGIES = ("active", "random")
MAOIST_LEVELS = ["medium", "high", "critical"]
SATP_THEMES = ["terrorism", "kidnapping", "insurgency"]
MAOIST_THEMES = ["terrorism", "kidnapping", "insurgency", "security_operations"]
STARTER = ROOT / "data" / "starter_corpus.csv"


def load_feed(name: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """(pool with hidden labels, test rows, train+dev rows for the reference, settings)."""
    from riskclf.datasets import import_source

    if name == "maoist":
        path = SHARED / "satp_maoist_india" / "satp_maoist_india.csv"
        frame = import_source("satp-maoist", path).frame
        frame = frame[frame["risk_level"] != ""]  # 2 rows with unknown fatalities
        settings = {
            "config": {},
            "head": "both",
            "themes": MAOIST_THEMES,
            "columns": ["risk_level", "theme"],
        }
    elif name == "satp_all":
        folder = SHARED / "satp_conflibert" / "satp_all"
        parts = [
            import_source("satp", folder / f"{s}.csv").frame for s in ("train", "dev", "test")
        ]
        frame = pd.concat(parts, ignore_index=True).drop(columns=["risk_level"])
        frame["theme"] = frame["theme"].where(frame["theme"] != "", "none")
        settings = {
            "config": {"blank_themes": "none", "min_themes": 0},
            "head": "theme",
            "themes": SATP_THEMES,
            "columns": ["theme"],
        }
    else:
        raise ValueError(name)
    frame = frame.reset_index(drop=True)
    pool = frame[frame["split"] == "train"].reset_index(drop=True)
    test = frame[frame["split"] == "test"].reset_index(drop=True)
    return pool, test, frame, settings


def score_feed(name: str, model, test: pd.DataFrame) -> dict:
    """The feed's test metrics: risk macro-F1 (medium/high/critical) and ECE, or theme
    macro-F1 over the three SATP themes."""
    from sklearn.metrics import f1_score

    from riskclf.evaluation import risk_metrics

    X = model.transform(test["text"].tolist())
    if name == "maoist":
        metrics = risk_metrics(
            test["risk_level"].tolist(),
            model.risk_proba(X),
            model.risk_levels,
            f1_levels=MAOIST_LEVELS,
        )
        per = {lv: round(100 * metrics["per_class"][lv]["f1"], 1) for lv in MAOIST_LEVELS}
        return {"score": 100 * metrics["macro_f1"], "ece": metrics["ece"], "per_level": per}
    truth = np.array([[t in s.split("|") for t in SATP_THEMES] for s in test["theme"]], dtype=int)
    proba = model.theme_proba(X)
    chosen = model.theme_head.decide(proba)
    columns = [list(model.theme_labels).index(t) for t in SATP_THEMES]
    per = f1_score(truth, chosen[:, columns], average=None, zero_division=0)
    return {
        "score": 100 * float(np.mean(per)),
        "per_theme": {t: round(100 * float(f), 1) for t, f in zip(SATP_THEMES, per, strict=True)},
    }


def reference(name: str, frame: pd.DataFrame, test: pd.DataFrame, settings: dict) -> dict:
    """The model trained on every train+dev row of the dataset, same settings."""
    from riskclf.config import TrainConfig
    from riskclf.training import train_model

    config = TrainConfig(cv_folds=0).replace(**settings["config"])
    table = frame.copy()
    if name == "satp_all":
        table["theme"] = table["theme"].replace("none", "")
    else:
        table = table.drop(columns=["theme"])
    result = train_model(table, config)
    return {"rows": int((frame["split"] != "test").sum()), **score_feed(name, result.model, test)}


def simulate(name, pool, test, settings, base, default_model, strategy, seed, budgets) -> list:
    """One simulated user: rounds of suggest -> reveal -> adapt; a record per budget."""
    from riskclf.adapting import adapt_model
    from riskclf.config import TrainConfig
    from riskclf.selection import suggest_rows

    config = TrainConfig(cv_folds=0).replace(**settings["config"])
    model, labelled, records = default_model, [], []
    for budget in budgets:
        started = time.perf_counter()
        suggestion = suggest_rows(
            model,
            pool[["id", "text"]],
            budget - len(labelled),
            labelled_ids=labelled,
            labelled_texts=pool.loc[pool["id"].isin(labelled), "text"].tolist(),
            head=settings["head"],
            themes=settings["themes"],
            strategy=strategy,
            seed=seed,
        )
        suggest_seconds = time.perf_counter() - started
        labelled += suggestion.frame["id"].tolist()
        feed = pool.loc[pool["id"].isin(labelled), ["id", "text", *settings["columns"]]]
        started = time.perf_counter()
        result = adapt_model(base, feed, config)
        model = result.model
        holdout = result.metrics["holdout"]["risk_level"]
        records.append(
            {
                "feed": name,
                "strategy": strategy,
                "seed": seed,
                "budget": budget,
                "labelled": len(labelled),
                "weight": result.adaptation["feed_weight"],
                "starter_risk_f1": 100 * holdout["macro_f1"],
                "suggest_seconds": suggest_seconds,
                "adapt_seconds": time.perf_counter() - started,
                "label_counts": result.adaptation["feed_label_counts"],
                **score_feed(name, model, test),
            }
        )
        print(json.dumps(records[-1]), flush=True)
    return records


def time_suggest_100k(default_model) -> dict:
    """Wall time and peak memory of ``riskclf label suggest`` on a 100,000-row feed."""
    from riskclf.artifact import build_metadata, save_model

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        save_model(default_model, build_metadata(default_model, data={}, metrics={}), tmp / "m")
        feed = tmp / "feed.csv"
        run_measured([python(), "-m", "riskclf", "bench-data", "100000", "--out", str(feed)])
        out = tmp / "to_label.csv"
        cmd = ["label", "suggest", str(feed), "--model", str(tmp / "m"), "--n", "200"]
        run = run_measured([python(), "-m", "riskclf", *cmd, "--out", str(out)])
        return {
            "command": "riskclf " + " ".join(cmd[:2]) + " feed.csv --model M --n 200 --out F",
            "seconds": run.seconds,
            "peak_rss_mb": run.peak_rss_mb,
        }


def summarise(records: list, refs: dict, default_scores: dict, default_starter: float):
    """The Markdown table (mean ± sd over seeds) and the per-budget verdicts."""
    frame = pd.DataFrame(records)
    rows, verdicts = [], []
    for feed, group in frame.groupby("feed", sort=False):
        metric = "risk macro-F1 (med/high/crit)" if feed == "maoist" else "theme macro-F1"
        ref = refs[feed]
        rows.append(
            [
                feed,
                "default model",
                0,
                f"{default_scores[feed]['score']:.1f}",
                _ece(default_scores[feed]),
                f"{default_starter:.1f}",
                "",
                "",
            ]
        )
        for (strategy, budget), cell in group.groupby(["strategy", "budget"]):
            starter = cell["starter_risk_f1"]
            rows.append(
                [
                    feed,
                    strategy,
                    budget,
                    f"{cell['score'].mean():.1f} ± {cell['score'].std(ddof=0):.1f}",
                    _mean_ece(cell),
                    f"{starter.mean():.1f} (min {starter.min():.1f})",
                    "/".join(str(w) for w in cell["weight"]),
                    f"{(cell['suggest_seconds'] + cell['adapt_seconds']).mean():.0f}",
                ]
            )
        rows.append(
            [
                feed,
                f"all {ref['rows']} train+dev rows",
                ref["rows"],
                f"{ref['score']:.1f}",
                _ece(ref),
                "",
                "",
                "",
            ]
        )
        means = group.groupby(["budget", "strategy"])["score"].mean().unstack()
        for budget, line in means.iterrows():
            gap = line["active"] - line["random"]
            ahead = "active ahead" if gap > 0 else "active NOT ahead"
            verdicts.append(
                f"- {feed}, {budget} labels: active {line['active']:.1f} vs random "
                f"{line['random']:.1f} ({gap:+.1f}; {ahead}); active's {metric} minus the "
                f"all-rows model's: {line['active'] - ref['score']:+.1f}"
            )
    headers = [
        "feed",
        "selection",
        "labels",
        "feed test score (mean ± sd, 3 seeds)",
        "risk ECE",
        "starter holdout risk macro-F1",
        "weights chosen (per seed)",
        "s per round",
    ]
    return markdown_table(headers, rows), verdicts


def _mean_ece(cell: pd.DataFrame) -> str:
    """Mean ECE of a group of runs, or "" for a feed scored without it."""
    if "ece" not in cell or cell["ece"].isna().any():
        return ""
    return f"{cell['ece'].mean():.3f}"


def _ece(scores: dict) -> str:
    return f"{scores['ece']:.3f}" if "ece" in scores else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", default="maoist,satp_all")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help=f"budgets {QUICK_BUDGETS} only")
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"skipped: the real datasets are not at {SHARED}")
    from riskclf.config import TrainConfig
    from riskclf.training import train_model

    started = time.perf_counter()
    budgets = QUICK_BUDGETS if args.quick else BUDGETS
    base = pd.read_csv(STARTER, dtype=str, keep_default_na=False)
    default = train_model(base, TrainConfig(cv_folds=0))
    default_starter = 100 * default.metrics["holdout"]["risk_level"]["macro_f1"]
    records, refs, default_scores = [], {}, {}
    for name in args.feeds.split(","):
        pool, test, frame, settings = load_feed(name)
        default_scores[name] = score_feed(name, default.model, test)
        refs[name] = reference(name, frame, test, settings)
        print(name, "default", default_scores[name], "reference", refs[name], flush=True)
        for seed in range(args.seeds):
            for strategy in STRATEGIES:
                records += simulate(
                    name, pool, test, settings, base, default.model, strategy, seed, budgets
                )
    timing = time_suggest_100k(default.model)
    total = time.perf_counter() - started
    table, verdicts = summarise(records, refs, default_scores, default_starter)
    print(table)
    print("\n".join(verdicts))
    print(f"suggest on 100,000 rows: {timing}; benchmark {total / 60:.1f} min")
    Path(tempfile.gettempdir(), "riskclf_active_records.json").write_text(json.dumps(records))
    if not args.no_write:
        write_docs(table, verdicts, timing, total, args.quick)


def write_docs(table: str, verdicts: list, timing: dict, total: float, quick: bool) -> None:
    """Write the section of docs/benchmarks.md."""
    write_section(
        "active",
        "## Adapting to a feed: active vs random labels\n\n"
        f"Machine: {machine()}.\n\nCommand: `python benchmarks/active.py"
        + (" --quick" if quick else "")
        + f"` ({total / 60:.0f} min; data: `../shared/datasets` through `riskclf.datasets`). "
        "The simulated user starts from the default model (starter corpus train rows, default "
        "settings), labels the rows `riskclf.selection.suggest_rows` picks in batches up to "
        "each budget (the label is revealed only then), and retrains with "
        "`riskclf.adapting.adapt_model` (starter corpus train rows + all labels so far, the "
        "feed weight chosen by 3-fold cross-validation on the labels). `random` picks a "
        "uniform sample instead. The themes the user labels with are passed to the selection "
        "(`--themes`). Feed test scores: Maoist test years (2015-2016) risk macro-F1 over "
        "medium/high/critical (5 critical rows: one row moves critical F1 by about 10 points) "
        "and top-level ECE; satp_all test split theme macro-F1 over terrorism, kidnapping and "
        "insurgency (the importer's mapping of the four SATP labels). The starter holdout is "
        "the starter corpus's test rows.\n\n"
        + table
        + "\n\n"
        + "\n".join(verdicts)
        + f"\n\n`{timing['command']}` on a 100,000-row `riskclf bench-data` feed: "
        f"{timing['seconds']:.0f} s, peak memory {timing['peak_rss_mb']:.0f} MB.\n",
    )


if __name__ == "__main__":
    main()
