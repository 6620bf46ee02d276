import json
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from riskclf.artifact import (
    CARD_FILE,
    FORMAT_VERSION,
    MANIFEST_FILE,
    METADATA_FILE,
    MODEL_FILE,
    build_metadata,
    file_sha256,
    load_model,
    save_model,
)
from riskclf.errors import ArtifactError
from riskclf.scoring import score_frame


@pytest.fixture
def model_copy(trained, tmp_path):
    _, folder = trained
    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


def rewrite(folder, name, text_or_bytes):
    """Edit one file of a model folder *consistently*: the manifest is rewritten to match."""
    path = folder / name
    if isinstance(text_or_bytes, bytes):
        path.write_bytes(text_or_bytes)
    else:
        path.write_text(text_or_bytes)
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    manifest["sha256"][name] = file_sha256(path)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest))


def edit_metadata(folder, change):
    meta = json.loads((folder / METADATA_FILE).read_text())
    change(meta)
    rewrite(folder, METADATA_FILE, json.dumps(meta))


def test_round_trip_gives_identical_probabilities(trained, tiny_frame):
    result, folder = trained
    loaded = load_model(folder)
    before = score_frame(result.model, tiny_frame)
    after = score_frame(loaded.model, tiny_frame)
    pd.testing.assert_frame_equal(before, after)


def test_folder_contents_and_metadata(trained):
    _, folder = trained
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [CARD_FILE, METADATA_FILE, MODEL_FILE, MANIFEST_FILE]
    )
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    assert sorted(manifest["sha256"]) == sorted([CARD_FILE, METADATA_FILE, MODEL_FILE])
    meta = json.loads((folder / METADATA_FILE).read_text())
    for key in (
        "format_version",
        "riskclf_version",
        "sklearn_version",
        "python_version",
        "created_at",
        "risk_levels",
        "theme_labels",
        "training_data",
        "config",
        "metrics",
        "model",
    ):
        assert key in meta
    assert meta["training_data"]["rows"] == 48
    assert len(meta["training_data"]["sha256"]) == 64
    card = (folder / "MODEL_CARD.md").read_text()
    assert "## Known limits" in card and "macro_f1" in card


def test_refuses_to_overwrite(trained, tmp_path):
    result, folder = trained
    with pytest.raises(ArtifactError, match="already exists; pass --overwrite"):
        save_model(result.model, {}, folder)


def test_overwrite_replaces_whole_folder(trained, model_copy):
    result, _ = trained
    (model_copy / "stale.txt").write_text("old")
    meta = build_metadata(result.model, data=result.data, metrics={})
    save_model(result.model, meta, model_copy, overwrite=True)
    assert not (model_copy / "stale.txt").exists()
    assert not any(p.name.startswith(".") for p in model_copy.parent.iterdir())


def test_missing_folder(tmp_path):
    with pytest.raises(ArtifactError, match="model folder not found"):
        load_model(tmp_path / "nope")


def test_missing_metadata(model_copy):
    (model_copy / METADATA_FILE).unlink()
    with pytest.raises(ArtifactError, match="has no metadata.json"):
        load_model(model_copy)


def test_broken_metadata(model_copy):
    (model_copy / METADATA_FILE).write_text("{not json")
    with pytest.raises(ArtifactError, match="is not valid JSON"):
        load_model(model_copy)


def test_newer_format_version(model_copy):
    meta = json.loads((model_copy / METADATA_FILE).read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    (model_copy / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="written by a newer riskclf: upgrade"):
        load_model(model_copy)


@pytest.mark.parametrize("damage", ["truncate", "change", "delete"])
def test_damaged_model_file(model_copy, damage):
    path = model_copy / MODEL_FILE
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "change":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    else:
        path.unlink()
    with pytest.raises(ArtifactError, match="sha256|has no model.npz"):
        load_model(model_copy)


def test_label_order_disagreement(model_copy):
    def reverse(meta):
        meta["risk_levels"] = list(reversed(meta["risk_levels"]))

    edit_metadata(model_copy, reverse)
    with pytest.raises(ArtifactError, match="risk_levels in metadata.json .* disagree"):
        load_model(model_copy)


@pytest.mark.parametrize("name", [METADATA_FILE, CARD_FILE])
def test_any_edited_file_is_refused(model_copy, name):
    path = model_copy / name
    path.write_text(path.read_text().replace("terrorism", "insurgency"))
    with pytest.raises(ArtifactError, match=f"{name} does not match its sha256 in manifest.json"):
        load_model(model_copy)


def test_missing_manifest(model_copy):
    (model_copy / MANIFEST_FILE).unlink()
    with pytest.raises(ArtifactError, match="has no manifest.json"):
        load_model(model_copy)


def test_consistent_label_swap_with_a_rewritten_manifest_is_refused(model_copy):
    """Swap two themes in both copies of the order in metadata.json and fix the manifest: the
    order stored beside the arrays in model.npz still catches it (it would mislabel rows)."""

    def swap(meta):
        for labels in (meta["theme_labels"], meta["model"]["theme_labels"]):
            i, j = labels.index("terrorism"), labels.index("insurgency")
            labels[i], labels[j] = labels[j], labels[i]

    edit_metadata(model_copy, swap)
    with pytest.raises(ArtifactError, match="theme_labels order .* stored with the model's array"):
        load_model(model_copy)


def test_model_file_stays_pickle_free(trained):
    _, folder = trained
    with np.load(folder / MODEL_FILE, allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)
        stored = json.loads(archive["artifact.theme_labels"].tobytes())
    assert stored == json.loads((folder / METADATA_FILE).read_text())["theme_labels"]


def test_folder_of_the_previous_format_is_refused(model_copy):
    (model_copy / MANIFEST_FILE).unlink()
    meta = json.loads((model_copy / METADATA_FILE).read_text())
    meta["format_version"] = 1
    (model_copy / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="format version 1, .* retrain the model"):
        load_model(model_copy)


def test_other_sklearn_version_warns(model_copy):
    def older(meta):
        meta["sklearn_version"] = "0.24.2"

    edit_metadata(model_copy, older)
    with pytest.warns(UserWarning, match="trained with scikit-learn 0.24.2"):
        load_model(model_copy)


def test_pickle_payload_is_never_executed(model_copy, tmp_path):
    """A model file holding a pickled object whose unpickling runs code is refused unrun."""
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    arrays = dict(np.load(model_copy / MODEL_FILE))
    arrays["risk.coef_"] = np.array([Payload()], dtype=object)
    np.savez(model_copy / "edited.npz", **arrays)
    # The attacker fixes the hash in the manifest too.
    rewrite(model_copy, MODEL_FILE, (model_copy / "edited.npz").read_bytes())
    with warnings.catch_warnings(), pytest.raises(ArtifactError, match="cannot be read"):
        load_model(model_copy)
    assert not marker.exists()


def test_unreadable_model_file_is_one_line(model_copy, monkeypatch):
    import builtins

    real_open = builtins.open
    target = str(model_copy / MODEL_FILE)

    def refuse(file, *args, **kwargs):
        if str(file) == target:
            raise PermissionError(13, "Permission denied", target)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    with pytest.raises(ArtifactError, match=r"^cannot read .*model.npz: Permission denied$"):
        load_model(model_copy)
