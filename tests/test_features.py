import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from riskclf.config import TrainConfig
from riskclf.features import (
    _TOKEN_RE,
    TOKEN_PATTERN,
    CharTfidf,
    WordTfidf,
    build_features,
    export_features,
    features_state,
    readable_feature_names,
    restore_features,
)
from riskclf.tokens import long_runs, word_runs

TEXTS = [
    "Two soldiers were killed in Quetta; two soldiers were injured.",
    "Police arrested FOUR suspects near Karachi airport on Monday.",
    "Café owners in Bogotá protested — peacefully — against extortion.",
    "A blast killed 12 in Kabul. A blast killed 12!",
    "",
    "x",
]


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 3)])
@pytest.mark.parametrize("vectorised", [True, False])
@pytest.mark.parametrize("sublinear_tf", [True, False])
def test_word_block_matches_scikit_learn(ngram_range, vectorised, sublinear_tf):
    reference = TfidfVectorizer(
        ngram_range=ngram_range,
        sublinear_tf=sublinear_tf,
        token_pattern=TOKEN_PATTERN,
        dtype=np.float64,
    ).fit(TEXTS[:4])
    ours = WordTfidf(reference.get_feature_names_out(), reference.idf_, ngram_range, sublinear_tf)
    # False: the dictionary path, taken when n-grams are too many to key as 64-bit integers
    ours._vectorised = vectorised
    expected = reference.transform(TEXTS).toarray()
    np.testing.assert_allclose(ours.transform(TEXTS).toarray(), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("ngram_range", [(1, 3), (2, 5), (3, 4)])
def test_char_block_matches_scikit_learn(ngram_range):
    texts = TEXTS + ["  a  b\tc\n\nlong-word ÉTÉ", "ab", "Σίσυφος"]
    reference = TfidfVectorizer(
        analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True, dtype=np.float64
    ).fit(texts[:4])
    ours = CharTfidf(reference.get_feature_names_out(), reference.idf_, ngram_range)
    np.testing.assert_allclose(
        ours.transform(texts).toarray(), reference.transform(texts).toarray(), rtol=0, atol=1e-12
    )


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1_ é-ÉİΣς\n.")), max_size=40))
def test_token_pattern_finds_scikit_learns_tokens(text):
    reference = TfidfVectorizer(token_pattern=TOKEN_PATTERN).build_tokenizer()
    assert _TOKEN_RE.findall(text.lower()) == reference(text.lower())
    # the shared runs without the one-character ones are the same tokens
    assert long_runs(word_runs([text])[0]) == reference(text.lower())


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2)])
def test_word_block_reads_the_shared_runs_as_its_own_tokens(ngram_range):
    # scikit-learn's tokens skip one-character words, so "soldiers a were" holds the bigram
    # "soldiers were": read from the shared runs it must too
    texts = TEXTS + ["Two soldiers a were killed x in Quetta", "a b c d"]
    reference = TfidfVectorizer(
        ngram_range=ngram_range, sublinear_tf=True, token_pattern=TOKEN_PATTERN
    ).fit(TEXTS[:4] + ["soldiers were killed"])
    ours = WordTfidf(reference.get_feature_names_out(), reference.idf_, ngram_range)
    shared = ours.transform(texts, word_runs(texts)).toarray()
    np.testing.assert_array_equal(shared, ours.transform(texts).toarray())
    np.testing.assert_allclose(shared, reference.transform(texts).toarray(), atol=1e-6)


@pytest.mark.parametrize("word_sublinear_tf", [True, False])
def test_features_round_trip_and_names(tiny_frame, word_sublinear_tf):
    texts = (tiny_frame["title"] + "\n\n" + tiny_frame["body"]).tolist()
    config = TrainConfig(min_df=1, char_ngrams=(3, 4), word_sublinear_tf=word_sublinear_tf)
    features = export_features(build_features(config).fit(texts), config)
    restored = restore_features(config, features_state(features))
    assert (features.transform(texts) != restored.transform(texts)).nnz == 0
    names = readable_feature_names(features)
    assert len(names) == features.n_features() == features.transform(texts[:1]).shape[1]
    assert None in names and "[killed>=1]" in names and "suicide" in names


@pytest.mark.parametrize("word_sublinear_tf", [True, False])
def test_word_sublinear_tf_sets_the_term_weighting(word_sublinear_tf):
    config = TrainConfig(
        min_df=1, char_ngrams=None, casualty_features=False, word_sublinear_tf=word_sublinear_tf
    )
    reference = TfidfVectorizer(
        ngram_range=(1, 2), max_df=0.9, sublinear_tf=word_sublinear_tf, token_pattern=TOKEN_PATTERN
    ).fit(TEXTS[:4])
    union = build_features(config).fit(TEXTS[:4])
    served = export_features(union, config)
    np.testing.assert_allclose(
        served.transform(TEXTS).toarray(), reference.transform(TEXTS).toarray(), atol=1e-12
    )
    np.testing.assert_allclose(
        served.transform(TEXTS).toarray(), union.transform(TEXTS).toarray(), atol=1e-12
    )


def test_scoring_the_default_features_does_not_import_scikit_learn(tiny_frame, tmp_path):
    from riskclf.artifact import build_metadata, save_model
    from riskclf.training import train_model

    result = train_model(tiny_frame, TrainConfig(min_df=1, cv_folds=0))  # word + casualty
    save_model(
        result.model, build_metadata(result.model, data=result.data, metrics={}), tmp_path / "m"
    )
    code = (
        "import sys, pandas as pd\n"
        "from riskclf.artifact import load_model\n"
        "from riskclf.scoring import score_frame\n"
        f"model = load_model({str(tmp_path / 'm')!r}).model\n"
        "out = score_frame(model, pd.DataFrame({'text': ['a blast killed 25 in Kabul']}))\n"
        "print(out.loc[0, 'risk_level'], 'sklearn' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["critical", "False"]
