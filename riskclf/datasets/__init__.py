"""Importers that turn public security-event datasets into riskclf's training table.

Each importer reads a source's native columns and derives ``risk_level`` and ``theme`` by the
rules of the project's label scheme (see :mod:`riskclf.datasets.rules`). Rows whose labels
cannot be derived are kept with empty labels and counted, never dropped or guessed.

Examples
--------
>>> from riskclf.datasets import import_source
>>> result = import_source("gtd", Path("gtd.csv"))  # doctest: +SKIP
>>> result.counts["risk_level"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from riskclf.datasets._table import OUTPUT_COLUMNS, ImportResult
from riskclf.datasets.acled import import_acled
from riskclf.datasets.cameo import import_cameo
from riskclf.datasets.gtd import import_gtd
from riskclf.datasets.maoist import import_maoist
from riskclf.datasets.satp import import_satp
from riskclf.errors import SchemaError

_IMPORTERS: dict[str, Callable[[Path], ImportResult]] = {
    "satp": import_satp,
    "satp-maoist": import_maoist,
    "cameo": import_cameo,
    "acled": import_acled,
    "gtd": import_gtd,
}
SOURCES: tuple[str, ...] = tuple(_IMPORTERS)


def import_source(source: str, path: Path) -> ImportResult:
    """Import one dataset file into the training table.

    Parameters
    ----------
    source : str
        One of :data:`SOURCES`: ``"satp"`` (ConfliBERT SATP), ``"satp-maoist"`` (code-satp),
        ``"cameo"``, ``"acled"`` or ``"gtd"``.
    path : Path
        The file to read (CSV, TSV, JSONL or Parquet; satp also reads ConfliBERT's TSV).

    Returns
    -------
    ImportResult
        The table (``id, text, risk_level, theme, country, region, date, split``, then the
        native label columns as ``src_*``) and its counts.

    Raises
    ------
    SchemaError
        If ``source`` is unknown or the file lacks the source's columns.
    InputError
        If the file cannot be found or its format cannot be told.
    """
    importer = _IMPORTERS.get(source)
    if importer is None:
        raise SchemaError(f"unknown dataset source {source!r}; choose one of {', '.join(SOURCES)}")
    return importer(Path(path))


__all__ = [
    "OUTPUT_COLUMNS",
    "SOURCES",
    "ImportResult",
    "import_acled",
    "import_cameo",
    "import_gtd",
    "import_maoist",
    "import_satp",
    "import_source",
]
