"""BM25 over chunk text: an index file beside Chroma, rebuilt from Chroma whenever Chroma
changes, read through memory maps so its size in memory does not grow with the text.

Dense embeddings blur numbers, names and rare words, which is what news questions hinge on;
BM25 catches them. Nothing here is a second source of truth: the index is rebuilt from the
chunks collection and thrown away freely. It keeps what ranking and filtering need (postings,
each row's chunk id, day, outlet and article, and its embedding in int8 for filtered dense
search) as arrays mapped from one file (vectorstore/lexical_file.py, built by
vectorstore/lexical_build.py); a hit's text and metadata are read from the store for the top
hits only.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np

from ingest.text.tokens import tokenize
from vectorstore.lexical_build import id_hash
from vectorstore.recency import day_number
from vectorstore.types import SearchFilters


class _Blob(Sequence[bytes]):
    """Variable-length byte strings in one mapped array, read one at a time."""

    def __init__(self, data: np.ndarray, offsets: np.ndarray) -> None:
        self.data, self.offsets = data, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override] - no slices needed
        return self.data[self.offsets[i] : self.offsets[i + 1]].tobytes()

    def many(self, rows: np.ndarray) -> list[bytes]:
        """Several at once, gathered by numpy a width at a time (ids mostly share one):
        75,000 ids in milliseconds, where one by one takes a third of a second."""
        starts = self.offsets[rows]
        widths = self.offsets[rows + 1] - starts
        found = [b""] * len(rows)
        for width in np.unique(widths).tolist():
            if not width:
                continue
            pick = np.flatnonzero(widths == width)
            block = self.data[starts[pick, None] + np.arange(width)]
            for i, value in zip(
                pick.tolist(), block.view(f"S{width}").ravel().tolist(), strict=True
            ):
                found[i] = value
        return found


class LexicalIndex:
    """A BM25 index over a snapshot of the chunks collection, tagged with its generation.
    Rows are chunks in the order the store listed them."""

    def __init__(
        self,
        generation: str,
        arrays: dict[str, np.ndarray],
        outlets: list[str],
        *,
        dimensions: int = 0,
        residual: float = 0.0,
    ) -> None:
        self.generation = generation
        self.arrays = arrays
        self.outlets = outlets
        # Each row's embedding in int8 (`vectors`), when the index was built with them.
        self.dimensions = dimensions
        self.residual = residual
        self._terms = _Blob(arrays["term_bytes"], arrays["term_offsets"])
        self._ids = _Blob(arrays["id_bytes"], arrays["id_offsets"])
        self._articles = _Blob(arrays["article_bytes"], arrays["article_offsets"])
        self._starts = arrays["term_starts"]

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def has_vectors(self) -> bool:
        return self.dimensions > 0 and len(self) > 0

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every row's int8 codes (rows x dimensions, mapped) and scale: codes times scale is
        the row's embedding scaled to length 1, within `residual`."""
        codes = self.arrays["vectors"].reshape(len(self), self.dimensions)
        return codes, self.arrays["vector_scales"]

    def chunk_id(self, row: int) -> str:
        return self._ids[row].decode("utf-8", "surrogatepass")

    def chunk_ids(self, rows: np.ndarray) -> list[str]:
        return [raw.decode("utf-8", "surrogatepass") for raw in self._ids.many(rows)]

    def article_ids(self, rows: np.ndarray) -> list[str]:
        """The article id of each of these rows' chunks."""
        articles = self._articles
        return [articles[i].decode("utf-8", "surrogatepass") for i in self.arrays["articles"][rows]]

    def rows(self, chunk_ids: Sequence[str]) -> np.ndarray:
        """The row of each chunk id, -1 for one the index does not hold."""
        encoded = [cid.encode("utf-8", "surrogatepass") for cid in chunk_ids]
        wanted = np.fromiter(map(id_hash, encoded), dtype=np.uint64, count=len(encoded))
        hashes = self.arrays["id_hashes"]
        at = np.minimum(np.searchsorted(hashes, wanted), max(len(hashes) - 1, 0))
        found = np.full(len(encoded), -1, dtype=np.int64)
        if not len(hashes):
            return found
        rows = self.arrays["id_hash_rows"][at]
        for i in np.flatnonzero(hashes[at] == wanted):  # a 64-bit hash may collide: compare
            if self._ids[rows[i]] == encoded[i]:
                found[i] = rows[i]
        return found

    def _term(self, token: str) -> int | None:
        key = token.encode("utf-8", "surrogatepass")
        i = bisect.bisect_left(self._terms, key)
        return i if i < len(self._terms) and self._terms[i] == key else None

    def scores(self, query: str) -> np.ndarray | None:
        """Every row's BM25 score for `query` (None when no word of it is indexed). Each
        query word adds its postings in query order, as bm25s does: the same sums."""
        terms = [t for t in map(self._term, tokenize(query)) if t is not None]
        if not terms or not len(self):
            return None
        scores = np.zeros(len(self), dtype=np.float32)
        rows, weights = self.arrays["posting_rows"], self.arrays["posting_weights"]
        for term in terms:
            start, end = int(self._starts[term]), int(self._starts[term + 1])
            scores[rows[start:end]] += weights[start:end]  # a word's rows are distinct
        return scores

    def top(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Rows and scores of the `n` best chunks; `allowed` is a boolean mask (filters)."""
        return self.top_many(query, n, [allowed])[0]

    def top_many(
        self, query: str, n: int, masks: Sequence[np.ndarray | None]
    ) -> list[list[tuple[int, float]]]:
        """`top` under each mask, scoring the query once (search asks the whole store and
        the fresh news)."""
        scores = self.scores(query)
        if scores is None:
            return [[] for _ in masks]
        return [_best(scores, n, allowed) for allowed in masks]

    def allowed(self, filters: SearchFilters) -> np.ndarray | None:
        """Rows within `filters` (None: every row), as records.build_where selects in Chroma."""
        if filters.is_empty():
            return None
        mask = np.ones(len(self), dtype=bool)
        if filters.sources:
            wanted = {s.casefold() for s in filters.sources}
            codes = [i for i, key in enumerate(self.outlets) if key in wanted]
            mask &= np.isin(self.arrays["outlets"], codes)
        if filters.published_after or filters.published_before:
            first = day_number(filters.published_after) if filters.published_after else 1
            last = day_number(filters.published_before) if filters.published_before else 2**31 - 1
            mask &= self.day_mask(first, last)
        if filters.exclude_articles:
            excluded = {a.encode("utf-8", "surrogatepass") for a in filters.exclude_articles}
            dropped = [i for i, a in enumerate(self._articles) if a in excluded]
            mask &= ~np.isin(self.arrays["articles"], dropped)
        return mask

    def day_mask(self, first: int, last: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Chunks published from day `first` to `last` (YYYYMMDD ints), within `allowed`;
        undated chunks (day 0) never."""
        days = self.arrays["days"]
        mask = (days >= max(first, 1)) & (days <= last)
        return mask if allowed is None else mask & allowed

    def newest_day(self) -> int:
        days = self.arrays["days"]
        return int(days.max()) if len(days) else 0

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency: how much finding `token` tells about a text."""
        term = self._term(token)
        df = 0 if term is None else int(self._starts[term + 1] - self._starts[term])
        return math.log(1.0 + (len(self) - df + 0.5) / (df + 0.5))


def _best(scores: np.ndarray, n: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    if allowed is not None:
        scores = np.where(allowed, scores, np.float32(0.0))
    n = min(n, len(scores))
    best = np.argpartition(-scores, n - 1)[:n]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [(int(i), float(scores[i])) for i in best if scores[i] > 0]
