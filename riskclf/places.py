"""Place tagging: which countries an article concerns, and where its events happen.

Names come from pycountry (every ISO 3166 country) plus the project's curated gazetteer
(``resources/places.csv``: aliases, demonyms, capitals, and for South Asia the provinces, states,
districts and cities). Matching looks token n-grams up in a dictionary, so it costs a few dict
look-ups per word whatever the gazetteer's size.

The main country is where the reported events happen, not where the actors come from: a place
("in Karachi", "near Quetta") is stronger evidence than a country name, which is stronger than a
demonym ("Chinese engineers"); a dateline and a preposition of place ("in", "near", "to") add
weight. An article with no place gets an empty country, never a guess.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import compress, count

from riskclf.config import LABEL_SEPARATOR
from riskclf.tokens import RUN_RE, word_runs

# Evidence weights per kind of name.
WEIGHTS = {
    "city": 3.0,
    "division": 3.0,
    "capital": 2.5,
    "country": 2.0,
    "alias": 2.0,
    "demonym": 1.0,
}
PLACE_PREPOSITION_BONUS = 1.5
DATELINE_BONUS = 3.0
DATELINE_TOKENS = 8
_PREPOSITIONS = frozenset(
    {"in", "near", "at", "to", "across", "inside", "outside", "into", "around"}
)
MAX_NAME_TOKENS = 6

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


NO_PLACE = PlaceTag("", "", "", "")


def _fold(text: str) -> str:
    """Lower-case and strip accents so "Bogotá" and "Bogota" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _tokens(text: str) -> list[str]:
    """Word tokens of ``text`` as written."""
    return RUN_RE.findall(text)


@dataclass(frozen=True)
class _Entry:
    codes: tuple[str, ...]
    kind: str
    surface: tuple[str, ...] | None  # the exact tokens when the name is case-sensitive


class Gazetteer:
    """A dictionary from place names to country codes, with the region of each code.

    Parameters
    ----------
    names : iterable of (name, codes, kind, case_sensitive)
        ``codes`` is a tuple of ISO alpha-2 codes (several when the name is ambiguous).
    regions : dict
        ISO alpha-2 code → region name.
    display : dict
        ISO alpha-2 code → the country name to output.
    """

    def __init__(
        self,
        names: Iterable[tuple[str, tuple[str, ...], str, bool]],
        regions: dict[str, str],
        display: dict[str, str],
    ) -> None:
        self.regions = regions
        self.display = display
        self._lookup: dict[tuple[str, ...], list[_Entry]] = defaultdict(list)
        # The same names as a trie of folded tokens, node = [entries, children]: most tokens
        # start no name (one look-up rules them out) and a name is followed token by token.
        self._trie: dict[str, list] = {}
        for name, codes, kind, case_sensitive in names:
            raw = tuple(_tokens(name))
            key = tuple(_fold(t) for t in raw)
            if not key or len(key) > MAX_NAME_TOKENS:
                continue
            # Very short names ("US", "KP") are only trusted as written.
            exact = case_sensitive or len("".join(key)) <= 3
            entry = _Entry(codes, kind, raw if exact else None)
            if entry not in self._lookup[key]:
                self._lookup[key].append(entry)
            children = self._trie
            for token in key:
                node = children.setdefault(token, [[], {}])
                children = node[1]
            node[0] = self._lookup[key]

    @classmethod
    @functools.cache
    def default(cls) -> Gazetteer:
        """The gazetteer of pycountry names plus the shipped ``places.csv`` (loaded once)."""
        import pycountry

        regions = _read_regions()
        display: dict[str, str] = {}
        names: list[tuple[str, tuple[str, ...], str, bool]] = []
        for country in pycountry.countries:
            code = country.alpha_2
            display[code] = DISPLAY_NAMES.get(
                code, getattr(country, "common_name", None) or country.name
            )
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if value:
                    names.append((value, (code,), "country", False))
            names.append((display[code], (code,), "country", False))
        display.setdefault("XK", DISPLAY_NAMES["XK"])
        for row in _read_places():
            codes = tuple(c.strip() for c in row["country_code"].split(LABEL_SEPARATOR))
            kind = row["kind"].strip()
            names.append((row["name"], codes, kind, row.get("case_sensitive", "") == "1"))
            if kind == "demonym":
                names.append((row["name"] + "s", codes, kind, row.get("case_sensitive") == "1"))
        return cls(names, regions, display)

    def tag(self, text: str, runs: list[str] | None = None) -> PlaceTag:
        """Return the places of one article (``NO_PLACE`` when it names none); ``runs``, if
        given, is its :func:`riskclf.tokens.word_runs`."""
        folded = runs if runs is not None else word_runs([text])[0]
        raw = None  # the tokens as written, only needed for case-sensitive names
        if not "".join(folded).isascii():  # accents to strip: fold token by token
            raw = _tokens(text)
            folded = [t.lower() if t.isascii() else _fold(t) for t in raw]
        scores: dict[str, float] = defaultdict(float)
        first_seen: dict[str, int] = {}
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
            for n, entries in reversed(names):  # the longest usable name wins
                if raw is None and any(e.surface is not None for e in entries):
                    raw = _tokens(text)
                usable = [
                    e for e in entries if e.surface is None or e.surface == tuple(raw[i : i + n])
                ]
                if not usable:
                    continue
                entry = max(usable, key=lambda e: WEIGHTS.get(e.kind, 1.0))
                weight = WEIGHTS.get(entry.kind, 1.0)
                if entry.kind != "demonym":
                    if i > 0 and folded[i - 1] in _PREPOSITIONS:
                        weight += PLACE_PREPOSITION_BONUS
                    if i < DATELINE_TOKENS:
                        weight += DATELINE_BONUS
                for code in entry.codes:
                    scores[code] += weight / len(entry.codes)
                    first_seen.setdefault(code, i)
                resume = i + n
                break
        if not scores:
            return NO_PLACE
        ranked = sorted(scores, key=lambda c: (-scores[c], first_seen[c]))
        best = ranked[0]
        return PlaceTag(
            country=self.display.get(best, best),
            country_code=best,
            region=self.regions.get(best, ""),
            countries=LABEL_SEPARATOR.join(self.display.get(c, c) for c in ranked),
        )

    def tag_many(self, texts: Sequence[str]) -> list[PlaceTag]:
        """Tag each text."""
        return [self.tag(t) for t in texts]

    def lookup_country(self, name: str) -> tuple[str, str]:
        """Return (code, region) for a country name or alias as written in a table, or ("", "")."""
        entries = self._lookup.get(tuple(_fold(t) for t in _tokens(name)), [])
        for entry in entries:
            if entry.kind in ("country", "alias") and len(entry.codes) == 1:
                code = entry.codes[0]
                return code, self.regions.get(code, "")
        return "", ""


def _resource_rows(name: str) -> list[dict[str, str]]:
    """Rows of a CSV shipped in ``riskclf/resources``."""
    text = resources.files("riskclf").joinpath("resources", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _read_regions() -> dict[str, str]:
    return {row["country_code"]: row["region"] for row in _resource_rows("regions.csv")}


def _read_places() -> list[dict[str, str]]:
    return _resource_rows("places.csv")


def tag_places(texts: Sequence[str]) -> list[PlaceTag]:
    """Tag each text with the default gazetteer."""
    return Gazetteer.default().tag_many(texts)
