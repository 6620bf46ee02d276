import numpy as np
import pandas as pd
import pytest

from riskclf.config import MAX_TEXT_CHARS
from riskclf.errors import SchemaError
from riskclf.schema import (
    EMPTY_TEXT,
    INVALID_UTF8,
    TRUNCATED_FLAG,
    TextColumns,
    check_unique_ids,
    clean_texts,
    get_ids,
    get_texts,
    parse_risk_labels,
    parse_theme_labels,
)

LEVELS = ("low", "medium", "high", "critical")


def test_text_column_or_title_and_body():
    frame = pd.DataFrame({"title": ["T1", None], "body": ["B1", "B2"]})
    assert get_texts(frame).tolist() == ["T1\n\nB1", "B2"]
    custom = pd.DataFrame({"story": ["x"]})
    assert get_texts(custom, TextColumns(text="story")).tolist() == ["x"]


def test_missing_text_column_names_the_columns():
    with pytest.raises(SchemaError, match="no text column: expected 'text'.*found columns: a, b"):
        get_texts(pd.DataFrame({"a": [1], "b": [2]}))


def test_generated_ids_continue_across_chunks():
    frame = pd.DataFrame({"text": ["a", "b"]})
    assert get_ids(frame, start=10).tolist() == ["row-11", "row-12"]
    partial = pd.DataFrame({"id": ["x", ""], "text": ["a", "b"]})
    assert get_ids(partial).tolist() == ["x", "row-2"]


def test_clean_texts_reports_each_problem():
    values = pd.Series(
        [
            "fine",
            "",
            "   ",
            None,
            np.nan,
            42,
            "caf\udce9",
            "nul\x00byte",
            "x" * (MAX_TEXT_CHARS + 5),
        ],
        dtype=object,
    )
    texts, problems = clean_texts(values)
    assert problems == [
        "",
        EMPTY_TEXT,
        EMPTY_TEXT,
        EMPTY_TEXT,
        EMPTY_TEXT,
        "",
        INVALID_UTF8,
        "",
        TRUNCATED_FLAG,
    ]
    assert texts[5] == "42"
    assert texts[7] == "nul byte"
    assert len(texts[8]) == MAX_TEXT_CHARS


def test_risk_labels_are_normalised():
    frame = pd.DataFrame({"id": ["a", "b", "c"], "risk_level": [" High", "LOW ", None]})
    assert parse_risk_labels(frame, "risk_level", LEVELS, frame["id"]) == ["high", "low", None]


def test_unknown_risk_label_names_rows():
    frame = pd.DataFrame({"id": list("abcdefg"), "risk_level": ["severe"] * 7})
    with pytest.raises(
        SchemaError,
        match=r"column 'risk_level': 7 rows have labels outside the declared set \(severe\).*"
        r"rows: a, b, c, d, e \(\+2 more\)",
    ):
        parse_risk_labels(frame, "risk_level", LEVELS, frame["id"])


def test_non_string_label_is_rejected():
    frame = pd.DataFrame({"id": ["a"], "risk_level": pd.Series([3], dtype=object)})
    with pytest.raises(SchemaError, match="int 3"):
        parse_risk_labels(frame, "risk_level", LEVELS, frame["id"])


def test_theme_labels_split_and_checked():
    frame = pd.DataFrame({"id": ["a", "b"], "theme": ["Terrorism | crime", ""]})
    assert parse_theme_labels(frame, "theme", ["terrorism", "crime"], frame["id"]) == [
        ("terrorism", "crime"),
        (),
    ]
    with pytest.raises(SchemaError, match="outside the declared set \\(crime\\)"):
        parse_theme_labels(frame, "theme", ["terrorism"], frame["id"])


def test_duplicate_ids():
    with pytest.raises(SchemaError, match="1 ids occur more than once: a"):
        check_unique_ids(pd.Series(["a", "b", "a"]))
