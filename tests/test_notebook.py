"""The evaluation notebook runs headless on a small model and writes its figures and metrics."""

import json
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "evaluation.ipynb"


def test_notebook_runs_and_writes_outputs(trained, tiny_csv, tmp_path):
    pytest.importorskip("nbclient", reason="the dev extra is not installed")
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(cell.get("outputs") for cell in nb.cells), "committed outputs"
    params = nb.cells[1]
    assert params.source.startswith("# Parameters")
    out_dir = tmp_path / "evaluation"
    params.source = (
        f"MODEL_DIR = {str(trained[1])!r}\nDATA = {str(tiny_csv)!r}\nSPLIT = None\n"
        f"OUT_DIR = {str(out_dir)!r}\nGROUP_COLUMN = 'region'\n"
    )
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    for name in (
        "confusion_risk.png",
        "confusion_theme.png",
        "reliability.png",
        "score_distribution.png",
        "metrics.json",
        "worst_errors.csv",
    ):
        assert (out_dir / name).is_file(), name
    metrics = json.loads((out_dir / "metrics.json").read_text())
    assert metrics["risk_level"]["n"] == 48
    shown = [o for cell in nb.cells for o in cell.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in shown)
