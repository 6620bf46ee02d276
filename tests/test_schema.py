import numpy as np
import pandas as pd
import pytest

from riskclf.config import MAX_TEXT_CHARS
from riskclf.errors import SchemaError
from riskclf.schema import (
    EMPTY_TEXT,
    INVALID_UTF8,
    NOT_TEXT,
    TRUNCATED_FLAG,
    TextColumns,
    check_unique_ids,
    clean_texts,
    drop_unusable_rows,
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
        NOT_TEXT,  # a number is not text, though "42" would score
        INVALID_UTF8,
        "",
        TRUNCATED_FLAG,
    ]
    assert texts[5] == ""
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


@pytest.mark.parametrize("cell", [7, 2.5, True, np.int64(3), np.bool_(False)])
def test_numbers_and_booleans_are_not_text(cell):
    texts, problems = clean_texts(pd.Series([cell, "words"], dtype=object))
    assert problems == [NOT_TEXT, ""] and texts[0] == ""


def test_a_number_in_title_or_body_is_not_text():
    frame = pd.DataFrame(
        {"title": ["a title", 12, None], "body": [3, "a body", "only a body"]}, dtype=object
    )
    _, problems = clean_texts(get_texts(frame))
    assert problems == [NOT_TEXT, NOT_TEXT, ""]


def test_drop_unusable_rows_keeps_ids_and_says_why():
    frame = pd.DataFrame(
        {
            "text": ["fine", "", 7, "also fine", "fine again"],
            "risk_level": ["low", "high", "low", "severe", "HIGH"],
            "error": ["", "", "", "", "line 5 is not valid JSON (Expecting value)"],
        }
    )
    usable = drop_unusable_rows(frame, risk_levels=LEVELS)
    assert usable.dropped == [
        ("row-2", EMPTY_TEXT),
        ("row-3", NOT_TEXT),
        ("row-4", "risk_level outside the declared set"),
        ("row-5", "broken record"),
    ]
    assert usable.frame["id"].tolist() == ["row-1"]  # the full table's generated id
    assert usable.reasons() == {
        EMPTY_TEXT: 1,
        NOT_TEXT: 1,
        "risk_level outside the declared set": 1,
        "broken record": 1,
    }


def test_drop_unusable_rows_checks_themes_only_when_declared():
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"], "theme": ["crime", "piracy"]})
    assert drop_unusable_rows(frame).dropped == []
    declared = drop_unusable_rows(frame, themes=("crime", "politics"))
    assert declared.dropped == [("b", "theme outside the declared set")]
