"""The casualty feature block: parsed counts as 18 numeric columns beside the TF-IDF blocks."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from scipy import sparse

from riskclf.casualties import parse_casualties, rule_level

FEATURE_NAMES = (
    "log_killed",
    "log_injured",
    "log_abducted",
    "killed>=1",
    "killed>=10",
    "injured>=1",
    "abducted>=1",
    "rule_high",
    "rule_critical",
    "lead_killed>=1",
    "lead_killed>=10",
    "lead_injured>=1",
    "lead_abducted>=1",
    "attack_killed>=1",
    "attack_killed>=10",
    "log_kill_sentences",
    "background_killed>=1",
    "nobody_hurt",
)


# The log counts stop growing at 10, the count from which the taxonomy calls an event critical
# whatever its size. Uncapped, a linear head extrapolates: the starter corpus's only counts
# above 50 are tallies in statistics items (labelled low), so "a truck bomb killed 62 people"
# came out low with P(critical) 0.38. Capped, such a count reads like 10 killed and the words
# decide between an event and a tally (tests/test_default_model.py).
COUNT_CAP = 10


def _feature_row(c: dict[str, int]) -> tuple[float, ...]:
    """The features of one parsed text, in FEATURE_NAMES order."""
    k, i, a = c["killed"], c["injured"], c["abducted"]
    level = rule_level(c)
    return (
        math.log1p(min(k, COUNT_CAP)),
        math.log1p(min(i, COUNT_CAP)),
        math.log1p(min(a, COUNT_CAP)),
        k >= 1,
        k >= 10,
        i >= 1,
        a >= 1,
        level == "high",
        level == "critical",
        c["lead_killed"] >= 1,
        c["lead_killed"] >= 10,
        c["lead_injured"] >= 1,
        c["lead_abducted"] >= 1,
        c["attack_killed"] >= 1,
        c["attack_killed"] >= 10,
        math.log1p(c["n_kill_sents"]),
        c["background_killed"] >= 1,
        c["none_reported"],
    )


def casualty_matrix(
    texts: Iterable[str], runs: Iterable[list[str]] | None = None
) -> sparse.csr_matrix:
    """Return the casualty features of each text as a sparse matrix (columns: FEATURE_NAMES);
    ``runs``: see :func:`parse_casualties`."""
    if runs is None:
        rows = [_feature_row(parse_casualties(t)) for t in texts]
    else:
        rows = [_feature_row(parse_casualties(t, r)) for t, r in zip(texts, runs, strict=True)]
    dense = np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURE_NAMES))
    return sparse.csr_matrix(dense)


class CasualtyFeatures:
    """The served casualty block: stateless, reads the shared word runs when given them."""

    reads_runs = True  # Features.transform hands it the shared word runs

    def transform(self, texts, runs=None) -> sparse.csr_matrix:
        return casualty_matrix(texts, runs)

    def feature_names(self) -> list[str]:
        return list(FEATURE_NAMES)
