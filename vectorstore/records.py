"""What a stored article and a stored chunk hold: the metadata they carry, the filters
over it, the text a chunk is embedded as, and the way back to `Article` and `ArticleInfo`.

The layout is shared by the storage that writes the records (vectorstore/chroma_storage.py)
and the search that reads them (vectorstore/search.py): a search filters the BM25 index on
the same metadata the storage filters Chroma on, so `build_where` and `matches` live side by
side and must agree.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from ingest.types import Article, Chunk
from vectorstore.embeddings import Embedder
from vectorstore.recency import day_number
from vectorstore.types import ArticleInfo, SearchFilters

# The layout's version, kept in the collections' metadata (and in export files): a store
# written by a newer Newsdesk is refused rather than corrupted.
SCHEMA_VERSION = 1
# Chunk metadata of a removed article's chunks, between its record's and their own delete.
SUPERSEDED = "superseded"
# Articles need an embedding too; a hash-derived vector is free and never queried.
_ARTICLE_VECTOR_DIM = 8


def published_day(published_at: str | None) -> int | None:
    """YYYYMMDD as an int, so date ranges are plain integer comparisons in Chroma filters."""
    if not published_at:
        return None
    try:
        parsed = datetime.fromisoformat(published_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.year * 10000 + parsed.month * 100 + parsed.day


def article_vector(article_id: str) -> list[float]:
    raw = np.frombuffer(hashlib.sha256(article_id.encode()).digest()[:32], dtype=np.uint8)
    vec = raw[:_ARTICLE_VECTOR_DIM].astype(np.float32) + 1.0
    return (vec / np.linalg.norm(vec)).tolist()


def citable_metadata(article: Article, optional: tuple[str, ...]) -> dict:
    """What every record of an article carries so it can be cited and filtered on its own.
    Chroma cannot store None, so unknown values are left out."""
    meta: dict = {
        "title": article.title,
        "source": article.source,
        "source_key": article.source.casefold(),
    }
    meta.update({key: getattr(article, key) for key in optional if getattr(article, key)})
    day = published_day(article.published_at)
    if day is not None:
        meta["published_day"] = day
    return meta


def article_metadata(article: Article, chunk_count: int, ingested_at: float | None) -> dict:
    return {
        **citable_metadata(article, ("published_at", "url", "author")),
        "origin": article.origin,
        "chunk_count": chunk_count,
        "length": len(article.text),
        "ingested_at": time.time() if ingested_at is None else ingested_at,
        # Only samples carry the key: a where clause on it finds them without a full scan.
        **({"sample": True} if article.sample else {}),
    }


def chunk_metadata(article: Article, chunk: Chunk) -> dict:
    return {
        **citable_metadata(article, ("published_at", "url")),
        "article_id": article.id,
        "chunk_index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
    }


def build_where(filters: SearchFilters | None) -> dict | None:
    """The Chroma `where` clause for a filter set (None when nothing is filtered)."""
    if filters is None or filters.is_empty():
        return None
    clauses: list[dict] = []
    if filters.sources:
        clauses.append({"source_key": {"$in": [s.casefold() for s in filters.sources]}})
    if filters.published_after:
        clauses.append({"published_day": {"$gte": day_number(filters.published_after)}})
    if filters.published_before:
        clauses.append({"published_day": {"$lte": day_number(filters.published_before)}})
    if filters.exclude_articles:
        clauses.append({"article_id": {"$nin": sorted(filters.exclude_articles)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches(meta: dict, filters: SearchFilters) -> bool:
    """The same filter as `build_where`, evaluated in Python (for the lexical cache)."""
    if filters.sources and meta.get("source_key") not in {s.casefold() for s in filters.sources}:
        return False
    if meta.get("article_id") in filters.exclude_articles:
        return False
    day = meta.get("published_day")
    if filters.published_after and (day is None or day < day_number(filters.published_after)):
        return False
    return not (
        filters.published_before and (day is None or day > day_number(filters.published_before))
    )


def embedding_text(article: Article, chunk: Chunk) -> str:
    return headed_text(article.title, chunk.text)


def headed_text(title: str, text: str) -> str:
    """What a chunk is embedded as. The headline gives a chunk the context its sentences
    leave implicit ("the base", "he")."""
    return f"{title}\n{text}"


def record_vectors(embedder: Embedder, collection_name: str, rows: Sequence[tuple]) -> list:
    """The vectors of stored (id, document, metadata) rows, made again as they were written:
    a chunk's from its headline and text, an article's from its id."""
    if collection_name.endswith("_articles"):
        return [article_vector(rid) for rid, _, _ in rows]
    return embedder.embed_documents([headed_text(m.get("title", ""), d) for _, d, m in rows])


def info_of(article_id: str, meta: dict) -> ArticleInfo:
    """An article's listing, from its record's metadata."""
    return ArticleInfo(
        id=article_id,
        title=meta.get("title", ""),
        source=meta.get("source", ""),
        published_at=meta.get("published_at"),
        url=meta.get("url"),
        author=meta.get("author"),
        origin=meta.get("origin", ""),
        chunk_count=int(meta.get("chunk_count", 0)),
        length=int(meta.get("length", 0)),
        sample=meta.get("sample") is True,
    )


def article_of(article_id: str, text: str, meta: dict) -> Article:
    """The article again, from its record's text and metadata."""
    return Article(
        id=article_id,
        title=meta.get("title", ""),
        text=text,
        source=meta.get("source", ""),
        published_at=meta.get("published_at"),
        url=meta.get("url"),
        author=meta.get("author"),
        origin=meta.get("origin", ""),
        sample=meta.get("sample") is True,
    )
