"""When not to trust a row: markup reduced to text, and the warning flags."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import riskclf.textcheck as textcheck
from riskclf.cli import app
from riskclf.scoring import score_frame
from riskclf.textcheck import (
    cell_kind,
    check_texts,
    is_english,
    known_terms,
    known_vocabulary,
    looks_like_markup,
    strip_markup,
)

runner = CliRunner()

PAGE = (
    "<!DOCTYPE html><html><head><title>Site name</title><style>p {color: red}</style>"
    "<script>var tracker = 'rebels';</script></head><body><nav>Home</nav>"
    "<article><h1>Clash</h1><p>Rebels ambushed a patrol &amp; two soldiers were killed."
    "</p><p>Officials said five villagers were injured.</p><!-- ad --></article></body></html>"
)
FRENCH = (
    "Deux soldats ont été tués lorsqu'une bombe a explosé près du camp militaire, a déclaré "
    "le porte-parole de l'armée."
)
IN_VOCABULARY = (
    "Rebels ambushed a patrol and two soldiers were killed. Police arrested four suspects."
)


def test_markup_is_reduced_to_its_text():
    text = strip_markup(PAGE)
    assert text == (
        "Home Clash Rebels ambushed a patrol & two soldiers were killed. "
        "Officials said five villagers were injured."
    )
    # scripts, styles, the title and comments are not text
    assert "tracker" not in text and "color" not in text and "Site name" not in text
    assert strip_markup("<p>Fire&nbsp;at the <b>depot</b></p>") == "Fire at the depot"
    assert strip_markup("<br/><p> </p>") == ""


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("<p>a</p>", True),
        ("one<br>two", True),
        ("Smith &amp; Sons", True),
        ("<!-- note -->", True),
        ("3 < 5 and 7 > 2", False),
        ("AT&T cut a line; Smith & Sons", False),
        ("Plain prose with no tags at all.", False),
    ],
)
def test_looks_like_markup(text, markup):
    assert looks_like_markup(text) is markup


def test_plain_text_is_returned_untouched():
    text = "Two soldiers were killed near the border; 3 < 5."
    assert strip_markup(text) is text


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (42, "number"),
        (3.5, "number"),
        (np.int64(7), "number"),
        (True, "boolean"),
        (np.bool_(False), "boolean"),
        ("1,250", "number"),
        (" -0.5 ", "number"),
        ("12%", "number"),
        ("FALSE", "boolean"),
        ("true", "boolean"),
        ("2 soldiers killed", ""),
        ("Police arrested four suspects.", ""),
        ("", ""),
    ],
)
def test_cell_kind(value, kind):
    assert cell_kind(value) == kind


def test_known_terms_counts_the_word_block_of_each_row(trained):
    model = trained[0].model
    texts = [IN_VOCABULARY, FRENCH, "zzz qqq"]
    X = model.transform(texts)
    n_word = known_vocabulary(model)
    assert n_word == len(model.features.blocks[0][1].terms)
    expected = np.asarray((X[:, :n_word] != 0).sum(axis=1)).ravel()
    np.testing.assert_array_equal(known_terms(X, n_word), expected)
    assert expected[0] >= 5 and expected[2] == 0


def test_language_identification_works_offline():
    assert not is_english(FRENCH)
    assert not is_english("Zwei Polizisten wurden bei einem Angriff auf eine Wache verletzt.")
    assert is_english("Two policemen were hurt in an attack on a checkpoint in the south.")


def test_warnings_of_scored_rows(trained):
    model = trained[0].model
    frame = pd.DataFrame(
        {
            "id": list("abcdefgh"),
            "text": [IN_VOCABULARY, FRENCH, "42", "False", "---", "<p> </p>", PAGE, "hello"],
        }
    )
    scored = score_frame(model, frame)
    warning = dict(zip(scored["id"], scored["warning"], strict=True))
    assert warning["a"] == ""
    assert warning["b"] == "few_known_terms|not_english"
    assert warning["c"] == "number" and warning["d"] == "boolean"
    assert warning["e"] == "empty_after_cleaning"
    assert warning["h"] == "few_known_terms"
    # markup only: nothing to score, said in error and warning
    row = scored.set_index("id").loc["f"]
    assert row["error"] == "empty text (only markup)" and pd.isna(row["risk_level"])
    assert row["warning"] == "empty_after_cleaning"
    # the page is scored as its text: the same probabilities as the text itself
    as_text = score_frame(model, pd.DataFrame({"text": [strip_markup(PAGE)]}))
    np.testing.assert_allclose(
        scored.loc[scored["id"] == "g", "p_high"].to_numpy(), as_text["p_high"].to_numpy()
    )
    assert warning["g"] == ""
    assert list(scored.columns)[-3:] == ["warning", "truncated", "error"]


def test_english_in_the_vocabulary_skips_language_identification(trained, monkeypatch):
    # language ID runs only on texts with few known terms: plain English pays nothing for it
    def fail(text):
        raise AssertionError(f"language identification ran on {text!r}")

    monkeypatch.setattr(textcheck, "is_english", fail)
    scored = score_frame(trained[0].model, pd.DataFrame({"text": [IN_VOCABULARY] * 3}))
    assert scored["warning"].tolist() == ["", "", ""]
    with pytest.raises(AssertionError, match="language identification ran"):
        score_frame(trained[0].model, pd.DataFrame({"text": [FRENCH]}))


def test_check_texts_without_a_vocabulary_flags_only_cells():
    assert check_texts(["12", "text", "..."], ["12", "text", "..."], [1, 1, 0], None) == [
        "number",
        "",
        "empty_after_cleaning",
    ]


def test_predict_text_shows_the_warning_for_non_english(trained):
    done = runner.invoke(app, ["predict", "--model", str(trained[1]), "--text", FRENCH])
    assert done.exit_code == 0, done.output
    assert "warning    : few_known_terms, not_english" in done.output
    assert "risk level :" in done.output


def test_predict_text_shows_the_cleaned_html(trained):
    done = runner.invoke(app, ["predict", "--model", str(trained[1]), "--text", PAGE])
    assert done.exit_code == 0, done.output
    assert (
        "text       : Home Clash Rebels ambushed a patrol & two soldiers were killed. "
        "Officials said five villagers were injured.  (markup removed)"
    ) in done.output
    assert "<p>" not in done.output and "tracker" not in done.output
    # markup with no text cannot be scored: one clear line, exit 1
    empty = runner.invoke(app, ["predict", "--model", str(trained[1]), "--text", "<p></p>"])
    assert empty.exit_code == 1
    assert "cannot score this text: empty text (only markup)" in empty.output


def test_predict_summary_counts_the_warnings(trained, tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c", "d"], "text": [IN_VOCABULARY, FRENCH, "7", "7"]}).to_csv(
        path, index=False
    )
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["predict", "--model", str(trained[1]), str(path), "--out", out])
    assert done.exit_code == 0, done.output
    assert "4 rows in, 4 scored, 0 with errors" in done.output
    assert "warnings: 1 few_known_terms, 1 not_english, 2 number" in done.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert written["warning"].tolist() == ["", "few_known_terms|not_english", "number", "number"]
