"""ArticleStore: the one store of truth, as the rest of Newsdesk sees it.

Two jobs, each in its own module, composed here so that callers hold one object:
- keeping articles and chunks: `ChromaStorage` (vectorstore/chroma_storage.py), the Chroma
  implementation of the `ArticleStorage` protocol (vectorstore/storage.py);
- finding them: `Searcher` (vectorstore/search.py), which ranks through that protocol only
  and keeps the BM25 index of the chunks.

The methods below only hand each call to the part that does it. What is specific to Chroma
and not part of the protocol (the client, the collections, `reopen`) is for the health checks
and repairs below the records (vectorstore/health.py, vectorstore/repair.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.chunking import ChunkingConfig
from ingest.types import Article, Chunk, MetadataEdit
from vectorstore.chroma_storage import EMBED_BATCH, ChromaStorage
from vectorstore.config import SearchConfig
from vectorstore.embeddings import Embedder
from vectorstore.lexical import LexicalIndex
from vectorstore.lexical_keeper import LexicalStatus
from vectorstore.lock import StoreLease
from vectorstore.saved_answers import SavedAnswers
from vectorstore.search import Searcher
from vectorstore.storage import EmbedBatches
from vectorstore.sync_state import SyncState
from vectorstore.types import (
    ALL_ARTICLES,
    AddReport,
    ArticleInfo,
    ArticleQuery,
    Passage,
    SearchFilters,
    StoredArticle,
)
from vectorstore.watches import WatchRecords

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api import ClientAPI


class ArticleStore:
    """Add, list, show, delete and search articles kept in Chroma."""

    def __init__(
        self,
        client: ClientAPI,
        embedder: Embedder,
        *,
        collection: str = "newsdesk",
        chunking: ChunkingConfig | None = None,
        search: SearchConfig | None = None,
        batch_chunks: int = EMBED_BATCH,
        lexical_cache: Path | None = None,
        lexical_cache_dir: Path | None = None,
        lease: StoreLease | None = None,
        sync_threshold: int | None = None,
    ) -> None:
        """`lease` is this process's hold on an embedded store (vectorstore/lock.py), given
        back by `close` (or when the store is garbage-collected). `lexical_cache` is the file
        the BM25 index is kept in between processes (None: rebuilt in each process);
        `lexical_cache_dir`, when no file is given, the folder for it, the file then named
        after the chunks collection's id. `sync_threshold`: StoreConfig.hnsw_sync_threshold
        (None: the collections' own)."""
        self.storage = ChromaStorage(
            client,
            embedder,
            collection=collection,
            chunking=chunking,
            batch_chunks=batch_chunks,
            lease=lease,
            sync_threshold=sync_threshold,
        )
        if lexical_cache is None and lexical_cache_dir is not None:
            # Named after the collection, not after where it is reached: a store moved behind
            # `chroma run` (docs/deploy.md's layout at 1M), or a server on another port, keeps
            # its index (~13 minutes to rebuild at 1M chunks).
            lexical_cache = lexical_cache_dir / f"bm25-{self.storage.chunks_collection_id}.idx"
        self.searcher = Searcher(self.storage, embedder, search, lexical_cache=lexical_cache)
        self.collection = collection

    def close(self) -> None:
        """Let go of the Chroma client and of the store's lease, so another process may
        open an embedded store; idempotent."""
        self.storage.close()

    @property
    def client(self) -> ClientAPI:
        return self.storage.client

    @property
    def embedder(self) -> Embedder:
        return self.storage.embedder

    @property
    def chunking(self) -> ChunkingConfig:
        return self.storage.chunking

    # -- change tracking -------------------------------------------------------------------

    def generation(self) -> str:
        return self.storage.generation()

    def marker(self, key: str) -> str | None:
        return self.storage.marker(key)

    def set_marker(self, key: str, value: str) -> None:
        self.storage.set_marker(key, value)

    # -- writing ---------------------------------------------------------------------------

    def add_articles(
        self,
        articles: Iterable[Article],
        *,
        progress: bool = False,
        ingested_at: Mapping[str, float] | None = None,
        embed: EmbedBatches | None = None,
    ) -> AddReport:
        return self.storage.add_articles(
            articles, progress=progress, ingested_at=ingested_at, embed=embed
        )

    def delete_article(self, article_id: str) -> bool:
        return self.storage.delete_article(article_id)

    def edit_metadata(self, article_id: str, edit: MetadataEdit) -> Article | None:
        return self.storage.edit_metadata(article_id, edit)

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        self.storage.delete_chunks(chunk_ids)

    def mark_samples(self, article_ids: Sequence[str]) -> None:
        self.storage.mark_samples(article_ids)

    # -- reading ---------------------------------------------------------------------------

    def article_records(self) -> Iterable[tuple[Article, dict]]:
        return self.storage.article_records()

    def chunk_records(self) -> Iterable[tuple[str, str, dict]]:
        return self.storage.chunk_records()

    def count_articles(self) -> int:
        return self.storage.count_articles()

    def count_chunks(self) -> int:
        return self.storage.count_chunks()

    def sample_ids(self) -> frozenset[str]:
        return self.storage.sample_ids()

    def list_articles(self, query: ArticleQuery = ALL_ARTICLES) -> list[ArticleInfo]:
        return self.storage.list_articles(query)

    def stored_urls(self, urls: Sequence[str]) -> dict[str, str]:
        return self.storage.stored_urls(urls)

    def get_article(self, article_id: str) -> Article | None:
        return self.storage.get_article(article_id)

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, Article]:
        return self.storage.get_articles(article_ids)

    def stored_article(self, article_id: str) -> StoredArticle | None:
        return self.storage.stored_article(article_id)

    def article_vectors(self, article_ids: Sequence[str], chunks: int = 8) -> dict[str, np.ndarray]:
        """Each article's unit vector from the store (nothing is embedded again): the mean of
        its first `chunks` chunk vectors, renormalised. Every chunk is embedded with the
        headline, and a news article's lead says what it is about. Articles without stored
        chunks are left out."""
        import numpy

        wanted = [
            Chunk(a, i, "", 0, 0).id for a in dict.fromkeys(article_ids) for i in range(chunks)
        ]
        sums: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), EMBED_BATCH):
            ids, vectors = self.storage.chunk_vectors(wanted[start : start + EMBED_BATCH])
            for chunk_id, vector in zip(ids, vectors, strict=True):
                article_id = chunk_id.rsplit("-", 1)[0]
                sums[article_id] = sums.get(article_id, 0) + vector
        return {a: v / (numpy.linalg.norm(v) or 1.0) for a, v in sums.items()}

    # -- the sync of sources (vectorstore/sync_state.py) -------------------------------------

    @cached_property
    def sync_state(self) -> SyncState:
        """Sources, their schedules and progress, kept in the store's `<name>_sync`
        collection (opened on first use)."""
        return SyncState(self.client, self.collection)

    @cached_property
    def saved_answers(self) -> SavedAnswers:
        """Answers saved for hand-over (permalinks), in the `<name>_saved` collection."""
        return SavedAnswers(self.client, self.collection)

    @cached_property
    def watches(self) -> WatchRecords:
        """Watched questions, their last answers and changes, in `<name>_watches`."""
        return WatchRecords(self.client, self.collection)

    # -- health (vectorstore/health.py, vectorstore/repair.py) ------------------------------

    @property
    def chunks_collection(self) -> str:
        """The name of the Chroma collection that holds the chunks and their vectors."""
        return self.storage.chunks_collection

    def collections(self) -> tuple:
        """The chunks and the articles collection (for the health checks)."""
        return self.storage.collections()

    def reopen(self) -> None:
        """Open the collections again after a repair replaced them, and mark the change."""
        self.storage.reopen()

    # -- search ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 8,
        filters: SearchFilters | None = None,
        *,
        as_of: date | None = None,
    ) -> list[Passage]:
        return self.searcher.search(query, k, filters, as_of=as_of)

    def newest_day(self) -> date | None:
        return self.searcher.newest_day()

    def lexical_index(self, generation: str | None = None) -> LexicalIndex:
        return self.searcher.lexical_index(generation)

    def last_lexical_index(self) -> LexicalIndex:
        return self.searcher.last_lexical_index()

    def rebuild_lexical_index(self) -> LexicalIndex:
        return self.searcher.rebuild_lexical_index()

    @property
    def lexical_cache_file(self) -> Path | None:
        return self.searcher.lexical_cache_file

    @property
    def lexical_cache_problem(self) -> str | None:
        """Why the saved BM25 index was unusable, if it was (for /readyz and `check`)."""
        return self.searcher.lexical_cache_problem

    @property
    def lexical_rebuilding(self) -> bool:
        """Whether the BM25 index is being built with none usable meanwhile (searches wait):
        the saved one missing, stale or damaged at a first search, or proved damaged."""
        return self.searcher.lexical_rebuilding

    def lexical_status(self) -> LexicalStatus:
        """What the BM25 index is doing: built with none usable meanwhile, rebuilt beside
        the searches, why the saved one was unusable (for /readyz and `newsdesk serve`)."""
        return self.searcher.lexical.status()

    def rebuild_lexical_beside_searches(self) -> None:
        """From now on a large store's BM25 index is rebuilt beside the searches, which use
        the earlier one meanwhile: for a process that keeps running (a server), where the
        rebuild outlives the search that started it."""
        self.searcher.lexical.background = True
