"""The storage under the store, named by what the rest of Newsdesk asks of it.

`ArticleStorage` keeps articles and their chunks: articles go in (chunked and embedded on
the way) and come out whole, every write moves a generation stamp that any process can read,
and the one question search asks of it is a dense query. `ChromaStorage`
(vectorstore/chroma_storage.py) is the implementation; search (vectorstore/search.py) works
through this protocol only, so ranking does not reach into Chroma's collections.

Records carry the metadata laid out in vectorstore/records.py: search filters and cites
chunks by it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NotRequired, Protocol, TypedDict, runtime_checkable

from vectorstore.types import ALL_ARTICLES, ArticleQuery

if TYPE_CHECKING:
    import numpy as np

    from ingest.types import Article, MetadataEdit
    from vectorstore.types import AddReport, ArticleInfo, SearchFilters, StoredArticle


# Batches of texts in, their vectors out, in order: how an ingest's chunks get embedded
# (the store's embedder one batch at a time, or ingest workers several ahead).
EmbedBatches = Callable[[Iterable[list[str]]], Iterable["np.ndarray"]]


class Hit(TypedDict):
    """A chunk as a ranking found it: id, text (`doc`) and metadata; the cosine `similarity`
    to the query comes with dense hits only."""

    id: str
    doc: str
    meta: dict
    similarity: NotRequired[float]


@runtime_checkable
class ArticleStorage(Protocol):
    """Articles and their chunks, kept so that a half-written article is never visible: an
    article counts as stored (`existing_ids`) only once all its chunks are."""

    # -- change tracking

    def generation(self) -> str:
        """A stamp that changes whenever any process writes."""
        ...

    def stamp(self) -> tuple[str, int]:
        """The generation stamp and the chunk count, read together."""
        ...

    def marker(self, key: str) -> str | None:
        """A small named value kept with the store."""
        ...

    def set_marker(self, key: str, value: str) -> None: ...

    # -- writing

    def add_articles(
        self,
        articles: Iterable[Article],
        *,
        progress: bool = False,
        ingested_at: Mapping[str, float] | None = None,
        embed: EmbedBatches | None = None,
    ) -> AddReport:
        """Store articles; a new version of a stored URL replaces the old one. `embed` turns
        each write's chunk texts into vectors (None: the storage's own embedder)."""
        ...

    def delete_article(self, article_id: str) -> bool:
        """Remove an article and its chunks; False when no such article is stored."""
        ...

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None: ...

    def edit_metadata(self, article_id: str, edit: MetadataEdit) -> Article | None: ...

    def mark_samples(self, article_ids: Sequence[str]) -> None: ...

    # -- reading

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of these articles are stored whole."""
        ...

    def stored_urls(self, urls: Sequence[str]) -> dict[str, str]:
        """Which of these URLs an article is stored under: URL to article id."""
        ...

    def get_article(self, article_id: str) -> Article | None: ...

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, Article]: ...

    def stored_article(self, article_id: str) -> StoredArticle | None:
        """One article's listing and text."""
        ...

    def list_articles(self, query: ArticleQuery = ALL_ARTICLES) -> list[ArticleInfo]: ...

    def sample_ids(self) -> frozenset[str]: ...

    def count_articles(self) -> int: ...

    def count_chunks(self) -> int: ...

    def article_records(self) -> Iterable[tuple[Article, dict]]:
        """Every article with its record's metadata."""
        ...

    def chunk_records(self, *, vectors: bool = False) -> Iterable[tuple]:
        """Every chunk as (id, text, metadata), and its embedding last when `vectors`: what
        the BM25 index (and the int8 vectors it keeps) is built from."""
        ...

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict]]:
        """Text and metadata of those of these chunks still stored (lexical hits)."""
        ...

    # -- the dense half of a search

    def dense_query(
        self, vector: np.ndarray, n: int, filters: SearchFilters, total: int
    ) -> list[Hit]:
        """The `n` chunks nearest the query vector within the filters, nearest first;
        `total` is the chunk count the caller has just read (from `stamp`)."""
        ...

    def nearest_ids(self, vector: np.ndarray, n: int, total: int) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the `n` chunks nearest the vector, unfiltered."""
        ...

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The stored vectors of those of these chunks still stored: (ids, vectors)."""
        ...
