"""The dense half of a filtered search, without Chroma's `where` where that is slow.

Chroma evaluates a metadata filter over the whole collection before its vector search: on
this 2-core machine a date range costs ~300 ms at 100k chunks whatever it keeps, against 6
ms unfiltered, and it grows with the collection (docs/benchmarks.md, "Filters at scale").
The BM25 index holds each chunk's day, outlet and article as arrays, so the filter is a mask
computed in milliseconds, and each chunk's embedding in int8 (vectorstore/lexical_build.py).
When the index matches the store (as many rows as chunks) the dense list is found:

- when the filter keeps at most `search.filter_vector_share` of the store: from the index's
  int8 vectors. The mask's rows are scored a block at a time, the best 2n by that score have
  their float vectors read from the store and ranked by exact cosine. The int8 score of a row
  is within the header's `residual` of its cosine, so a row left out can beat the n-th only
  if its int8 score is within that of the n-th cosine: those few (copies, near ties) are read
  and re-scored too, and the list is then the exact top n (ties in chunk id order);
- when it keeps more: an unfiltered query `n / share * filter_safety` deep (at most
  `filter_wide_limit`), ids and distances only, filtered by the mask; the int8 vectors when
  that came back short.

An index without vectors (an older version's file, rebuilt on the next open; or one built
while Chroma could not read the embeddings) ranks up to `filter_exact_limit` kept chunks by
their float vectors read by id, else tries the wide query, else asks Chroma's `where`. An
index of another count than the store's leaves every filter to Chroma's `where`.

An index behind the store (a large store's, while its rebuild runs beside the searches:
vectorstore/lexical_keeper.py) still answers a filter without `where` (3 s for a date range
at 1M chunks), in two parts: its own rows under its mask as above (a chunk deleted since has
no stored vector and drops out), and the chunks it does not hold, from an unfiltered query
as deep as the wide path's, read and matched against the filter. That query holds every
chunk nearer than its last; when its last is nearer than the n-th found, a new chunk could
be missing, and the filter goes to `where` after all (`behind_dense`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from vectorstore.config import SearchConfig
from vectorstore.lexical import LexicalIndex
from vectorstore.records import matches
from vectorstore.storage import ArticleStorage, Hit
from vectorstore.types import SearchFilters

# Rows dequantised and scored at a time: 512 x 384 float32 (0.8 MB) stays in the CPU cache
# between the conversion and the product, 2-3x faster than blocks of 8,192 (measured).
SCORE_BLOCK = 512
# Candidates re-scored exactly per chunk asked for; then at most this many more per chunk
# whose int8 score leaves doubt (a second read in about half the questions on the copy-heavy
# 100k bench store: docs/benchmarks.md).
FIRST, DOUBTS = 2, 32
# float32 rounding of an int8 score, on top of the quantisation residual.
ROUNDING = 1e-4


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
    rows = np.flatnonzero(allowed)
    if not len(rows):
        return []
    if index.has_vectors and len(rows) <= limits.filter_vector_share * len(allowed):
        return _hits(storage, _from_vectors(storage, index, vector, n, rows))
    if not index.has_vectors and len(rows) <= limits.filter_exact_limit:
        return _hits(storage, _top(_cosines(storage, index.chunk_ids(rows), vector), n))
    depth = math.ceil(n * len(allowed) / len(rows) * limits.filter_safety)
    if depth <= limits.filter_wide_limit:
        found = storage.nearest_ids(vector, depth, total)
        at = index.rows([cid for cid, _ in found])
        nearest = [hit for hit, row in zip(found, at, strict=True) if row >= 0 and allowed[row]]
        if len(nearest) >= min(n, len(rows)):
            return _hits(storage, nearest[:n])
    if index.has_vectors:
        return _hits(storage, _from_vectors(storage, index, vector, n, rows))
    return storage.dense_query(vector, n, filters, total)


def behind_dense(  # noqa: PLR0913 - as filtered_dense
    storage: ArticleStorage,
    index: LexicalIndex,
    vector: np.ndarray,
    n: int,
    filters: SearchFilters,
    allowed: np.ndarray,
    total: int,
    limits: SearchConfig | None = None,
) -> list[Hit]:
    """`filtered_dense` with an index of an earlier generation than the store's: `allowed`
    is its mask, of its rows as they were indexed (a chunk edited out of the filter since is
    dropped by the search, which matches every passage's stored metadata; one edited into it
    is missed until the rebuild lands)."""
    limits = limits or SearchConfig()
    if not index.has_vectors:
        return storage.dense_query(vector, n, filters, total)
    rows = np.flatnonzero(allowed)
    scored = dict(_from_vectors(storage, index, vector, n, rows)) if len(rows) else {}
    share = max(len(rows), 1) / max(len(allowed), 1)
    depth = min(max(n, math.ceil(n / share * limits.filter_safety)), limits.filter_wide_limit)
    found = storage.nearest_ids(vector, depth, total)
    at = index.rows([cid for cid, _ in found])
    unindexed = [hit for hit, row in zip(found, at, strict=True) if row < 0]
    read = storage.chunks_by_id([cid for cid, _ in unindexed])
    scored |= {c: sim for c, sim in unindexed if c in read and matches(read[c][1], filters)}
    nearest = _top(scored, n)
    # Every chunk nearer than the query's last is in it: the list is whole when the n-th
    # found is at least that near (or the query held the whole store). A deeper query was
    # tried and not kept: ids-only queries thousands deep cost seconds at 1M chunks.
    if len(found) < depth or (len(nearest) == n and nearest[-1][1] >= found[-1][1]):
        return _hits(storage, nearest)
    return storage.dense_query(vector, n, filters, total)


def _from_vectors(
    storage: ArticleStorage, index: LexicalIndex, vector: np.ndarray, n: int, rows: np.ndarray
) -> list[tuple[str, float]]:
    """The `n` of `rows` nearest `vector` by exact cosine, found through the int8 vectors:
    the best `FIRST * n` by int8 score are re-scored exactly; then every row left out whose
    int8 score is within the index's `residual` of the n-th cosine (copies of a chunk in the
    list, near ties) is re-scored too, which proves the list exact (at most `DOUBTS * n` of
    them: beyond, the list is the best of those read)."""
    approximate = int8_scores(index, _unit(vector), rows)
    m = min(FIRST * n, len(rows))
    picked = np.argpartition(-approximate, m - 1)[:m] if m < len(rows) else np.arange(m)
    scored = _cosines(storage, index.chunk_ids(rows[picked]), vector)
    nearest = _top(scored, n)
    if len(nearest) < n or m == len(rows):  # all read, or chunks deleted since the index
        return nearest
    left_out = np.ones(len(rows), dtype=bool)
    left_out[picked] = False
    doubtful = np.flatnonzero(
        left_out & (approximate >= nearest[-1][1] - index.residual - ROUNDING)
    )
    if len(doubtful):
        doubtful = doubtful[np.argsort(-approximate[doubtful], kind="stable")[: DOUBTS * n]]
        scored |= _cosines(storage, index.chunk_ids(rows[doubtful]), vector)
        nearest = _top(scored, n)
    return nearest


def int8_scores(index: LexicalIndex, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each row's cosine to the unit `query` from the index's int8 vectors (within the
    index's `residual`), a block of rows at a time so memory stays bounded."""
    codes, scales = index.vectors()
    scores = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), SCORE_BLOCK):
        at = rows[start : start + SCORE_BLOCK]
        scores[start : start + len(at)] = (codes[at].astype(np.float32) @ query) * scales[at]
    return scores


def _unit(vector: np.ndarray) -> np.ndarray:
    query = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(query))
    return query / norm if norm > 0 else query


def _cosines(
    storage: ArticleStorage, chunk_ids: Sequence[str], vector: np.ndarray
) -> dict[str, float]:
    """The cosine of each of these chunks' stored vectors (those still stored) to `vector`."""
    ids, vectors = storage.chunk_vectors(chunk_ids)
    if not ids:
        return {}
    query = np.asarray(vector, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1) * float(np.linalg.norm(query))
    similarity = (vectors @ query) / np.where(norms > 0, norms, 1.0)
    return dict(zip(ids, similarity.tolist(), strict=True))


def _top(scored: dict[str, float], n: int) -> list[tuple[str, float]]:
    """The `n` best, ties (copies of one text) in id order."""
    return sorted(scored.items(), key=lambda pair: (-pair[1], pair[0]))[:n]


def _hits(storage: ArticleStorage, nearest: list[tuple[str, float]]) -> list[Hit]:
    """Hits with text and metadata, read for these few ids; one deleted since is left out."""
    read = storage.chunks_by_id([cid for cid, _ in nearest])
    return [
        {"id": cid, "doc": read[cid][0], "meta": read[cid][1], "similarity": similarity}
        for cid, similarity in nearest
        if cid in read
    ]
