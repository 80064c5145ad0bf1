"""Search over an `ArticleStorage`: dense and BM25 rankings fused by reciprocal rank, fresh
news preferred, copies of one story collapsed.

`Searcher` asks the storage (vectorstore/storage.py) only for what the protocol names: the
generation stamp, every chunk (to build the BM25 index), a dense query, the text of the
passages that survive fusion, and which articles are stored whole, so a search never cites a
half-written article. Fusion runs on ids: a BM25 hit's article and day come from the index's
arrays, a dense hit's from the query's own metadata. The BM25 index is a per-process view
of a file, rebuilt when the storage's generation stamp (rewritten on every change, by any
process) moves, and shared between processes when given a path
(vectorstore/lexical_cache.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np

from vectorstore.config import SearchConfig
from vectorstore.dedup import collapse_copies
from vectorstore.embeddings import Embedder
from vectorstore.filtered import behind_dense, filtered_dense
from vectorstore.lexical import LexicalIndex
from vectorstore.lexical_keeper import LexicalKeeper
from vectorstore.recency import day_number, fresh_filters, from_day_number, recency_factor
from vectorstore.records import matches
from vectorstore.storage import ArticleStorage
from vectorstore.types import Passage, SearchFilters

# The store's logger, as before search had a module of its own.
log = logging.getLogger("newsdesk.store")

# How many fused entries past the `k` asked for have their text read with them: copies
# that collapse take places, and a second request costs more than a few extra ids.
READ_AHEAD = 8


class Searcher:
    """Ranks the chunks of one storage for a query; holds the BM25 index of its chunks."""

    def __init__(
        self,
        storage: ArticleStorage,
        embedder: Embedder,
        config: SearchConfig | None = None,
        *,
        lexical_cache: Path | None = None,
    ) -> None:
        self.storage = storage
        self.embedder = embedder
        self.config = config or SearchConfig()
        self.lexical = LexicalKeeper(storage, lexical_cache, self.config.lexical_background_chunks)

    @property
    def lexical_cache_file(self) -> Path | None:
        return self.lexical.cache

    @property
    def lexical_cache_problem(self) -> str | None:
        """Why the saved index was unusable (kept after its rebuild), for /readyz and `check`."""
        return self.lexical.problem

    @property
    def lexical_rebuilding(self) -> bool:
        """Whether the index is being built with none usable meanwhile (searches wait)."""
        return self.lexical.building is not None

    def lexical_index(
        self, generation: str | None = None, total: int | None = None
    ) -> LexicalIndex:
        """The BM25 index to search with; rebuilt from the storage when it has changed since
        it was built, at once or, for a large store in a server, beside the searches
        (vectorstore/lexical_keeper.py). `generation`, `total`: the storage's stamp and
        chunk count, when the caller has just read them."""
        if generation is None:
            generation, total = self.storage.stamp()
        return self.lexical.index(generation, total)

    def last_lexical_index(self) -> LexicalIndex:
        """The BM25 cache as the latest search checked it, without asking the storage
        again whether it changed (each check counts the chunks: ~15 ms at 100k). For the
        answerer's word weights, looked up word by word right after that search."""
        index = self.lexical.last()
        return index if index is not None else self.lexical_index()

    def rebuild_lexical_index(self) -> LexicalIndex:
        """Build the BM25 index from the store and save it, whatever the saved one holds."""
        return self.lexical.rebuild()

    def search(
        self,
        query: str,
        k: int = 8,
        filters: SearchFilters | None = None,
        *,
        as_of: date | None = None,
    ) -> list[Passage]:
        """Dense and BM25 rankings fused by reciprocal rank; only committed articles. Given
        `as_of` (the day the question is asked about), fresh news before it is preferred:
        see vectorstore/recency.py."""
        filters = filters or SearchFilters()
        generation, total = self.storage.stamp()
        if not query.strip() or total == 0:
            return []
        cfg = self.config
        n = cfg.candidates
        index = self.lexical_index(generation, total)
        # An index of an earlier generation (a large store's, while its rebuild runs beside
        # the searches: vectorstore/lexical_keeper.py) is safe to rank with, because nothing
        # a search returns is taken from it alone: a new chunk is missing from it but found
        # by the dense list; a chunk of an article deleted since is dropped by
        # `existing_ids`, one deleted since from an article still stored by `_with_text`
        # (its text is gone), and every passage's text and metadata are read from the store
        # now. Its masks are of its own rows and metadata, so under a filter the dense lists
        # add the chunks it lacks (`behind_dense`) and passages whose metadata was edited out
        # of the filter since are dropped (`matches`). tests/vectorstore/test_lexical_refresh.py
        # holds it to that.
        stale = index.generation != generation
        allowed = index.allowed(filters)
        masks = [allowed]
        fresh = fresh_filters(filters, as_of, cfg) if as_of else None
        if fresh is not None:
            fresh_mask = index.day_mask(
                day_number(fresh.published_after), day_number(fresh.published_before), allowed
            )
            # No fresh news in the store (the usual case for an archive): skip its queries.
            fresh = fresh if fresh_mask.any() else None
            masks.append(fresh_mask)
        lexical_rows = index.top_many(query, n, masks)
        vector = self.embedder.embed_query(query)  # once, for the whole-store and fresh lists
        dense_list = behind_dense if stale and allowed is not None else filtered_dense
        dense = [dense_list(self.storage, index, vector, n, filters, allowed, total, cfg)]
        if fresh is not None:
            fresh_list = behind_dense if stale else filtered_dense
            fresh_dense = fresh_list(self.storage, index, vector, n, fresh, masks[1], total, cfg)
            dense.append([h for h in fresh_dense if h["similarity"] >= cfg.recent_min_similarity])
        lexical = [_lexical_entries(index, rows) for rows in lexical_rows]
        ranked = [
            (cfg.dense_weight, "dense_rank", dense[0]),
            (cfg.lexical_weight, "lexical_rank", lexical[0]),
        ]
        if fresh is not None:
            ranked.append((cfg.recent_weight, None, dense[1]))
            ranked.append((cfg.recent_weight, None, lexical[1]))
        fused = self._fuse(ranked, as_of)
        committed = self.storage.existing_ids(list({p["meta"]["article_id"] for p in fused}))
        candidates = [p for p in fused if p["meta"]["article_id"] in committed]
        within = filters if stale and not filters.is_empty() else None
        passages = self._with_text(candidates, ahead=k + READ_AHEAD, within=within)
        return collapse_copies(passages, limit=k, overlap=cfg.copy_overlap)

    def _with_text(
        self, entries: list[dict], ahead: int, within: SearchFilters | None = None
    ) -> Iterator[Passage]:
        """The fused entries as passages, in order. A BM25 hit no dense list brought has no
        text yet: the text and metadata of those among the next `ahead` entries are read
        in one request when the first of them is reached, so a search reads only what copy
        collapsing gets to (usually one request of a few ids, where reading every BM25 hit
        up front took a request of up to 40). A chunk deleted since the index was built is left
        out, and with `within`, one whose stored metadata is outside those filters."""
        for i, entry in enumerate(entries):
            if "doc" not in entry:
                # The first request reads `ahead` entries; should copies use those up, the
                # second reads all the rest: two requests at most.
                pending = [e for e in entries[i : i + ahead] if "doc" not in e]
                ahead = len(entries)
                read = self.storage.chunks_by_id([e["id"] for e in pending])
                for e in pending:
                    e["doc"], e["meta"] = read.get(e["id"], (None, e["meta"]))
            if entry["doc"] is not None and (within is None or matches(entry["meta"], within)):
                yield _passage(entry)

    def _fuse(
        self, ranked: list[tuple[float, str | None, Sequence[Mapping]]], as_of: date | None
    ) -> list[dict]:
        """Reciprocal-rank fusion of (weight, rank field, hits) lists, then the recency
        factor when the question has a day. Rank fields record the whole-store ranks."""
        cfg = self.config
        merged: dict[str, dict] = {}
        for weight, rank_key, hits in ranked:
            for rank, hit in enumerate(hits, start=1):
                entry = merged.setdefault(hit["id"], {**hit, "score": 0.0})
                if "doc" not in entry and "doc" in hit:  # a BM25 hit a later dense list has
                    entry["doc"], entry["meta"] = hit["doc"], hit["meta"]
                if entry.get("similarity") is None:
                    entry["similarity"] = hit.get("similarity")
                if rank_key:
                    entry[rank_key] = rank
                entry["score"] += weight / (cfg.rrf_k + rank)
        if as_of is not None:
            for entry in merged.values():
                entry["score"] *= recency_factor(entry["meta"].get("published_day"), as_of, cfg)
        return sorted(merged.values(), key=lambda e: e["score"], reverse=True)

    def newest_day(self) -> date | None:
        """The newest publication date in the store (None when nothing is dated), read from
        the BM25 index's days, so it costs no extra scan of the storage."""
        return from_day_number(self.lexical_index().newest_day())


def _lexical_entries(index: LexicalIndex, rows: list[tuple[int, float]]) -> list[dict]:
    """BM25 hits as fusion needs them: id, article and day from the index's arrays, no
    text yet (read for the passages that survive fusion, `Searcher._with_text`)."""
    if not rows:
        return []
    at = np.fromiter((row for row, _score in rows), dtype=np.int64, count=len(rows))
    ids = index.chunk_ids(at)
    articles = index.article_ids(at)
    days = index.arrays["days"][at].tolist()
    return [
        {"id": cid, "meta": {"article_id": article, "published_day": day}}
        for cid, article, day in zip(ids, articles, days, strict=True)
    ]


def _passage(entry: dict) -> Passage:
    meta = entry["meta"]
    return Passage(
        chunk_id=entry["id"],
        article_id=meta["article_id"],
        text=entry["doc"],
        start=int(meta["start"]),
        end=int(meta["end"]),
        title=meta.get("title", ""),
        source=meta.get("source", ""),
        published_at=meta.get("published_at"),
        url=meta.get("url"),
        score=entry["score"],
        dense_rank=entry.get("dense_rank"),
        lexical_rank=entry.get("lexical_rank"),
        dense_similarity=entry.get("similarity"),
    )
