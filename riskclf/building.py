"""Build a model folder from a labelled table file: the library function behind ``riskclf train``.

Reads the table, optionally leaves out the rows no model can learn from (and says which), tunes
the settings if asked, trains, and saves the model with its metadata. Nothing is printed; the
returned :class:`BuildSummary` says what happened.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskclf.artifact import build_metadata, check_model_folder, save_model
from riskclf.config import RISK_COLUMN, THEME_COLUMN, TrainConfig
from riskclf.errors import SchemaError
from riskclf.io import read_table
from riskclf.schema import TextColumns, drop_unusable_rows, format_ids


@dataclass
class BuildSummary:
    """What :func:`build_model` did: rows used and left out, tuning, held-out scores."""

    path: Path
    rows_read: int
    train_rows: int
    holdout_rows: int
    seconds: float
    holdout: dict[str, Any]
    dropped: list[tuple[str, str]] = field(default_factory=list)
    tuned_on: str | None = None
    tuning_seconds: float | None = None

    def dropped_line(self) -> str:
        """One line naming the rows left out (up to five ids), or "" when none were."""
        if not self.dropped:
            return ""
        kinds: dict[str, int] = {}
        for _, reason in self.dropped:
            kinds[reason] = kinds.get(reason, 0) + 1
        counts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        return (
            f"left out {len(self.dropped)} unusable {_rows(len(self.dropped))} ({counts}): "
            f"{format_ids([row_id for row_id, _ in self.dropped])}; every id is listed under "
            "training_data.skipped_rows in metadata.json"
        )

    def line(self) -> str:
        """One-line summary of the training run."""
        parts = [f"trained on {self.train_rows} rows in {self.seconds:.1f} s"]
        if "risk_level" in self.holdout:
            risk = self.holdout["risk_level"]
            parts.append(f"risk macro-F1 {100 * risk['macro_f1']:.1f}, QWK {risk['qwk']:.3f}")
        if "theme" in self.holdout:
            parts.append(f"theme macro-F1 {100 * self.holdout['theme']['macro_f1']:.1f}")
        return f"{'; '.join(parts)} (held out: {self.holdout_rows} rows) -> {self.path}"


def _rows(n: int) -> str:
    return "row" if n == 1 else "rows"


def build_model(
    data: Path,
    out: Path,
    *,
    config: TrainConfig = TrainConfig(),
    columns: TextColumns = TextColumns(),
    tune: bool = False,
    skip_bad_rows: bool = False,
    overwrite: bool = False,
) -> BuildSummary:
    """Train a model on the labelled table ``data`` and save it to the folder ``out``.

    Parameters
    ----------
    data : Path
        Labelled table (CSV, TSV, JSONL, Parquet or a folder of ``.txt`` files).
    out : Path
        Model folder to write (its parent must exist).
    config : TrainConfig
        Training settings; with ``tune`` the starting point of the search.
    columns : TextColumns
        Names of the id and text columns.
    tune : bool
        Choose settings on validation rows first (:func:`riskclf.training.tune_config`).
    skip_bad_rows : bool
        Leave out rows with unusable text or labels outside the declared set
        (:func:`riskclf.schema.drop_unusable_rows`) instead of refusing the table; their ids
        and reasons are returned and recorded in the metadata.
    overwrite : bool
        Replace an existing model folder.

    Raises
    ------
    ArtifactError
        ``out`` exists without ``overwrite``, or its parent folder is missing (checked before
        any work is done).
    SchemaError
        Unusable rows without ``skip_bad_rows``, and every error of training.
    """
    from riskclf.training import train_model, tune_config

    out = check_model_folder(out, overwrite=overwrite)
    frame = read_table(data)
    rows_read = len(frame)
    if rows_read:
        usable = drop_unusable_rows(
            frame,
            columns=columns,
            risk_column=RISK_COLUMN,
            risk_levels=config.risk_levels,
            theme_column=THEME_COLUMN,
            themes=config.themes,
        )
        if usable.dropped and not skip_bad_rows:
            counts = ", ".join(f"{n} {k}" for k, n in usable.reasons().items())
            raise SchemaError(
                f"{len(usable.dropped)} {_rows(len(usable.dropped))} cannot be used for "
                f"training ({counts}): {format_ids([i for i, _ in usable.dropped])}; fix them, "
                "or pass --skip-bad-rows to train on the rest"
            )
        frame, dropped = usable.frame, usable.dropped
    else:
        dropped = []
    tuning = None
    tuning_seconds = None
    if tune:
        started = time.perf_counter()
        tuning = tune_config(frame, config, columns=columns)
        tuning_seconds = time.perf_counter() - started
        config = tuning.config
    result = train_model(frame, config, columns=columns)
    data_info = dict(result.data)
    if dropped:
        data_info["rows_read"] = rows_read
        data_info["skipped_rows"] = [{"id": i, "reason": r} for i, r in dropped]
    metadata = build_metadata(
        result.model,
        data=data_info,
        metrics=result.metrics,
        source=str(data),
        seconds=round(result.seconds, 2),
    )
    if tuning is not None:
        metadata["tuning"] = tuning.to_dict()
    save_model(result.model, metadata, out, overwrite=overwrite)
    return BuildSummary(
        path=out,
        rows_read=rows_read,
        train_rows=result.data["train_rows"],
        holdout_rows=result.data["holdout_rows"],
        seconds=result.seconds,
        holdout=result.metrics["holdout"],
        dropped=dropped,
        tuned_on=tuning.to_dict().get("selection", "") if tuning is not None else None,
        tuning_seconds=tuning_seconds,
    )
