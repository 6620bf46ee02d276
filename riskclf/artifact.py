"""Save and load a model folder: ``model.npz`` + ``metadata.json`` + ``MODEL_CARD.md``.

The model is stored as plain numeric arrays (``model.npz``, read with ``allow_pickle=False``)
plus a JSON description in the metadata, so loading a model folder from elsewhere can never run
code: there is no pickle anywhere. Each file's sha256 is recorded in the metadata and checked on
load. A folder is written under a temporary sibling name and renamed into place, so a failed
save never leaves half a model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from riskclf import __version__
from riskclf.errors import ArtifactError
from riskclf.served import RiskModel

FORMAT_VERSION = 1
MODEL_FILE = "model.npz"
METADATA_FILE = "metadata.json"
CARD_FILE = "MODEL_CARD.md"


@dataclass
class LoadedModel:
    """A model read from disk with its metadata and folder."""

    model: RiskModel
    metadata: dict[str, Any]
    path: Path


def sklearn_version() -> str:
    """The installed scikit-learn version, read without importing it (importing takes ~1 s)."""
    from importlib.metadata import version

    return version("scikit-learn")


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_metadata(
    model: RiskModel,
    *,
    data: dict[str, Any],
    metrics: dict[str, Any],
    source: str | None = None,
    seconds: float | None = None,
) -> dict[str, Any]:
    """Assemble the metadata of a trained model (versions, labels, data, config, metrics)."""
    return {
        "format_version": FORMAT_VERSION,
        "riskclf_version": __version__,
        "sklearn_version": sklearn_version(),
        "python_version": platform.python_version(),
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "risk_levels": list(model.risk_levels) if model.risk_levels is not None else None,
        "theme_labels": list(model.theme_labels) if model.theme_labels is not None else None,
        "training_data": {"source": source, **data},
        "training_seconds": seconds,
        "config": model.config.to_dict(),
        "metrics": metrics,
    }


def save_model(
    model: RiskModel, metadata: dict[str, Any], path: Path, *, overwrite: bool = False
) -> Path:
    """Write ``model`` and its metadata to the folder ``path``.

    Raises
    ------
    ArtifactError
        If ``path`` exists and ``overwrite`` is false, or its parent folder does not exist.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise ArtifactError(f"{path} already exists; pass --overwrite to replace it")
    if not path.parent.exists():
        raise ArtifactError(f"folder does not exist: {path.parent}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        description, arrays = model.get_state()
        np.savez_compressed(tmp / MODEL_FILE, **arrays)
        metadata = {
            **metadata,
            "model": description,
            "files": {MODEL_FILE: file_sha256(tmp / MODEL_FILE)},
        }
        (tmp / METADATA_FILE).write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        from riskclf.card import render_model_card

        (tmp / CARD_FILE).write_text(render_model_card(metadata), encoding="utf-8")
        if path.exists():
            old = path.with_name(f".{path.name}.{os.getpid()}.old")
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
        raise
    return path


def read_metadata(path: Path) -> dict[str, Any]:
    """Read and check ``metadata.json`` of a model folder.

    Raises
    ------
    ArtifactError
        If the folder or file is missing, not JSON, or from another format version.
    """
    path = Path(path)
    if not path.is_dir():
        raise ArtifactError(
            f"model folder not found: {path}; train one with 'riskclf train' or pass --model"
        )
    meta_path = path / METADATA_FILE
    if not meta_path.is_file():
        raise ArtifactError(
            f"{path} has no {METADATA_FILE}: not a riskclf model folder (or a damaged one); "
            "retrain it with 'riskclf train'"
        )
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{meta_path} is not valid JSON ({exc}); retrain the model") from None
    if not isinstance(metadata, dict):
        raise ArtifactError(f"{meta_path} is not a JSON object; retrain the model")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        hint = (
            "it was written by a newer riskclf: upgrade riskclf"
            if isinstance(version, int) and version > FORMAT_VERSION
            else "retrain the model with this riskclf"
        )
        raise ArtifactError(
            f"{path} has model format version {version!r}, this riskclf reads version "
            f"{FORMAT_VERSION}; {hint}"
        )
    return metadata


def load_model(path: Path) -> LoadedModel:
    """Load a model folder after checking its metadata and file hashes.

    Raises
    ------
    ArtifactError
        Missing folder or files, a file whose sha256 differs from the metadata, a model file
        that is not a plain-array archive, or labels that disagree with the metadata.
    """
    path = Path(path)
    metadata = read_metadata(path)
    model_path = path / MODEL_FILE
    if not model_path.is_file():
        raise ArtifactError(f"{path} has no {MODEL_FILE}; retrain the model")
    expected = (metadata.get("files") or {}).get(MODEL_FILE)
    if expected is None:
        raise ArtifactError(f"{path}/{METADATA_FILE} records no sha256 for {MODEL_FILE}")
    if file_sha256(model_path) != expected:
        raise ArtifactError(
            f"{model_path} does not match the sha256 in {METADATA_FILE} (changed or truncated); "
            "restore the original file or retrain the model"
        )
    _warn_versions(metadata, path)
    try:
        with np.load(model_path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        model = RiskModel.from_state(metadata["model"], arrays)
    except (ValueError, OSError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        # ValueError includes numpy's refusal of pickled object arrays.
        raise ArtifactError(
            f"{model_path} cannot be read as a riskclf model ({type(exc).__name__}: {exc}); "
            "retrain the model"
        ) from None
    _check_labels(model, metadata, path)
    return LoadedModel(model=model, metadata=metadata, path=path)


def _check_labels(model: RiskModel, metadata: dict[str, Any], path: Path) -> None:
    """Refuse a model whose label order disagrees with its metadata."""
    for key, actual in (("risk_levels", model.risk_levels), ("theme_labels", model.theme_labels)):
        recorded = metadata.get(key)
        if (list(actual) if actual is not None else None) != recorded:
            raise ArtifactError(
                f"{path}: {key} in {METADATA_FILE} ({recorded}) disagree with the model "
                f"({list(actual) if actual is not None else None}); retrain the model"
            )


def _warn_versions(metadata: dict[str, Any], path: Path) -> None:
    """Warn when the model was trained with another scikit-learn major.minor."""
    trained = str(metadata.get("sklearn_version", ""))
    installed = sklearn_version()
    if trained.split(".")[:2] != installed.split(".")[:2]:
        warnings.warn(
            f"{path} was trained with scikit-learn {trained or 'unknown'} and is loaded with "
            f"{installed}; predictions may differ: retrain it to be sure",
            UserWarning,
            stacklevel=3,
        )
