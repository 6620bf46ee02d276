"""One tokenisation per article, shared by the word features and place tagging.

Both read the runs of word characters of the lower-cased text: place tagging every run, the
word block (scikit-learn's default token pattern) the runs of two or more characters. Finding
the runs is the single most expensive step of either, so :func:`score_frame` finds them once
per article and hands the same lists to both.

Most news is ASCII with a few dashes and quotes, or has a few accented Latin letters: such a
text's runs are found by turning every character that is no word character into a space and
splitting at the spaces (a byte translation and a split in C, about twice as fast as the
regular expression); any other text is read by the regular expression (``\\w+``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# a run of word characters; place tagging also reads the runs of the text as written with it
RUN_RE = re.compile(r"\w+")

_ASCII_WORD = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
# UTF-8 bytes -> the same with every ASCII byte that is no word character as a space ...
_SPACED = bytes(c if c in _ASCII_WORD or c > 127 else 32 for c in range(256))
# ... and lower case
_SPACED_LOWER = bytes(c | 32 if 65 <= c <= 90 else c for c in _SPACED)
# (with every non-ASCII byte as a space too)
_ALL_SPACED = {t: t[:128] + b" " * 128 for t in (_SPACED, _SPACED_LOWER)}
# Non-ASCII characters that are no word characters: the punctuation and spaces of
# U+2000-U+203F (dashes, quotes, ellipsis; UTF-8 E2 80 xx) and the rupee sign (E2 82 B9);
# lower-casing leaves them as they are
_PUNCTUATION, _RUPEE = b"\xe2\x80", b"\xe2\x82\xb9"
_PUNCTUATION_RE = re.compile(rb"\xe2(?:\x80[\x80-\xbf]|\x82\xb9)")
# Non-ASCII characters that are word characters: U+00C0-U+017F (accented Latin letters, UTF-8
# C3, C4 or C5 and one more byte) but for the signs x and / (C3 97, C3 B7)
_LETTER_LEADS = b"\xc3\xc4\xc5"
_SIGNS = (b"\xc3\x97", b"\xc3\xb7")
_NOT_LEAD = bytes(range(0xC0))  # deleted, they leave the first byte of each non-ASCII character


def word_runs(texts: Sequence[str]) -> list[list[str]]:
    """The runs of word characters (``\\w+``) of each lower-cased text."""
    return [_lower_runs(text) for text in texts]


def runs_as_written(text: str) -> list[str]:
    """The runs of word characters (``\\w+``) of ``text`` as written."""
    runs = _split_runs(text.encode("utf-8", "surrogatepass"), _SPACED)
    return RUN_RE.findall(text) if runs is None else runs


def _lower_runs(text: str) -> list[str]:
    """``RUN_RE.findall(text.lower())``: where the text needs no lower-casing beyond ASCII
    (no accented letter), the byte translation also lower-cases."""
    runs = _split_runs(text.encode("utf-8", "surrogatepass"), _SPACED_LOWER, letters=False)
    if runs is not None:
        return runs
    low = text.lower()
    runs = _split_runs(low.encode("utf-8", "surrogatepass"), _SPACED_LOWER)
    return RUN_RE.findall(low) if runs is None else runs


def _split_runs(data: bytes, table: bytes, letters: bool = True) -> list[str] | None:
    """The runs of word characters of the UTF-8 ``data``, with ASCII bytes mapped by
    ``table``, or None when it holds a non-ASCII character other than the punctuation above
    (or, when ``letters``, the accented letters above)."""
    if data.isascii():
        return data.translate(table).decode("ascii").split()
    leads = data.translate(None, _NOT_LEAD)
    n = len(leads)
    punctuation = leads.count(0xE2)
    if punctuation:
        found = data.count(_PUNCTUATION)
        if found != punctuation and found + data.count(_RUPEE) != punctuation:
            return None  # some other character of U+2000-U+2FFF
    if punctuation == n:
        return data.translate(_ALL_SPACED[table]).decode("ascii").split()
    if (
        not letters
        or leads.translate(None, _LETTER_LEADS + b"\xe2")
        or any(map(data.__contains__, _SIGNS))
    ):
        return None
    if punctuation:
        data = _PUNCTUATION_RE.sub(b" ", data)
    return data.translate(table).decode("utf-8").split()


def long_runs(runs: list[str]) -> list[str]:
    """The runs of two or more characters: the tokens of ``\\w\\w+`` on the same text (greedy
    runs are whole runs, so dropping the one-character runs leaves exactly those)."""
    return [run for run in runs if len(run) > 1]
