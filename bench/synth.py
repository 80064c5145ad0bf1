"""Stores of 10k to 1M chunks without hours of encoding.

A base of real articles is embedded once; copies of those articles (title suffixed
"(copy N)", so a new content id, and no URL, so no replacement) then go through the normal
`ArticleStore.add_articles` path, with an embedder that returns the base chunk's vector plus
small Gaussian noise (sigma 0.02 per dimension, renormalised: cosine ~0.93 to the original),
so the HNSW graph sees distinct points of the real distribution. Chunking, metadata, Chroma
writes and the BM25 index are exactly what a real ingest makes.

    python -m bench.synth --chunks 10000 --data-dir /tmp/bench-10k
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.app import Newsdesk
from assistant.settings import Settings, load_settings
from bench.common import article_records
from ingest.chunking import chunk_article
from ingest.loaders.records import record_to_article
from ingest.types import Article
from vectorstore.records import embedding_text
from vectorstore.types import AddReport

BASE_ARTICLES = 120
SIGMA = 0.02


class NoisyCopies:
    """An embedder that looks vectors up by chunk text (title line dropped) and jitters them."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, by_body: dict[str, np.ndarray], query_embedder, seed: int = 7) -> None:
        self.by_body = by_body
        self.query_embedder = query_embedder
        self.rng = np.random.default_rng(seed)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        base = np.stack([self.by_body[t.split("\n", 1)[1]] for t in texts])
        noisy = base + self.rng.normal(0.0, SIGMA, base.shape).astype(np.float32)
        return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.query_embedder.embed_query(text)


def build_store(settings: Settings, chunks: int, *, log=print) -> Newsdesk:  # noqa: ANN001
    """Fill the store of `settings` up to about `chunks` chunks (reused when already there)."""
    settings = dataclasses.replace(settings, sample_corpus=False)
    app = Newsdesk(settings)
    if app.store.count_chunks() >= chunks * 0.98:
        return app
    started = time.perf_counter()
    copier = Copier(settings, app, log=log)
    # Counted once: Chroma's count reads the whole collection (~0.5 s at 1M chunks).
    have = copier.writer.store.count_chunks()
    while have < chunks:
        have += copier.add(chunks - have).chunks_written
        if copier.copy % 10 == 0:
            took, load = time.perf_counter() - started, os.getloadavg()[0]
            log(f"{have} chunks, {took:.0f}s, load {load:.1f}")
    took = time.perf_counter() - started
    log(f"store at {copier.writer.store.count_chunks()} chunks in {took:.0f}s")
    return app


class Copier:
    """Adds copies of the base articles to a store through `ArticleStore.add_articles`, one
    copy (every base article once, ~1,640 chunks) or part of one per `add`."""

    def __init__(self, settings: Settings, app: Newsdesk, *, log=print) -> None:  # noqa: ANN001
        self.settings = settings
        self.base = [record_to_article(r, "bench") for r in article_records(BASE_ARTICLES)]
        pairs = [(a, c) for a in self.base for c in chunk_article(a, settings.ingest.chunking)]
        self.chunks_per_copy = len(pairs)
        started = time.perf_counter()
        # The base vectors are kept beside the stores: every size and kind reuses them.
        saved = settings.data_dir.parent / f"base-{BASE_ARTICLES}-{settings.embedder.backend}.npy"
        if saved.is_file():
            vectors = np.load(saved)
        else:
            vectors = app.embedder.embed_documents([embedding_text(a, c) for a, c in pairs])
            saved.parent.mkdir(parents=True, exist_ok=True)
            np.save(saved, vectors)
            log(f"embedded {len(pairs)} base chunks in {time.perf_counter() - started:.0f}s")
        by_body = {c.text: v for (_, c), v in zip(pairs, vectors, strict=True)}
        # A store built earlier at a smaller size grows from where it stopped: copy numbers go
        # on, and the noise is seeded afresh so no vector repeats one made in the earlier run.
        self.copy = app.store.count_chunks() // len(pairs)
        self.writer = Newsdesk(
            settings, embedder=NoisyCopies(by_body, app.embedder, seed=7 + self.copy)
        )

    def add(self, most: int) -> AddReport:
        """Add the next copy, or as many of its articles as make up `most` chunks."""
        batch = [
            # id="": a new content id from the new title (replace would keep the old one).
            dataclasses.replace(a, title=f"{a.title} (copy {self.copy})", url=None, id="")
            if self.copy
            else a
            for a in self.base
        ]
        if most < self.chunks_per_copy:  # the last copy: just enough articles
            batch = _first_articles(batch, most, self.settings)
        report = self.writer.store.add_articles(batch)
        if not report.added and self.copy:
            raise RuntimeError("copies were not added: the store would never grow")
        self.copy += 1
        return report


def _first_articles(articles: list[Article], chunks: int, settings: Settings) -> list[Article]:
    taken, total = [], 0
    for article in articles:
        if total >= chunks:
            break
        taken.append(article)
        total += len(chunk_article(article, settings.ingest.chunking))
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args()
    build_store(load_settings(overrides={"data_dir": args.data_dir}), args.chunks)


if __name__ == "__main__":
    main()
