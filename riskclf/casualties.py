"""Casualty counts parsed from article text, as extra features for the risk head.

The risk scheme turns on how many people were killed or hurt ("10 or more killed" is critical),
which a bag of words sees only as the token "killed". This module reads numbers next to casualty
words ("killed 12", "two soldiers were injured", "a dozen dead", "the death toll rose to 14") and
turns them into a few numeric features. Numbers that are not casualties (a "206th battalion",
"a group of 30", money, years) are skipped, and counts in sentences that recall an earlier event
("last year", "anniversary") are kept apart so background deaths do not raise the level.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

KINDS = ("killed", "injured", "abducted")

_UNITS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
    "dozens": 24,
    "scores": 40,
    "hundreds": 200,
    "several": 3,
    "couple": 2,
    "both": 2,
}
_NUMBER = (
    r"(?:\d{1,4}(?:,\d{3})?(?!\d)(?!\s*(?:st|nd|rd|th)\b)"
    r"|(?:" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")(?:[- ](?:one|two|three|four|"
    r"five|six|seven|eight|nine|dozen))?)"
)
# Words after a number that show it is not a count of people.
_NOT_PEOPLE = re.compile(
    r"^\s*(?:%|per\s*cent|percent|battalion|bn\b|km|kilomet|kg|kilo|years?|months?|weeks?|days?|"
    r"hours?|minutes?|rupees|rs\b|lakh|crore|million|billion|dollars?|usd|am\b|pm\b|metres?|"
    r"meters?|miles?|acres?|rounds?|vehicles?|houses?|shops?|homes?|buildings?|kilograms?)",
    re.IGNORECASE,
)
_VERBS = {
    "killed": r"killed|killing|dead|died|dies|death toll|deaths|bodies|slain|shot dead|"
    r"martyred|lost (?:their|his|her) lives?|perished|fatalities|lives",
    "injured": r"injured|injuring|wounded|wounding|hurt|injuries|casualties",
    "abducted": r"abducted|abducting|kidnapped|kidnapping|hostages?|taken captive|seized",
}
_VERB_RE = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in _VERBS.items()}
_NUMBER_RE = re.compile(rf"\b({_NUMBER})\b", re.IGNORECASE)
_NONE_RE = re.compile(
    r"\b(?:no(?:body| one|-one)? (?:was |were )?(?:killed|injured|hurt|harmed|wounded)|"
    r"no (?:casualties|injuries|deaths|loss of life)|without (?:casualties|injuries)|"
    r"escaped unhurt|unhurt|defused|false alarm|hoax)\b",
    re.IGNORECASE,
)
_BACKGROUND_RE = re.compile(
    r"\b(?:last (?:year|month|week)|(?:days|weeks|months|years) (?:ago|after|since)|"
    r"anniversary|earlier this (?:year|month)|in (?:19|20)\d\d|recalled|since the|"
    r"previous(?:ly)?|remember(?:ed)?|memorial)\b",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"(?<=[.!?;])\s+|\n+")
_WINDOW_BEFORE = 7  # tokens between a number and the verb after it ("12 CRPF jawans were killed")
_WINDOW_AFTER = 5  # tokens between a verb and the number after it ("killed at least 12")


def _value(token: str) -> int:
    """The integer a number token stands for ("12", "twelve", "twenty-two", "a dozen")."""
    token = token.lower().replace(",", "")
    if token.isdigit():
        return int(token)
    total = 0
    for part in re.split(r"[- ]", token):
        total = total * 12 if part == "dozen" and total else total + _UNITS.get(part, 0)
    return total


def _count_near(sentence: str, verb: re.Pattern) -> int:
    """Largest count tied to a casualty verb in one sentence (0 when none).

    The number nearest before the verb wins ("two soldiers were killed and five injured" gives
    killed 2); failing that, the first number shortly after it ("killed at least 12 people");
    a verb with no number still reports one victim ("was shot dead").
    """
    best = 0
    for match in verb.finditer(sentence):
        window = " ".join(sentence[: match.start()].split()[-_WINDOW_BEFORE:])
        # "a"/"an" before the verb is usually the attacker ("a bomber killed 12"), and one
        # victim is the default anyway, so only real numbers count before the verb.
        before = [
            n.group(1)
            for n in _NUMBER_RE.finditer(window)
            if n.group(1).lower() not in ("a", "an") and not _NOT_PEOPLE.match(window[n.end() :])
        ]
        head = " ".join(sentence[match.end() :].split()[:_WINDOW_AFTER])
        after = [
            n.group(1) for n in _NUMBER_RE.finditer(head) if not _NOT_PEOPLE.match(head[n.end() :])
        ]
        chosen = before[-1:] or after[:1]
        value = _value(chosen[0]) if chosen else 1
        best = max(best, value if 0 < value < 5000 else 1)
    return best


def parse_casualties(text: str) -> dict[str, int]:
    """Return counts parsed from ``text``.

    Returns
    -------
    dict
        ``killed``, ``injured``, ``abducted`` for the reported event (the largest count in any
        sentence that does not recall an earlier event), ``background_killed`` for counts in
        sentences that do, and ``none_reported`` = 1 when the text says nobody was hurt.
    """
    counts = dict.fromkeys(KINDS, 0)
    counts["background_killed"] = 0
    counts["none_reported"] = int(bool(_NONE_RE.search(text)))
    for sentence in _SENTENCE_RE.split(text):
        if not sentence:
            continue
        background = bool(_BACKGROUND_RE.search(sentence))
        for kind in KINDS:
            found = _count_near(sentence, _VERB_RE[kind])
            if not found:
                continue
            if background:
                if kind == "killed":
                    counts["background_killed"] = max(counts["background_killed"], found)
            else:
                counts[kind] = max(counts[kind], found)
    return counts


FEATURE_NAMES = (
    "killed_log",
    "killed>=1",
    "killed>=10",
    "injured_log",
    "injured>=1",
    "abducted>=1",
    "background_killed>=1",
    "none_reported",
)


def casualty_matrix(texts: Iterable[str]) -> sparse.csr_matrix:
    """Return the casualty features of each text as a sparse matrix (columns: FEATURE_NAMES)."""
    rows = []
    for text in texts:
        c = parse_casualties(text)
        rows.append(
            (
                np.log1p(c["killed"]) / np.log1p(100),
                c["killed"] >= 1,
                c["killed"] >= 10,
                np.log1p(c["injured"]) / np.log1p(100),
                c["injured"] >= 1,
                c["abducted"] >= 1,
                c["background_killed"] >= 1,
                c["none_reported"],
            )
        )
    return sparse.csr_matrix(np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURE_NAMES)))


class CasualtyFeatures(TransformerMixin, BaseEstimator):
    """Stateless transformer wrapping :func:`casualty_matrix` for the feature union."""

    def fit(self, texts, y=None) -> CasualtyFeatures:
        self.n_features_out_ = len(FEATURE_NAMES)
        return self

    def transform(self, texts) -> sparse.csr_matrix:
        return casualty_matrix(texts)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(FEATURE_NAMES, dtype=object)
