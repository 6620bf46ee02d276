"""The default model on real reporting it never saw: transfer from the authored corpus.

Run from the project root after ``riskclf train`` (the rows need ../shared/datasets):

    python benchmarks/transfer.py            # test splits: report once per configuration
    python benchmarks/transfer.py --dev      # train/dev rows: for choosing parser changes
    python benchmarks/transfer.py --dev --parser-only   # only the casualty parser block

The model (``models/default`` unless ``--model``) is trained only on ``data/``. Labels come from
riskclf's own importers (``riskclf.datasets.import_source``), which derive them by the rules of
../shared/TAXONOMY.md:

- SATP Maoist India (``split_time``; test = 2015-2016): risk macro-F1 over medium/high/critical,
  quadratic weighted kappa, top-label ECE (10 equal-width bins of the most probable level's
  probability, as ``riskclf evaluate`` reports it), critical precision and recall, mean
  P(critical) against the true rate, theme agreement (the most probable theme is one of the
  row's themes), state accuracy (the tagger's ``admin1`` column against ``state``, once
  ``score_frame`` writes ``admin1``) and the casualty parser's agreement with the hand-coded
  ``total_fatalities``, ``total_injuries`` and ``total_abducted``;
- SATP ConfliBERT ``satp_all`` and ``satp_relevant``: the share of non-incident rows (all four
  labels 0: arrests, statements, politics) called high or critical, and critical; theme
  agreement on the labelled rows. A blind audit of 200 of the satp_all train/dev "non-incident"
  rows (``satp_all_quiet_audit.csv``) found that about one in six does report people killed or
  hurt (mostly militants killed by security forces), which the taxonomy calls high or critical;
  the audit block reports that share, the alarm rate on the audited low/medium rows (the
  false-alarm rate the raw share stands in for) and the recall on the audited high/critical
  ones. The audit rows are train/dev rows, so this block may be used for choosing;
- CAMEO penta-class: the share of statement and cooperation sentences called high or critical.

Every rate and score has a bootstrap 95% interval (1,000 resamples of the rows, seed 13).
Results are printed and written to docs/benchmarks.md (section ``transfer`` or
``transfer-dev``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, SHARED, machine, markdown_table, write_section  # noqa: E402

LEVELS = ("low", "medium", "high", "critical")
F1_LEVELS = ("medium", "high", "critical")  # almost no SATP Maoist row is "low"
RESAMPLES = 1000
SEED = 13
MAOIST = SHARED / "satp_maoist_india" / "satp_maoist_india.csv"
CONFLIBERT = SHARED / "satp_conflibert"
CAMEO = SHARED / "cameo_penta"
SATP_LABELS = ("armed_assault", "bombing_explosion", "kidnapping", "other")
PEACEFUL_CAMEO = ("make_statement", "verbal_cooperation", "material_cooperation")
# A blind audit of 200 satp_all train/dev rows without an incident label: each row's risk level
# by ../shared/TAXONOMY.md, read from the text alone by a reviewer who saw no model output
# (ids, levels and short categories in the reviewer's words; no text of the dataset).
AUDIT = Path(__file__).resolve().parent / "satp_all_quiet_audit.csv"


# --------------------------------------------------------------------------------------------
# Scores as functions of row indices, so the bootstrap can resample them
# --------------------------------------------------------------------------------------------
def bootstrap(
    stat: Callable[[np.ndarray], float], n: int, seed: int = SEED
) -> tuple[float, float, float]:
    """``stat`` on all ``n`` rows and the 2.5/97.5 percentiles over resamples of the rows."""
    value = stat(np.arange(n))
    if n == 0:
        return value, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    draws = np.array([stat(rng.integers(0, n, n)) for _ in range(RESAMPLES)], dtype=float)
    draws = draws[~np.isnan(draws)]
    if not len(draws):
        return value, float("nan"), float("nan")
    low, high = np.percentile(draws, [2.5, 97.5])
    return value, float(low), float(high)


def _confusion(true: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """k x k confusion counts (rows true, columns predicted)."""
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k).astype(float)


def macro_f1(true: np.ndarray, pred: np.ndarray, k: int, over: list[int]) -> float:
    """Macro F1 over the class codes ``over`` (an absent class with no prediction scores 0)."""
    cm = _confusion(true, pred, k)
    tp = np.diag(cm)[over]
    denom = cm.sum(axis=0)[over] + cm.sum(axis=1)[over]
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1.mean())


def qwk(true: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Quadratic weighted kappa (as scikit-learn's ``cohen_kappa_score``)."""
    cm = _confusion(true, pred, k)
    n = cm.sum()
    expected = np.outer(cm.sum(axis=1), cm.sum(axis=0)) / n
    grid = np.arange(k)
    weights = (grid[:, None] - grid[None, :]) ** 2
    denom = (weights * expected).sum()
    return float(1 - (weights * cm).sum() / denom) if denom else 1.0


def top_label_ece(proba: np.ndarray, true: np.ndarray, n_bins: int = 10) -> float:
    """ECE of the most probable class: 10 equal-width bins of its probability, the
    count-weighted mean |accuracy - confidence| (the binning of riskclf.evaluation)."""
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == true).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins)
    gap = np.abs(
        np.bincount(which, correct, minlength=n_bins)
        - np.bincount(which, confidence, minlength=n_bins)
    )
    return float(gap.sum() / count.sum()) if count.sum() else float("nan")


def precision(true: np.ndarray, pred: np.ndarray) -> float:
    """Precision of boolean predictions; NaN when nothing is predicted."""
    called = pred.sum()
    return float((true & pred).sum() / called) if called else float("nan")


def recall(true: np.ndarray, pred: np.ndarray) -> float:
    """Recall of boolean predictions; NaN when nothing is true."""
    positives = true.sum()
    return float((true & pred).sum() / positives) if positives else float("nan")


def mean(values: np.ndarray) -> float:
    """Mean, NaN for no rows."""
    return float(values.mean()) if len(values) else float("nan")


def _fmt(triple: tuple[float, float, float], scale: float = 100.0, digits: int = 1) -> str:
    """``value [low, high]``, scaled."""
    value, low, high = (scale * x for x in triple)
    if np.isnan(value):
        return "n/a"
    return f"{value:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------
def _rows(frame, splits: tuple[str, ...]):
    """The rows of ``frame`` in ``splits`` with a text, index reset."""
    keep = frame["split"].isin(splits) & (frame["text"].str.strip() != "")
    return frame[keep].reset_index(drop=True)


def _score(model, frame):
    """score_frame on the id and text columns (no explanations)."""
    from riskclf.scoring import score_frame

    return score_frame(model, frame[["id", "text"]], explain=False)


def _primary_theme(model, scored) -> np.ndarray:
    """The most probable theme of each scored row."""
    columns = [f"p_theme_{t}" for t in model.theme_labels]
    proba = np.nan_to_num(scored[columns].to_numpy(dtype=float))
    return np.array(model.theme_labels, dtype=object)[proba.argmax(axis=1)]


def _theme_hits(model, frame, scored) -> np.ndarray:
    """Per labelled row (a non-empty ``theme``): whether the most probable theme is one of its
    themes; rows without a theme are left out."""
    primary = _primary_theme(model, scored)
    labelled = frame["theme"].to_numpy(dtype=object)
    return np.array(
        [p in t.split("|") for p, t in zip(primary, labelled, strict=True) if t], dtype=bool
    )


def _counts(series) -> np.ndarray:
    """Hand-coded counts as floats (NaN where missing)."""
    import pandas as pd

    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


# --------------------------------------------------------------------------------------------
# Blocks
# --------------------------------------------------------------------------------------------
def parser_counts(texts) -> dict[str, np.ndarray]:
    """Parsed killed, injured and abducted counts of each text."""
    from riskclf.casualties import parse_casualties

    parsed = [parse_casualties(t) for t in texts]
    return {
        kind: np.array([c[kind] for c in parsed]) for kind in ("killed", "injured", "abducted")
    }


def parser_agreement(frame) -> list[list[str]]:
    """Agreement of the casualty parser with the hand-coded Maoist counts (a row whose count is
    missing is left out of that count's figures), then recall and precision of the thresholds."""
    parsed = parser_counts(frame["text"])
    coded = {
        "killed": _counts(frame["src_total_fatalities"]),
        "injured": _counts(frame["src_total_injuries"]),
        "abducted": _counts(frame["src_total_abducted"]),
    }
    checks = (
        ("killed exact", "killed", None),
        ("killed >= 1", "killed", 1),
        ("killed >= 10", "killed", 10),
        ("injured >= 1", "injured", 1),
        ("abducted >= 1", "abducted", 1),
    )
    rows = []
    for name, kind, at_least in checks:
        known = ~np.isnan(coded[kind])
        got, want = parsed[kind][known], coded[kind][known]
        if at_least is None:
            same = got == want
        else:
            same = (got >= at_least) == (want >= at_least)
        rows.append(
            [name, f"{len(same):,}", _fmt(bootstrap(lambda i, s=same: mean(s[i]), len(same)))]
        )
    for name, kind, at_least in checks[1:4]:
        known = ~np.isnan(coded[kind])
        got, want = parsed[kind][known] >= at_least, coded[kind][known] >= at_least
        n = len(got)
        rec = bootstrap(lambda i, g=got, w=want: recall(w[i], g[i]), n)
        prec = bootstrap(lambda i, g=got, w=want: precision(w[i], g[i]), n)
        rows.append(
            [
                f"{name}: recall / precision",
                f"{int(want.sum()):,} coded / {int(got.sum()):,} parsed",
                f"{_fmt(rec)} / {_fmt(prec)}",
            ]
        )
    return rows


def maoist_block(model, frame) -> list[list[str]]:
    """Risk, calibration, theme and state scores on SATP Maoist rows with a risk level."""
    frame = frame[frame["risk_level"].isin(LEVELS)].reset_index(drop=True)
    scored = _score(model, frame)
    levels = list(model.risk_levels)
    code = {lv: i for i, lv in enumerate(levels)}
    true = frame["risk_level"].map(code).to_numpy(dtype=int)
    proba = scored[[f"p_{lv}" for lv in levels]].to_numpy(dtype=float)
    pred = proba.argmax(axis=1)
    k = len(levels)
    over = [code[lv] for lv in F1_LEVELS]
    crit = code["critical"]
    n = len(frame)
    true_crit, pred_crit = true == crit, pred == crit
    rows = [
        ["rows", f"{n:,}"],
        [
            "risk macro-F1 (medium/high/critical)",
            _fmt(bootstrap(lambda i: macro_f1(true[i], pred[i], k, over), n)),
        ],
        ["risk QWK", _fmt(bootstrap(lambda i: qwk(true[i], pred[i], k), n), 1, 3)],
        [
            "risk ECE (top-label, 10 bins)",
            _fmt(bootstrap(lambda i: top_label_ece(proba[i], true[i]), n), 1, 3),
        ],
        [
            "critical: true / called / right",
            f"{true_crit.sum()} / {pred_crit.sum()} / {(true_crit & pred_crit).sum()}",
        ],
        [
            "critical precision",
            _fmt(bootstrap(lambda i: precision(true_crit[i], pred_crit[i]), n), 1, 2),
        ],
        [
            "critical recall",
            _fmt(bootstrap(lambda i: recall(true_crit[i], pred_crit[i]), n), 1, 2),
        ],
        ["mean P(critical) / true rate", f"{proba[:, crit].mean():.3f} / {true_crit.mean():.3f}"],
    ]
    for level in ("medium", "high"):
        t, p = true == code[level], pred == code[level]
        rows.append(
            [f"{level} recall", _fmt(bootstrap(lambda i, t=t, p=p: recall(t[i], p[i]), n))]
        )
    hits = _theme_hits(model, frame, scored)
    rows.append(
        [
            f"theme agreement ({len(hits):,} labelled rows)",
            _fmt(bootstrap(lambda i: mean(hits[i]), len(hits))),
        ]
    )
    if "admin1" in scored.columns:
        state = frame["src_state"].to_numpy(dtype=object)
        has = np.array([isinstance(s, str) and bool(s) for s in state])
        same = (scored["admin1"].to_numpy(dtype=object) == state)[has]
        rows.append(
            [
                f"state accuracy ({len(same):,} rows)",
                _fmt(bootstrap(lambda i: mean(same[i]), len(same))),
            ]
        )
    else:
        rows.append(
            ["state accuracy", "n/a until admin1 lands (score_frame has no admin1 column)"]
        )
    return rows


def satp_block(model, frame, name: str) -> list[list[str]]:
    """Non-incident rows called high/critical, and theme agreement, on one ConfliBERT set."""
    scored = _score(model, frame)
    flags = np.column_stack(
        [frame[f"src_{c}"].astype(str).isin(("1", "1.0")) for c in SATP_LABELS]
    )
    quiet = ~flags.any(axis=1)
    level = scored["risk_level"].to_numpy(dtype=object)[quiet]
    severe = np.isin(level, ("high", "critical"))
    critical = level == "critical"
    hits = _theme_hits(model, frame, scored)
    m = int(quiet.sum())
    return [
        [f"{name}: rows / non-incident rows", f"{len(frame):,} / {m:,}"],
        [
            f"{name}: non-incident called high or critical",
            _fmt(bootstrap(lambda i: mean(severe[i]), m)),
        ],
        [f"{name}: non-incident called critical", _fmt(bootstrap(lambda i: mean(critical[i]), m))],
        [
            f"{name}: theme agreement ({len(hits):,} labelled rows)",
            _fmt(bootstrap(lambda i: mean(hits[i]), len(hits))),
        ],
    ]


def audit_block(model, frame) -> list[list[str]]:
    """The audited satp_all train/dev sample: how many "non-incident" rows are high/critical
    by the taxonomy, and how often the model raises an alarm on the ones that are not."""
    import pandas as pd

    audit = pd.read_csv(AUDIT, dtype=str, keep_default_na=False)
    rows = frame.merge(audit[["id", "risk_level"]].rename(columns={"risk_level": "audit"}))
    if len(rows) != len(audit):
        raise SystemExit(f"{AUDIT.name}: {len(audit) - len(rows)} audited ids not found")
    level = _score(model, rows)["risk_level"].to_numpy(dtype=object)
    truth = rows["audit"].to_numpy(dtype=object)
    severe_truth = np.isin(truth, ("high", "critical"))
    quiet, severe = ~severe_truth, np.isin(level, ("high", "critical"))
    name = f"satp_all audit ({len(rows)} train/dev rows)"
    return [
        [
            f"{name}: really high or critical by the taxonomy",
            _fmt(bootstrap(lambda i: mean(severe_truth[i]), len(rows))),
        ],
        [
            f"{name}: low/medium ({int(quiet.sum())}) called high or critical",
            _fmt(bootstrap(lambda i: mean(severe[quiet][i]), int(quiet.sum()))),
        ],
        [
            f"{name}: low/medium called critical",
            _fmt(bootstrap(lambda i: mean((level[quiet] == "critical")[i]), int(quiet.sum()))),
        ],
        [
            f"{name}: high/critical ({int(severe_truth.sum())}) called high or critical",
            _fmt(bootstrap(lambda i: mean(severe[severe_truth][i]), int(severe_truth.sum()))),
        ],
    ]


def cameo_block(model, frame) -> list[list[str]]:
    """Statement and cooperation sentences called high or critical."""
    frame = frame[frame["src_label_name"].isin(PEACEFUL_CAMEO)].reset_index(drop=True)
    scored = _score(model, frame)
    level = scored["risk_level"].to_numpy(dtype=object)
    severe = np.isin(level, ("high", "critical"))
    critical = level == "critical"
    n = len(frame)
    return [
        ["CAMEO: statement/cooperation sentences", f"{n:,}"],
        ["CAMEO: called high or critical", _fmt(bootstrap(lambda i: mean(severe[i]), n))],
        ["CAMEO: called critical", _fmt(bootstrap(lambda i: mean(critical[i]), n))],
    ]


def adapted_models(model, metadata, feed, n_labels: int = 200):
    """The default model adapted to the SATP Maoist train+dev years as a feed: by EM without
    labels, and by recalibration on ``n_labels`` random labelled rows of it."""
    from riskclf.feed_calibration import adapted_model, prior_shift, recalibrate, training_prior

    head = model.risk_head
    X = model.transform(feed["text"].tolist())
    proba = head.present_proba(X, adapted=False)
    yield (
        f"after calibrate on the {len(feed):,}-row 2005-2014 feed (EM, no labels)",
        adapted_model(model, prior_shift(proba, training_prior(model, metadata))),
    )
    levels = [model.risk_levels[c] for c in head.classes_]
    labelled = feed["risk_level"].isin(levels).to_numpy()
    rng = np.random.default_rng(SEED)
    pick = rng.choice(np.flatnonzero(labelled), n_labels, replace=False)
    codes = feed["risk_level"].iloc[pick].map(levels.index).to_numpy()
    yield (
        f"after calibrate with {n_labels} labels of that feed",
        adapted_model(model, recalibrate(proba[pick], codes)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--dev", action="store_true", help="score train/dev rows, not test")
    parser.add_argument(
        "--parser-only", action="store_true", help="only the casualty parser's agreement"
    )
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()

    import pandas as pd

    from riskclf.artifact import load_model
    from riskclf.datasets import import_source

    if not MAOIST.exists():
        sys.exit(f"transfer benchmark skipped: {MAOIST} is absent (../shared/datasets)")
    splits = ("train", "dev") if args.dev else ("test",)
    which = "train+dev" if args.dev else "test"
    started = time.perf_counter()
    maoist = _rows(import_source("satp-maoist", MAOIST).frame, splits)
    parser_rows = parser_agreement(maoist)
    print(
        markdown_table(
            ["casualty parser vs hand-coded counts", "rows", "agreement %"], parser_rows
        )
    )
    if args.parser_only:
        return

    loaded = load_model(Path(args.model))
    model = loaded.model
    rows = [[f"SATP Maoist {which}: {name}", value] for name, value in maoist_block(model, maoist)]
    if not args.dev:
        # adapted to the feed as a user would: `riskclf calibrate` on other years' reports
        feed = _rows(import_source("satp-maoist", MAOIST).frame, ("train", "dev"))
        for label, adapted in adapted_models(model, loaded.metadata, feed):
            block = maoist_block(adapted, maoist)
            keep = ("risk macro-F1", "risk QWK", "risk ECE", "critical", "mean P(critical)")
            rows += [
                [f"SATP Maoist test, {label}: {name}", value]
                for name, value in block
                if name.startswith(keep)
            ]
    for name in ("satp_all", "satp_relevant"):
        frames = [
            import_source("satp", CONFLIBERT / name / f"{split}.csv").frame for split in splits
        ]
        rows += satp_block(model, pd.concat(frames, ignore_index=True), f"{name} {which}")
    audited = pd.concat(
        [
            import_source("satp", CONFLIBERT / "satp_all" / f"{s}.csv").frame
            for s in ("train", "dev")
        ],
        ignore_index=True,
    )
    rows += audit_block(model, audited)
    cameo_splits = ("train",) if args.dev else ("test",)
    cameo = pd.concat(
        [import_source("cameo", CAMEO / f"{s}.csv").frame for s in cameo_splits],
        ignore_index=True,
    )
    rows += cameo_block(model, cameo)
    seconds = time.perf_counter() - started
    table = markdown_table(["measure", "value [bootstrap 95% interval]"], rows)
    print(table)
    print(f"({seconds:.0f} s)")
    if args.no_write:
        return
    trained_on = loaded.metadata.get("training_data", {}).get("train_rows", "?")
    command = "python benchmarks/transfer.py" + (" --dev" if args.dev else "")
    write_section(
        "transfer-dev" if args.dev else "transfer",
        f"## Transfer to real reporting ({which} rows)\n\n"
        f"Machine: {machine()}.\n\n"
        f"Command: `{command}` (the default model, trained only on `data/` "
        f"({trained_on} training rows), scored on real rows it never saw; labels by riskclf's "
        "importers; rates and scores in %, except QWK and ECE; intervals: bootstrap 95%, "
        f"{RESAMPLES:,} resamples of the rows, seed {SEED}; ECE is top-label, 10 equal-width "
        "bins; theme agreement = the most probable theme is one of the row's themes).\n\n"
        + markdown_table(
            ["casualty parser vs hand-coded counts", "rows", "agreement %"], parser_rows
        )
        + "\n\n"
        + table
        + "\n",
    )


if __name__ == "__main__":
    main()
