"""Read and write tables: CSV, TSV, JSONL, Parquet, a folder of ``.txt`` files, or stdin.

Reading is chunked everywhere so a large file never has to fit in memory. Values are read as
strings (Parquet keeps its types); rows the reader cannot parse (a broken JSON line) are kept with
their ``error`` column set rather than dropped. Writing goes to a temporary sibling file that is
renamed into place only when the whole output was written.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pandas as pd

from riskclf.atomic import atomic_path
from riskclf.config import DEFAULT_CHUNK_ROWS, ERROR_COLUMN, ID_COLUMN, TEXT_COLUMN
from riskclf.errors import InputError, SchemaError

FORMATS = ("csv", "tsv", "jsonl", "parquet", "txtdir")
OUTPUT_FORMATS = ("csv", "jsonl", "parquet")
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
STDIN = "-"


def detect_format(source: str | Path) -> str:
    """Return the table format of ``source`` from its suffix, or ``txtdir`` for a folder.

    Standard input (``"-"``) is JSON Lines when its first character is ``{``, else CSV.

    Raises
    ------
    InputError
        If the path cannot be opened or its suffix is not a known table format.
    """
    if str(source) == STDIN:
        return _sniff_stdin()
    path = Path(source)
    check_input_path(path)
    if path.is_dir():
        return "txtdir"
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"cannot tell the format of {path.name}: use a .csv, .tsv, .jsonl or .parquet file, "
            "a folder of .txt files, or pass --input-format"
        )
    return fmt


def check_input_path(path: str | Path) -> None:
    """Raise unless ``path`` can be looked at, with the reason why not.

    Raises
    ------
    InputError
        "input not found" for a missing path; a broken link, a symbolic link loop or a
        permission problem is named as such.
    """
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(f"{path} is a broken symbolic link") from None
        raise InputError(f"input not found: {path}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path} is a symbolic link loop (it leads back to itself)") from None
        raise InputError(f"cannot open {path}: {exc.strerror or exc}") from None


def _sniff_stdin() -> str:
    """Guess the format of standard input from its first non-blank character, unread."""
    stream = sys.stdin.buffer
    if hasattr(stream, "peek"):
        head = stream.peek(64)[:64]
    elif stream.seekable():
        position = stream.tell()
        head = stream.read(64)
        stream.seek(position)
    else:  # pragma: no cover - stdin is a buffered reader or, under test, a BytesIO
        return "csv"
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return "jsonl" if head.startswith(b"{") else "csv"


def iter_table(
    source: str | Path, *, fmt: str | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """Yield the rows of a table in chunks of at most ``chunk_rows`` rows.

    Parameters
    ----------
    source : str or Path
        A file, a folder of ``.txt`` files, or ``"-"`` for standard input.
    fmt : str, optional
        One of :data:`FORMATS`; detected from the suffix when omitted.
    chunk_rows : int
        Rows per chunk.

    Raises
    ------
    SchemaError
        If the file is empty or cannot be parsed as the format.
    InputError
        If the file cannot be read (permission denied, a folder, an I/O error).
    """
    fmt = fmt or detect_format(source)
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if chunk_rows < 1:
        raise InputError(f"chunk_rows must be at least 1, got {chunk_rows}")
    try:
        if fmt == "txtdir":
            yield from _iter_text_folder(Path(source), chunk_rows)
        elif fmt in ("csv", "tsv"):
            yield from _iter_delimited(source, "\t" if fmt == "tsv" else ",", chunk_rows)
        elif fmt == "jsonl":
            yield from _iter_jsonl(source, chunk_rows)
        else:
            yield from _iter_parquet(Path(source), chunk_rows)
    except OSError as exc:
        # Permission denied, a folder where a file was expected, a failing disk: one line.
        name = "standard input" if str(source) == STDIN else str(source)
        raise InputError(f"cannot read {name}: {exc.strerror or exc}") from None


def read_table(source: str | Path, *, fmt: str | None = None) -> pd.DataFrame:
    """Read a whole table into one frame (for training and evaluation data)."""
    chunks = list(iter_table(source, fmt=fmt, chunk_rows=50_000))
    if not chunks:
        return pd.DataFrame()
    return pd.concat(chunks, ignore_index=True)


def _iter_delimited(source: str | Path, sep: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield chunks of a CSV/TSV file read as strings; invalid UTF-8 survives as surrogates."""
    name = "standard input" if str(source) == STDIN else str(source)
    handle: Any = sys.stdin.buffer if str(source) == STDIN else source
    try:
        reader = pd.read_csv(
            handle,
            sep=sep,
            dtype=object,  # Python strings: pandas 3 arrow strings reject invalid UTF-8
            keep_default_na=False,
            chunksize=chunk_rows,
            encoding="utf-8-sig",
            encoding_errors="surrogateescape",
        )
        with reader:
            yield from reader
    except pd.errors.EmptyDataError:
        raise SchemaError(f"{name} is empty: expected a header row and at least one row") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise SchemaError(
            f"{name} is not a well-formed {'TSV' if sep == chr(9) else 'CSV'} file ({detail}); "
            "check for unbalanced quotes or rows with extra fields"
        ) from None


def _iter_jsonl(source: str | Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield chunks of a JSON Lines file; a broken line becomes a row with ``error`` set."""
    name = "standard input" if str(source) == STDIN else str(source)
    stream: IO[bytes]
    with contextlib.ExitStack() as stack:
        if str(source) == STDIN:
            stream = sys.stdin.buffer
        else:
            stream = stack.enter_context(open(source, "rb"))
        rows: list[dict[str, Any]] = []
        seen_any = False
        for line_no, raw in enumerate(stream, start=1):
            line = raw.decode("utf-8", errors="surrogateescape").strip()
            if line_no == 1:
                line = line.removeprefix("\ufeff")
            if not line:
                continue
            seen_any = True
            rows.append(_parse_json_line(line, line_no))
            if len(rows) >= chunk_rows:
                yield pd.DataFrame(rows, dtype=object)
                rows = []
        if not seen_any:
            raise SchemaError(f"{name} is empty: expected one JSON object per line")
        if rows:
            yield pd.DataFrame(rows, dtype=object)


def _parse_json_line(line: str, line_no: int) -> dict[str, Any]:
    """Parse one JSONL line into a record, or a record carrying an error message."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {ERROR_COLUMN: f"line {line_no} is not valid JSON ({exc.msg})"}
    if not isinstance(record, dict):
        return {ERROR_COLUMN: f"line {line_no} is not a JSON object"}
    return record


def _iter_parquet(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield chunks of a Parquet file batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise SchemaError(f"{path} is not a readable Parquet file ({exc})") from None
    with parquet:
        if parquet.metadata.num_rows == 0:
            yield parquet.schema_arrow.empty_table().to_pandas()
            return
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            yield batch.to_pandas()


def _iter_text_folder(folder: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Yield one row per ``.txt`` file below ``folder`` (sorted), id = its path relative to
    ``folder`` (``news/day1.txt``).

    Symbolic links to folders are not followed, so a link loop cannot recurse forever.
    """
    files: list[Path] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs.sort()
        files.extend(Path(root) / n for n in sorted(names) if n.lower().endswith(".txt"))
    if not files:
        raise SchemaError(f"{folder} holds no .txt files")
    rows: list[dict[str, str]] = []
    for path in files:
        rel = path.relative_to(folder).as_posix()
        try:
            text = path.read_bytes().decode("utf-8", errors="surrogateescape")
            rows.append({ID_COLUMN: rel, TEXT_COLUMN: text})
        except OSError as exc:
            rows.append(
                {ID_COLUMN: rel, TEXT_COLUMN: "", ERROR_COLUMN: f"unreadable file ({exc})"}
            )
        if len(rows) >= chunk_rows:
            yield pd.DataFrame(rows, dtype=object)
            rows = []
    if rows:
        yield pd.DataFrame(rows, dtype=object)


def output_format(path: Path | None, fmt: str | None) -> str:
    """Choose the output format: explicit ``fmt``, else from the suffix, else CSV.

    Raises
    ------
    InputError
        If ``fmt`` is unknown, or contradicts the suffix of ``path`` (``x.parquet`` as CSV).
    """
    guessed = _SUFFIXES.get(path.suffix.lower()) if path is not None else None
    if fmt is not None:
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f"unknown output format {fmt!r}; choose csv, jsonl or parquet")
        if guessed is not None and guessed != fmt:
            raise InputError(
                f"--format {fmt} does not match the {path.suffix} suffix of {path.name}: "
                f"drop --format or name the file .{fmt}"
            )
        return fmt
    if guessed in OUTPUT_FORMATS:
        return guessed
    return "csv"


def check_output_path(path: Path, *, overwrite: bool) -> None:
    """Refuse an output path whose folder is missing or that exists without ``overwrite``."""
    if not path.parent.exists():
        raise InputError(f"output folder does not exist: {path.parent}")
    if path.exists() and not overwrite:
        raise InputError(f"{path} already exists; pass --overwrite to replace it")
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name")
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"cannot write to {path.parent}: permission denied")


class TableWriter:
    """Write frames one chunk at a time to a file (atomically) or to stdout.

    The file is written under a temporary name beside the target and renamed when the writer
    closes without an exception; on an error or interrupt the temporary file is removed, so the
    target name never holds a partial table.

    Parameters
    ----------
    path : Path or None
        Target file; ``None`` writes CSV or JSONL to standard output.
    fmt : {"csv", "jsonl", "parquet"}
        Output format.
    overwrite : bool
        Replace an existing file.
    """

    def __init__(self, path: Path | None, fmt: str, *, overwrite: bool = False) -> None:
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f"unknown output format {fmt!r}; choose csv, jsonl or parquet")
        if path is None and fmt == "parquet":
            raise InputError("Parquet output needs a file: pass --out FILE")
        if path is not None:
            check_output_path(path, overwrite=overwrite)
        self.path = path
        self.fmt = fmt
        self.rows = 0
        self._tmp: Path | None = None
        self._target: Any = None
        self._handle: IO[Any] | None = None
        self._parquet: Any = None
        self._schema: Any = None

    def __enter__(self) -> TableWriter:
        if self.path is not None:
            self._target = atomic_path(self.path)
            self._tmp = self._target.__enter__()
            if self.fmt != "parquet":
                self._handle = open(self._tmp, "w", encoding="utf-8", newline="")
        else:
            self._handle = sys.stdout
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append one chunk."""
        if self.fmt == "csv":
            frame.to_csv(self._handle, index=False, header=self.rows == 0)
        elif self.fmt == "jsonl":
            for record in frame.to_dict(orient="records"):
                self._handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        else:
            self._write_parquet(frame)
        self.rows += len(frame)

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        """Append a chunk to the Parquet file, keeping the schema of the first chunk."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._parquet is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self._schema = table.schema
            self._parquet = pq.ParquetWriter(self._tmp, self._schema)
        else:
            table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
        self._parquet.write_table(table)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.path is None:
            if self._handle is not None:
                self._handle.flush()
            return
        try:
            if self._parquet is not None:
                self._parquet.close()
            if self._handle is not None:
                self._handle.close()
            if exc_type is None and self.fmt == "parquet" and self._parquet is None:
                # No chunk arrived: still leave a valid, empty file.
                import pyarrow as pa
                import pyarrow.parquet as pq

                pq.write_table(pa.table({}), self._tmp)
        except BaseException as error:
            self._target.__exit__(type(error), error, error.__traceback__)
            raise
        self._target.__exit__(exc_type, exc, tb)
