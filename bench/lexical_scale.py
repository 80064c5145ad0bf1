"""The BM25 index alone at sizes a store takes hours to reach: build, disk, memory, ranking.

    python -m bench.lexical_scale --chunks 1000000 --questions 30

The chunks are bench.synth's, made without Chroma: the real base articles chunked as ingest
chunks them, then copies titled "(copy N)" with their own article ids, the metadata of a
real write (vectorstore/records.chunk_metadata). They stream into the index build
(vectorstore/lexical_build.py) as Chroma's pages would, each with a 384-d embedding (one
random vector per base chunk, its copies the same plus a little noise, as copies embed).
Reported: build time and the process's peak memory while building, bytes on disk a chunk,
the time to open the file (its checksum pass), memory after opening and after the searches,
and per filter (none, a date range and an outlet: bench.scale's choice) the BM25 ranking's
p50/p95, the mask included, and the int8 scoring of the kept rows that a filtered dense
search does (vectorstore/filtered.py; not the two reads from Chroma that follow it).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.settings import load_settings
from bench.common import article_records, percentile, print_header, questions, taking_turns
from bench.scale import pick_filters
from bench.serve import rss_mb
from bench.synth import BASE_ARTICLES
from ingest.chunking import chunk_article
from ingest.loaders.records import record_to_article
from vectorstore.filtered import int8_scores
from vectorstore.lexical_cache import build_index, load_index
from vectorstore.records import chunk_metadata


def synthetic_rows(chunks: int) -> Iterator[tuple[str, str, dict, np.ndarray]]:
    """(chunk id, text, metadata, embedding) of `chunks` chunks: base articles, then numbered
    copies."""
    chunking = load_settings(environ={}).ingest.chunking
    base = [record_to_article(r, "bench") for r in article_records(BASE_ARTICLES)]
    pairs = [(a, c) for a in base for c in chunk_article(a, chunking)]
    rng = np.random.default_rng(21)
    vectors = rng.normal(size=(len(pairs), 384)).astype(np.float32)
    made, copy = 0, 0
    while True:
        noise = rng.normal(scale=0.05, size=vectors.shape).astype(np.float32) if copy else 0
        for (article, chunk), vector in zip(pairs, vectors + noise, strict=True):
            if made >= chunks:
                return
            if copy:
                article = dataclasses.replace(article, title=f"{article.title} (copy {copy})")
            meta = chunk_metadata(article, chunk) | {"article_id": f"{article.id}-{copy}"}
            yield f"{meta['article_id']}:{chunk.index}", chunk.text, meta, vector
            made += 1
        copy += 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None, help="where the file goes [a temp dir]")
    args = parser.parse_args(argv)
    asked = questions(args.questions)
    print_header("BM25 index at scale", {"chunks": args.chunks, "questions": len(asked)})
    folder = args.dir or Path(tempfile.mkdtemp(prefix="newsdesk-lexical-"))
    path = folder / "bm25.idx"
    before = rss_mb_self()[0]
    started = time.perf_counter()
    build_index(synthetic_rows(args.chunks), "bench", path)
    built, peak = time.perf_counter() - started, rss_mb_self()[1]
    started = time.perf_counter()
    index = load_index(path, "bench")
    opened = time.perf_counter() - started
    after_open = rss_mb_self()[0]
    size = path.stat().st_size
    print(f"\nbuilt in {built:.0f} s (process RSS {before:.0f} MB before, peak {peak:.0f} MB); "
          f"{size / 1e6:.0f} MB on disk, {size / args.chunks:.0f} bytes a chunk; "
          f"opened in {opened:.2f} s (RSS {after_open:.0f} MB)")  # fmt: skip
    filters = pick_filters(index)
    took: dict[str, list[float]] = {name: [] for name in filters}
    scored: dict[str, list[float]] = {name: [] for name in filters}
    n = load_settings(environ={}).search.candidates
    rng = np.random.default_rng(0)
    for i, q in enumerate(asked):
        for name, f in taking_turns(list(filters.items()), i):
            started = time.perf_counter()
            allowed = index.allowed(f)
            index.top(q, n, allowed)
            took[name].append((time.perf_counter() - started) * 1000)
            if allowed is None:  # an unfiltered search asks Chroma's HNSW, never these
                continue
            query = rng.normal(size=384).astype(np.float32)
            started = time.perf_counter()
            int8_scores(index, query / np.linalg.norm(query), np.flatnonzero(allowed))
            scored[name].append((time.perf_counter() - started) * 1000)
    print(f"RSS after the searches: {rss_mb_self()[0]:.0f} MB\n")
    print("| filter | keeps | BM25 p50 | p95 | int8 scores p50 | p95 |\n|---|---|---|---|---|---|")
    for name, ms in took.items():
        mask = index.allowed(filters[name])
        keeps = 1.0 if mask is None else mask.mean()
        cells = [
            f"{percentile(t, p):.1f} ms" if t else "-" for t in (ms, scored[name]) for p in (50, 95)
        ]
        print(f"| {name} | {keeps:.1%} | " + " | ".join(cells) + " |")


def rss_mb_self() -> tuple[float, float]:
    import os

    return rss_mb(os.getpid())


if __name__ == "__main__":
    main()
