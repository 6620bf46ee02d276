"""Property tests: arbitrary text never breaks reading or scoring, and no row is lost;
explanations equal a full sort."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from riskclf.explain import top_contributions
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


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, -1.0]), min_size=6, max_size=6),
        min_size=1,
        max_size=6,
    ),
    st.integers(min_value=0, max_value=4),
)
def test_top_contributions_equal_a_full_sort(rows, k):
    # ties are common here (few distinct values): the earlier column must come first
    X = sparse.csr_matrix(np.abs(np.array(rows)))
    weights = np.array([[1.0, -0.5, 2.0, 1.0, 0.0, 3.0], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]])
    classes = np.arange(len(rows)) % 2
    readable = np.array([True, True, True, False, True, True])
    expected = []
    for r in range(len(rows)):
        pairs = [
            (j, X[r, j] * weights[classes[r], j])
            for j in range(6)
            if readable[j] and X[r, j] * weights[classes[r], j] > 0
        ]
        expected.append(sorted(pairs, key=lambda p: -p[1])[:k])  # sorted() is stable
    assert top_contributions(X, weights, classes, readable, k) == expected
