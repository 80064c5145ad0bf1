"""BM25 over chunk text: a cache beside Chroma, rebuilt from Chroma whenever Chroma changes
(kept on disk between processes by vectorstore/lexical_cache.py).

Dense embeddings blur numbers, names and rare words, which is what news questions hinge on;
BM25 catches them. Nothing here is a second source of truth: the index is rebuilt from the
chunks collection and thrown away freely.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest.text.tokens import tokenize

# bm25s keeps its index as one sparse matrix (CSC): scores, row numbers, column starts.
SCORE_ARRAYS = ("data", "indices", "indptr")


@dataclass
class SavedParts:
    """A LexicalIndex as plain data: what the on-disk cache holds."""

    generation: str
    chunk_ids: list[str]
    metadatas: list[dict]
    documents: list[str]
    scores: dict[str, np.ndarray]
    vocab: dict[str, int]
    document_frequency: dict[str, int]


@dataclass
class LexicalIndex:
    """A BM25 index over a snapshot of the chunks collection, tagged with its generation."""

    generation: str
    chunk_ids: list[str]
    metadatas: list[dict]
    documents: list[str]

    def __post_init__(self) -> None:
        import bm25s

        self._bm25 = bm25s.BM25()
        corpus = [
            tokenize(f"{meta.get('title', '')}\n{doc}")
            for meta, doc in zip(self.metadatas, self.documents, strict=True)
        ]
        self._init_lookups(Counter(t for tokens in corpus for t in set(tokens)))
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def _init_lookups(self, document_frequency: Counter[str]) -> None:
        self._position = {cid: i for i, cid in enumerate(self.chunk_ids)}
        self._days: np.ndarray | None = None
        self._document_frequency = document_frequency

    @classmethod
    def restore(cls, parts: SavedParts) -> LexicalIndex:
        """The index from parts saved by `saved_parts` (vectorstore/lexical_cache.py checks
        them first), without tokenising or indexing again."""
        import bm25s

        index = cls.__new__(cls)
        index.generation = parts.generation
        index.chunk_ids, index.metadatas, index.documents = (
            parts.chunk_ids, parts.metadatas, parts.documents
        )  # fmt: skip
        index._bm25 = bm25s.BM25()
        if parts.chunk_ids:
            index._bm25.scores = {**parts.scores, "num_docs": len(parts.chunk_ids)}
            index._bm25.vocab_dict = parts.vocab
            index._bm25.unique_token_ids_set = set(parts.vocab.values())
            index._bm25.nonoccurrence_array = None  # the default method (lucene) has none
        index._init_lookups(Counter(parts.document_frequency))
        return index

    def saved_parts(self) -> SavedParts:
        """Everything `restore` needs, as plain strings, numbers and arrays."""
        scores = getattr(self._bm25, "scores", None) or {}
        return SavedParts(
            generation=self.generation,
            chunk_ids=self.chunk_ids,
            metadatas=self.metadatas,
            documents=self.documents,
            scores={key: scores[key] for key in SCORE_ARRAYS if key in scores},
            vocab=dict(getattr(self._bm25, "vocab_dict", None) or {}),
            document_frequency=dict(self._document_frequency),
        )

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def top(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Positions and scores of the `n` best chunks; `allowed` is a boolean mask (filters)."""
        return self.top_many(query, n, [allowed])[0]

    def top_many(
        self, query: str, n: int, masks: Sequence[np.ndarray | None]
    ) -> list[list[tuple[int, float]]]:
        """`top` under each mask, scoring the query once (search asks the whole store and
        the fresh news)."""
        tokens = tokenize(query)
        if not self.chunk_ids or not tokens:
            return [[] for _ in masks]
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
        return [self._best(scores, n, allowed) for allowed in masks]

    @staticmethod
    def _best(scores: np.ndarray, n: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        n = min(n, len(scores))
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best if scores[i] > 0]

    def day_mask(self, first: int, last: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Chunks published from day `first` to `last` (YYYYMMDD ints), within `allowed`."""
        if getattr(self, "_days", None) is None:
            self._days = np.fromiter(
                (m.get("published_day") or 0 for m in self.metadatas), dtype=np.int64
            )
        mask = (self._days >= first) & (self._days <= last)
        return mask if allowed is None else mask & allowed

    def idf(self, token: str) -> float:
        """BM25's inverse document frequency: how much finding `token` tells about a text."""
        n = len(self.chunk_ids)
        df = self._document_frequency.get(token, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def mask(self, predicate) -> np.ndarray:  # noqa: ANN001 - Callable[[dict], bool]
        return np.fromiter((predicate(m) for m in self.metadatas), dtype=bool)

    def positions(self, chunk_ids: Sequence[str]) -> list[int | None]:
        return [self._position.get(cid) for cid in chunk_ids]
