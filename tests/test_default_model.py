"""What the default configuration, fitted on the starter corpus, must do with counts it rarely
saw: more deaths in an attack never make it less critical, and a tally stays a tally."""

import pandas as pd
import pytest

from riskclf.config import DEFAULT_CORPUS, TrainConfig
from riskclf.export import export_model
from riskclf.schema import TextColumns
from riskclf.training import _prepare, fit_model

ATTACK = "A truck bomb killed {} people at a crowded market in Peshawar on Friday."


@pytest.fixture(scope="module")
def default_model():
    frame = pd.read_csv(DEFAULT_CORPUS, dtype=str, keep_default_na=False)
    frame = frame[frame["split"] == "train"].drop(columns="split")
    config = TrainConfig()
    table, levels, themes, _ = _prepare(
        frame, config, TextColumns(), "risk_level", "theme", "split"
    )
    return export_model(fit_model(table, config, levels, themes))


def _p_critical(model, texts):
    column = model.risk_levels.index("critical")
    return model.risk_proba(model.transform(texts))[:, column]


def test_more_deaths_in_one_attack_never_lower_p_critical(default_model):
    counts = [12, 30, 62, 130, 500]
    p = _p_critical(default_model, [ATTACK.format(n) for n in counts])
    assert (p > 0.5).all(), dict(zip(counts, p.round(3), strict=True))
    # the counts above 10 all read as 10: only the number's own word feature differs
    assert p.max() - p.min() < 0.15, p


@pytest.mark.parametrize(
    "text",
    [
        "75 CRPF personnel and a State Policeman were killed in an attack by about 1000 "
        "CPI-Maoist cadres in Dantewada District.",
        "At least 130 people were killed when two suicide bombers struck an election rally "
        "in Mastung.",
    ],
)
def test_mass_casualty_attacks_are_critical(default_model, text):
    assert _p_critical(default_model, [text])[0] > 0.5


def test_a_tally_of_many_incidents_is_not_critical(default_model):
    text = (
        "Officials said 590 people have been killed in 667 rebel attacks in the state since 2009."
    )
    assert _p_critical(default_model, [text])[0] < 0.5
