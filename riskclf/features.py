"""Text features: a word n-gram TF-IDF block, optional character n-grams, and parsed casualty
counts, side by side in one matrix that both heads share (an article is tokenised once).

Fitting builds scikit-learn transformers (:func:`build_features`: ``TfidfVectorizer`` blocks and
the casualty signals in a ``FeatureUnion``). Scoring uses the served blocks below, which hold
only the fitted numbers (vocabulary and idf) and reproduce scikit-learn's transform exactly
(tested), so scoring never imports scikit-learn (its import alone takes about a second) and runs
one tokenisation per article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain, repeat

import numpy as np
import pandas as pd
from scipy import sparse

from riskclf.casualty_features import CasualtyFeatures
from riskclf.config import TrainConfig

WORD_BLOCK = "word"
CHAR_BLOCK = "char"
CASUALTY_BLOCK = "casualty"
# Word tokens: letters/digits runs of two or more characters, as scikit-learn's default.
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
# The same tokens, found faster: greedy runs of two or more word characters are whole runs, so
# the word boundaries of TOKEN_PATTERN never reject a match (tested against scikit-learn).
_TOKEN_RE = re.compile(r"\w\w+")


class _FittedTfidf:
    """What a fitted TF-IDF block keeps: the vocabulary in column order, the idf weights, the
    n-gram range and whether tf is ``1 + log(count)``."""

    def __init__(
        self,
        terms: Sequence[str],
        idf: np.ndarray,
        ngram_range: tuple[int, int],
        sublinear_tf: bool = True,
    ) -> None:
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.sublinear_tf = sublinear_tf

    def feature_names(self) -> list[str]:
        """The vocabulary in column order."""
        return self.terms


class WordTfidf(_FittedTfidf):
    """A fitted word n-gram TF-IDF block.

    ``transform`` gives the same matrix as a fitted scikit-learn ``TfidfVectorizer`` with
    ``lowercase=True``, this token pattern, ``ngram_range``, ``sublinear_tf`` and ``norm="l2"``
    and the same vocabulary and idf: lower-case, find tokens, count the n-grams in the
    vocabulary, take ``1 + log(count)``, multiply by idf, scale each row to unit length.

    Parameters
    ----------
    terms : sequence of str
        The vocabulary in column order.
    idf : ndarray
        Inverse document frequency of each term.
    ngram_range : (int, int)
        Smallest and largest n-gram length.
    sublinear_tf : bool
        Use ``1 + log(count)`` instead of the count.
    """

    reads_runs = True  # Features.transform hands it the shared word runs

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._index_ngrams()

    def _index_ngrams(self) -> None:
        """Number every token that occurs in the vocabulary, and key each n-gram by its token
        numbers, so an article's n-grams are found with array operations instead of joining
        strings and looking each up in a dictionary."""
        tokens: dict[str, int] = {}
        split = [term.split(" ") for term in self.terms]
        for parts in split:
            for part in parts:
                tokens.setdefault(part, len(tokens))
        self._tokens = tokens
        base = max(len(tokens), 1)
        # n-gram keys are integers in base len(tokens); past 2**62 they would overflow int64.
        self._vectorised = base ** self.ngram_range[1] < 2**62
        # n -> how to find the column of an n-gram key: an array for unigrams (the key is the
        # token number), a hash table of keys plus their columns for longer n-grams
        self._keys: dict[int, object] = {}
        by_length: dict[int, list[tuple[int, int]]] = {}
        for column, parts in enumerate(split):
            key = 0
            for part in parts:
                key = key * base + tokens[part]
            by_length.setdefault(len(parts), []).append((key, column))
        for n, pairs in by_length.items():
            keys = np.array([k for k, _ in pairs], dtype=np.int64)
            columns = np.array([c for _, c in pairs], dtype=np.int64)
            if n == 1:  # a unigram's key is its token number: index an array directly
                lookup = np.full(base, -1, dtype=np.int64)
                lookup[keys] = columns
                self._keys[n] = lookup
            else:  # a hash table of the n-gram keys
                self._keys[n] = (pd.Index(keys), columns)

    def transform(
        self, texts: Sequence[str], runs: Sequence[list[str]] | None = None
    ) -> sparse.csr_matrix:
        """Return the TF-IDF matrix of ``texts`` (float64, rows of unit length).

        ``runs``, if given, are :func:`riskclf.tokens.word_runs` of ``texts``, found once for
        all their readers.
        """
        if not self._vectorised:
            return self._tfidf(*self._occurrences_slow(texts), len(texts))
        if runs is not None:
            per_text = runs
        else:
            findall = _TOKEN_RE.findall
            per_text = [findall(text.lower()) for text in texts]
        lengths = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
        total = int(lengths.sum())
        get = self._tokens.get
        ids = np.fromiter(
            map(get, chain.from_iterable(per_text), repeat(-1)), dtype=np.int64, count=total
        )
        doc = np.repeat(np.arange(len(per_text), dtype=np.int64), lengths)
        if runs is not None:
            # scikit-learn's tokens are the runs of two or more characters: drop the others
            # (with array operations, not a list per text), so n-grams join across them
            long = np.fromiter(map(len, chain.from_iterable(runs)), dtype=np.int64, count=total)
            ids, doc = ids[long > 1], doc[long > 1]
        base = max(len(self._tokens), 1)
        low, high = self.ngram_range
        rows, columns = [], []
        key = ids.copy()
        valid = ids >= 0
        for n in range(1, high + 1):
            if n > 1:
                # extend each n-gram ending at position i by the token at i + n - 1
                key = key[:-1] * base + ids[n - 1 :]
                valid = valid[:-1] & (ids[n - 1 :] >= 0) & (doc[n - 1 :] == doc[: len(key)])
            if n < low or n not in self._keys:
                continue
            candidates = key[valid]
            if n == 1:
                found = self._keys[1][candidates]
            else:
                index, known_columns = self._keys[n]
                at = index.get_indexer(candidates)
                found = np.where(at >= 0, known_columns[at], -1)
            hit = found >= 0
            rows.append(doc[: len(key)][valid][hit])
            columns.append(found[hit])
        empty = np.zeros(0, dtype=np.int64)
        row, column = np.concatenate([empty, *rows]), np.concatenate([empty, *columns])
        return self._tfidf(row, column, len(texts))

    def _occurrences_slow(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every vocabulary n-gram occurrence, one dictionary look-up per
        n-gram: for vocabularies too large to key n-grams as 64-bit integers."""
        vocabulary = {term: i for i, term in enumerate(self.terms)}
        low, high = self.ngram_range
        rows: list[int] = []
        columns: list[int] = []
        for r, text in enumerate(texts):
            tokens = _TOKEN_RE.findall(text.lower())
            for n in range(low, high + 1):
                for i in range(len(tokens) - n + 1):
                    j = vocabulary.get(" ".join(tokens[i : i + n]))
                    if j is not None:
                        rows.append(r)
                        columns.append(j)
        return np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64)

    def _tfidf(self, row: np.ndarray, column: np.ndarray, n_rows: int) -> sparse.csr_matrix:
        """Unit-length TF-IDF rows from the (row, column) of every n-gram occurrence."""
        return tfidf_rows(row, column, n_rows, self.idf, self.sublinear_tf)


def tfidf_rows(
    row: np.ndarray, column: np.ndarray, n_rows: int, idf: np.ndarray, sublinear_tf: bool
) -> sparse.csr_matrix:
    """Unit-length TF-IDF rows from the (row, column) of every term occurrence, computed as
    scikit-learn's ``TfidfTransformer`` does (``1 + log(tf)``, times idf, l2 norm)."""
    # COO to CSR sums the repeated cells: the term counts
    X = sparse.coo_matrix(
        (np.ones(len(row), dtype=np.float64), (row, column)), shape=(n_rows, len(idf))
    ).tocsr()
    X.sum_duplicates()
    if sublinear_tf:
        X.data = 1.0 + np.log(X.data)
    X.data *= idf[X.indices]
    row_of = np.repeat(np.arange(n_rows), np.diff(X.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=X.data**2, minlength=n_rows))
    norms[norms == 0] = 1.0
    X.data /= norms[row_of]
    return X


_WHITE_SPACES = re.compile(r"\s\s+")


class CharTfidf(_FittedTfidf):
    """A fitted character n-gram TF-IDF block (scikit-learn's ``analyzer="char_wb"``).

    ``transform`` gives the same matrix as the fitted ``TfidfVectorizer`` it was exported from:
    lower-case, pad each white-space-separated word with one space on each side, take its
    n-grams (a word shorter than n once), count those in the vocabulary, ``1 + log(count)``,
    times idf, unit length. Written out because the fitted vectorizer is not kept.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._vocabulary = {term: i for i, term in enumerate(self.terms)}

    def _ngrams(self, text: str) -> list[str]:
        """The char_wb n-grams of one text, as scikit-learn's ``_char_wb_ngrams``."""
        low, high = self.ngram_range
        grams: list[str] = []
        for word in _WHITE_SPACES.sub(" ", text.lower()).split():
            word = f" {word} "
            for n in range(low, high + 1):
                grams.extend(word[i : i + n] for i in range(max(len(word) - n, 0) + 1))
                if len(word) <= n:  # a short word counts once, at its shortest n
                    break
        return grams

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Return the TF-IDF matrix of ``texts`` (float64, rows of unit length)."""
        get = self._vocabulary.get
        rows: list[int] = []
        columns: list[int] = []
        for r, text in enumerate(texts):
            found = [j for j in map(get, self._ngrams(text)) if j is not None]
            rows.extend([r] * len(found))
            columns.extend(found)
        return tfidf_rows(
            np.array(rows, dtype=np.int64),
            np.array(columns, dtype=np.int64),
            len(texts),
            self.idf,
            self.sublinear_tf,
        )


class Features:
    """Fitted feature blocks, transformed and joined side by side.

    Parameters
    ----------
    blocks : list of (name, block)
        Each block has ``transform(texts)``; the word block is a :class:`WordTfidf`, a
        character block a fitted scikit-learn ``TfidfVectorizer``, the casualty block a
        :class:`~riskclf.casualties.CasualtyFeatures`.
    """

    def __init__(self, blocks: list[tuple[str, object]]) -> None:
        self.blocks = blocks

    def transform(
        self, texts: Sequence[str], runs: Sequence[list[str]] | None = None
    ) -> sparse.csr_matrix:
        """The joined feature matrix of ``texts`` (``runs``: see :meth:`WordTfidf.transform`)."""
        texts = list(texts)
        parts = [
            block.transform(texts, runs)
            if getattr(block, "reads_runs", False)
            else block.transform(texts)
            for _, block in self.blocks
        ]
        return sparse.hstack(parts, format="csr", dtype=np.float64)

    def block_names(self) -> list[tuple[str, list[str]]]:
        """(block name, feature names) per block, in column order."""
        out = []
        for name, block in self.blocks:
            out.append((name, [str(n) for n in block.feature_names()]))
        return out

    def n_features(self) -> int:
        """Total number of columns."""
        return sum(len(names) for _, names in self.block_names())


def build_features(config: TrainConfig):
    """The unfitted feature blocks of ``config`` as a scikit-learn ``FeatureUnion``.

    Word n-grams (``min_df``, ``max_df=0.9``, ``max_word_features``, ``word_sublinear_tf``),
    character n-grams (``char_wb``) unless ``char_ngrams`` is None, and the casualty signals
    when ``casualty_features``. Block names are those :func:`export_features` and the served
    blocks use.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    blocks: list[tuple[str, object]] = [
        (
            WORD_BLOCK,
            TfidfVectorizer(
                ngram_range=tuple(config.word_ngrams),
                min_df=config.min_df,
                max_df=0.9,
                max_features=config.max_word_features,
                sublinear_tf=config.word_sublinear_tf,
                token_pattern=TOKEN_PATTERN,
                dtype=np.float64,
            ),
        )
    ]
    if config.char_ngrams is not None:
        blocks.append(
            (
                CHAR_BLOCK,
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=tuple(config.char_ngrams),
                    min_df=config.min_df,
                    max_df=0.9,
                    max_features=config.max_char_features,
                    sublinear_tf=True,
                    dtype=np.float64,
                ),
            )
        )
    if config.casualty_features:
        from riskclf.estimators import CasualtySignals

        blocks.append((CASUALTY_BLOCK, CasualtySignals()))
    return FeatureUnion(blocks)


def export_features(union, config: TrainConfig) -> Features:
    """The served blocks of a fitted :func:`build_features` union: vocabularies and idf only."""
    blocks: list[tuple[str, object]] = []
    for name, block in union.transformer_list:
        if name == WORD_BLOCK:
            blocks.append(
                (
                    name,
                    WordTfidf(
                        block.get_feature_names_out(),
                        block.idf_,
                        config.word_ngrams,
                        config.word_sublinear_tf,
                    ),
                )
            )
        elif name == CHAR_BLOCK:
            blocks.append(
                (name, CharTfidf(block.get_feature_names_out(), block.idf_, config.char_ngrams))
            )
        else:
            blocks.append((name, CasualtyFeatures()))
    return Features(blocks)


def readable_feature_names(features: Features) -> list[str | None]:
    """Names to show in explanations: word n-grams and signals; ``None`` for character n-grams.

    Character n-grams carry weight in the model but read as noise ("kil", "d b"), so
    explanations list only word n-grams and named signals (in brackets).
    """
    names: list[str | None] = []
    for block_name, block_names in features.block_names():
        if block_name == CHAR_BLOCK:
            names.extend([None] * len(block_names))
        elif block_name == WORD_BLOCK:
            names.extend(block_names)
        else:
            names.extend(f"[{n}]" for n in block_names)
    return names


def _pack_terms(terms: Sequence[str], block: str) -> np.ndarray:
    """A vocabulary as one UTF-8, newline-separated byte array."""
    joined = "\n".join(terms)
    if joined.count("\n") != max(len(terms) - 1, 0):
        raise ValueError(f"a term of block {block!r} contains a newline")
    return np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)


def _unpack_terms(packed: np.ndarray) -> list[str]:
    raw = packed.tobytes().decode("utf-8")
    return raw.split("\n") if raw else []


def features_state(features: Features) -> dict[str, np.ndarray]:
    """The fitted state of the TF-IDF blocks as plain arrays: ``<block>.terms`` (vocabulary in
    column order, packed) and ``<block>.idf``. Everything else is rebuilt from the config."""
    arrays: dict[str, np.ndarray] = {}
    for name, terms in features.block_names():
        block = dict(features.blocks)[name]
        if name in (WORD_BLOCK, CHAR_BLOCK):
            arrays[f"{name}.terms"] = _pack_terms(terms, name)
            arrays[f"{name}.idf"] = np.asarray(block.idf, dtype=np.float64)
    return arrays


def restore_features(config: TrainConfig, arrays: dict[str, np.ndarray]) -> Features:
    """Rebuild fitted features from ``config`` and :func:`features_state` arrays."""
    blocks: list[tuple[str, object]] = [
        (
            WORD_BLOCK,
            WordTfidf(
                _unpack_terms(arrays[f"{WORD_BLOCK}.terms"]),
                arrays[f"{WORD_BLOCK}.idf"],
                config.word_ngrams,
                config.word_sublinear_tf,
            ),
        )
    ]
    if config.char_ngrams is not None:
        terms = _unpack_terms(arrays[f"{CHAR_BLOCK}.terms"])
        char = CharTfidf(terms, arrays[f"{CHAR_BLOCK}.idf"], config.char_ngrams)
        blocks.append((CHAR_BLOCK, char))
    if config.casualty_features:
        blocks.append((CASUALTY_BLOCK, CasualtyFeatures()))
    return Features(blocks)
