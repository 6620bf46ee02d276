"""The ``riskclf`` command line: parses options, calls one library function, prints a summary.

Data goes to ``--out`` or stdout; progress and summaries go to stderr. A :class:`RiskclfError`
prints one line and exits 1; usage errors exit 2.
"""

from __future__ import annotations

import enum
import functools
import json
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from riskclf import __version__
from riskclf.config import (
    DEFAULT_CHUNK_ROWS,
    DEFAULT_CORPUS,
    DEFAULT_MODEL_DIR,
    MODELS_DIR,
    RISK_MODELS,
    load_config,
)
from riskclf.datasets import SOURCES
from riskclf.errors import InputError, RiskclfError
from riskclf.io import FORMATS, OUTPUT_FORMATS
from riskclf.report import FREQUENCIES, GROUPINGS

app = typer.Typer(
    name="riskclf",
    help="Score news articles for security risk: level, 0–100 score, theme and the terms why.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    # Plain click help and errors: the rich help printed <bool> and <list[str]> type labels.
    rich_markup_mode=None,
)


def _choices(name: str, values) -> type[enum.Enum]:
    """An Enum of the allowed values of an option, so click lists them and refuses others."""
    return enum.Enum(name, {value: value for value in values}, type=str)


RiskModel = _choices("RiskModel", RISK_MODELS)
OutputFormat = _choices("OutputFormat", OUTPUT_FORMATS)
InputFormat = _choices("InputFormat", FORMATS)
Engine = _choices("Engine", ("local", "dask"))
Frequency = _choices("Frequency", FREQUENCIES)
Grouping = _choices("Grouping", GROUPINGS)
Source = _choices("Source", SOURCES)


def _value(choice: enum.Enum | None) -> str | None:
    """The string behind an Enum option (``None`` stays ``None``)."""
    return choice.value if choice is not None else None


def _must_exist(path: Path | None) -> Path | None:
    """Option callback: refuse a path that cannot be looked at, saying why (exit 2)."""
    from riskclf.io import check_input_path

    if path is not None:
        try:
            check_input_path(path)
        except InputError as exc:
            raise typer.BadParameter(str(exc)) from None
    return path


ModelOption = Annotated[
    Path,
    typer.Option("--model", "-m", metavar="DIR", help="Model folder written by 'riskclf train'."),
]
IdColumn = Annotated[str, typer.Option(metavar="COLUMN", help="Column holding the article id.")]
TextColumn = Annotated[
    str, typer.Option(metavar="COLUMN", help="Column holding the article text.")
]
TitleColumn = Annotated[
    str, typer.Option(metavar="COLUMN", help="Title column, used with --body-column.")
]
BodyColumn = Annotated[
    str, typer.Option(metavar="COLUMN", help="Body column, used with --title-column.")
]


def _echo_err(message: str) -> None:
    typer.echo(message, err=True)


def handle_errors(command):
    """Turn a RiskclfError into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except RiskclfError as exc:
            _echo_err(f"error: {exc}")
            raise typer.Exit(1) from None

    return wrapper


def _columns(id_column: str, text_column: str, title_column: str, body_column: str):
    from riskclf.schema import TextColumns

    return TextColumns(id=id_column, text=text_column, title=title_column, body=body_column)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"riskclf {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """riskclf: a regional security-risk text classifier."""


@app.command("train")
@handle_errors
def train_cli(
    data: Annotated[
        Path,
        typer.Argument(
            callback=_must_exist,
            metavar="DATA",
            help="Labelled table (CSV, JSONL, Parquet, folder).",
            show_default=False,
        ),
    ] = DEFAULT_CORPUS,
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Model folder to write.")
    ] = DEFAULT_MODEL_DIR,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing model folder.")] = False,
    config_file: Annotated[
        Optional[Path],
        typer.Option(
            "--config",
            callback=_must_exist,
            metavar="FILE",
            help="JSON file of TrainConfig settings.",
        ),
    ] = None,
    cv_folds: Annotated[
        Optional[int], typer.Option(metavar="N", help="Cross-validation folds (0 = skip).")
    ] = None,
    seed: Annotated[Optional[int], typer.Option(metavar="N", help="Random seed.")] = None,
    risk_model: Annotated[Optional[RiskModel], typer.Option(help="Risk head.")] = None,
    tune: Annotated[
        bool,
        typer.Option(help="Choose C, the risk model and n-grams on dev rows (or CV) first."),
    ] = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            help="Leave out rows with unusable text or labels (their ids are printed and kept "
            "in metadata.json) instead of refusing the table."
        ),
    ] = False,
    base: Annotated[
        Optional[Path],
        typer.Option(
            callback=_must_exist,
            metavar="FILE",
            help="Train DATA (your own labels) together with this base corpus, e.g. "
            "data/starter_corpus.csv; your rows' weight is chosen by validation on them.",
        ),
    ] = None,
    id_column: IdColumn = "id",
    text_column: TextColumn = "text",
    title_column: TitleColumn = "title",
    body_column: BodyColumn = "body",
) -> None:
    """Train a model on a labelled table (default: the starter corpus into models/default)."""
    from riskclf.building import build_model

    config = load_config(config_file, cv_folds=cv_folds, seed=seed, risk_model=_value(risk_model))
    if out.parent == MODELS_DIR:
        # ./models is created on first use, so `riskclf train [--out models/NAME]` works in any
        # folder; any other folder given with --out must exist (a typo should not create a tree).
        out.parent.mkdir(exist_ok=True)
    if base is not None:
        _train_with_base(
            data,
            base,
            out,
            config,
            tune,
            skip_bad_rows,
            overwrite,
            id_column,
            text_column,
            title_column,
            body_column,
        )
        return
    summary = build_model(
        data,
        out,
        config=config,
        columns=_columns(id_column, text_column, title_column, body_column),
        tune=tune,
        skip_bad_rows=skip_bad_rows,
        overwrite=overwrite,
    )
    if summary.dropped:
        _echo_err(summary.dropped_line())
    if summary.tuned_on is not None:
        _echo_err(f"tuned on {summary.tuned_on} in {summary.tuning_seconds:.0f} s")
    _echo_err(summary.line())


def _train_with_base(data, base, out, config, tune, skip_bad_rows, overwrite, *names) -> None:
    """``riskclf train DATA --base FILE``: the user's labels on top of a base corpus."""
    from riskclf.adapting import build_adapted_model

    if tune or skip_bad_rows:
        raise typer.BadParameter("--tune and --skip-bad-rows do not combine with --base")
    summary = build_adapted_model(
        data, base, out, config=config, columns=_columns(*names), overwrite=overwrite
    )
    _echo_err(summary.line())


def raise_error(message: str):
    """Raise a RiskclfError from the CLI layer (caught by :func:`handle_errors`)."""
    from riskclf.errors import InputError

    raise InputError(message)


@app.command("predict")
@handle_errors
def predict_cli(
    inputs: Annotated[
        Optional[list[str]],
        typer.Argument(
            metavar="INPUT",
            help="Files, folders of .txt files, or '-' for stdin (CSV, or JSONL if it starts "
            "with '{').",
            show_default=False,
        ),
    ] = None,
    text: Annotated[
        Optional[str],
        typer.Option("--text", "-t", metavar="TEXT", help="Score one article given inline."),
    ] = None,
    model: ModelOption = DEFAULT_MODEL_DIR,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="Output file.")
    ] = None,
    fmt: Annotated[
        Optional[OutputFormat],
        typer.Option("--format", "-f", help="Output format (default: from the --out suffix)."),
    ] = None,
    input_format: Annotated[
        Optional[InputFormat], typer.Option(help="Force the input format.")
    ] = None,
    keep: Annotated[
        Optional[list[str]],
        typer.Option(
            "--keep", "-k", metavar="COLUMN", help="Input column to pass through (repeatable)."
        ),
    ] = None,
    explain: Annotated[bool, typer.Option(help="Add top_terms (why this level).")] = True,
    top_terms: Annotated[int, typer.Option(min=1, metavar="N", help="Terms in top_terms.")] = 5,
    chunk_rows: Annotated[
        int, typer.Option(min=1, metavar="N", help="Rows per chunk.")
    ] = DEFAULT_CHUNK_ROWS,
    jobs: Annotated[
        Optional[int],
        typer.Option(
            "--jobs", "-j", min=1, metavar="N", help="Worker processes (default: all cores)."
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 when any row could not be scored.")] = False,
    engine: Annotated[
        Engine, typer.Option(help="'local' (chunks, --jobs processes) or 'dask' (a cluster).")
    ] = Engine("local"),
    scheduler: Annotated[
        Optional[str],
        typer.Option(
            metavar="ADDRESS",
            help="Dask scheduler address; without it --engine dask starts a local one.",
        ),
    ] = None,
    id_column: IdColumn = "id",
    text_column: TextColumn = "text",
    title_column: TitleColumn = "title",
    body_column: BodyColumn = "body",
) -> None:
    """Score articles: files in, one scored row per input row out."""
    from riskclf.artifact import load_model
    from riskclf.batch import score_files
    from riskclf.io import check_input_path, detect_format, output_format

    if text is None and not inputs:
        raise typer.BadParameter("give input files, '-' for stdin, or --text", param_hint="INPUT")
    if text is not None and inputs:
        raise typer.BadParameter("give either input files or --text, not both")
    fmt_name, input_name = _value(fmt), _value(input_format)
    columns = _columns(id_column, text_column, title_column, body_column)
    if text is None:
        for source in inputs:
            if source != "-" and engine.value == "local":
                try:
                    if input_name is None:
                        detect_format(source)  # also refuses an unknown suffix early
                    else:
                        check_input_path(source)
                except InputError as exc:
                    raise typer.BadParameter(str(exc), param_hint="INPUT") from None
        if engine.value == "local":
            try:
                fmt_name = output_format(out, fmt_name)
            except InputError as exc:
                raise typer.BadParameter(str(exc), param_hint="--format") from None
    loaded = load_model(model)
    if text is not None:
        _print_article(loaded.model, text, top_terms)
        return
    if engine.value == "dask":
        summary = _predict_dask(
            loaded.model,
            inputs,
            out,
            fmt_name,
            input_name,
            scheduler,
            jobs,
            overwrite,
            columns=columns,
            passthrough=keep or (),
            explain=explain,
            top_terms=top_terms,
        )
    else:
        summary = score_files(
            loaded.model,
            inputs,
            out,
            fmt=fmt_name,
            overwrite=overwrite,
            progress=not quiet and sys.stderr.isatty() and out is not None,
            input_format=input_name,
            chunk_rows=chunk_rows,
            jobs=jobs or os.cpu_count() or 1,
            columns=columns,
            passthrough=keep or (),
            explain=explain,
            top_terms=top_terms,
        )
    if not quiet:
        _echo_err(summary.line() + (f" -> {out}" if out and engine.value == "local" else ""))
    if strict and summary.errors:
        failed = f"{summary.errors} {'row' if summary.errors == 1 else 'rows'}"
        _echo_err(
            f"error: --strict: {failed} could not be scored (the 'error' column of the output "
            "says why)"
        )
        raise typer.Exit(1)


def _predict_dask(model, inputs, out, fmt, input_format, scheduler, jobs, overwrite, **options):
    """Run ``predict --engine dask``: inputs may be globs, output is a folder."""
    from riskclf.distributed import score_dask

    if out is None:
        raise typer.BadParameter("--engine dask writes a folder: pass --out DIR")
    first = inputs[0]
    guessed = input_format or ("parquet" if first.endswith((".parquet", ".pq")) else "csv")
    return score_dask(
        model,
        inputs,
        out,
        fmt=fmt or "parquet",
        input_format=guessed,
        scheduler=scheduler,
        workers=jobs or os.cpu_count() or 1,
        overwrite=overwrite,
        **options,
    )


def _print_article(model, text: str, top_terms: int) -> None:
    """Print a readable summary of one scored article."""
    import pandas as pd

    from riskclf.scoring import score_frame
    from riskclf.textcheck import looks_like_markup, strip_markup

    row = score_frame(model, pd.DataFrame({"text": [text]}), top_terms=top_terms).iloc[0]
    if row["error"]:
        raise_error(f"cannot score this text: {row['error']}")
    lines = []
    if looks_like_markup(text):
        cleaned = strip_markup(text)
        shown = cleaned if len(cleaned) <= 300 else cleaned[:300] + " ..."
        lines.append(f"text       : {shown}  (markup removed)")
    if row["warning"]:
        lines.append(f"warning    : {row['warning'].replace('|', ', ')}")
    if model.risk_levels is not None:
        probs = ", ".join(f"{lv} {row[f'p_{lv}']:.2f}" for lv in model.risk_levels)
        lines.append(f"risk level : {row['risk_level']}  (score {row['risk_score']:.0f}/100)")
        lines.append(f"probability: {probs}")
    if model.theme_labels is not None:
        best = sorted(model.theme_labels, key=lambda t: -row[f"p_theme_{t}"])[:3]
        lines.append(f"themes     : {row['theme'].replace('|', ', ')}")
        lines.append("theme prob.: " + ", ".join(f"{t} {row[f'p_theme_{t}']:.2f}" for t in best))
    if row["country"]:
        others = [c for c in row["countries"].split("|") if c != row["country"]]
        also = f"; also mentioned: {', '.join(others)}" if others else ""
        # most specific first: place, district, state/province, country
        named = [row.get(c) for c in ("place", "admin2", "admin1", "country")]
        where = ", ".join(dict.fromkeys(n for n in named if isinstance(n, str) and n))
        lines.append(f"place      : {where} ({row['region']}){also}")
    else:
        lines.append("place      : (none named)")
    if model.risk_levels is not None:
        lines.append(f"top terms  : {row['top_terms'] or '(none)'}")
    typer.echo("\n".join(lines))


@app.command("explain")
@handle_errors
def explain_cli(
    text: Annotated[
        str, typer.Option("--text", "-t", metavar="TEXT", help="The article to explain.")
    ],
    model: ModelOption = DEFAULT_MODEL_DIR,
    k: Annotated[int, typer.Option(min=1, metavar="N", help="Terms per direction.")] = 8,
) -> None:
    """Show which terms push an article towards its risk level and themes, and which against."""
    from riskclf.artifact import load_model
    from riskclf.explain import explain_text

    if not text.strip():
        raise_error("cannot explain an empty text")
    result = explain_text(load_model(model).model, text, k=k)

    def terms(pairs) -> str:
        return ", ".join(f"{t} ({v:+.2f})" for t, v in pairs) or "(none)"

    lines = []
    if "risk_level" in result:
        r = result["risk_level"]
        lines += [
            f"risk level {r['level']} (p={r['probability']:.2f})",
            f"  pushes towards it: {terms(r['up'])}",
            f"  pushes against it: {terms(r['down'])}",
        ]
    for t in result.get("themes", []):
        lines += [
            f"theme {t['theme']} (p={t['probability']:.2f})",
            f"  pushes towards it: {terms(t['up'])}",
            f"  pushes against it: {terms(t['down'])}",
        ]
    typer.echo("\n".join(lines))


@app.command("evaluate")
@handle_errors
def evaluate_cli(
    data: Annotated[
        Path, typer.Argument(callback=_must_exist, metavar="DATA", help="Labelled table to score.")
    ],
    model: ModelOption = DEFAULT_MODEL_DIR,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="Write metrics JSON.")
    ] = None,
    split: Annotated[
        Optional[str],
        typer.Option(
            metavar="NAME", help="Evaluate only rows whose 'split' column has this value."
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    report: Annotated[
        Optional[Path],
        typer.Option(
            metavar="DIR", help="Also write figures, tables and metrics.json to this folder."
        ),
    ] = None,
    id_column: IdColumn = "id",
    text_column: TextColumn = "text",
    title_column: TitleColumn = "title",
    body_column: BodyColumn = "body",
) -> None:
    """Measure a model on a labelled table: prints a report, writes JSON with --out."""
    from riskclf.artifact import load_model
    from riskclf.evaluation import format_report, metrics_from_scored, score_labelled
    from riskclf.io import check_output_path, read_table

    if out is not None:
        check_output_path(out, overwrite=overwrite)
    if report is not None and report.exists() and any(report.iterdir()) and not overwrite:
        raise_error(f"{report} is not empty; pass --overwrite to write into it")
    loaded = load_model(model)
    frame = read_table(data)
    if split is not None:
        if "split" not in frame.columns:
            raise_error(f"--split {split}: {data} has no 'split' column")
        frame = frame[frame["split"].astype(str).str.strip().str.lower() == split.lower()]
        if frame.empty:
            raise_error(f"--split {split}: no rows of {data} have that split")
    scored = score_labelled(
        loaded.model,
        frame.reset_index(drop=True),
        columns=_columns(id_column, text_column, title_column, body_column),
    )
    metrics = metrics_from_scored(loaded.model, scored)
    metrics["model"] = str(model)
    metrics["data"] = str(data) + (f" (split={split})" if split else "")
    typer.echo(format_report(metrics))
    if out is not None:
        from riskclf.atomic import write_text_atomically

        write_text_atomically(out, json.dumps(metrics, indent=2) + "\n")
        _echo_err(f"metrics -> {out}")
    if report is not None:
        from riskclf.plots import write_evaluation_report

        written = write_evaluation_report(loaded.model, scored, metrics, report)
        _echo_err(f"{len(written)} report files -> {report}")


@app.command("calibrate")
@handle_errors
def calibrate_cli(
    model: Annotated[
        Path, typer.Argument(callback=_must_exist, metavar="MODEL", help="Model folder to adapt.")
    ],
    feed: Annotated[
        Path,
        typer.Argument(callback=_must_exist, metavar="FEED", help="Articles of your feed."),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Model folder to write.")
    ],
    labels: Annotated[
        Optional[Path],
        typer.Option(
            callback=_must_exist,
            metavar="FILE",
            help="Table of ids and risk_level labels of some feed rows (the feed itself works "
            "if it has a risk_level column): fit the map to them instead of estimating the "
            "feed's prior.",
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out folder.")] = False,
    id_column: IdColumn = "id",
    text_column: TextColumn = "text",
    title_column: TitleColumn = "title",
    body_column: BodyColumn = "body",
) -> None:
    """Adapt a model's risk probabilities to your feed: its level prior by EM, or a map fitted
    to a few labels."""
    from riskclf.feed_calibration import calibrate_model

    adaptation = calibrate_model(
        model,
        feed,
        out,
        labels=labels,
        columns=_columns(id_column, text_column, title_column, body_column),
        overwrite=overwrite,
    )
    typer.echo(format_adaptation(adaptation))
    _echo_err(f"adapted model -> {out}")


def format_adaptation(adaptation) -> str:
    """A few lines saying what the adaptation estimated."""
    report = adaptation.report
    lines = [f"{adaptation.method} on {report['rows']} rows of {report['feed']}"]
    levels = report["levels"]

    def _row(name, values):
        return f"  {name:<28}" + "  ".join(
            f"{lv} {v:.3f}" for lv, v in zip(levels, values, strict=True)
        )

    if "estimated_prior" in report:
        lines.append(_row("training prior", report["training_prior"]))
        lines.append(_row("estimated feed prior", report["estimated_prior"]))
    lines.append(_row("mean probability before", report["mean_probability_before"]))
    lines.append(_row("mean probability after", report["mean_probability_after"]))
    if "ece_before" in report:
        lines.append(
            f"  ECE on the labelled rows: {report['ece_before']:.3f} before, "
            f"{report['ece_after_cross_validated']:.3f} after ({report['folds']}-fold "
            "cross-validated)"
        )
    return "\n".join(lines)


@app.command("bench-data")
@handle_errors
def bench_data_cli(
    n: Annotated[int, typer.Argument(min=1, metavar="N", help="Number of articles to make.")],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", metavar="FILE", help="Output file (csv, jsonl, parquet)."),
    ],
    corpus: Annotated[
        Path,
        typer.Option(
            callback=_must_exist, metavar="FILE", help="Corpus whose sentences are recombined."
        ),
    ] = DEFAULT_CORPUS,
    seed: Annotated[int, typer.Option(metavar="N", help="Random seed.")] = 0,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Make a large benchmark input by recombining sentences of the starter corpus."""
    from riskclf.benchdata import iter_bench_frames
    from riskclf.io import TableWriter, output_format, read_table

    with TableWriter(out, output_format(out, None), overwrite=overwrite) as writer:
        for frame in iter_bench_frames(read_table(corpus), n, seed=seed):
            writer.write(frame)
    _echo_err(f"{n} articles -> {out}")


@app.command("report")
@handle_errors
def report_cli(
    scored: Annotated[
        Path,
        typer.Argument(
            callback=_must_exist, metavar="SCORED", help="Output of 'riskclf predict'."
        ),
    ],
    by: Annotated[
        Grouping,
        typer.Option(
            help="Group by this place column: country, region, admin1 (state/province), "
            "admin2 (district) or place."
        ),
    ] = Grouping("country"),
    freq: Annotated[Frequency, typer.Option(help="Period: W (weeks) or M (months).")] = Frequency(
        "M"
    ),
    date_column: Annotated[
        str, typer.Option(metavar="COLUMN", help="Column holding the article date.")
    ] = "date",
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for report.csv/.html.")
    ] = Path("report"),
    title: Annotated[
        Optional[str], typer.Option(metavar="TEXT", help="Title of the HTML page.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace existing report files.")] = False,
) -> None:
    """Roll scored articles up by place and period: a CSV table and an HTML page with a chart."""
    from riskclf.report import write_report

    written = write_report(
        scored,
        out,
        by=by.value,
        freq=freq.value,
        date_column=date_column,
        title=title,
        overwrite=overwrite,
    )
    _echo_err("report -> " + ", ".join(str(p) for p in written.values()))


data_app = typer.Typer(
    help="Turn public dataset exports into riskclf training tables.", no_args_is_help=True
)
app.add_typer(data_app, name="data")


@data_app.command("import")
@handle_errors
def data_import_cli(
    source: Annotated[
        Source, typer.Argument(metavar="SOURCE", help="Which public dataset the export is from.")
    ],
    data: Annotated[
        Path, typer.Argument(callback=_must_exist, metavar="DATA", help="The export to read.")
    ],
    out: Annotated[
        Path,
        typer.Argument(metavar="OUT", help="Training table to write (csv, jsonl, parquet)."),
    ],
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Import a public dataset export: native labels kept, risk level and theme derived."""
    from riskclf.datasets import import_source
    from riskclf.io import TableWriter, output_format

    result = import_source(source.value, data)
    with TableWriter(out, output_format(out, None), overwrite=overwrite) as writer:
        writer.write(result.frame)
    counts = result.counts
    _echo_err(
        f"{counts['rows_in']} rows in, {counts['rows_out']} out; "
        f"no risk level: {counts['no_risk_level']}, no theme: {counts['no_theme']} "
        f"(kept with an empty label) -> {out}"
    )


label_app = typer.Typer(
    help="Adapt to your feed: choose articles to label, see how the labelling goes.",
    no_args_is_help=True,
)
app.add_typer(label_app, name="label")
SelectionHead = _choices("SelectionHead", ("both", "risk", "theme"))
Strategy = _choices("Strategy", ("active", "uncertainty", "random"))


def _theme_list(value: str | None) -> list[str] | None:
    """A comma-separated list of themes (None stays None)."""
    if value is None:
        return None
    themes = [t.strip() for t in value.split(",") if t.strip()]
    if not themes:
        raise typer.BadParameter("give at least one theme, e.g. --themes terrorism,kidnapping")
    return themes


@label_app.command("suggest")
@handle_errors
def label_suggest_cli(
    feed: Annotated[
        Path,
        typer.Argument(callback=_must_exist, metavar="FEED", help="Your articles (a table)."),
    ],
    model: ModelOption = DEFAULT_MODEL_DIR,
    n: Annotated[int, typer.Option("--n", "-n", min=1, metavar="N", help="Rows to pick.")] = 50,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", "-o", metavar="FILE", help="Rows to label (csv, jsonl, parquet)."),
    ] = None,
    labelled: Annotated[
        Optional[list[Path]],
        typer.Option(
            callback=lambda paths: [_must_exist(p) for p in paths or []],
            metavar="FILE",
            help="Your labels so far (repeatable): their ids are skipped, their themes used.",
        ),
    ] = None,
    head: Annotated[
        SelectionHead, typer.Option(help="Whose uncertainty counts: risk, theme or both.")
    ] = SelectionHead("both"),
    themes: Annotated[
        Optional[str],
        typer.Option(
            metavar="T1,T2",
            help="Themes you label with (default: those in --labelled, else all the model's).",
        ),
    ] = None,
    strategy: Annotated[
        Strategy, typer.Option(help="active (uncertain and diverse), uncertainty or random.")
    ] = Strategy("active"),
    seed: Annotated[int, typer.Option(metavar="N", help="Random seed.")] = 0,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    id_column: IdColumn = "id",
    text_column: TextColumn = "text",
    title_column: TitleColumn = "title",
    body_column: BodyColumn = "body",
) -> None:
    """Pick the articles of FEED whose labels would teach the model most; fill in their
    risk_level and theme columns, then run 'riskclf train LABELS --base ...'."""
    from riskclf.artifact import load_model
    from riskclf.io import TableWriter, output_format, read_table
    from riskclf.selection import labelled_rows, suggest_rows

    columns = _columns(id_column, text_column, title_column, body_column)
    try:
        fmt = output_format(out, None)
    except InputError as exc:
        raise typer.BadParameter(str(exc), param_hint="--out") from None
    writer = TableWriter(out, fmt, overwrite=overwrite)  # refuses an existing --out early
    loaded = load_model(model)
    known = labelled_rows([read_table(p) for p in labelled or []], columns=columns)
    chosen_themes = _theme_list(themes)
    if chosen_themes is None and known.themes and loaded.model.theme_labels is not None:
        chosen_themes = [t for t in loaded.model.theme_labels if t in known.themes] or None
    suggestion = suggest_rows(
        loaded.model,
        read_table(feed),
        n,
        labelled_ids=known.ids,
        labelled_texts=known.texts,
        columns=columns,
        head=head.value,
        themes=chosen_themes,
        strategy=strategy.value,
        seed=seed,
    )
    with writer:
        writer.write(suggestion.frame)
    _echo_err(suggestion.line() + (f" -> {out}" if out else ""))


@label_app.command("status")
@handle_errors
def label_status_cli(
    labels: Annotated[
        Path,
        typer.Argument(callback=_must_exist, metavar="LABELS", help="Your labelled rows."),
    ],
    model: ModelOption = DEFAULT_MODEL_DIR,
    base: Annotated[
        Path,
        typer.Option(
            callback=_must_exist,
            metavar="FILE",
            help="The base corpus the model is trained with.",
            show_default=False,
        ),
    ] = DEFAULT_CORPUS,
    batch: Annotated[
        int, typer.Option(min=1, metavar="N", help="Size of the next batch (gain estimate).")
    ] = 50,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="Also write JSON.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    id_column: IdColumn = "id",
    text_column: TextColumn = "text",
    title_column: TitleColumn = "title",
    body_column: BodyColumn = "body",
) -> None:
    """How many rows are labelled, how well the model agrees with them (cross-validated) and
    what the next batch is expected to add."""
    from riskclf.artifact import load_model
    from riskclf.io import check_output_path, read_table
    from riskclf.labelling import label_status

    if out is not None:
        check_output_path(out, overwrite=overwrite)
    loaded = load_model(model)
    weight = loaded.metadata.get("adaptation", {}).get("feed_weight")
    status = label_status(
        read_table(labels),
        loaded.model,
        read_table(base),
        weight=weight,
        batch=batch,
        columns=_columns(id_column, text_column, title_column, body_column),
    )
    typer.echo("\n".join(status.lines()))
    if out is not None:
        from riskclf.atomic import write_text_atomically

        write_text_atomically(out, json.dumps(status.to_dict(), indent=2) + "\n")
        _echo_err(f"status -> {out}")


def _terminate(signum, frame) -> None:
    """Treat SIGTERM like Ctrl-C so temporary outputs are removed on the way out."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``riskclf`` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    app()
