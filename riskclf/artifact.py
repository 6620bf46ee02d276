"""Save and load a model folder: ``model.npz``, ``metadata.json``, ``MODEL_CARD.md`` and
``manifest.json``.

The model is stored as plain numeric arrays (``model.npz``, read with ``allow_pickle=False``)
plus a JSON description in the metadata, so loading a model folder from elsewhere can never run
code: there is no pickle anywhere. ``manifest.json`` records the sha256 of every other file and
is checked on load; the label orders are also stored inside ``model.npz``, beside the arrays
they index, so an edit of ``metadata.json`` is refused even when it is consistent and the
manifest was rewritten to match. A folder is written under a temporary sibling name and renamed
into place, so a failed save never leaves half a model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from riskclf import __version__
from riskclf.atomic import atomic_path
from riskclf.errors import ArtifactError
from riskclf.served import RiskModel

# Version 2: manifest.json covers every file; label orders are stored inside model.npz.
FORMAT_VERSION = 2
MODEL_FILE = "model.npz"
METADATA_FILE = "metadata.json"
CARD_FILE = "MODEL_CARD.md"
MANIFEST_FILE = "manifest.json"
HASHED_FILES = (MODEL_FILE, METADATA_FILE, CARD_FILE)
# Arrays that artifact.py adds to model.npz beside the model's own, stripped before from_state.
ARTIFACT_PREFIX = "artifact."
RISK_LEVELS_ARRAY = ARTIFACT_PREFIX + "risk_levels"
THEME_LABELS_ARRAY = ARTIFACT_PREFIX + "theme_labels"


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


def check_model_folder(path: Path, *, overwrite: bool = False) -> Path:
    """Refuse a model folder that :func:`save_model` could not write: one that exists without
    ``overwrite``, or whose parent folder is missing. Commands call it before any work."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise ArtifactError(f"{path} already exists; pass --overwrite to replace it")
    if not path.parent.is_dir():
        raise ArtifactError(f"folder does not exist: {path.parent}")
    return path


def save_model(
    model: RiskModel, metadata: dict[str, Any], path: Path, *, overwrite: bool = False
) -> Path:
    """Write ``model`` and its metadata to the folder ``path``.

    The folder holds ``model.npz`` (the model's arrays plus its label orders, see
    :func:`label_arrays`), ``metadata.json``, ``MODEL_CARD.md`` and ``manifest.json``, the
    sha256 of each of the other three. It is written under a temporary sibling name and renamed
    into place (:func:`riskclf.atomic.atomic_path`).

    Raises
    ------
    ArtifactError
        If ``path`` exists and ``overwrite`` is false, or its parent folder does not exist.
    """
    path = check_model_folder(path, overwrite=overwrite)
    from riskclf.card import render_model_card

    description, arrays = model.get_state()
    clash = sorted(name for name in arrays if name.startswith(ARTIFACT_PREFIX))
    if clash:
        raise ArtifactError(f"model arrays use the reserved prefix {ARTIFACT_PREFIX!r}: {clash}")
    arrays = {**arrays, **label_arrays(model.risk_levels, model.theme_labels)}
    metadata = {**metadata, "format_version": FORMAT_VERSION, "model": description}
    with atomic_path(path, folder=True) as tmp:
        np.savez_compressed(tmp / MODEL_FILE, **arrays)
        (tmp / METADATA_FILE).write_text(
            json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        (tmp / CARD_FILE).write_text(render_model_card(metadata), encoding="utf-8")
        manifest = {
            "format_version": FORMAT_VERSION,
            "sha256": {name: file_sha256(tmp / name) for name in HASHED_FILES},
        }
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def label_arrays(
    risk_levels: Sequence[str] | None, theme_labels: Sequence[str] | None
) -> dict[str, np.ndarray]:
    """The label orders as ``uint8`` arrays of their JSON text, stored inside ``model.npz``.

    The probability columns of each head are indexed by its label order; storing the order
    with the arrays it indexes (not only in ``metadata.json``) means an edited order in the
    metadata is caught on load, even when the edit is consistent and the manifest is rewritten.
    Plain bytes, so the archive stays loadable with ``allow_pickle=False``.
    """
    arrays = {}
    for key, labels in ((RISK_LEVELS_ARRAY, risk_levels), (THEME_LABELS_ARRAY, theme_labels)):
        if labels is not None:
            packed = json.dumps(list(labels), ensure_ascii=False).encode("utf-8")
            arrays[key] = np.frombuffer(packed, dtype=np.uint8)
    return arrays


def _unpack_labels(array: np.ndarray | None) -> list[str] | None:
    """Inverse of :func:`label_arrays` for one array."""
    if array is None:
        return None
    labels = json.loads(array.astype(np.uint8).tobytes().decode("utf-8"))
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ValueError("a stored label order is not a list of strings")
    return labels


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
    except OSError as exc:
        raise ArtifactError(f"cannot read {meta_path}: {exc.strerror or exc}") from None
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


def check_manifest(path: Path) -> dict[str, str]:
    """Check every file of a model folder against the sha256 in its ``manifest.json``.

    Raises
    ------
    ArtifactError
        The manifest is missing or unreadable, lacks a file of the folder, or a file is missing
        or differs from its recorded hash.
    """
    path = Path(path)
    manifest_path = path / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ArtifactError(
            f"{path} has no {MANIFEST_FILE}: the model cannot be checked; retrain the model"
        )
    try:
        raw = manifest_path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"cannot read {manifest_path}: {exc.strerror or exc}") from None
    try:
        hashes = json.loads(raw.decode("utf-8"))["sha256"]
        if not isinstance(hashes, dict):
            raise TypeError("sha256 is not an object")
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise ArtifactError(
            f"{manifest_path} is not a riskclf manifest ({type(exc).__name__}: {exc}); "
            "restore the original folder or retrain the model"
        ) from None
    for name in HASHED_FILES:
        if name not in hashes:
            raise ArtifactError(f"{manifest_path} records no sha256 for {name}; retrain the model")
        file_path = path / name
        if not file_path.is_file():
            raise ArtifactError(f"{path} has no {name}; retrain the model")
        try:
            actual = file_sha256(file_path)
        except OSError as exc:
            raise ArtifactError(f"cannot read {file_path}: {exc.strerror or exc}") from None
        if actual != hashes[name]:
            raise ArtifactError(
                f"{file_path} does not match its sha256 in {MANIFEST_FILE} (changed or "
                "truncated); restore the original file or retrain the model"
            )
    return hashes


def load_model(path: Path) -> LoadedModel:
    """Load a model folder after checking its format version, file hashes and label orders.

    Raises
    ------
    ArtifactError
        Missing folder or files, a file whose sha256 differs from the manifest, a model file
        that is not a plain-array archive, or label orders that disagree between
        ``metadata.json`` and the ones stored in ``model.npz``.
    """
    path = Path(path)
    metadata = read_metadata(path)
    check_manifest(path)
    model_path = path / MODEL_FILE
    _warn_versions(metadata, path)
    try:
        with np.load(model_path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        stored = {
            "risk_levels": _unpack_labels(arrays.pop(RISK_LEVELS_ARRAY, None)),
            "theme_labels": _unpack_labels(arrays.pop(THEME_LABELS_ARRAY, None)),
        }
        model = RiskModel.from_state(metadata["model"], arrays)
    except (ValueError, OSError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        # ValueError includes numpy's refusal of pickled object arrays.
        raise ArtifactError(
            f"{model_path} cannot be read as a riskclf model ({type(exc).__name__}: {exc}); "
            "retrain the model"
        ) from None
    _check_labels(model, metadata, stored, path)
    return LoadedModel(model=model, metadata=metadata, path=path)


def _check_labels(
    model: RiskModel,
    metadata: dict[str, Any],
    stored: dict[str, list[str] | None],
    path: Path,
) -> None:
    """Refuse a model whose label orders differ between the arrays and the metadata."""
    for key, actual in (("risk_levels", model.risk_levels), ("theme_labels", model.theme_labels)):
        built = list(actual) if actual is not None else None
        if stored[key] != built:
            raise ArtifactError(
                f"{path}: the {key} order in {METADATA_FILE} ({built}) differs from the one "
                f"stored with the model's arrays in {MODEL_FILE} ({stored[key]}); the "
                "probabilities would be mislabelled: restore the original folder or retrain"
            )
        recorded = metadata.get(key)
        if recorded != built:
            raise ArtifactError(
                f"{path}: {key} in {METADATA_FILE} ({recorded}) disagree with the model "
                f"({built}); restore the original folder or retrain the model"
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
