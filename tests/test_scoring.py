import numpy as np
import pandas as pd
import pytest

from riskclf.errors import SchemaError
from riskclf.scoring import output_columns, risk_score, score_frame


def test_output_columns_and_one_row_per_input(trained):
    result, _ = trained
    frame = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["a suicide blast killed 25", "", "x"],
            "source": ["s1", "s2", "s3"],
        }
    )
    scored = score_frame(result.model, frame, passthrough=["source"])
    assert list(scored.columns) == output_columns(result.model, ["source"])
    assert scored["id"].tolist() == ["a", "b", "c"]
    assert scored["source"].tolist() == ["s1", "s2", "s3"]
    assert scored["error"].tolist() == ["", "empty text", ""]
    assert pd.isna(scored.loc[1, "risk_level"]) and np.isnan(scored.loc[1, "p_low"])
    ok = scored.loc[[0, 2]]
    np.testing.assert_allclose(ok[[f"p_{lv}" for lv in result.model.risk_levels]].sum(axis=1), 1)
    assert ok["theme"].str.len().min() > 0  # at least one theme per scored row
    assert scored.loc[0, "risk_level"] == "critical"


def test_top_terms_explain_the_level(trained):
    result, _ = trained
    scored = score_frame(
        result.model, pd.DataFrame({"text": ["a suicide blast killed 25"]}), top_terms=3
    )
    terms = scored.loc[0, "top_terms"].split("; ")
    assert 1 <= len(terms) <= 3
    assert all(t.endswith(")") and "(+" in t for t in terms)
    themes = scored.loc[0, "theme_terms"].split(" | ")
    assert [t.split(":")[0] for t in themes] == sorted(
        scored.loc[0, "theme"].split("|"), key=list(result.model.theme_labels).index
    )
    no_explain = score_frame(result.model, pd.DataFrame({"text": ["x"]}), explain=False)
    assert "top_terms" not in no_explain.columns and "theme_terms" not in no_explain.columns


def test_risk_score_formula():
    proba = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0.25, 0.25, 0.25, 0.25], [0, 0.5, 0.5, 0]])
    np.testing.assert_allclose(risk_score(proba), [0, 100, 50, 50])


def test_generated_ids_use_the_offset(trained):
    result, _ = trained
    scored = score_frame(result.model, pd.DataFrame({"text": ["a", "b"]}), row_offset=100)
    assert scored["id"].tolist() == ["row-101", "row-102"]


def test_missing_passthrough_column(trained):
    result, _ = trained
    with pytest.raises(SchemaError, match="passthrough columns not in the input: region"):
        score_frame(result.model, pd.DataFrame({"text": ["a"]}), passthrough=["region"])


def test_chunked_scoring_equals_whole(trained, tiny_frame):
    result, _ = trained
    whole = score_frame(result.model, tiny_frame)
    parts = pd.concat(
        [
            score_frame(result.model, tiny_frame.iloc[i : i + 7], row_offset=i)
            for i in range(0, len(tiny_frame), 7)
        ]
    )
    pd.testing.assert_frame_equal(whole, parts)


def test_themes_are_joined_most_probable_first_with_ties_in_label_order():
    # the array version against the plain per-row rule, on rows with no, one and several
    # themes, ties (probabilities on a coarse grid) and every label order
    from riskclf.scoring import _join_all_themes

    rng = np.random.default_rng(5)
    labels = np.array(["terrorism", "insurgency", "crime", "unrest", "war"], dtype=object)
    proba = rng.integers(0, 4, size=(400, 5)) / 4
    chosen = rng.integers(0, 2, size=(400, 5))
    chosen[:20] = 0
    expected = []
    for row, picked in zip(proba, chosen, strict=True):
        ids = np.nonzero(picked)[0]
        ids = ids[np.argsort(-row[ids], kind="stable")]
        expected.append("|".join(labels[ids]))
    assert _join_all_themes(labels, chosen, proba).tolist() == expected
    assert {e.count("|") for e in expected} >= {0, 1, 2} and "" in expected
