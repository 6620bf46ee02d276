"""The ``riskclf`` command line: parses options, calls one library function, prints a summary.

Data goes to ``--out`` or stdout; progress and summaries go to stderr. A :class:`RiskclfError`
prints one line and exits 1; usage errors exit 2.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from riskclf import __version__
from riskclf.config import DEFAULT_CHUNK_ROWS, DEFAULT_CORPUS, DEFAULT_MODEL_DIR, TrainConfig
from riskclf.errors import RiskclfError

app = typer.Typer(
    name="riskclf",
    help="Score news articles for security risk: level, 0–100 score, theme and the terms why.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)

ModelOption = Annotated[
    Path, typer.Option("--model", "-m", help="Model folder written by 'riskclf train'.")
]
IdColumn = Annotated[str, typer.Option(help="Column holding the article id.")]
TextColumn = Annotated[str, typer.Option(help="Column holding the article text.")]
TitleColumn = Annotated[str, typer.Option(help="Title column, used with --body-column.")]
BodyColumn = Annotated[str, typer.Option(help="Body column, used with --title-column.")]


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
        Path, typer.Argument(exists=True, help="Labelled table (CSV, JSONL, Parquet, folder).")
    ] = DEFAULT_CORPUS,
    out: Annotated[Path, typer.Option("--out", "-o", help="Model folder to write.")] = (
        DEFAULT_MODEL_DIR
    ),
    overwrite: Annotated[bool, typer.Option(help="Replace an existing model folder.")] = False,
    config_file: Annotated[
        Optional[Path],
        typer.Option("--config", exists=True, help="JSON file of TrainConfig settings."),
    ] = None,
    cv_folds: Annotated[
        Optional[int], typer.Option(help="Cross-validation folds (0 = skip).")
    ] = None,
    seed: Annotated[Optional[int], typer.Option(help="Random seed.")] = None,
    risk_model: Annotated[
        Optional[str], typer.Option(help="Risk head: 'ordinal' or 'multinomial'.")
    ] = None,
    tune: Annotated[
        bool,
        typer.Option(help="Choose C, the risk model and n-grams on dev rows (or CV) first."),
    ] = False,
    id_column: IdColumn = "id",
    text_column: TextColumn = "text",
    title_column: TitleColumn = "title",
    body_column: BodyColumn = "body",
) -> None:
    """Train a model on a labelled table (default: the starter corpus into models/default)."""
    from riskclf.artifact import build_metadata, save_model
    from riskclf.io import read_table
    from riskclf.training import train_model

    settings = json.loads(config_file.read_text(encoding="utf-8")) if config_file else {}
    for key, value in (("cv_folds", cv_folds), ("seed", seed), ("risk_model", risk_model)):
        if value is not None:
            settings[key] = value
    config = TrainConfig.from_dict(settings)
    if out.exists() and not overwrite:
        raise_error(f"{out} already exists; pass --overwrite to replace it")
    frame = read_table(data)
    columns = _columns(id_column, text_column, title_column, body_column)
    tuning = None
    if tune:
        from riskclf.training import tune_config

        tuning = tune_config(frame, config, columns=columns)
        config = tuning.config
        _echo_err(f"tuned on {tuning.selection} in {tuning.seconds:.0f} s")
    result = train_model(frame, config, columns=columns)
    metadata = build_metadata(
        result.model,
        data=result.data,
        metrics=result.metrics,
        source=str(data),
        seconds=round(result.seconds, 2),
    )
    if tuning is not None:
        metadata["tuning"] = tuning.to_dict()
    save_model(result.model, metadata, out, overwrite=overwrite)
    holdout = result.metrics["holdout"]
    parts = [f"trained on {result.data['train_rows']} rows in {result.seconds:.1f} s"]
    if "risk_level" in holdout:
        r = holdout["risk_level"]
        parts.append(f"risk macro-F1 {100 * r['macro_f1']:.1f}, QWK {r['qwk']:.3f}")
    if "theme" in holdout:
        parts.append(f"theme macro-F1 {100 * holdout['theme']['macro_f1']:.1f}")
    _echo_err(f"{'; '.join(parts)} (held out: {result.data['holdout_rows']} rows) -> {out}")


def raise_error(message: str):
    """Raise a RiskclfError from the CLI layer (caught by :func:`handle_errors`)."""
    from riskclf.errors import InputError

    raise InputError(message)


@app.command("predict")
@handle_errors
def predict_cli(
    inputs: Annotated[
        Optional[list[str]],
        typer.Argument(help="Files, folders of .txt files, or '-' for stdin (CSV)."),
    ] = None,
    text: Annotated[
        Optional[str], typer.Option("--text", "-t", help="Score one article given inline.")
    ] = None,
    model: ModelOption = DEFAULT_MODEL_DIR,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output file.")] = None,
    fmt: Annotated[
        Optional[str], typer.Option("--format", "-f", help="csv, jsonl or parquet.")
    ] = None,
    input_format: Annotated[
        Optional[str], typer.Option(help="Force the input format: csv, tsv, jsonl, parquet.")
    ] = None,
    keep: Annotated[
        Optional[list[str]], typer.Option("--keep", "-k", help="Input column to pass through.")
    ] = None,
    explain: Annotated[bool, typer.Option(help="Add top_terms (why this level).")] = True,
    top_terms: Annotated[int, typer.Option(min=1, help="Terms in top_terms.")] = 5,
    chunk_rows: Annotated[int, typer.Option(min=1, help="Rows per chunk.")] = DEFAULT_CHUNK_ROWS,
    jobs: Annotated[
        Optional[int],
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 when any row could not be scored.")] = False,
    engine: Annotated[
        str, typer.Option(help="'local' (chunks, --jobs processes) or 'dask' (a cluster).")
    ] = "local",
    scheduler: Annotated[
        Optional[str],
        typer.Option(help="Dask scheduler address; without it --engine dask starts a local one."),
    ] = None,
    id_column: IdColumn = "id",
    text_column: TextColumn = "text",
    title_column: TitleColumn = "title",
    body_column: BodyColumn = "body",
) -> None:
    """Score articles: files in, one scored row per input row out."""
    from riskclf.artifact import load_model
    from riskclf.batch import score_files
    from riskclf.io import detect_format, output_format

    if text is None and not inputs:
        raise typer.BadParameter("give input files, '-' for stdin, or --text", param_hint="INPUTS")
    if text is not None and inputs:
        raise typer.BadParameter("give either input files or --text, not both")
    columns = _columns(id_column, text_column, title_column, body_column)
    loaded = load_model(model)
    if text is not None:
        _print_article(loaded.model, text, top_terms)
        return
    if engine == "dask":
        _predict_dask(
            loaded.model,
            inputs,
            out,
            fmt,
            input_format,
            scheduler,
            jobs,
            overwrite,
            quiet,
            strict,
            columns=columns,
            passthrough=keep or (),
            explain=explain,
            top_terms=top_terms,
        )
        return
    if engine != "local":
        raise typer.BadParameter("choose 'local' or 'dask'", param_hint="--engine")
    for source in inputs:
        if source != "-" and not Path(source).exists():
            raise typer.BadParameter(f"input not found: {source}", param_hint="INPUTS")
        if input_format is None:
            detect_format(source)
    summary = score_files(
        loaded.model,
        inputs,
        out,
        fmt=output_format(out, fmt),
        overwrite=overwrite,
        progress=not quiet and sys.stderr.isatty() and out is not None,
        input_format=input_format,
        chunk_rows=chunk_rows,
        jobs=jobs or os.cpu_count() or 1,
        columns=columns,
        passthrough=keep or (),
        explain=explain,
        top_terms=top_terms,
    )
    if not quiet:
        _echo_err(summary.line() + (f" -> {out}" if out else ""))
    if strict and summary.errors:
        raise typer.Exit(1)


def _predict_dask(
    model, inputs, out, fmt, input_format, scheduler, jobs, overwrite, quiet, strict, **options
) -> None:
    """Run ``predict --engine dask``: inputs may be globs, output is a folder."""
    from riskclf.distributed import score_dask

    if out is None:
        raise typer.BadParameter("--engine dask writes a folder: pass --out DIR")
    first = inputs[0]
    guessed = input_format or ("parquet" if first.endswith((".parquet", ".pq")) else "csv")
    summary = score_dask(
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
    if not quiet:
        _echo_err(summary.line())
    if strict and summary.errors:
        raise typer.Exit(1)


def _print_article(model, text: str, top_terms: int) -> None:
    """Print a readable summary of one scored article."""
    import pandas as pd

    from riskclf.scoring import score_frame

    row = score_frame(model, pd.DataFrame({"text": [text]}), top_terms=top_terms).iloc[0]
    if row["error"]:
        raise_error(f"cannot score this text: {row['error']}")
    lines = []
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
        lines.append(f"place      : {row['country']} ({row['region']}){also}")
    else:
        lines.append("place      : (none named)")
    if model.risk_levels is not None:
        lines.append(f"top terms  : {row['top_terms'] or '(none)'}")
    typer.echo("\n".join(lines))


@app.command("explain")
@handle_errors
def explain_cli(
    text: Annotated[str, typer.Option("--text", "-t", help="The article to explain.")],
    model: ModelOption = DEFAULT_MODEL_DIR,
    k: Annotated[int, typer.Option(min=1, help="Terms per direction.")] = 8,
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
    data: Annotated[Path, typer.Argument(exists=True, help="Labelled table to score.")],
    model: ModelOption = DEFAULT_MODEL_DIR,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write metrics JSON.")] = None,
    split: Annotated[
        Optional[str], typer.Option(help="Evaluate only rows whose 'split' column has this value.")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
    report: Annotated[
        Optional[Path],
        typer.Option(help="Also write figures, tables and metrics.json to this folder."),
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
        out.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        _echo_err(f"metrics -> {out}")
    if report is not None:
        from riskclf.plots import write_evaluation_report

        written = write_evaluation_report(loaded.model, scored, metrics, report)
        _echo_err(f"{len(written)} report files -> {report}")


@app.command("bench-data")
@handle_errors
def bench_data_cli(
    n: Annotated[int, typer.Argument(min=1, help="Number of articles to make.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file (csv, jsonl, parquet).")],
    corpus: Annotated[
        Path, typer.Option(exists=True, help="Corpus whose sentences are recombined.")
    ] = DEFAULT_CORPUS,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
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
    scored: Annotated[Path, typer.Argument(exists=True, help="Output of 'riskclf predict'.")],
    by: Annotated[
        str,
        typer.Option(
            help="Group by this column: country, region, admin1 (state/province), admin2 or place."
        ),
    ] = "country",
    freq: Annotated[str, typer.Option(help="Period: W (weeks) or M (months).")] = "M",
    date_column: Annotated[str, typer.Option(help="Column holding the article date.")] = "date",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for report.csv/.html.")] = Path(
        "report"
    ),
    title: Annotated[Optional[str], typer.Option(help="Title of the HTML page.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace existing report files.")] = False,
) -> None:
    """Roll scored articles up by place and period: a CSV table and an HTML page with a chart."""
    from riskclf.report import write_report

    written = write_report(
        scored, out, by=by, freq=freq, date_column=date_column, title=title, overwrite=overwrite
    )
    _echo_err("report -> " + ", ".join(str(p) for p in written.values()))


data_app = typer.Typer(
    help="Turn public dataset exports into riskclf training tables.", no_args_is_help=True
)
app.add_typer(data_app, name="data")


@data_app.command("import")
@handle_errors
def data_import_cli(
    source: Annotated[str, typer.Argument(help="satp, satp-maoist, cameo, acled or gtd.")],
    data: Annotated[Path, typer.Argument(exists=True, help="The export to read.")],
    out: Annotated[Path, typer.Argument(help="Training table to write (csv, jsonl, parquet).")],
    overwrite: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
) -> None:
    """Import a public dataset export: native labels kept, risk level and theme derived."""
    from riskclf.datasets import SOURCES, import_source
    from riskclf.io import TableWriter, output_format

    if source not in SOURCES:
        raise typer.BadParameter(f"choose one of {', '.join(SOURCES)}", param_hint="SOURCE")
    result = import_source(source, data)
    with TableWriter(out, output_format(out, None), overwrite=overwrite) as writer:
        writer.write(result.frame)
    counts = result.counts
    _echo_err(
        f"{counts['rows_in']} rows in, {counts['rows_out']} out; "
        f"no risk level: {counts['no_risk_level']}, no theme: {counts['no_theme']} "
        f"(kept with an empty label) -> {out}"
    )


def _terminate(signum, frame) -> None:
    """Treat SIGTERM like Ctrl-C so temporary outputs are removed on the way out."""
    raise KeyboardInterrupt


def main() -> None:
    """Entry point of the ``riskclf`` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    app()
