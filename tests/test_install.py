"""A normal (non-editable) install works from any folder: the starter corpus is package data."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_trains_and_predicts_from_another_folder(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("riskclf-*.whl")
    venv = tmp_path / "venv"
    # the dependencies come from this environment; riskclf itself only from the wheel
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import riskclf, sys; print(riskclf.__file__)"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(venv) in where.stdout  # the installed copy, not the source tree
    riskclf = str(venv / "bin" / "riskclf")
    train = subprocess.run(
        [riskclf, "train", "--cv-folds", "0"], cwd=elsewhere, capture_output=True, text=True
    )
    assert train.returncode == 0, train.stderr
    assert (elsewhere / "models" / "default" / "model.npz").is_file()
    predict = subprocess.run(
        [riskclf, "predict", "--text", "Gunmen shot dead two policemen in Quetta on Monday."],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert predict.returncode == 0, predict.stderr
    assert "risk level" in predict.stdout and "high" in predict.stdout
