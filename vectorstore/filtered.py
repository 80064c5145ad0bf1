"""The dense half of a filtered search, without Chroma's `where` where that is slow.

Chroma evaluates a metadata filter over the whole collection before its vector search: on
this 2-core machine a date range costs ~300 ms at 100k chunks whatever it keeps (a week
that keeps nothing: 200 ms), against 6 ms unfiltered, and it grows with the collection
(docs/benchmarks.md, "Filters at scale"). The BM25 index already holds each chunk's day,
outlet and article as arrays, so the filter is a mask computed in milliseconds; the dense
list is then found one of three ways, by how many chunks the mask keeps:

- few (<= `search.filter_exact_limit`): their vectors are read by id and ranked exactly
  (cosine);
- enough that an unfiltered query `n / share * filter_safety` deep holds `n` of them (<=
  `filter_wide_limit` deep): ids and distances only (cheap: 40 ms for 10,000 at 100k),
  filtered by the mask;
- otherwise, or when the wide query came back short: Chroma's query restricted to the
  mask's chunk ids (looked up by key: 23 ms for 7,500 ids at 100k, where the same `where`
  took 480 ms), and beyond `filter_among_limit` ids Chroma's own `where`, as before.
"""

from __future__ import annotations

import math

import numpy as np

from vectorstore.config import SearchConfig
from vectorstore.lexical import LexicalIndex
from vectorstore.storage import ArticleStorage, Hit
from vectorstore.types import SearchFilters


def filtered_dense(  # noqa: PLR0913 - what a filtered dense query needs, spelled out
    storage: ArticleStorage,
    index: LexicalIndex,
    vector: np.ndarray,
    n: int,
    filters: SearchFilters,
    allowed: np.ndarray | None,
    total: int,
    limits: SearchConfig | None = None,
) -> list[Hit]:
    """The `n` chunks nearest `vector` within `filters` (`allowed`: the index's mask of
    them, at the store's current generation), nearest first; `limits`: the `filter_*`
    settings that choose the way."""
    limits = limits or SearchConfig()
    if allowed is None or len(index) != total:  # no filter, or an index of another count
        return storage.dense_query(vector, n, filters, total)
    kept = int(np.count_nonzero(allowed))
    if kept == 0:
        return []
    if kept <= limits.filter_exact_limit:
        return _hits(storage, _exact(storage, index, vector, n, allowed))
    depth = math.ceil(n * len(allowed) / kept * limits.filter_safety)
    if depth <= limits.filter_wide_limit:
        found = storage.nearest_ids(vector, depth, total)
        rows = index.rows([cid for cid, _ in found])
        nearest = [hit for hit, row in zip(found, rows, strict=True) if row >= 0 and allowed[row]]
        if len(nearest) >= min(n, kept):
            return _hits(storage, nearest[:n])
    if kept <= limits.filter_among_limit:
        return storage.dense_among(vector, n, index.chunk_ids(np.flatnonzero(allowed)))
    return storage.dense_query(vector, n, filters, total)


def _exact(
    storage: ArticleStorage, index: LexicalIndex, vector: np.ndarray, n: int, allowed: np.ndarray
) -> list[tuple[str, float]]:
    ids, vectors = storage.chunk_vectors(index.chunk_ids(np.flatnonzero(allowed)))
    if not ids:
        return []
    query = np.asarray(vector, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1) * float(np.linalg.norm(query))
    similarity = (vectors @ query) / np.where(norms > 0, norms, 1.0)
    best = np.argsort(-similarity, kind="stable")[:n]
    return [(ids[i], float(similarity[i])) for i in best]


def _hits(storage: ArticleStorage, nearest: list[tuple[str, float]]) -> list[Hit]:
    """Hits with text and metadata, read for these few ids; one deleted since is left out."""
    read = storage.chunks_by_id([cid for cid, _ in nearest])
    return [
        {"id": cid, "doc": read[cid][0], "meta": read[cid][1], "similarity": similarity}
        for cid, similarity in nearest
        if cid in read
    ]
