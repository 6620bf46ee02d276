"""Atomic writes: build an output under a temporary sibling name, rename it into place at the end.

Every file or folder riskclf writes goes through :func:`atomic_path`, so the target name never
holds half an output. The temporary sibling is ``.<name>.<pid>.partial``: hidden, beside the
target (a rename within one folder is atomic) and tagged with the writer's process id, so a
later run into the same folder can tell a temporary left behind by a killed writer (``kill -9``
gives no chance to clean up) from one that is still being written, and removes only the former.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

PARTIAL_SUFFIX = ".partial"


def partial_path(target: Path, pid: int | None = None) -> Path:
    """The temporary sibling of ``target`` written by process ``pid`` (default: this one)."""
    target = Path(target)
    return target.with_name(f".{target.name}.{os.getpid() if pid is None else pid}.partial")


def pid_alive(pid: int) -> bool:
    """Return True when a process with id ``pid`` exists (possibly owned by another user)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_partials(target: Path) -> list[Path]:
    """Remove the temporaries of ``target`` whose writer process no longer exists.

    A temporary of a live process (another run writing the same target right now) is left
    alone. Returns the paths removed.
    """
    target = Path(target)
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(\d+)\.(?:partial|old)")
    removed = []
    if not target.parent.is_dir():
        return removed
    for path in target.parent.iterdir():
        match = pattern.fullmatch(path.name)
        if match is None or pid_alive(int(match.group(1))):
            continue
        _remove(path)
        removed.append(path)
    return removed


def _remove(path: Path) -> None:
    """Remove a file or a folder; a path already gone is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def atomic_path(target: Path, *, folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write instead of ``target``; rename it to ``target`` on success.

    Parameters
    ----------
    target : Path
        The file or folder to write; its parent folder must exist.
    folder : bool
        Create the temporary path as an empty folder (for outputs of several files).

    On an exception (including Ctrl-C) the temporary is removed and ``target`` is untouched. A
    folder that already exists at ``target`` is replaced whole: it is moved aside, the new one
    renamed in, and the old one removed. Temporaries of dead writers of the same target are
    removed first (:func:`remove_stale_partials`).
    """
    target = Path(target)
    remove_stale_partials(target)
    tmp = partial_path(target)
    _remove(tmp)
    if folder:
        tmp.mkdir()
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"nothing was written to {tmp}")
        if folder and target.is_dir():
            old = target.with_name(f".{target.name}.{os.getpid()}.old")
            os.replace(target, old)
            os.replace(tmp, target)
            _remove(old)
        else:
            os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise


def write_text_atomically(target: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` through a temporary sibling; return ``target``."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)
