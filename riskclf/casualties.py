"""Casualty counts parsed from article text, as extra features for the risk head.

The risk scheme turns on how many people were killed or hurt ("10 or more killed" is critical),
which a bag of words sees only as the token "killed". This rule-based parser (pure Python and
regular expressions) reads the counts tied to casualty words, sentence by sentence:

1. Clean the sentence: drop "including ..." asides (their counts are part of the total), and mask
   numbers that are never casualty counts (years, dates, money, unit numbers such as "206th
   battalion", distances, quantities of seized goods, "a group of 30 Maoists").
2. Find every casualty trigger ("killed", "shot dead", "succumbed", "bodies of", "injured",
   "abducted", "taken hostage", ...).
3. Read the count: for the active voice the object after the trigger ("killed two villagers"),
   for the passive the subject before it ("Three CISF personnel ... were killed"). A number only
   counts if it quantifies a person noun; a trigger with no number counts as one victim.
4. Skip mentions that are background ("wanted in the killing of", "had killed ... in 2010") or
   negated ("no one was injured").

Counts are summed over the distinct mentions of a sentence and the maximum is taken over
sentences (reports repeat the event in the lead and in detail). Sentences that recall an earlier
event ("weeks after", "last year", "anniversary") are counted apart, as background deaths, so an
exercise announced after an attack is not read as an attack.

Speed (the parser is most of the cost of scoring an article): every pattern is matched without
re.IGNORECASE against a lower-cased copy of the same length (several times faster), and cheap
substring tests skip what cannot match: an article or sentence without a trigger's stem, the
trigger branches whose stems a sentence lacks, a sentence without triggers (it is not cleaned),
a mask without the words it needs. The few checks that are case-sensitive read the text as
written. `test_the_speed_gates_change_no_count` opens every gate and compares.

Measured against the hand-coded casualty counts of the SATP Maoist dataset (7,205 rows of the
train split; rows without a fatality count left out of the killed figures): killed exact 93.7%,
killed >= 1 98.1%, killed >= 10 99.8%, injured >= 1 97.0%, abducted >= 1 97.9%.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable

import numpy as np
from scipy import sparse

# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------
_UNITS = {
    "zero": 0,
    "one": 1,
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
}
# vague quantifiers: a rough value, enough to decide >=1 and usually < 10
_VAGUE = {
    "a couple of": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
    "several": 3,
    "some": 2,
    "many": 5,
    "a dozen": 12,
    "dozen": 12,
    "half a dozen": 6,
    "half-a-dozen": 6,
    "dozens of": 24,
    "dozens": 24,
    "scores of": 40,
    "hundreds of": 200,
    "both": 2,
    "another": 1,
    "a": 1,
    "an": 1,
    "one more": 1,
    "the two": 2,
    "the three": 3,
}
_NUMWORD = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ](?:one|two|three|four|"
    r"five|six|seven|eight|nine)|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"
)
_VAGUE_RE = "|".join(re.escape(v) for v in sorted(_VAGUE, key=len, reverse=True))
# a count token: digits, number words, "a dozen", optionally with an approximator in front
_APPROX = (
    r"(?:(?:at least|atleast|as many as|more than|over|about|around|nearly|almost|some|"
    r"up to|upto|a total of|total of|approximately|close to|another|other)\s+)?"
)
NUM_RE = re.compile(
    r"\b" + _APPROX + r"(?P<num>\d{1,4}|" + _NUMWORD + r"(?:\s+dozen)?|" + _VAGUE_RE + r")\b"
)


def _to_int(tok: str) -> int:
    tok = tok.lower().strip()
    if tok.isdigit():
        return int(tok)
    if tok.endswith(" dozen"):  # "two dozen"
        return 12 * _to_int(tok[:-6])
    if tok in _VAGUE:
        return _VAGUE[tok]
    m = re.fullmatch(r"(\w+)[- ](\w+)", tok)  # "twenty-two"
    if m and m.group(1) in _UNITS and m.group(2) in _UNITS:
        return _UNITS[m.group(1)] + _UNITS[m.group(2)]
    return _UNITS.get(tok, 0)


# --------------------------------------------------------------------------------------------
# People nouns: a count must quantify one of these to be a casualty count
# --------------------------------------------------------------------------------------------
PERSON = (
    r"(?:person|persons|people|personnel|jawans?|police\s*m[ae]n|policem[ae]n|police|cops?|"
    r"constables?|head\s+constables?|troopers?|troops|soldiers?|commandos?|officers?|officials?|"
    r"cadres?|maoists?|naxal(?:ite)?s?|militants?|rebels?|extremists?|guerrillas?|insurgents?|"
    r"lwes?|ultras?|activists?|comrades?|villagers?|civilians?|residents?|men|man|women|woman|"
    r"child(?:ren)?|boys?|girls?|students?|teachers?|farmers?|labou?rers?|workers?|employees?|"
    r"staff(?:ers)?|drivers?|contractors?|engineers?|members?|leaders?|informers?|informants?|"
    r"sarpanch(?:es)?|others?|more|of them|brothers?|sons?|relatives?|family|guards?|"
    r"home\s*guards?|spos?|sfs?|crpf|bsf|itbp|cisf|ssb|cobra|grey\s*hounds|sog|stf|dvf|"
    r"inspectors?|sub-inspectors?|commandants?|deputy|asi|si|hawaldars?|naiks?|"
    r"youths?|tribals?|adivasis?|individuals?|victims?|passengers?|traders?|businessm[ae]n|"
    r"supporters?|sympathi[sz]ers?|couple|squad\s+members?|hostages?|bodies|body|dead)"
)
# up to 6 modifier words between a number and its noun ("three suspected CPI-Maoist cadres",
# "Three Central Industrial Security Force (CISF) personnel"), but never across a preposition/verb
FILLER = (
    r"(?:(?!(?:by|of|in|at|on|from|with|to|for|the|and|or|near|who|which|that|was|were|is|are|"
    r"had|has|have|during|after|when|while)\b)[\w'\-\.()/&]+\s+)"
)
PERSON_AFTER_NUM = re.compile(r"^\s*" + FILLER + "{0,6}?" + PERSON + r"\b")

# --------------------------------------------------------------------------------------------
# Triggers
# --------------------------------------------------------------------------------------------
# Each trigger kind is an alternation of branches, tried in this order; every match of a branch
# contains one of its stems. A sentence is matched only against the branches whose stems it
# contains: the result is the same (a branch that cannot match never wins), and the regex has
# far fewer alternatives to try at each word.
_TRIGGER_BRANCHES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "killed": [
        (r"kills?", ("kill",)),
        (r"shot\s+dead", ("dead",)),
        (r"shoots?\s+dead", ("dead",)),
        (r"shot\s+(?:\w+\s+){1,3}?dead", ("dead",)),
        (r"shoots\s+dead", ("dead",)),
        (r"gunned\s+down", ("gunned",)),
        (r"hacked\s+to\s+death", ("death",)),
        (r"beaten\s+to\s+death", ("death",)),
        (r"bludgeoned\s+to\s+death", ("death",)),
        (r"stabbed\s+to\s+death", ("death",)),
        (r"burnt\s+(?:alive|to\s+death)", ("alive", "death")),
        (r"burned\s+to\s+death", ("death",)),
        (r"strangled", ("strang",)),
        (r"strangulated", ("strang",)),
        (
            r"(?:hacked|axed|beaten|beat|stabbed|stoned|burnt|burned|set\s+ablaze|shot|lynched|"
            r"tortured|assaulted|strangled|bludgeoned|crushed|clubbed|\w+ed)\s+(?:\w+\s+){0,3}?"
            r"to\s+death",
            ("death",),
        ),
        (r"slit\s+(?:\w+\s+)?throats?", ("slit",)),
        (r"slitting", ("slit",)),
        (r"killed", ("kill",)),
        (r"killing", ("kill",)),
        (r"slain", ("slain",)),
        (r"murdered", ("murder",)),
        (r"beheaded", ("behead",)),
        (r"lynch(?:ed|es)?", ("lynch",)),
        (r"massacred", ("massacred",)),
        (r"executed", ("executed",)),
        (r"lost\s+(?:his|her|their)\s+lives?", ("lost",)),
        (r"succumbed", ("succumb",)),
        (r"died", ("died",)),
        (r"found\s+dead", ("dead",)),
        (r"dead\s+bod(?:y|ies)\s+of", ("dead",)),
        (r"bod(?:y|ies)\s+of", ("bod",)),
        (r"bod(?:y|ies)", ("bod",)),
        (r"(?:were|was|are|is)\s+dead", ("dead",)),
        (r"casualt(?:y|ies)", ("casualt",)),
    ],
    "injured": [
        (r"injur(?:ed|ing|ies|es?|y)", ("injur",)),
        (r"wounded", ("wound",)),
        (r"wounding", ("wound",)),
        (r"hurt", ("hurt",)),
        (r"sustained\s+(?:\w+\s+){0,2}injur(?:y|ies)", ("injur",)),
        (r"(?:received|suffered)\s+(?:\w+\s+){0,2}injur(?:y|ies)", ("injur",)),
        # coders count assault victims as injured
        (r"assault(?:ed|ing)", ("assault",)),
        (r"beat(?:en)?\s+up", ("beat",)),
        (r"beating\s+up", ("beat",)),
        (r"thrashed", ("thrash",)),
        (r"manhandled", ("manhandl",)),
        (r"tortured", ("tortur",)),
        (r"hacked", ("hacked",)),
        (r"thrashing", ("thrash",)),
        (r"roughed\s+up", ("roughed",)),
    ],
    "abducted": [
        (r"abduct(?:ed|ing|ion|s)?", ("abduct",)),
        (r"kidnap(?:ped|ping|s)?", ("kidnap",)),
        (r"taken\s+hostage", ("hostage",)),
        (r"held\s+hostage", ("hostage",)),
        (r"took\s+(?:\S+\s+){0,4}hostage", ("hostage",)),
        (r"(?:held|holding|kept|keeping)\s+(?:\S+\s+){0,3}captive", ("captive",)),
        (r"taken\s+away", ("away",)),
        (r"whisked\s+away", ("away",)),
        (r"held\s+captive", ("captive",)),
        (r"taken\s+captive", ("captive",)),
        (r"in\s+their\s+custody", ("custody",)),
        (r"went\s+missing", ("missing",)),
        (r"(?:are|is|were|was|gone)\s+missing", ("missing",)),
        (r"abduct", ("abduct",)),
    ],
}


def _alternation(branches: Iterable[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(branches) + r")\b")


TRIGGERS = {
    kind: _alternation(branch for branch, _ in branches)
    for kind, branches in _TRIGGER_BRANCHES.items()
}
KILL_RE, INJ_RE, ABD_RE = TRIGGERS["killed"], TRIGGERS["injured"], TRIGGERS["abducted"]
# Every match of a trigger pattern contains one of its stems: a substring test rules most
# sentences (and most branches) out far faster than the patterns themselves.
_TRIGGER_STEMS = {
    kind: tuple(dict.fromkeys(stem for _, stems in branches for stem in stems))
    for kind, branches in _TRIGGER_BRANCHES.items()
}


@functools.lru_cache(maxsize=2048)
def _trigger_pattern(kind: str, stems: frozenset[str]) -> re.Pattern:
    """The trigger pattern of ``kind`` cut down to the branches that can match a text
    containing exactly ``stems`` (all of them when a stem is not one of the branches')."""
    if not stems <= set(_TRIGGER_STEMS[kind]):
        return TRIGGERS[kind]
    return _alternation(
        branch for branch, needs in _TRIGGER_BRANCHES[kind] if not stems.isdisjoint(needs)
    )


def _trigger_patterns(stems: Iterable[tuple[str, str]]) -> list[tuple[str, re.Pattern]]:
    """(kind, pattern) for each kind with a stem among the (stem, kind) pairs of a text."""
    by_kind: dict[str, set[str]] = {}
    for stem, kind in stems:
        by_kind.setdefault(kind, set()).add(stem)
    return [
        (kind, _trigger_pattern(kind, frozenset(present))) for kind, present in by_kind.items()
    ]


def _triggers(low: str, patterns: list[tuple[str, re.Pattern]]) -> list[tuple[int, int, str]]:
    """(start, -end, kind) of every trigger match in the folded text ``low``."""
    return [(m.start(), -m.end(), kind) for kind, p in patterns for m in p.finditer(low)]


# words that end the passive subject NP when reading backwards (clause boundaries)
BOUNDARY = re.compile(
    r"\b(?:when|while|whereas|after|before|as|because|since|where|but|though|although|who|whom|"
    r"which|said|says|added|stated|claimed|reported|attacked|stormed|raided|ambushed|opened|"
    r"triggered|exploded|detonated|fired|arrested|surrendered|seized|recovered|abducted|"
    r"kidnapped|exchanged|blew|torched|struck|hit|targeted|during|following|leaving)\b"
    r"|[;:\"]",
)
# the last BOUNDARY of a text: the greedy ".*" backs off from the end, so the search stops at
# the last boundary instead of running through all of them (boundaries are whole words or
# single characters, never overlapping, so the last match starts last)
_LAST_BOUNDARY = re.compile(r"(?s:.*)(?:" + BOUNDARY.pattern + ")")

# context just before a trigger that marks it as background / not this event
BACKGROUND = re.compile(
    r"\b(?:involved|accused|wanted|responsible|charged|cases?|connection|behind|plott?ed|revenge|"
    r"retaliation|avenge|protest(?:ing)?|condemn(?:ing|ed)?|mastermind(?:ed)?|role|chargesheet(?:ed)?|"
    r"convicted|sentenced|trial|probe|investigat\w*|allegedly\s+involved|threat(?:ened|s)?|"
    r"demand(?:ing|ed)?|compensation|ex-gratia|memory|anniversary|martyrs?|earlier|previous(?:ly)?|"
    r"last\s+year|in\s+the\s+past|history|vowed|warned|planned|planning|conspiracy|"
    r"tried|attempt(?:ed)?|would|could|may|might|threatening|fear(?:ing)?|bid|"
    r"charges?|incidents?|crimes?|offen[cs]es?)\W+(?:\w+\W+){0,3}$"
    # "the team that killed ...", "the blast which killed ...", "who had killed ..."
    r"|\b(?:team|group|squad|dalam|attack|blast|ambush|landmine|explosion|incident|encounter|massacre|"
    r"derailment|operation|mine|ied|raid|strike|violence|those|men)\s+(?:that|which|who)\s+(?:had\s+)?$"
    r"|\bwho\s+had\s+(?:been\s+)?$|\bfor\s+(?:allegedly\s+)?$|\bto\s+$",
)
NEGATED = re.compile(
    r"\b(?:no|no\s+one|nobody|none|no\s+(?:casualt\w+|injur\w+|loss|one\s+was)|"
    r"not|without|escaped|narrowly|unhurt|averted)\b",
)
PAST_PERFECT = re.compile(r"\bhad\s+(?:been\s+)?(?:\w+\s+)?$")
YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")

# --------------------------------------------------------------------------------------------
# Text cleaning: mask numbers that are never casualty counts
# --------------------------------------------------------------------------------------------
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# "\b\d+" written so that the pattern opens on a digit: the regex engine then skips straight
# from digit to digit instead of trying the pattern at every position
_NUMBER = r"\d(?<!\w\d)\d*"
# Each mask with the words it needs (any one of them; none listed: only a digit): a plain
# substring test skips most masks on most sentences, and masking or dropping asides never
# creates a word that was not in the sentence, so the test is exact.
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MASKS: list[tuple[re.Pattern, tuple[str, ...]]] = [
    (re.compile(r"\b(?:19|20)\d\d\b"), ("19", "20")),  # years
    (re.compile(r"\b" + _MONTHS + r"\.?\s+\d{1,2}\b"), _MONTH_STEMS),  # "March 28"
    (
        re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTHS + r"\b"),
        _MONTH_STEMS,
    ),
    (re.compile(_NUMBER + r"(?:st|nd|rd|th)\b"), ()),  # "206th battalion"
    (
        re.compile(
            r"\b(?:inr|rs\.?|rupees|usd|\$)\s*[\d,\.]+(?:\s*(?:lakh|crore|million|billion))?"
        ),
        ("inr", "rs", "rupees", "usd", "$"),
    ),
    (
        re.compile(r"\b[\d,\.]+\s*(?:lakh|lakhs|crore|crores|million|billion|thousand|rupees)\b"),
        ("lakh", "crore", "million", "billion", "thousand", "rupees"),
    ),
    (
        re.compile(
            _NUMBER
            + r"\s*(?:bn|battalion|coy|company|companies|platoon|km|kms|kilomet(?:er|re)s?|"
            r"kg|kgs|kilograms?|metres?|meters?|feet|ft|hours?|hrs|minutes?|days?|weeks?|months?|"
            r"years?|yrs|rounds?|cartridges?|per\s*cent|percent|%|am|pm|a\.m\.|p\.m\.|"
            r"acres?|bighas?|villages?|cases?|cm|mm|rifles?|guns?|pistols?|detonators?|"
            r"bombs?|ieds?|grenades?|mines?|vehicles?|trucks?|houses?|schools?|towers?|"
            r"magazines?|mobile|mobiles|kilos?|litres?|liters?|packets?|sticks?|bundles?)\b"
        ),
        (),
    ),
    (
        re.compile(
            r"\b(?:bn|battalion|number|no\.|platoon|company|coy|ps|nh|sh|section|ipc|"
            r"sector|room|route|post|camp|ward|block|phase|batch)\s*[-#]?\s*\d+\b"
        ),
        ("bn", "battalion", "number", "no.", "platoon", "company", "coy", "ps", "nh", "sh")
        + ("section", "ipc", "sector", "room", "route", "post", "camp", "ward", "block")
        + ("phase", "batch"),
    ),
    (re.compile(r"\b(?:ak|sl|slr|insas|m|at|303)[- ]?\d+\b"), ()),  # weapon models
    (re.compile(r"\.\d+\b"), (".",)),  # ".303"
    (re.compile(r"\b[A-Za-z]{1,4}-\d+\b"), ("-",)),  # "C-60", "MV-79"
    (  # "10-member squad"
        re.compile(_NUMBER + r"[- ](?:member|strong|men|man)\b"),
        ("member", "strong", "men", "man"),
    ),
    (  # group sizes
        re.compile(
            r"\b(?:group|team|gang|band|squad|mob|crowd|batch|contingent|party)\s+of\s+(?:"
            + _APPROX
            + r")?(?:\d+|"
            + _NUMWORD
            + r"|"
            + _VAGUE_RE
            + r")(?:\s*(?:to|-)\s*(?:\d+|"
            + _NUMWORD
            + r"))?"
        ),
        ("group", "team", "gang", "band", "squad", "mob", "crowd", "batch", "contingent", "party"),
    ),
    (  # attacking crowds
        re.compile(
            r"\b(?:around|about|nearly|over|some|more than|approximately)\s+(?:\d+|"
            + _NUMWORD
            + r")(?:\s*(?:to|-)\s*(?:\d+|"
            + _NUMWORD
            + r"))?\s+(?:armed\s+)?(?:\w+\s+)?"
            r"(?:maoists?|cadres?|naxal\w*|rebels?|militants?)\b(?=\W+(?:\w+\W+){0,3}"
            r"(?:attacked|stormed|raided|ambushed|opened|surrounded|came|arrived|entered|reached|"
            r"armed|camping|gathered|mingled|descended|swooped))"
        ),
        ("maoist", "cadre", "naxal", "rebel", "militant"),
    ),
    (re.compile(r"\(\s*\d+\s*\)"), ("(",)),  # ages "(25)"
    (re.compile(r"\baged?\s+(?:about\s+)?\d+\b"), ("age",)),
    (re.compile(_NUMBER + r"\s*-?\s*years?\s*-?\s*old\b"), ("old",)),
]
INCLUDING = re.compile(
    r",?\s*\b(?:including|among\s+them|among\s+whom|of\s+whom)\b[^,;.]*?(?:,|(?=\s+(?:were|was|are|is|and|had|have)\b))",
)
_INCLUDING_NEEDS = ("includ", "among", "whom")  # every INCLUDING match has one
# a sentence ends at . ! or ? before white space and a capital, a digit or a quote (the
# punctuation stays with the sentence, the white space is dropped); opening on the punctuation
# rather than a look-behind lets the regex engine skip straight to the next candidate
SENT_END = re.compile(r"[.!?](\s+)(?=[\"'A-Z0-9])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``."""
    spans, last = [], 0
    for m in SENT_END.finditer(text):
        spans.append((last, m.start(1)))
        last = m.end(1)
    spans.append((last, len(text)))
    return spans


# Masks that can match without a digit (number words); the others need one, so a sentence
# without digits skips them (most of the parser's time on digit-free sentences).
_WORD_MASKS = [(m, needs) for m, needs in MASKS if _NUMWORD in m.pattern or _VAGUE_RE in m.pattern]
_DIGIT = re.compile(r"\d")
_MASK_WORDS = tuple(dict.fromkeys(word for _, needs in MASKS for word in needs))


def _fold(text: str) -> str:
    """Lower-case ``text`` without changing its length, so an offset in the folded text is the
    same offset in the text (the rare character whose lower case is longer stays as written)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _blank(text: str, spans: list[tuple[int, int]], *, keep_length: bool) -> str:
    """``text`` with each (start, end) span overwritten by ``#`` (``keep_length``) or replaced
    by one space."""
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], "#" * (end - start) if keep_length else " "]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def _clean(sent: str, low: str) -> tuple[str, str]:
    """Drop "including ..." asides and mask numbers that are never casualty counts.

    Takes the sentence and its :func:`_fold`; returns both cleaned, still of equal length (the
    patterns read the folded text, the few case-sensitive checks the text as written).
    """
    if any(word in low for word in _INCLUDING_NEEDS) and INCLUDING.search(low):
        spans = [m.span() for m in INCLUDING.finditer(low)]
        sent, low = (_blank(t, spans, keep_length=False) for t in (sent, low))
    if _DIGIT.search(low):
        # the needed words present, tested once: masking only removes words, so a mask run
        # for a word that an earlier mask blanked finds nothing, as if it had been skipped
        present = {word for word in _MASK_WORDS if word in low}
        masks = [mask for mask, needs in MASKS if not needs or not present.isdisjoint(needs)]
    else:
        masks = [
            mask for mask, needs in _WORD_MASKS if not needs or any(word in low for word in needs)
        ]
    for mask in masks:
        spans = [m.span() for m in mask.finditer(low)]
        if spans:
            sent, low = (_blank(t, spans, keep_length=True) for t in (sent, low))
    return sent, low


# a further count joined by "and" or a comma; case-sensitive, so read in the text as written
_COORDINATED = re.compile(r"(?:\band|,)\s*$")
_PERSON_AFTER_ARTICLE = re.compile(r"^\s*" + FILLER + "{0,4}?" + PERSON + r"\b")
_VERB_AFTER_NUM = re.compile(r"^\s*(?:were|was|are|is|had|have|of|and|$)")


def _count_in(span: str, low: str, direction: str) -> int | None:
    """Sum of person-counts in a span (as written, and folded), or None if there is none.
    direction='after'  : the object of an active verb; the first count must open the span
                         ("killed two villagers"), further ones must be joined by "and"/","
                         ("killing 11 men and 5 children").
    direction='before' : the passive subject NP; every person-count in it is summed
                         ("10 CRPF personnel and three Maoists were killed")."""
    total, found, last_end = 0, False, 0
    for m in NUM_RE.finditer(low):
        gap = span[last_end : m.start()]
        if direction == "after":
            if not found and len(gap.split()) > 2:
                break
            # a further count must be coordinated: "... men and 5 children", "... two, three"
            if found and (not _COORDINATED.search(gap) or len(gap.split()) > 6):
                break
        word = m.group("num")
        tail = low[m.end() :]
        if word in ("a", "an", "another"):
            # an article counts as 1 only when it heads a person noun ("a civilian", "a jawan")
            if not _PERSON_AFTER_ARTICLE.match(tail):
                continue
        elif not (PERSON_AFTER_NUM.match(tail) or _VERB_AFTER_NUM.match(tail)):
            continue
        total += _to_int(word)
        found = True
        last_end = m.end()
    return total if found else None


PASSIVE_AUX = re.compile(
    r"\b(?:was|were|are|is|been|being|be|got|get|gets|getting)\s+(?:\w+ly\s+)?$"
)
# a trigger opening a relative clause about another (usually earlier) event:
# "the Rani Bodli attack in which 55 Policemen were killed", "the blast that killed 11 ..."
RELATIVE = re.compile(r"(?<!after )\b(?:in\s+which|during\s+which|where|which|that|whereby)\s*$")
INTRANSITIVE_NEXT = re.compile(
    r"^\s*(?:(?:in|at(?!\s+least)|on|during|near|by|when|while|after|and|or|following|for|from|with|"
    r"as|since|till|until|inside|outside|within|but|later|today|yesterday|instantly|immediately|"
    r"subsequently|recently)\b|[,.;:)\"]|$)",
)
BACKGROUND_NOUN = re.compile(r"\bthe\s+(?:\w+\s+)?$")  # "the killing of", "the abduction of"

RESCUE = re.compile(
    r"\b(?:rescued|freed|released|set\s+free|returned|escaped|managed\s+to\s+flee)\b"
)
DATE_RE = re.compile(r"\b(?:on\s+)?" + _MONTHS + r"\.?\s+\d{1,2}\b")
OPTS = {"skip_relative": True, "skip_noun": True}


_EARLIER = re.compile(r"\bearlier\b")
_EARLIER_OR_AGO = re.compile(r"\b(?:earlier|last|ago)\b")
# case-sensitive, read in the text as written: "the killed Maoists", "the killing of"
_DETERMINER_BEFORE = re.compile(r"\b(?:the|of|its|their)\s+$")
_OF_AFTER = re.compile(r"^\s*of\b")
_ANIMALS_AFTER = re.compile(
    r"^\s*(?:\S+\s+){0,2}(?:cattle|cows?|animals?|goats?|buffalo(?:es)?|dogs?|elephants?)\b"
)
_OBJECT_INSIDE = re.compile(r"shot\s+((?:\w+\s+){1,3}?)dead")  # the object of "shot ... dead"
_ADJECTIVAL = frozenset({"killed", "injured", "wounded", "slain", "abducted", "kidnapped"})


def _sentence_counts(sent: str, low: str, stems: list[tuple[str, str]]) -> dict:
    """Casualty counts of one sentence; ``low`` is its :func:`_fold`, ``stems`` the
    (stem, kind) pairs of the trigger stems that occur in it (the others cannot match)."""
    out = {"killed": 0, "injured": 0, "abducted": 0}
    # Cleaning only masks and drops text, so a sentence without a trigger has none after it:
    # find the triggers first and clean only sentences that have one (a quarter have none).
    patterns = _trigger_patterns(stems)
    trig = _triggers(low, patterns)
    if not trig:
        return out
    written, folded = _clean(sent, low)
    if folded != low:  # the triggers of the cleaned text
        trig = _triggers(folded, patterns)
    trig.sort()
    trig = [(a, -b, k) for a, b, k in trig]  # same start: the longest trigger first
    kept = []  # drop overlapping triggers (keep the earliest)
    for t in trig:
        if kept and t[0] < kept[-1][1]:
            continue
        kept.append(t)
    prev_end = 0
    seen = set()
    negated = False  # whether the previous trigger was negated
    for i, (st, en, kind) in enumerate(kept):
        after_negated, negated = negated, False
        # each span both as written and folded (patterns read the folded one): back to the
        # previous trigger, and up to the next one
        before, before_l = written[prev_end:st], folded[prev_end:st]
        nxt = kept[i + 1][0] if i + 1 < len(kept) else len(written)
        after, after_l = written[en:nxt], folded[en:nxt]
        prev_end = en
        ctx, ctx_l = written[max(0, st - 60) : st], folded[max(0, st - 60) : st]
        trig_txt = folded[st:en]
        # --- skip background / hypothetical / negated mentions --------------------------------
        if BACKGROUND.search(ctx_l):
            continue
        if PAST_PERFECT.search(ctx_l[-25:]) and (YEAR_RE.search(sent) or _EARLIER.search(low)):
            continue
        # adjectival use: "the killed Maoists", "the injured were taken to hospital"
        if _DETERMINER_BEFORE.search(ctx) and trig_txt in _ADJECTIVAL:
            continue
        # nominal use "the killing of ...", "the abduction of ..." usually recalls an earlier event
        if (
            OPTS["skip_noun"]
            and trig_txt in ("killing", "abduction", "kidnapping")
            and BACKGROUND_NOUN.search(ctx_l)
            and _OF_AFTER.match(after)
        ):
            continue
        last = _LAST_BOUNDARY.match(before_l)  # passive subject: back to the last boundary
        cut = last.end() if last else 0
        subj, subj_l = before[cut:], before_l[cut:]
        if (
            OPTS["skip_relative"]
            and RELATIVE.search(before_l[:cut] if cut else "")
            and len(subj.split()) <= 8
        ):
            continue
        if (
            kind == "abducted"
            and RESCUE.search(low)
            and (DATE_RE.search(low) or _EARLIER_OR_AGO.search(low))
        ):
            continue
        if kind == "killed" and _ANIMALS_AFTER.match(after_l):
            continue
        # negated, or joined to a negated trigger: "no one was killed or injured"
        carried = after_negated and len(before.split()) <= 2 and not BOUNDARY.search(before_l)
        negated = bool(
            carried
            or NEGATED.search(subj_l[-40:])
            or (NEGATED.search(after_l[:25]) and kind != "killed")
        )
        if negated:
            continue
        # --- read the count ---------------------------------------------------------------
        nominal = trig_txt.startswith(("bod", "dead bod", "casualt"))
        passive = bool(PASSIVE_AUX.search(before_l)) or (
            INTRANSITIVE_NEXT.match(after_l) and not nominal
        )
        embedded = _OBJECT_INSIDE.fullmatch(trig_txt)
        if embedded:  # "shot him dead", "shot two villagers dead": the victims are inside
            start, end = st + embedded.start(1), st + embedded.end(1)
            n = _count_in(written[start:end], folded[start:end], "after")
        elif nominal or not passive:
            # active voice ("killed two villagers", "bodies of three Maoists"): the object counts;
            # the subject ("About 50 armed cadres killed ...") is the attackers, not victims
            n = _count_in(after, after_l, "after")
            if n is None and nominal:
                n = _count_in(subj, subj_l, "before")
        else:
            n = _count_in(subj, subj_l, "before")
        if n is None:
            if trig_txt.startswith("casualt"):
                continue
            n = 1  # "Maoists killed Pujari Budhram", "SFs were killed"
        key = (kind, n, after[:30])
        if key in seen:
            continue
        seen.add(key)
        out[kind] += n
    return out


# --------------------------------------------------------------------------------------------
# Whole texts
# --------------------------------------------------------------------------------------------
# Sentences that recall an earlier event: their deaths are background, not the reported event.
RECALLED = re.compile(
    r"\b(?:last (?:year|month|week)|(?:days|weeks|months|years) (?:ago|after|since)|"
    r"anniversary|earlier this (?:year|month)|recalled|remember(?:ed)?|"
    r"memorial (?:meeting|service|day|week|programme|function|rally))\b",
)
NOBODY_HURT = re.compile(
    r"\b(?:no(?:body| one|-one)? (?:was |were )?(?:killed|injured|hurt|harmed|wounded)|"
    r"no (?:casualties|injuries|deaths|loss of life)|without (?:casualties|injuries)|"
    r"escaped unhurt|unhurt|unharmed|defused|false alarm|hoax)\b",
)
# Every match of NOBODY_HURT starts with one of these ("escaped unhurt" also matches as
# "unhurt"), so the pattern is tried only where one occurs instead of at every position.
_NOBODY_HURT_NEEDS = ("no ", "nobody", "no-one", "without ", "unhurt", "unharmed", "defused")
_NOBODY_HURT_NEEDS += ("false alarm", "hoax")
# every match of RECALLED contains one of these
_RECALLED_NEEDS = ("last ", "s ago", "s after", "s since", "anniversary", "earlier this")
_RECALLED_NEEDS += ("recalled", "remember", "memorial ")


def _says_nobody_hurt(folded: str) -> bool:
    """Whether NOBODY_HURT matches somewhere in ``folded``."""
    for word in _NOBODY_HURT_NEEDS:
        at = folded.find(word)
        while at >= 0:
            if NOBODY_HURT.match(folded, at):
                return True
            at = folded.find(word, at + 1)
    return False


def _recalls(low: str) -> bool:
    """Whether the folded sentence ``low`` recalls an earlier event."""
    return any(word in low for word in _RECALLED_NEEDS) and bool(RECALLED.search(low))


# Words that mark a sentence as an arrest/surrender/recovery report: a casualty count in such a
# sentence usually recalls an earlier event.
NON_ATTACK = re.compile(
    r"\b(?:arrest\w*|surrender\w*|apprehended|nabbed|held|recovered|seized|accused|wanted|"
    r"involved|interrogat\w*|chargesheet\w*|convicted|bail|court)\b",
)
KINDS = ("killed", "injured", "abducted")


_STEM_KINDS = [(stem, kind) for kind, stems in _TRIGGER_STEMS.items() for stem in stems]


# word run -> the (stem, kind) pairs it contains; news reuses its words, so after a few
# articles nearly every run is known and an article's stems cost one look-up per distinct word
_RUN_STEMS: dict[str, frozenset[tuple[str, str]]] = {}
# distinct runs remembered before the memo starts again (about 9 MB when full, measured); the
# values are shared (most runs hold no stem), so an entry costs little more than its word
_RUN_STEMS_LIMIT = 100_000
_STEM_SETS: dict[frozenset, frozenset] = {}


def _stems_in_runs(runs: list[str]) -> list[tuple[str, str]]:
    """The (stem, kind) pairs of _STEM_KINDS that occur in a text, from its word runs (every
    stem is made of word characters, so it occurs in the text only inside one run)."""
    distinct = set(runs)
    known = list(map(_RUN_STEMS.get, distinct))
    if None in known:
        if len(_RUN_STEMS) > _RUN_STEMS_LIMIT:
            _RUN_STEMS.clear()
        for run in distinct:
            if run not in _RUN_STEMS:
                stems = frozenset(p for p in _STEM_KINDS if p[0] in run)
                _RUN_STEMS[run] = _STEM_SETS.setdefault(stems, stems)
        known = list(map(_RUN_STEMS.get, distinct))
    found = frozenset().union(*known)
    return [pair for pair in _STEM_KINDS if pair in found] if found else []


def parse_casualties(text: str, runs: list[str] | None = None) -> dict[str, int]:
    """Return the counts of one text; ``runs``, if given, is its
    :func:`riskclf.tokens.word_runs` (a faster way to find which trigger stems it holds).

    Returns
    -------
    dict
        ``killed``, ``injured``, ``abducted`` (largest count in any sentence that does not recall
        an earlier event), ``lead_<kind>`` (the first sentence only), ``attack_killed`` (killed
        in sentences that do not read as arrest or surrender reports), ``n_kill_sents``,
        ``background_killed`` (deaths in sentences recalling an earlier event) and
        ``none_reported`` (1 when the text says nobody was hurt).
    """
    res = dict.fromkeys(KINDS, 0)
    res.update(
        lead_killed=0,
        lead_injured=0,
        lead_abducted=0,
        attack_killed=0,
        n_kill_sents=0,
        background_killed=0,
        none_reported=0,
    )
    if not isinstance(text, str) or not text:
        return res
    folded = _fold(text)
    res["none_reported"] = int(_says_nobody_hurt(folded))
    # the (stem, kind) pairs of the article, then of each sentence: no stem, no trigger
    if runs is None:
        stems = [(stem, kind) for stem, kind in _STEM_KINDS if stem in folded]
    else:
        stems = _stems_in_runs(runs)
    if not stems:
        return res
    # _fold keeps the length, so a sentence's folded text is a slice of the article's
    for j, (start, end) in enumerate(sentence_spans(text)):
        sent, low = text[start:end], folded[start:end]
        present = [(stem, kind) for stem, kind in stems if stem in low]
        if not present:
            continue
        counts = _sentence_counts(sent, low, present)
        if not any(counts.values()):  # nothing to record, recalled or not
            continue
        if _recalls(low):
            res["background_killed"] = max(res["background_killed"], counts["killed"])
            continue
        for kind in KINDS:
            res[kind] = max(res[kind], counts[kind])
            if j == 0:
                res["lead_" + kind] = counts[kind]
        if counts["killed"]:
            res["n_kill_sents"] += 1
            if not NON_ATTACK.search(low):
                res["attack_killed"] = max(res["attack_killed"], counts["killed"])
    return res


def rule_level(counts: dict[str, int]) -> str:
    """The TAXONOMY casualty rule on parsed counts, for a text that reports a security event."""
    if counts["killed"] >= 10:
        return "critical"
    if counts["killed"] >= 1 or counts["injured"] >= 1 or counts["abducted"] >= 1:
        return "high"
    return "medium"


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


def _feature_row(c: dict[str, int]) -> tuple[float, ...]:
    """The features of one parsed text, in FEATURE_NAMES order."""
    k, i, a = c["killed"], c["injured"], c["abducted"]
    level = rule_level(c)
    return (
        math.log1p(k),
        math.log1p(i),
        math.log1p(a),
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
    dense = np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURE_NAMES))
    return sparse.csr_matrix(dense)


class CasualtyFeatures:
    """Stateless feature block wrapping :func:`casualty_matrix`."""

    def fit(self, texts=None, y=None) -> CasualtyFeatures:
        return self

    reads_runs = True  # Features.transform hands it the shared word runs

    def transform(self, texts, runs=None) -> sparse.csr_matrix:
        return casualty_matrix(texts, runs)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(FEATURE_NAMES, dtype=object)
