"""One tokenisation per article, shared by the word features and place tagging.

Both read the runs of word characters of the lower-cased text: place tagging every run, the
word block (scikit-learn's default token pattern) the runs of two or more characters. Finding
the runs is the single most expensive step of either, so :func:`score_frame` finds them once
per article and hands the same lists to both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# a run of word characters; place tagging also reads the runs of the text as written with it
RUN_RE = re.compile(r"\w+")

_ASCII_WORD = b"abcdefghijklmnopqrstuvwxyz0123456789_"
# UTF-8 bytes -> lower case, with every ASCII byte that is no word character as a space
_SPACED = bytes(
    c | 32 if 65 <= c <= 90 else c if c in _ASCII_WORD or c > 127 else 32 for c in range(256)
)
# ... and also every non-ASCII byte: right when each non-ASCII character is a punctuation mark
# or space of U+2000-U+203F (dashes, quotes, ellipsis; UTF-8 E2 80 xx) or the rupee sign (E2
# 82 B9), none of them word characters nor changed by lower-casing
_SPACED_PUNCTUATION = bytes(c if c < 128 else 32 for c in _SPACED)
_NOT_LEAD = bytes(range(0xC0))  # deleted, they leave the first byte of each non-ASCII character
_PUNCTUATION, _RUPEE = b"\xe2\x80", b"\xe2\x82\xb9"


def word_runs(texts: Sequence[str]) -> list[list[str]]:
    """The runs of word characters (``\\w+``) of each lower-cased text."""
    return [_runs(text) for text in texts]


def _runs(text: str) -> list[str]:
    """``RUN_RE.findall(text.lower())``, found faster where it can be: in a text of ASCII and
    the punctuation of _SPACED_PUNCTUATION (most English news), each upper-case letter becomes
    its lower case and every character that is no word character a space, and the runs are the
    pieces between spaces (a translation and a split in C, about twice as fast as lower-casing
    and the regular expression); any other text (accented letters, other scripts, lone
    surrogates) is read by the regular expression."""
    data = text.encode("utf-8", "surrogatepass")
    if data.isascii():
        return data.translate(_SPACED).decode("ascii").split()
    leads = data.translate(None, _NOT_LEAD)
    n = len(leads)
    if leads.count(0xE2) == n and (
        data.count(_PUNCTUATION) == n or data.count(_PUNCTUATION) + data.count(_RUPEE) == n
    ):
        return data.translate(_SPACED_PUNCTUATION).decode("ascii").split()
    return RUN_RE.findall(text.lower())


def long_runs(runs: list[str]) -> list[str]:
    """The runs of two or more characters: the tokens of ``\\w\\w+`` on the same text (greedy
    runs are whole runs, so dropping the one-character runs leaves exactly those)."""
    return [run for run in runs if len(run) > 1]
