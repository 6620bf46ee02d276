"""Property tests: arbitrary text never breaks reading or scoring, and no row is lost."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskclf.io import read_table
from riskclf.scoring import score_frame

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Arbitrary Unicode, plus bytes that are not UTF-8 decoded the way the readers decode them.
texts = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=200).map(lambda b: b.decode("utf-8", errors="surrogateescape")),
)


def check_scored(model, scored, n):
    """One row per input; scored rows carry distributions and a theme, failed rows say why."""
    assert len(scored) == n
    ok = (scored["error"] == "").to_numpy()
    risk = scored[[f"p_{lv}" for lv in model.risk_levels]].to_numpy()[ok]
    np.testing.assert_allclose(risk.sum(axis=1), 1.0)
    assert all(isinstance(t, str) and t for t in scored["theme"][ok])
    assert all(scored["error"][~ok].str.len() > 0)


@SETTINGS
@given(st.lists(texts, min_size=1, max_size=12))
def test_scoring_any_text(trained, values):
    model = trained[0].model
    frame = pd.DataFrame({"text": pd.Series(values, dtype=object)})
    check_scored(model, score_frame(model, frame), len(values))


@SETTINGS
@given(st.lists(st.text(max_size=200), min_size=1, max_size=12))
def test_reading_and_scoring_any_text_from_jsonl(trained, tmp_path_factory, values):
    model = trained[0].model
    path = tmp_path_factory.mktemp("prop") / "t.jsonl"
    pd.DataFrame({"text": values}).to_json(path, orient="records", lines=True)
    frame = read_table(path)
    assert len(frame) == len(values)
    check_scored(model, score_frame(model, frame), len(values))
