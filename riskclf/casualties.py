"""Casualty counts parsed from article text, as extra features for the risk head.

The risk scheme turns on how many people were killed or hurt ("10 or more killed" is critical),
which a bag of words sees only as the token "killed". This rule-based parser (pure Python and
regular expressions) reads the counts tied to casualty words, sentence by sentence:

1. Clean the sentence: drop "including ..." asides (their counts are part of the total), and mask
   numbers that are never casualty counts (years, dates, money, unit numbers such as "206th
   battalion", distances, quantities of seized goods, "a group of 30 Maoists").
2. Find every casualty trigger ("killed", "shot dead", "succumbed", "bodies of", "injured",
   "abducted", "taken hostage", terse "4 dead", "led to the death(s) of", "toll rose to", ...).
3. Read the count: for the active voice the object after the trigger ("killed two villagers",
   "injured 5 in the attack"), for the passive and for verbs that take no object the subject
   before it ("Three CISF personnel ... were killed", "seven people dead", "three villagers
   succumbed to injuries"); after "toll rose to" the number itself; "the death of X and two
   others" is three. A number only counts if it quantifies a person noun; a trigger with no
   number counts as one victim.
4. Skip mentions that are background ("wanted in the killing of", "had killed ... in 2010", "who
   killed three civilians in 2010", "the ambush that left 12 dead"), negated ("no one was
   injured", "killing no one"), a court's "sentenced to death", or done to a thing
   ("assaulted a police post").

Counts are summed over the distinct mentions of a sentence and the maximum is taken over
sentences (reports repeat the event in the lead and in detail). Sentences that recall an earlier
event ("weeks after", "last year", "anniversary") are counted apart, as background deaths, so an
exercise announced after an attack is not read as an attack.

Speed (the parser is most of the cost of scoring an article): every pattern is matched without
re.IGNORECASE against a lower-cased copy of the same length (several times faster), and cheap
substring tests skip what cannot match: an article or sentence without a trigger's stem, an
article whose word runs lack every word a "nobody was hurt" needs, the trigger branches whose
stems a sentence lacks, a sentence without triggers (it is not cleaned),
a mask without the words it needs, a digit mask once every digit is masked, NON_ATTACK and
BACKGROUND's keyword branch without one of their words, and the end-anchored context patterns
(BACKGROUND's clause ends, PASSIVE_AUX, RELATIVE) unless the context ends in one of their last
words. The words each sentence-level test needs are first cut down to those the article's word
runs can hold (one bit per word part in the per-run masks, read back a byte at a time), so a
sentence is tested for a handful of words instead of dozens. The few checks that are
case-sensitive read the text as written. `test_the_speed_gates_change_no_count` opens every
gate and compares; `test_every_match_passes_its_pre_check` tries each pre-check on strings its
pattern matches.

Agreement with the hand-coded casualty counts of the SATP Maoist dataset (rows without a count
left out of that count's figures; ``python benchmarks/transfer.py --dev --parser-only``), on
the 8,118 train+dev rows where changes were chosen: killed exact 94.3%, killed >= 1 98.4%,
killed >= 10 99.9%, injured >= 1 97.6%, abducted >= 1 98.0% (before the terse-phrasing,
past-event and headline rules: 94.2, 98.3, 99.8, 97.6, 98.0; the tally rule then raised the
precision of killed >= 10 from 88.8% to 90.8%). On the 1,800 test rows, scored once per
configuration: 95.5, 98.2, 99.8, 96.6, 98.1 (before: 95.5, 98.1, 99.8, 96.6, 98.1).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from types import MappingProxyType
from typing import NamedTuple

from riskclf.casualty_lexicon import (
    _AGGREGATE_NEEDS,
    _BACKGROUND_NEEDS,
    _BACKGROUND_TAIL_ENDS,
    _INCLUDING_NEEDS,
    _LAST_BOUNDARY,
    _MONTHS,
    _NOBODY_HURT_NEEDS,
    _NON_ATTACK_NEEDS,
    _NUMWORD,
    _RECALLED_NEEDS,
    _STEM_KINDS,
    _TRIGGER_BRANCHES,
    _TRIGGER_STEMS,
    _VAGUE_RE,
    AGGREGATE,
    BACKGROUND_TAIL,
    BACKGROUND_WORDS,
    BOUNDARY,
    FILLER,
    INCLUDING,
    KINDS,
    MASKS,
    NEGATED,
    NOBODY_HURT,
    NON_ATTACK,
    NUM_RE,
    PAST_PERFECT,
    PERSON,
    PERSON_AFTER_NUM,
    RECALLED,
    SENT_END,
    TRIGGERS,
    YEAR_MASK,
    YEAR_RE,
    _alternation,
    _to_int,
)
from riskclf.tokens import RUN_RE


@functools.lru_cache(maxsize=2048)
def _trigger_pattern(kind: str, stems: frozenset[str]) -> re.Pattern:
    """The trigger pattern of ``kind`` cut down to the branches that can match a text
    containing exactly ``stems`` (all of them when a stem is not one of the branches')."""
    if not stems <= set(_TRIGGER_STEMS[kind]):
        return TRIGGERS[kind]
    return _alternation(
        branch for branch, needs in _TRIGGER_BRANCHES[kind] if not stems.isdisjoint(needs)
    )


@functools.lru_cache(maxsize=4096)
def _trigger_patterns(stems: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern], ...]:
    """(kind, pattern) for each kind with a stem among the (stem, kind) pairs of a text.

    Sentences share a few combinations of stems, so the result is cached by them (an
    ``lru_cache``, safe under threads, of immutable tuples).
    """
    by_kind: dict[str, set[str]] = {}
    for stem, kind in stems:
        by_kind.setdefault(kind, set()).add(stem)
    return tuple(
        (kind, _trigger_pattern(kind, frozenset(present))) for kind, present in by_kind.items()
    )


def _triggers(low: str, patterns: Iterable[tuple[str, re.Pattern]]) -> list[tuple[int, int, str]]:
    """(start, -end, kind) of every trigger match in the folded text ``low``."""
    return [(m.start(), -m.end(), kind) for kind, p in patterns for m in p.finditer(low)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``."""
    spans, last = [], 0
    for m in SENT_END.finditer(text):
        # the sentence ends before the white space after a full stop, or a blank line's first
        # line break; the next starts after either
        spans.append((last, m.start(1) if m.lastindex else m.start()))
        last = m.end()
    spans.append((last, len(text)))
    return spans


# Masks that can match without a digit (number words); the others need one, so a sentence
# without digits skips them (most of the parser's time on digit-free sentences).
_WORD_MASKS = [(m, needs) for m, needs in MASKS if _NUMWORD in m.pattern or _VAGUE_RE in m.pattern]
_WORD_MASK_SET = frozenset(m for m, _ in _WORD_MASKS)
_DIGIT = re.compile(r"\d")
_MASK_WORDS = tuple(dict.fromkeys(word for _, needs in MASKS for word in needs))


def _fold(text: str) -> str:
    """Lower-case ``text`` without changing its length, so an offset in the folded text is the
    same offset in the text (the rare character whose lower case is longer stays as written)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _blank(text: str, spans: list[tuple[int, int]], *, keep_length: bool, fill: str = "#") -> str:
    """``text`` with each (start, end) span overwritten by ``fill`` (``keep_length``) or
    replaced by one space."""
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], fill * (end - start) if keep_length else " "]
        last = end
    parts.append(text[last:])
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _masks_for(present: frozenset[str], digits: bool) -> tuple[re.Pattern, ...]:
    """The masks to run on a sentence holding the needed words ``present``: those of MASKS
    (of _WORD_MASKS when it has no digit) that need no word or one of them."""
    masks = MASKS if digits else _WORD_MASKS
    return tuple(mask for mask, needs in masks if not needs or not present.isdisjoint(needs))


def _clean(sent: str, low: str, gates: _Gates) -> tuple[str, str]:
    """Drop "including ..." asides and mask numbers that are never casualty counts.

    Takes the sentence, its :func:`_fold` and the needed words its article may hold; returns
    both cleaned, still of equal length (the patterns read the folded text, the few
    case-sensitive checks the text as written).
    """
    # the substring tests as map/filter over low.__contains__ (no Python-level loop)
    has = low.__contains__
    if any(map(has, gates.including)) and INCLUDING.search(low):
        spans = [m.span() for m in INCLUDING.finditer(low)]
        sent, low = (_blank(t, spans, keep_length=False) for t in (sent, low))
        has = low.__contains__
    digits = _DIGIT.search(low) is not None
    # the needed words present, tested once: masking only removes words, so a mask run for a
    # word that an earlier mask blanked finds nothing, as if it had been skipped
    masks = _masks_for(frozenset(filter(has, gates.masks)), digits)
    for mask in masks:
        # once the masks have blanked every digit (often a date's), only number words are left
        if not digits and mask not in _WORD_MASK_SET:
            continue
        spans = [m.span() for m in mask.finditer(low)]
        if spans:
            fill = "~" if mask is YEAR_MASK else "#"
            sent, low = (_blank(t, spans, keep_length=True, fill=fill) for t in (sent, low))
            digits = digits and _DIGIT.search(low) is not None
    return sent, low


# a further count joined by "and" or a comma; case-sensitive, so read in the text as written
_COORDINATED = re.compile(r"(?:\band|,)\s*$")
_PERSON_AFTER_ARTICLE = re.compile(r"^\s*" + FILLER + "{0,4}?" + PERSON + r"\b")
_VERB_AFTER_NUM = re.compile(r"^\s*(?:were|was|are|is|had|have|of|and|$)")
# the object of an active verb may be a bare number: "killed 3 and injured 5 in the attack"
_PLACE_AFTER_NUM = re.compile(r"^\s*(?:in|at|on|near|during|when|while|after|[,;.])(?:\s|$)")


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
        elif not (
            PERSON_AFTER_NUM.match(tail)
            or _VERB_AFTER_NUM.match(tail)
            or (direction == "after" and not found and _PLACE_AFTER_NUM.match(tail))
        ):
            continue
        total += _to_int(word)
        found = True
        last_end = m.end()
    return total if found else None


PASSIVE_AUX = re.compile(
    r"\b(?:was|were|are|is|been|being|be|got|get|gets|getting)\s+(?:\w+ly\s+)?$"
)
# how a text that PASSIVE_AUX matches ends once its final white space is stripped
_PASSIVE_ENDS = ("was", "were", "are", "is", "been", "being", "be", "got", "get", "gets")
_PASSIVE_ENDS += ("getting", "ly")
# a trigger opening a relative clause about another (usually earlier) event:
# "the Rani Bodli attack in which 55 Policemen were killed", "the blast that killed 11 ..."
RELATIVE = re.compile(r"(?<!after )\b(?:in\s+which|during\s+which|where|which|that|whereby)\s*$")
_RELATIVE_ENDS = ("which", "where", "that", "whereby")  # the same for RELATIVE
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
_ADJECTIVAL = frozenset({"killed", "injured", "wounded", "slain", "abducted", "kidnapped", "dead"})
# triggers that take no object: the victims are the subject ("three villagers succumbed to
# injuries", "two persons died of burns", "seven people dead in an explosion")
_INTRANSITIVE = ("succumb", "died", "dead", "lost ")
_TOLL = re.compile(r"\btoll\b")
# "the death of Ram and four others": a named victim and a count of others
_AND_OTHERS = re.compile(r"^[^,;.]{0,60}?\band\s+(" + NUM_RE.pattern[2:] + r")\s+others?\b")
# "the ambush that left 12 policemen dead" (or "killed", "injured"): a relative clause about
# the attack, usually an earlier one ("... were involved in the ambush that left ...")
_LEFT_DEAD = re.compile(r"\b(?:that|which)\s+(?:had\s+)?(?:left|leaving)\b[^,;]*$")
_LEFT_WHAT = frozenset({"dead", "killed", "injured", "wounded"})  # "... that left six killed"
# what "assaulted" or "hacked" may be done to that is no person
_THING_AFTER = re.compile(
    r"^\s*(?:down\b|(?:the|a|an|their|its|his|her)?\s*(?:[\w'-]+\s+){0,2}?(?:posts?|stations?|"
    r"camps?|offices?|houses?|buildings?|poles?|towers?|vehicles?|convoys?|trucks?|buses|bus|"
    r"shops?|schools?|doors?|gates?|bridges?|roads?|tracks?|lines?|cables?|accounts?|websites?|"
    r"computers?|servers?|systems?|phones?)\b(?=\s*(?:[,.;]|in\b|at\b|of\b|on\b|near\b|"
    r"and\b|with\b|$)))"
)
_NOBODY_AFTER = re.compile(r"^\s*(?:no\s+one|nobody|none)\b")
# a bare year ("in 2010", "since 2005", "the 2013 attack") in a trigger's clause dates its
# event in the past; a year in a date ("March 28, 2011", "on 3 May 2015") is the report's own.
# Read in the cleaned text, where the year mask left "~~~~" ("March 28" is masked apart).
_BARE_YEAR = re.compile(
    r"\b(?:in|since|during|of|the|until|till)\s+(?:(?:early|late|mid)[- ]?)?(?:"
    + _MONTHS
    + r"\s+)?~~~~"
)
_YEAR_REACH = (50, 40)  # characters before and after a trigger that the year may stand in
_CLAUSE_BREAK = re.compile(r"[,;:]")
_WHEN_AFTER_COMMA = re.compile(r"^\s*,\s*when\b")


def _dated_in_past(folded: str, st: int, en: int, start: int, end: int) -> bool:
    """Whether a bare year stands in the clause of the trigger at ``st:en`` (looked for
    between ``start`` and ``end``): "who killed three civilians in 2010", "since 2005, when
    rebels killed 11", but not "who had surrendered in 2001, was beheaded"."""
    for m in _BARE_YEAR.finditer(folded, start, end):
        if m.end() <= st:
            gap = folded[m.end() : st]
            if not _CLAUSE_BREAK.search(gap) or _WHEN_AFTER_COMMA.match(gap):
                return True
        elif m.start() >= en and not _CLAUSE_BREAK.search(folded[en : m.start()]):
            return True
    return False


def _toll_count(after: str) -> int | None:
    """The first number (not an article) just after a "toll rose to" trigger."""
    for m in NUM_RE.finditer(after[:40]):
        if m.group("num") not in ("a", "an", "another"):
            return _to_int(m.group("num"))
    return None


def _sentence_counts(sent: str, low: str, stems: list[tuple[str, str]], gates: _Gates) -> dict:
    """Casualty counts of one sentence; ``low`` is its :func:`_fold`, ``stems`` the
    (stem, kind) pairs of the trigger stems that occur in it (the others cannot match),
    ``gates`` the needed words its article may hold."""
    out = {"killed": 0, "injured": 0, "abducted": 0}
    # Cleaning only masks and drops text, so a sentence without a trigger has none after it:
    # find the triggers first and clean only sentences that have one (a quarter have none).
    patterns = _trigger_patterns(tuple(stems))
    trig = _triggers(low, patterns)
    if not trig:
        return out
    written, folded = _clean(sent, low, gates)
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
        # (each pattern behind a substring or end test that every match passes)
        if (any(map(ctx_l.__contains__, gates.background)) and BACKGROUND_WORDS.search(ctx_l)) or (
            ctx_l.rstrip().endswith(_BACKGROUND_TAIL_ENDS) and BACKGROUND_TAIL.search(ctx_l)
        ):
            continue
        recent = ctx_l[-25:]
        if (
            "had" in recent
            and PAST_PERFECT.search(recent)
            and (YEAR_RE.search(sent) or _EARLIER.search(low))
        ):
            continue
        # adjectival use: "the killed Maoists", "the injured were taken to hospital"
        if trig_txt in _ADJECTIVAL and _DETERMINER_BEFORE.search(ctx):
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
            and cut
            and before_l[:cut].rstrip().endswith(_RELATIVE_ENDS)
            and RELATIVE.search(before_l[:cut])
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
        if trig_txt in _LEFT_WHAT and _LEFT_DEAD.search(before_l):
            continue
        if trig_txt.startswith(("assault", "hacked")) and _THING_AFTER.match(after_l):
            continue  # "assaulted a police post", "hacked down two poles": no one hurt
        if "~~~~" in folded and _dated_in_past(
            folded, st, en, st - min(len(before), _YEAR_REACH[0]), min(nxt, en + _YEAR_REACH[1])
        ):
            continue  # "who killed three civilians in 2010"
        # negated, or joined to a negated trigger: "no one was killed or injured"
        carried = after_negated and len(before.split()) <= 2 and not BOUNDARY.search(before_l)
        negated = bool(
            carried
            or NEGATED.search(subj_l[-40:])
            or (kind != "killed" and NEGATED.search(after_l[:25]))
            or _NOBODY_AFTER.match(after_l)  # "set fire to a house, killing no one"
        )
        if negated:
            continue
        # --- read the count ---------------------------------------------------------------
        nominal = trig_txt.startswith(("bod", "dead bod", "casualt")) or trig_txt.endswith(" of")
        passive = (
            bool(before_l.rstrip().endswith(_PASSIVE_ENDS) and PASSIVE_AUX.search(before_l))
            or (INTRANSITIVE_NEXT.match(after_l) and not nominal)
            or trig_txt.startswith(_INTRANSITIVE)
        )
        embedded = trig_txt.startswith("shot") and _OBJECT_INSIDE.fullmatch(trig_txt)
        toll = "toll" in trig_txt and _TOLL.search(trig_txt)
        if toll:  # "the toll rose to 14": the first number, whatever follows it
            n = _toll_count(after_l)
            if n is None:
                continue
        elif embedded:  # "shot him dead", "shot two villagers dead": the victims are inside
            start, end = st + embedded.start(1), st + embedded.end(1)
            n = _count_in(written[start:end], folded[start:end], "after")
        elif nominal or not passive:
            # active voice ("killed two villagers", "bodies of three Maoists"): the object counts;
            # the subject ("About 50 armed cadres killed ...") is the attackers, not victims
            n = _count_in(after, after_l, "after")
            if n is None and trig_txt.endswith(" of"):  # "the death of Ram and four others"
                others = _AND_OTHERS.match(after_l)
                n = 1 + _to_int(others.group("num")) if others else None
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


def _says_nobody_hurt(folded: str) -> bool:
    """Whether NOBODY_HURT matches somewhere in ``folded``."""
    for word in _NOBODY_HURT_NEEDS:
        at = folded.find(word)
        while at >= 0:
            if NOBODY_HURT.match(folded, at):
                return True
            at = folded.find(word, at + 1)
    return False


def _recalls(low: str, gates: _Gates) -> bool:
    """Whether the folded sentence ``low`` recalls an earlier event or tallies many
    (``gates``: the needed words its article may hold)."""
    has = low.__contains__
    return bool(
        (any(map(has, gates.recalled)) and RECALLED.search(low))
        or (any(map(has, gates.aggregate)) and AGGREGATE.search(low))
    )


# Every NOBODY_HURT match holds one of these as a whole word run ("no one was hurt", "nobody",
# "without injuries", "escaped unhurt", "unharmed", "defused", "false alarm", "hoax"), so an
# article whose runs hold none of them (most articles) is not searched for it.
_NOBODY_HURT_RUNS = frozenset(
    ("no", "nobody", "without", "unhurt", "unharmed", "defused", "false", "hoax")
)


def _word_part(need: str) -> str | None:
    """The longest run of word characters of a needed substring (a run with a digit first),
    or None when it has none. A sentence that holds the need holds this part inside one of its
    word runs, so an article whose runs do not contain it has no sentence that holds the need.
    """
    parts = RUN_RE.findall(need)
    return max(parts, key=lambda p: (any(c.isdigit() for c in p), len(p)), default=None)


class _Gates(NamedTuple):
    """The needed substrings of each sentence-level pre-check that a sentence of one article
    may hold (those whose word part is in some word run of the article, and those with none):
    the others need not be looked for in its sentences."""

    masks: tuple[str, ...]  # _MASK_WORDS: which masks _clean runs
    including: tuple[str, ...]  # _INCLUDING_NEEDS
    recalled: tuple[str, ...]  # _RECALLED_NEEDS
    aggregate: tuple[str, ...]  # _AGGREGATE_NEEDS
    non_attack: tuple[str, ...]  # _NON_ATTACK_NEEDS
    background: tuple[str, ...]  # _BACKGROUND_NEEDS


_GATED = _Gates(
    _MASK_WORDS,
    _INCLUDING_NEEDS,
    _RECALLED_NEEDS,
    _AGGREGATE_NEEDS,
    _NON_ATTACK_NEEDS,
    _BACKGROUND_NEEDS,
)


def _gate_layout(first_bit: int) -> tuple[tuple, tuple]:
    """Where each pre-check's word parts sit in the run masks, and how an article's mask is
    read back into the needs it keeps.

    The parts take whole bytes of the mask from the first byte at or after ``first_bit``.
    Returns (per pre-check, its word parts and the bit of the first), and (per pre-check,
    its needs that have no word part, and per byte of its parts, (the byte's index, a table
    from the byte's value to the needs its parts keep)). Reading a byte is one index into
    ``mask.to_bytes``; no article pays a loop over all needs.
    """
    parts_at, readers = [], []
    byte = (first_bit + 7) // 8
    for needs in _GATED:
        by_part: dict[str | None, tuple[str, ...]] = {}
        for need in needs:
            part = _word_part(need)
            by_part[part] = (*by_part.get(part, ()), need)
        parts = tuple(p for p in by_part if p is not None)
        parts_at.append((parts, 8 * byte))
        chunks = []
        for c in range(0, len(parts), 8):
            chunk = parts[c : c + 8]
            table: list[tuple[str, ...]] = [()]
            for value in range(1, 1 << len(chunk)):
                # a value's needs: those of its lowest bit's part and of the other bits
                low = (value & -value).bit_length() - 1
                table.append(table[value & (value - 1)] + by_part[chunk[low]])
            chunks.append((byte + c // 8, tuple(table)))
        readers.append((by_part.get(None, ()), tuple(chunks)))
        byte += (len(parts) + 7) // 8
    return tuple(parts_at), tuple(readers)


_PART_BITS, _GATE_READERS = _gate_layout(1 + len(_STEM_KINDS))
_MASK_BYTES = _PART_BITS[-1][1] // 8 + (len(_PART_BITS[-1][0]) + 7) // 8


def _gates(mask: int | None) -> _Gates:
    """The _Gates of an article whose runs have the :func:`_runs_mask` ``mask`` (None: all
    needs may be there)."""
    if mask is None:
        return _GATED
    data = mask.to_bytes(_MASK_BYTES, "little")
    kept = []
    for always, chunks in _GATE_READERS:
        needs = always
        for at, table in chunks:
            value = data[at]
            if value:
                needs += table[value]
        kept.append(needs)
    return _Gates._make(kept)


def _by_first_character(stem_kinds: list[tuple[str, str]]) -> tuple[tuple, dict]:
    """The substrings a word run is tested for (the stems of ``stem_kinds``, then the word
    parts of _PART_BITS), each with the bits it sets, filed by first character: a run can
    only contain those that start with one of its characters (an empty one is always tried)."""
    bits: dict[str, int] = {}
    for i, (stem, _) in enumerate(stem_kinds, 1):
        bits[stem] = bits.get(stem, 0) | 1 << i
    for parts, first in _PART_BITS:
        for j, part in enumerate(parts, first):
            bits[part] = bits.get(part, 0) | 1 << j
    by_first: dict[str, list[tuple[str, int]]] = {}
    for sub, sets in bits.items():
        if sub:
            by_first.setdefault(sub[0], []).append((sub, sets))
    return tuple((s, b) for s, b in bits.items() if not s), {
        c: tuple(subs) for c, subs in by_first.items()
    }


_SUBSTRINGS = _by_first_character(_STEM_KINDS)


@functools.lru_cache(maxsize=100_000)
def _run_stems(run: str) -> int:
    """What one word run holds, as a bit mask: bit 0 when the run is one of _NOBODY_HURT_RUNS,
    bit ``i + 1`` when it contains the stem of ``_STEM_KINDS[i]``, and the bits of the word
    parts it contains of each pre-check (see _gate_layout; 0 for most runs).

    News reuses its words, so after a few articles nearly every run is cached and an article's
    stems cost one look-up per word. ``lru_cache`` is safe under threads (Dask workers score
    partitions in threads), unlike the plain dict this replaced, which one thread could clear
    while another read it; it holds at most 100,000 runs (about 9 MB). A run not seen before
    is tested only for the substrings that start with one of its characters.
    """
    mask = int(run in _NOBODY_HURT_RUNS)
    always, by_first = _SUBSTRINGS
    for _, bits in always:
        mask |= bits
    for c in set(run):
        for sub, bits in by_first.get(c, ()):
            if sub in run:
                mask |= bits
    return mask


def _runs_mask(runs: list[str]) -> int:
    """The union of the :func:`_run_stems` masks of a text's word runs (every stem and word
    part is made of word characters, so it occurs in the text only inside one run).

    The runs are looked up as they come, repeats and all: building a set of them first cost
    more than the look-ups it saved. The masks are mostly 0, so their set is tiny.
    """
    mask = 0
    for run_mask in set(map(_run_stems, runs)):
        mask |= run_mask
    return mask


def _mask_stems(mask: int) -> list[tuple[str, str]]:
    """The (stem, kind) pairs of the stem bits of a :func:`_runs_mask`, in _STEM_KINDS order."""
    pairs = []
    mask = (mask >> 1) & ((1 << len(_STEM_KINDS)) - 1)
    while mask:  # the set bits, lowest first
        bit = mask & -mask
        pairs.append(_STEM_KINDS[bit.bit_length() - 1])
        mask ^= bit
    return pairs


# the result of a text without casualties (read only; each text gets a copy)
_NO_COUNTS = MappingProxyType(
    dict.fromkeys(KINDS, 0)
    | dict.fromkeys(
        ("lead_killed", "lead_injured", "lead_abducted", "attack_killed", "n_kill_sents"), 0
    )
    | {"background_killed": 0, "none_reported": 0}
)


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
    res = _NO_COUNTS.copy()
    if not isinstance(text, str) or not text:
        return res
    folded = text.lower()
    # the runs are those of the folded text, unless lower-casing changed its length
    if len(folded) != len(text):
        folded, runs = _fold(text), None
    # the (stem, kind) pairs of the article, then of each sentence: no stem, no trigger
    if runs is None:
        res["none_reported"] = int(_says_nobody_hurt(folded))
        stems = [(stem, kind) for stem, kind in _STEM_KINDS if stem in folded]
        mask = None  # every need may be there
    else:
        mask = _runs_mask(runs)
        res["none_reported"] = int(bool(mask & 1) and _says_nobody_hurt(folded))
        stems = _mask_stems(mask)
    if not stems:
        return res
    gates = _gates(mask)
    # _fold keeps the length, so a sentence's folded text is a slice of the article's
    for j, (start, end) in enumerate(sentence_spans(text)):
        low = folded[start:end]
        present = [(stem, kind) for stem, kind in stems if stem in low]
        if not present:
            continue
        sent = text[start:end]
        counts = _sentence_counts(sent, low, present, gates)
        if not any(counts.values()):  # nothing to record, recalled or not
            continue
        if _recalls(low, gates):
            res["background_killed"] = max(res["background_killed"], counts["killed"])
            continue
        for kind in KINDS:
            res[kind] = max(res[kind], counts[kind])
            if j == 0:
                res["lead_" + kind] = counts[kind]
        if counts["killed"]:
            res["n_kill_sents"] += 1
            if not (any(map(low.__contains__, gates.non_attack)) and NON_ATTACK.search(low)):
                res["attack_killed"] = max(res["attack_killed"], counts["killed"])
    return res


def rule_level(counts: dict[str, int]) -> str:
    """The TAXONOMY casualty rule on parsed counts, for a text that reports a security event."""
    if counts["killed"] >= 10:
        return "critical"
    if counts["killed"] >= 1 or counts["injured"] >= 1 or counts["abducted"] >= 1:
        return "high"
    return "medium"
