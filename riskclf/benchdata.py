"""Make large benchmark inputs by resampling and recombining sentences of a corpus.

The articles are nonsense as news (sentences from different reports side by side) but have the
vocabulary, length and punctuation of real input, so anyone can reproduce the throughput numbers
in ``docs/benchmarks.md`` without a private archive.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

from riskclf.schema import get_texts

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def corpus_sentences(corpus: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Return (titles, sentences) of a corpus with a title/body or text column."""
    texts = get_texts(corpus.drop(columns=["title"], errors="ignore"))
    sentences = [s.strip() for t in texts for s in _SENTENCE_RE.split(t) if len(s.split()) > 3]
    titles = corpus["title"].tolist() if "title" in corpus.columns else sentences
    return titles, sentences


def iter_bench_frames(
    corpus: pd.DataFrame, n: int, *, seed: int = 0, chunk_rows: int = 10_000
) -> Iterator[pd.DataFrame]:
    """Yield ``n`` synthetic articles in chunks: ``id``, ``date``, ``title``, ``body``.

    Each body joins 3–9 sentences drawn at random from the corpus; the seed fixes the output.
    """
    titles, sentences = corpus_sentences(corpus)
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", "2026-10-31", freq="D").strftime("%Y-%m-%d").to_numpy()
    made = 0
    while made < n:
        size = min(chunk_rows, n - made)
        lengths = rng.integers(3, 10, size=size)
        picks = rng.integers(0, len(sentences), size=int(lengths.sum()))
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        bodies = [
            " ".join(sentences[j] for j in picks[bounds[i] : bounds[i + 1]]) for i in range(size)
        ]
        yield pd.DataFrame(
            {
                "id": [f"bench-{made + i + 1}" for i in range(size)],
                "date": dates[rng.integers(0, len(dates), size=size)],
                "title": [titles[j] for j in rng.integers(0, len(titles), size=size)],
                "body": bodies,
            }
        )
        made += size
