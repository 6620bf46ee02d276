"""Place-tagging accuracy on real reporting and on the starter corpus.

    python benchmarks/places.py [--no-write]

- **SATP Maoist India** (``../shared/datasets/satp_maoist_india``): hand-coded incident summaries
  whose ``state`` and ``district`` columns are the reference. Nothing is trained on them, so all
  splits are reported (``split_time``: train 2005–2013, dev 2014, test 2015–2016); names were
  never curated from any of them, and error analysis used train and dev only.
- **satp_all** (``../shared/datasets/satp_conflibert``): rows whose ``country_heuristic`` (a
  keyword vote, not a source label) names one country — a weak reference.
- **The starter corpus**: its hand-labelled country and region.

The tagger sees only the text (title + body for the corpus). A state or district counts as
right when it is the same unit as the reference, whatever the spelling: the reference name is
looked up in the gazetteer among the units of that kind in the reference state, and spellings
are also compared with :func:`riskclf.gazetteer.loose_key` ("Sundergarh" = "Sundargarh").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, best_of, machine, markdown_table, write_section  # noqa: E402

from riskclf.gazetteer import loose_key  # noqa: E402
from riskclf.places import Gazetteer, _fold  # noqa: E402
from riskclf.schema import get_texts  # noqa: E402
from riskclf.tokens import word_runs  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
MAOIST = DATASETS / "satp_maoist_india" / "satp_maoist_india.csv"
SATP_ALL = DATASETS / "satp_conflibert" / "satp_all"


def _names_of(gazetteer: Gazetteer, name: str, kind: str, state: str = "") -> set[str]:
    """The units of ``kind`` (in ``state``) that ``name`` names in the gazetteer."""
    found = set()
    for place in gazetteer.lookup(name.replace("-", " ")):
        if place.country_code != "IN" or (state and _fold(place.admin1) != _fold(state)):
            continue
        if kind == "admin1" and place.kind == "admin1":
            found.add(_fold(place.admin1))
        elif kind == "admin2" and place.kind == "admin2":
            found.add(_fold(place.admin2))
        elif kind == "admin2" and place.kind == "city":
            found.add(_fold(place.name))  # "Khunti district", named after its town
    return found


def same_unit(
    gazetteer: Gazetteer, reference: str, tagged: str, kind: str, state: str = ""
) -> bool:
    """Whether ``tagged`` is the unit the reference names (see the module docstring)."""
    if not tagged or not isinstance(reference, str) or not reference.strip():
        return False
    ref = reference.strip()
    if _fold(ref) == _fold(tagged) or loose_key(ref) == loose_key(tagged):
        return True
    return _fold(tagged) in _names_of(gazetteer, ref, kind, state)


def maoist_rows(gazetteer: Gazetteer) -> list[list]:
    frame = pd.read_csv(MAOIST, dtype=str, keep_default_na=False)
    tags = [gazetteer.tag(t) for t in frame["text"]]
    frame["tag_country"] = [t.country for t in tags]
    frame["tag_admin1"] = [t.admin1 for t in tags]
    frame["tag_admin2"] = [t.admin2 for t in tags]
    frame["state_ok"] = [
        same_unit(gazetteer, r.state, r.tag_admin1, "admin1") for r in frame.itertuples()
    ]
    frame["district_ok"] = [
        same_unit(gazetteer, r.district, r.tag_admin2, "admin2", r.state)
        for r in frame.itertuples()
    ]
    rows = []
    for split in ("train", "dev", "test"):
        part = frame[frame["split_time"] == split]
        rows.append(
            [
                f"SATP Maoist India, {split}",
                len(part),
                f"{100 * (part.tag_country == 'India').mean():.1f}",
                f"{100 * part.state_ok.mean():.1f}",
                f"{100 * part.district_ok.mean():.1f}",
                f"{100 * (part.tag_country == '').mean():.1f}",
            ]
        )
    return rows


def satp_all_rows(gazetteer: Gazetteer) -> list[list]:
    frames = [pd.read_csv(SATP_ALL / f"{s}.csv", dtype=str) for s in ("train", "dev", "test")]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[~frame["country_heuristic"].isin(["unknown", "ambiguous"])]
    tagged = [gazetteer.tag(t).country for t in frame["text"]]
    frame = frame.assign(tag_country=tagged)
    return [
        [
            "satp_all, one-country rows (weak reference)",
            len(frame),
            f"{100 * (frame.tag_country == frame.country_heuristic).mean():.1f}",
            "–",
            "–",
            f"{100 * (frame.tag_country == '').mean():.1f}",
        ]
    ]


def corpus_rows(gazetteer: Gazetteer) -> tuple[list[list], str, float]:
    corpus = pd.read_csv(ROOT / "data" / "starter_corpus.csv", dtype=str, keep_default_na=False)
    texts = get_texts(corpus.drop(columns=["country", "region"])).tolist()
    runs = word_runs(texts)  # as score_frame hands them over
    tags = [gazetteer.tag(t, r) for t, r in zip(texts, runs, strict=True)]
    seconds = best_of(lambda: [gazetteer.tag(t, r) for t, r in zip(texts, runs, strict=True)])
    speed = 1e6 * seconds / len(texts)
    corpus["tag_country"] = [t.country for t in tags]
    corpus["tag_region"] = [t.region for t in tags]
    rows = []
    # the first 660 long articles (ids pk/in/sa/me/af/ww) are the rows the starter target
    # was set on; the short voices added since (logs, headlines, ...) often name no place at all
    first = corpus["id"].str.match(r"(?:pk|in|sa|me|af|ww)-")
    parts = [(f"starter corpus, {split}", corpus["split"] == split) for split in ("train", "test")]
    parts.append(("starter corpus, test, first 660 articles", first & (corpus["split"] == "test")))
    parts.append(("starter corpus, test, short voices", ~first & (corpus["split"] == "test")))
    for name, keep in parts:
        part = corpus[keep]
        rows.append(
            [
                f"{name} (country / region %)",
                len(part),
                f"{100 * (part.tag_country == part.country).mean():.1f} / "
                f"{100 * (part.tag_region == part.region).mean():.1f}",
                "–",
                "–",
                f"{100 * (part.tag_country == '').mean():.1f}",
            ]
        )
    wrong = corpus[corpus.tag_country != corpus.country]
    misses = "; ".join(
        f"{r.id}: {r.country} tagged {r.tag_country or '(none)'}" for r in wrong.itertuples()
    )
    return rows, misses, speed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true", help="do not update docs")
    args = parser.parse_args()
    gazetteer = Gazetteer.default()
    rows = []
    if MAOIST.exists():
        rows += maoist_rows(gazetteer)
    else:
        print(f"skipped SATP Maoist India: {MAOIST} not found", file=sys.stderr)
    if SATP_ALL.exists():
        rows += satp_all_rows(gazetteer)
    else:
        print(f"skipped satp_all: {SATP_ALL} not found", file=sys.stderr)
    corpus, misses, speed = corpus_rows(gazetteer)
    rows += corpus
    table = markdown_table(
        ["data", "articles", "country %", "state %", "district %", "no place found %"], rows
    )
    print(table)
    print(f"starter corpus disagreements: {misses}")
    if args.no_write:
        return
    write_section(
        "places",
        "## Place tagging\n\n"
        f"Machine: {machine()}.\n\nCommand: `python benchmarks/places.py` (the tagger reads only "
        "the text; the datasets' own place columns are the reference; a state or district is "
        "right when it is the same unit, whatever the spelling — see the script's docstring)."
        "\n\n" + table + f"\n\nTagging time on the starter corpus (whole articles, word runs "
        f"found beforehand as score_frame does; best of 3): {speed:,.1f} µs per article on one "
        f"core. `python benchmarks/stages.py` times it on `bench-data` articles.\n\n"
        f"Starter-corpus disagreements: {misses or 'none'}.\n\n"
        "Reading (from error analysis on the SATP train and dev rows only): the country "
        "misses are mostly articles naming only villages the gazetteer lacks, or a person's "
        'or group\'s name that is also another name of a foreign town ("Markam", '
        '"Praja"); the rules that answer them (strays by state and by another name, no '
        "dateline weight for merely early words, a name with its unit word never a stray) "
        "were chosen on train and dev, and test was scored once for the final rules. The state "
        "misses are mostly district names two states share, with no other place in the text, "
        "where the more populous reading wins (Bijapur, Aurangabad), and, before 2014, "
        "districts GeoNames now files under Telangana.\n\n"
        "Caveats: the SATP rows were never used to curate names (error analysis looked at "
        "train and dev only, and fixed mechanisms, not rows); the satp_all reference is a "
        "keyword vote. The starter corpus's Hong Kong stories are labelled China, but Hong "
        "Kong is its own ISO 3166 entry, so they count as misses. The starter corpus grew to "
        f"{len(corpus):,} rows with terser voices (logs, headlines, press notes; issue 13), many "
        "naming no place or only places GeoNames lacks: the issue's starter target (country "
        ">= 98, region >= 99) was set on the first 660 articles, scored apart above.\n",
    )


if __name__ == "__main__":
    main()
