"""Place-tagging accuracy on the starter corpus, against its hand-labelled country and region.

    python benchmarks/places.py

The tagger sees only the title and body (the corpus's own country column is dropped first).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, machine, markdown_table, write_section  # noqa: E402

from riskclf.places import Gazetteer  # noqa: E402
from riskclf.schema import get_texts  # noqa: E402


def main() -> None:
    corpus = pd.read_csv(ROOT / "data" / "starter_corpus.csv", dtype=str, keep_default_na=False)
    texts = get_texts(corpus.drop(columns=["country", "region"])).tolist()
    gazetteer = Gazetteer.default()
    started = time.perf_counter()
    tags = gazetteer.tag_many(texts)
    seconds = time.perf_counter() - started
    corpus["tag_country"] = [t.country for t in tags]
    corpus["tag_region"] = [t.region for t in tags]
    rows = []
    for split in ("train", "test"):
        part = corpus[corpus["split"] == split]
        rows.append(
            [
                split,
                len(part),
                f"{100 * (part.tag_country == part.country).mean():.1f}",
                f"{100 * (part.tag_region == part.region).mean():.1f}",
                int((part.tag_country == "").sum()),
            ]
        )
    wrong = corpus[corpus.tag_country != corpus.country]
    misses = "; ".join(
        f"{r.id}: {r.country} tagged {r.tag_country or '(none)'}" for r in wrong.itertuples()
    )
    table = markdown_table(
        ["split", "articles", "country accuracy %", "region accuracy %", "no place found"], rows
    )
    print(table)
    print(misses)
    write_section(
        "places",
        "## Place tagging\n\n"
        f"Machine: {machine()}.\n\nCommand: `python benchmarks/places.py` (the tagger reads only "
        "title + body; the corpus's country/region columns are the reference).\n\n"
        + table
        + f"\n\nTagging speed: {len(texts) / seconds:,.0f} articles/s on one core.\n\n"
        f"All disagreements: {misses or 'none'}.\n\n"
        "Caveat: the gazetteer's South Asian and conflict-zone towns were curated while looking "
        "at the place names of the whole corpus (both splits), so these numbers are optimistic "
        "for text about places the corpus does not mention. Hong Kong is its own ISO 3166 "
        "entry, so a Hong Kong story the corpus labels China counts as a miss.\n",
    )


if __name__ == "__main__":
    main()
