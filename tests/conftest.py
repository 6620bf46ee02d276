"""Shared fixtures: a tiny, obviously synthetic labelled table and a model trained on it once."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from riskclf.config import TrainConfig

SHARED_DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"

# Synthetic vocabulary per (risk level, theme); sentences are combinations, not real reporting.
_PHRASES = {
    ("low", "politics"): [
        "the minister discussed trade tariffs",
        "parliament passed a budget",
        "envoys signed a water treaty",
        "the court adjourned a tax case",
    ],
    ("medium", "security_operations"): [
        "police arrested four suspects",
        "troops seized rifles",
        "a bomb was defused safely",
        "rangers raided a hideout",
    ],
    ("high", "insurgency"): [
        "rebels ambushed a patrol and two soldiers were killed",
        "militants shot dead a constable",
        "five villagers were injured",
        "an encounter left three fighters dead",
    ],
    ("critical", "terrorism"): [
        "a suicide blast killed 25 worshippers",
        "the death toll rose to forty after the bombing",
        "a truck bomb killed dozens in the market",
        "twelve were killed when a bomber struck",
    ],
}
_PLACES = ["Zedtown", "Northvale", "Quillford"]


def make_frame(rows_per_class: int = 12) -> pd.DataFrame:
    """Return a labelled synthetic frame with ``4 * rows_per_class`` rows."""
    records = []
    for (level, theme), phrases in _PHRASES.items():
        combos = itertools.cycle(itertools.permutations(phrases, 2))
        for i in range(rows_per_class):
            a, b = next(combos)
            place = _PLACES[i % len(_PLACES)]
            records.append(
                {
                    "id": f"{level[:3]}-{i:02d}",
                    "title": f"Synthetic report {i} from {place}",
                    "body": f"In {place}, {a}. Officials said {b}.",
                    "risk_level": level,
                    "theme": theme
                    if i % 4
                    else f"{theme}|politics"
                    if theme != "politics"
                    else theme,
                }
            )
    return pd.DataFrame.from_records(records)


TINY_CONFIG = TrainConfig(min_df=1, cv_folds=3, char_ngrams=(3, 4), seed=7)


@pytest.fixture
def tiny_frame() -> pd.DataFrame:
    return make_frame()


@pytest.fixture(scope="session")
def tiny_config() -> TrainConfig:
    return TINY_CONFIG


@pytest.fixture(scope="session")
def tiny_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "tiny.csv"
    make_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """A model trained on the tiny frame and saved once per test session: (result, folder)."""
    from riskclf.artifact import build_metadata, save_model
    from riskclf.training import train_model

    result = train_model(make_frame(), TINY_CONFIG)
    folder = tmp_path_factory.mktemp("models") / "tiny"
    metadata = build_metadata(result.model, data=result.data, metrics=result.metrics)
    save_model(result.model, metadata, folder)
    return result, folder


def require_shared() -> Path:
    """Skip the calling test when ../shared/datasets is absent."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATASETS} (they sit beside the project)")
    return SHARED_DATASETS
