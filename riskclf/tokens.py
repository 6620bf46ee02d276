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


def word_runs(texts: Sequence[str]) -> list[list[str]]:
    """The runs of word characters (``\\w+``) of each lower-cased text."""
    findall = RUN_RE.findall
    return [findall(text.lower()) for text in texts]


def long_runs(runs: list[str]) -> list[str]:
    """The runs of two or more characters: the tokens of ``\\w\\w+`` on the same text (greedy
    runs are whole runs, so dropping the one-character runs leaves exactly those)."""
    return [run for run in runs if len(run) > 1]
