"""Real-data quality: riskclf against a plain scikit-learn baseline and published references.

Run from the project root (needs ../shared/datasets):

    python benchmarks/quality.py

For each task the data comes through riskclf's own importers. riskclf tunes on the dev split
(a stratified 25% of train where there is none), fits on train+dev, and scores the test split
once; in the same run a plain ``TfidfVectorizer()`` + ``LogisticRegression()`` (one-vs-rest
for multi-label, 0.5 threshold) is fitted on the same rows and scored on the same test rows.
Each task runs in its own process so its peak memory is its own. Results are printed and
written to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import SHARED, machine, markdown_table, write_section  # noqa: E402

from riskclf.datasets.maoist import ACTION_FLAGS  # noqa: E402
from riskclf.datasets.satp import LABEL_COLUMNS  # noqa: E402

SATP_LABELS = list(LABEL_COLUMNS)
MAOIST_ACTIONS = list(ACTION_FLAGS)
REFERENCES = {
    "satp_all": "ConfliBERT 72.03, BERT-base 70.47",
    "satp_relevant": "ConfliBERT 86.66, BERT-base 84.59, RoBERTa 87.70",
    "maoist_risk": "plain TF-IDF+LR 63.1 / QWK 0.894 (datasets README)",
    "maoist_actions": "TF-IDF+LightGBM 0.832 subset acc. (random split)",
    "cameo": "ConfliBERT 87.64, BERT-base 86.44 (other split)",
}


def native_labels(frame: pd.DataFrame, labels: list[str]) -> pd.Series:
    """A ``|``-joined label column from the importer's native 0/1 ``src_`` columns."""
    flags = frame[[f"src_{lab}" for lab in labels]].astype(str).eq("1").to_numpy()
    return pd.Series(["|".join(np.array(labels)[row]) for row in flags], index=frame.index)


def load_task(task: str):
    """Return (frame with id/text/labels/split, riskclf config changes, head, label list)."""
    from riskclf.datasets import import_source

    if task in ("satp_all", "satp_relevant"):
        parts = [
            import_source("satp", SHARED / "satp_conflibert" / task / f"{s}.csv").frame
            for s in ("train", "dev", "test")
        ]
        frame = pd.concat(parts, ignore_index=True)
        frame["theme"] = native_labels(frame, SATP_LABELS)
        config = {"themes": SATP_LABELS}
        if task == "satp_all":
            config.update(blank_themes="none", min_themes=0)
        return frame.drop(columns=["risk_level"]), config, "theme", SATP_LABELS
    if task.startswith("maoist"):
        path = SHARED / "satp_maoist_india" / "satp_maoist_india.csv"
        frame = import_source("satp-maoist", path).frame
        if task == "maoist_risk":
            return frame.drop(columns=["theme"]), {}, "risk_level", None
        frame["theme"] = native_labels(frame, MAOIST_ACTIONS)
        config = {
            "themes": MAOIST_ACTIONS,
            "blank_themes": "none",
            "min_themes": 0,
            "casualty_features": True,
        }
        return frame.drop(columns=["risk_level"]), config, "theme", MAOIST_ACTIONS
    if task == "cameo":
        parts = [
            import_source("cameo", SHARED / "cameo_penta" / f"{s}.csv").frame
            for s in ("train", "test")
        ]
        frame = pd.concat(parts, ignore_index=True)
        frame["theme"] = frame["src_label_name"]
        labels = sorted(frame["theme"].unique())
        return frame.drop(columns=["risk_level"]), {"themes": labels}, "primary", labels
    raise ValueError(task)


def score(head: str, truth, proba: np.ndarray, chosen: np.ndarray, labels) -> dict:
    """The task's metrics from probabilities and 0/1 decisions."""
    from sklearn.metrics import cohen_kappa_score, f1_score, recall_score

    if head == "risk_level":
        levels = ["low", "medium", "high", "critical"]
        y = np.array([levels.index(t) for t in truth])
        pred = proba.argmax(axis=1)
        recall = recall_score(y, pred, labels=[1, 2, 3], average=None, zero_division=0)
        return {
            "macro_f1": 100
            * f1_score(y, pred, labels=[1, 2, 3], average="macro", zero_division=0),
            "qwk": cohen_kappa_score(y, pred, weights="quadratic", labels=[0, 1, 2, 3]),
            "recall": {lv: float(r) for lv, r in zip(levels[1:], recall, strict=True)},
            "critical_found": f"{int(((pred == 3) & (y == 3)).sum())}/{int((y == 3).sum())}",
        }
    Y = np.array([[lab in t.split("|") for lab in labels] for t in truth], dtype=int)
    if head == "primary":
        y = Y.argmax(axis=1)
        return {"macro_f1": 100 * f1_score(y, proba.argmax(axis=1), average="macro")}
    per_label = f1_score(Y, chosen, average=None, zero_division=0)
    return {
        "macro_f1": 100 * f1_score(Y, chosen, average="macro", zero_division=0),
        "per_label": {
            lab: round(100 * float(f), 1) for lab, f in zip(labels, per_label, strict=True)
        },
    }


def _score_rows(head, truth, proba, chosen, labels, keep) -> float:
    """Macro-F1 of the task on the rows where ``keep`` is true."""
    kept_truth = [t for t, k in zip(truth, keep, strict=True) if k]
    return score(head, kept_truth, proba[keep], chosen[keep], labels)["macro_f1"]


def run_task(task: str, queue) -> None:
    """Tune, fit and score riskclf and the baseline on one task (in a child process)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    from riskclf.config import TrainConfig
    from riskclf.scoring import score_frame
    from riskclf.training import train_model, tune_config

    frame, changes, head, labels = load_task(task)
    config = TrainConfig().replace(cv_folds=0, **changes)
    started = time.perf_counter()
    tuned = tune_config(frame, config)
    result = train_model(frame, tuned.config)
    seconds = time.perf_counter() - started
    test = frame[frame["split"] == "test"].reset_index(drop=True)
    if head == "risk_level":
        test = test[test["risk_level"] != ""].reset_index(drop=True)
    fit = frame[(frame["split"] != "test")]
    if head == "risk_level":
        fit = fit[fit["risk_level"] != ""]
    truth = test["risk_level" if head == "risk_level" else "theme"].tolist()
    scored = score_frame(result.model, test, explain=False, places=False)
    if head == "risk_level":
        proba = scored[[f"p_{lv}" for lv in result.model.risk_levels]].to_numpy()
        chosen = None
    else:
        proba = scored[[f"p_theme_{t}" for t in result.model.theme_labels]].to_numpy()
        chosen = result.model.theme_head.decide(proba)
        labels = list(result.model.theme_labels)
    ours = score(head, truth, proba, chosen, labels)
    subsets = {}
    if "src_text_in_train" in test.columns:
        clean = (test["src_text_in_train"].astype(str) != "1").to_numpy()
        subsets["without text_in_train"] = _score_rows(head, truth, proba, chosen, labels, clean)

    # The plain baseline, fitted on the same rows.
    b_start = time.perf_counter()
    vectorizer = TfidfVectorizer()
    X_fit = vectorizer.fit_transform(fit["text"])
    X_test = vectorizer.transform(test["text"])
    if head in ("risk_level", "primary"):
        column = "risk_level" if head == "risk_level" else "theme"
        order = ["low", "medium", "high", "critical"] if head == "risk_level" else labels
        clf = LogisticRegression().fit(X_fit, fit[column])
        b_proba = np.zeros((len(test), len(order)))
        for j, c in enumerate(clf.classes_):
            b_proba[:, order.index(c)] = clf.predict_proba(X_test)[:, j]
        b_chosen = None
    else:
        Y_fit = np.array([[lab in t.split("|") for lab in labels] for t in fit["theme"]], int)
        clf = OneVsRestClassifier(LogisticRegression()).fit(X_fit, Y_fit)
        b_proba = clf.predict_proba(X_test)
        b_chosen = (b_proba >= 0.5).astype(int)
    base = score(head, truth, b_proba, b_chosen, labels)
    if subsets:
        subsets["baseline without text_in_train"] = _score_rows(
            head, truth, b_proba, b_chosen, labels, clean
        )
    queue.put(
        {
            "task": task,
            "ours": ours,
            "baseline": base,
            "subsets": subsets,
            "seconds": seconds,
            "tune_seconds": tuned.seconds,
            "baseline_seconds": time.perf_counter() - b_start,
            "selected": {
                k: v
                for k, v in tuned.config.to_dict().items()
                if k
                in (
                    "C_risk",
                    "C_theme",
                    "risk_model",
                    "char_ngrams",
                    "word_sublinear_tf",
                    "theme_loss",
                    "theme_nb",
                    "theme_svm_balanced",
                )
            },
            "selection": tuned.selection,
            "fit_rows": len(fit),
            "test_rows": len(test),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tasks", default="satp_all,satp_relevant,maoist_risk,maoist_actions,cameo"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"skipped: the real datasets are not at {SHARED}")
    rows, notes = [], []
    ctx = mp.get_context("spawn")
    for task in args.tasks.split(","):
        queue = ctx.Queue()
        proc = ctx.Process(target=run_task, args=(task, queue))
        proc.start()
        r = queue.get()
        proc.join()
        o, b = r["ours"], r["baseline"]
        metric = "macro-F1"
        ours_txt, base_txt = f"{o['macro_f1']:.2f}", f"{b['macro_f1']:.2f}"
        if "qwk" in o:
            metric = "macro-F1 (med/high/crit) / QWK"
            ours_txt += f" / {o['qwk']:.3f}"
            base_txt += f" / {b['qwk']:.3f}"
        rows.append(
            [
                task,
                metric,
                ours_txt,
                base_txt,
                REFERENCES[task],
                f"{r['seconds']:.0f} (tune {r['tune_seconds']:.0f})",
                f"{r['baseline_seconds']:.0f}",
                f"{r['peak_rss_mb']:.0f}",
            ]
        )
        detail = (
            f"- **{task}** ({r['fit_rows']} fit rows, {r['test_rows']} test rows; chosen on "
            f"{r['selection']}: {r['selected']})"
        )
        if "per_label" in o:
            detail += f": per-label F1 riskclf {o['per_label']}, baseline {b['per_label']}"
        if "recall" in o:
            detail += (
                f": recall per level riskclf {o['recall']} (critical found "
                f"{o['critical_found']}), baseline {b['recall']} (critical found "
                f"{b['critical_found']})"
            )
        for name, value in r["subsets"].items():
            detail += f"; {name}: {value:.2f}"
        notes.append(detail)
        print(" | ".join(map(str, rows[-1])), flush=True)
        print(detail, flush=True)
    table = markdown_table(
        [
            "task",
            "metric (test split)",
            "riskclf",
            "plain baseline",
            "published reference",
            "riskclf train s",
            "baseline s",
            "peak RSS MB",
        ],
        rows,
    )
    print(table)
    if not args.no_write:
        write_section(
            "quality",
            "## Real-data quality\n\n"
            f"Machine: {machine()}.\n\nCommand: `python benchmarks/quality.py` (data: "
            "`../shared/datasets`, read through `riskclf.datasets`; riskclf tuned on dev — or "
            "a stratified 25% of train where a dataset has no dev split — then fitted on "
            "train+dev and scored once on test; the baseline is fitted on the same rows).\n\n"
            + table
            + "\n\n"
            + "\n".join(notes)
            + "\n",
        )


if __name__ == "__main__":
    main()
