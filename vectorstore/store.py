"""ArticleStore: the one store of truth, in Chroma.

Two collections:
- `<name>_chunks`: one record per chunk: its text (the document), its embedding, its offsets
  and the article metadata needed to cite it.
- `<name>_articles`: one record per article: the full text and metadata. An article record is
  written only after all its chunks, and searches return only chunks whose article record
  exists, so a half-written article is never visible to questions.

Everything the assistant needs lives in Chroma, so several processes can share one Chroma
server. The BM25 index is a per-process cache, rebuilt when the collection's generation stamp
(rewritten on every change, by any process) moves.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ingest.chunking import ChunkingConfig, chunk_article
from ingest.types import Article, Chunk, MetadataEdit
from vectorstore import faults
from vectorstore.client import StoreUnavailable
from vectorstore.config import SearchConfig
from vectorstore.dedup import collapse_copies
from vectorstore.embeddings import Embedder
from vectorstore.keylocks import KeyedLocks
from vectorstore.lexical import LexicalIndex
from vectorstore.lexical_cache import CacheDamaged, load_index, save_index
from vectorstore.lock import StoreLease
from vectorstore.recency import day_number, fresh_filters, from_day_number, recency_factor
from vectorstore.types import AddReport, ArticleInfo, Passage, SearchFilters

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger("newsdesk.store")

SCHEMA_VERSION = 1
# Chroma refuses batches above its max_batch_size (5461 here); stay well under it.
WRITE_BATCH = 2000
# Chunks embedded and written together: small enough for a smooth progress bar and little
# work lost to a crash, large enough to keep the encoder busy.
EMBED_BATCH = 256
# Chunk metadata of a removed article's chunks, between its record's and their own delete.
SUPERSEDED = "superseded"
# Writers of the same URL in one process, across every store object of the process.
_URL_LOCKS = KeyedLocks()
# Articles need an embedding too; a hash-derived vector is free and never queried.
_ARTICLE_VECTOR_DIM = 8


class SchemaMismatch(StoreUnavailable):
    """The store was written by a newer Newsdesk; refuse rather than corrupt it."""


def published_day(published_at: str | None) -> int | None:
    """YYYYMMDD as an int, so date ranges are plain integer comparisons in Chroma filters."""
    if not published_at:
        return None
    try:
        parsed = datetime.fromisoformat(published_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.year * 10000 + parsed.month * 100 + parsed.day


def _article_vector(article_id: str) -> list[float]:
    raw = np.frombuffer(hashlib.sha256(article_id.encode()).digest()[:32], dtype=np.uint8)
    vec = raw[:_ARTICLE_VECTOR_DIM].astype(np.float32) + 1.0
    return (vec / np.linalg.norm(vec)).tolist()


def _citable_metadata(article: Article, optional: tuple[str, ...]) -> dict:
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


def _article_metadata(article: Article, chunk_count: int, ingested_at: float | None) -> dict:
    return {
        **_citable_metadata(article, ("published_at", "url", "author")),
        "origin": article.origin,
        "chunk_count": chunk_count,
        "length": len(article.text),
        "ingested_at": time.time() if ingested_at is None else ingested_at,
        # Only samples carry the key: a where clause on it finds them without a full scan.
        **({"sample": True} if article.sample else {}),
    }


def _chunk_metadata(article: Article, chunk: Chunk) -> dict:
    return {
        **_citable_metadata(article, ("published_at", "url")),
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
        return [_article_vector(rid) for rid, _, _ in rows]
    return embedder.embed_documents([headed_text(m.get("title", ""), d) for _, d, m in rows])


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
        lease: StoreLease | None = None,
    ) -> None:
        """`lease` is this process's hold on an embedded store (vectorstore/lock.py), given
        back by `close` (or when the store is garbage-collected)."""
        self.client = client
        self.embedder = embedder
        self.chunking = chunking or ChunkingConfig()
        self.search_config = search or SearchConfig()
        self.batch_chunks = max(1, batch_chunks)
        self._chunks_name = f"{collection}_chunks"
        self._articles_name = f"{collection}_articles"
        try:
            self._chunks = self._open(self._chunks_name)
            self._articles = self._open(self._articles_name)
        except SchemaMismatch:
            _close(client, lease)
            raise
        except Exception as exc:
            _close(client, lease)
            raise StoreUnavailable(f"cannot open collection {collection!r}: {exc}") from exc
        self._closer = weakref.finalize(self, _close, client, lease)
        self._lexical: LexicalIndex | None = None
        self._lexical_lock = threading.Lock()
        # (generation, ids): asking Chroma for the sample articles scans every article's
        # metadata (~130 ms at 100k chunks), on every question.
        self._samples: tuple[str, frozenset[str]] | None = None
        # Where the BM25 index is kept between processes (None: rebuilt in each process).
        self._lexical_cache = lexical_cache
        # Why the saved index was unusable: set while it is rebuilt (`lexical_rebuilding`) and
        # kept after (`lexical_cache_problem`), for /readyz and `newsdesk check` to report.
        self.lexical_cache_problem: str | None = None
        self.lexical_rebuilding = False

    def close(self) -> None:
        """Let go of the Chroma client and of the store's lease, so another process may
        open an embedded store; idempotent."""
        self._closer()

    def _open(self, name: str):  # noqa: ANN202 - chromadb Collection
        collection = self.client.get_or_create_collection(
            name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"schema_version": SCHEMA_VERSION, "generation": "new"},
        )
        found = (collection.metadata or {}).get("schema_version", SCHEMA_VERSION)
        if int(found) > SCHEMA_VERSION:
            raise SchemaMismatch(
                f"collection {name!r} has schema version {found}, newer than this Newsdesk "
                f"understands ({SCHEMA_VERSION}); upgrade Newsdesk to use this store"
            )
        return collection

    # -- change tracking -------------------------------------------------------------------

    def generation(self) -> str:
        """A stamp that changes whenever any process writes to the store."""
        return self._stamp()[0]

    @property
    def chunks_collection(self) -> str:
        """The name of the Chroma collection that holds the chunks and their vectors."""
        return self._chunks_name

    def _stamp(self) -> tuple[str, int]:
        """The generation stamp and the chunk count it ends with (count() scans the
        collection, ~15 ms at 100k chunks: a search reads both at once)."""
        meta = self.client.get_collection(self._chunks_name, embedding_function=None).metadata
        total = self._chunks.count()
        return f"{(meta or {}).get('generation', '')}:{total}", total

    def _bump_generation(self) -> None:
        self._chunks.modify(
            metadata={"schema_version": SCHEMA_VERSION, "generation": uuid.uuid4().hex}
        )
        faults.after_write()

    def marker(self, key: str) -> str | None:
        """A small named value kept with the store (e.g. whether the sample corpus was offered)."""
        meta = self.client.get_collection(self._articles_name, embedding_function=None).metadata
        value = (meta or {}).get(key)
        return None if value is None else str(value)

    def set_marker(self, key: str, value: str) -> None:
        meta = self.client.get_collection(self._articles_name, embedding_function=None).metadata
        self._articles.modify(metadata={**(meta or {}), key: value})
        faults.after_write()

    # -- writing ---------------------------------------------------------------------------

    def add_articles(
        self,
        articles: Iterable[Article],
        *,
        progress: bool = False,
        ingested_at: Mapping[str, float] | None = None,
    ) -> AddReport:
        """Store articles; an id already stored is left alone, and an article whose URL is
        already stored under another id replaces that older version. `ingested_at` keeps the
        original times of imported articles (by id).

        Safe to re-run after a crash at any point: chunks are upserted under ids derived from
        the article, the article record comes last, and older versions are looked up by URL in
        both collections, so a replacement cut short is finished by the next run."""
        started = time.perf_counter()
        unique, superseded = _one_per_url(list({a.id: a for a in articles}.values()))
        urls = {a.url for a in unique if a.url}
        # Writers of one URL in this process take turns: each finds the older versions, writes
        # and deletes them before the next looks (processes sharing a Chroma server are
        # reconciled after the write, below).
        with _URL_LOCKS.hold(f"{self._articles_name}|{url}" for url in urls):
            report = self._add(unique, urls, progress, ingested_at or {})
        report.replaced[:0] = superseded
        report.seconds = time.perf_counter() - started
        return report

    def _add(
        self,
        unique: list[Article],
        urls: set[str],
        progress: bool,
        ingested_at: Mapping[str, float],
    ) -> AddReport:
        present = self._existing_ids([a.id for a in unique])
        report = AddReport(
            added=[], unchanged=[a.id for a in unique if a.id in present], replaced=[]
        )
        todo = [a for a in unique if a.id not in present]
        stale_records, stale_chunks = self._superseded(urls, unique)
        bar = _progress(len(todo), progress)
        for batch in _batches_by_chunks(todo, self.chunking, self.batch_chunks):
            report.chunks_written += self._write_batch(batch, ingested_at)
            report.added.extend(article.id for article, _ in batch)
            bar.update(len(batch))
        bar.close()
        for old_id in stale_records:
            self.delete_article(old_id, bump=False)
            report.replaced.append(old_id)
        # Another process on the same Chroma server may have stored a version of one of these
        # URLs meanwhile: every writer keeps only the newest record of each URL, so all of
        # them agree on which one stays, whatever the interleaving.
        for old_id in self._older_versions(urls):
            if self.delete_article(old_id, bump=False):
                report.replaced.append(old_id)
        # Chunks of an older version whose record a crashed replacement already removed.
        self._delete_chunk_ids(stale_chunks)
        if report.added or report.replaced or stale_chunks:
            self._bump_generation()
        return report

    def _write_batch(
        self, batch: list[tuple[Article, list[Chunk]]], ingested_at: Mapping[str, float]
    ) -> int:
        pairs = [(article, chunk) for article, chunks in batch for chunk in chunks]
        if pairs:
            vectors = self.embedder.embed_documents([embedding_text(a, c) for a, c in pairs])
            self._chunks.upsert(
                ids=[c.id for _, c in pairs],
                embeddings=vectors,
                documents=[c.text for _, c in pairs],
                # None drops a mark left by a removal cut short (Chroma merges metadata).
                metadatas=[{**_chunk_metadata(a, c), SUPERSEDED: None} for a, c in pairs],
            )
            faults.after_write()
        # Article records last: they are what makes the chunks visible to searches.
        self._articles.upsert(
            ids=[a.id for a, _ in batch],
            embeddings=[_article_vector(a.id) for a, _ in batch],
            documents=[a.text for a, _ in batch],
            metadatas=[
                _article_metadata(a, len(chunks), ingested_at.get(a.id)) for a, chunks in batch
            ],
        )
        faults.after_write()
        return len(pairs)

    def delete_article(self, article_id: str, *, bump: bool = True) -> bool:
        """Remove an article and all its chunks; False when no such article is stored."""
        if not self._existing_ids([article_id]):
            orphans = self._chunks.get(where={"article_id": article_id}, include=[])["ids"]
            if orphans:
                self._chunks.delete(ids=orphans)
                faults.after_write()
            return False
        # Its chunks are marked first: a process that dies between the two deletes below
        # leaves marked chunks, which the next ingest of the URL removes; unmarked chunks
        # without a record may be an article another process is still writing.
        self._mark_superseded(article_id)
        # The article record goes first, so its chunks stop being citable at once.
        self._articles.delete(ids=[article_id])
        faults.after_write()
        self._chunks.delete(where={"article_id": article_id})
        faults.after_write()
        if bump:
            self._bump_generation()
        return True

    def edit_metadata(self, article_id: str, edit: MetadataEdit) -> Article | None:
        """Give a stored article a new title, outlet or date, in its record and in every one
        of its chunks (what search results and citations read); None when no such article.
        The id is kept (see MetadataEdit). A new title is re-embedded with each chunk, as
        ingest embeds it. Chunks are written first and the record last, so repeating an
        edit cut short by a crash finishes it."""
        old = self.get_article(article_id)
        if old is None:
            return None
        new = edit.apply(old)
        res = self._chunks.get(where={"article_id": article_id}, include=["documents", "metadatas"])
        for i in range(0, len(res["ids"]), WRITE_BATCH):
            ids, docs = res["ids"][i : i + WRITE_BATCH], res["documents"][i : i + WRITE_BATCH]
            metas = [
                {**meta, **_citable_metadata(new, ("published_at", "url"))}
                for meta in res["metadatas"][i : i + WRITE_BATCH]
            ]
            vectors = None
            if new.title != old.title:
                chunks = [
                    Chunk(article_id, m["chunk_index"], doc, m["start"], m["end"])
                    for doc, m in zip(docs, metas, strict=True)
                ]
                vectors = self.embedder.embed_documents([embedding_text(new, c) for c in chunks])
            self._chunks.update(ids=ids, metadatas=metas, embeddings=vectors)
            faults.after_write()
        record = self._articles.get(ids=[article_id], include=["metadatas"])["metadatas"][0]
        record = {**record, **_citable_metadata(new, ("published_at", "url", "author"))}
        self._articles.update(ids=[article_id], metadatas=[record])
        faults.after_write()
        self._bump_generation()
        return new

    def _mark_superseded(self, article_id: str) -> None:
        ids = self._chunks.get(where={"article_id": article_id}, include=[])["ids"]
        for i in range(0, len(ids), WRITE_BATCH):
            batch = ids[i : i + WRITE_BATCH]
            self._chunks.update(ids=batch, metadatas=[{SUPERSEDED: True}] * len(batch))
            faults.after_write()

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        """Remove chunks by id (orphans found by an integrity check)."""
        self._delete_chunk_ids(chunk_ids)
        self._bump_generation()

    def _delete_chunk_ids(self, chunk_ids: Sequence[str]) -> None:
        for i in range(0, len(chunk_ids), WRITE_BATCH):
            self._chunks.delete(ids=list(chunk_ids[i : i + WRITE_BATCH]))
            faults.after_write()

    # -- reading ---------------------------------------------------------------------------

    def _existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), WRITE_BATCH):
            found.update(self._articles.get(ids=list(ids[i : i + WRITE_BATCH]), include=[])["ids"])
        return found

    def _superseded(self, urls: set[str], keep: Sequence[Article]) -> tuple[list[str], list[str]]:
        """Older versions of these URLs: ids of their article records, and ids of chunks a
        removal marked but did not delete (a replacement interrupted between its deletes)."""
        keep_ids = {a.id for a in keep}
        records: list[str] = []
        marked: dict[str, str] = {}
        url_list = sorted(urls)
        for i in range(0, len(url_list), 500):
            where = {"url": {"$in": url_list[i : i + 500]}}
            res = self._articles.get(where=where, include=[])
            records.extend(aid for aid in res["ids"] if aid not in keep_ids)
            where = {"$and": [where, {SUPERSEDED: True}]}
            res = self._chunks.get(where=where, include=["metadatas"])
            marked.update(
                (cid, meta["article_id"])
                for cid, meta in zip(res["ids"], res["metadatas"], strict=True)
                if meta["article_id"] not in keep_ids and meta["article_id"] not in records
            )
        alive = self._existing_ids(sorted(set(marked.values())))
        return records, [cid for cid, aid in marked.items() if aid not in alive]

    def _older_versions(self, urls: set[str]) -> list[str]:
        """Ids of every article record of these URLs but the newest ingested of each."""
        newest: dict[str, tuple[float, str]] = {}
        older: list[str] = []
        url_list = sorted(urls)
        for i in range(0, len(url_list), 500):
            where = {"url": {"$in": url_list[i : i + 500]}}
            res = self._articles.get(where=where, include=["metadatas"])
            for aid, meta in zip(res["ids"], res["metadatas"], strict=True):
                key = (float(meta.get("ingested_at", 0.0)), aid)
                best = newest.setdefault(meta["url"], key)
                if key != best:
                    older.append(min(key, best)[1])
                    newest[meta["url"]] = max(key, best)
        return older

    def article_records(self) -> Iterable[tuple[Article, dict]]:
        """Every stored article with its record's metadata, in id order."""
        rows = sorted(pages(self._articles), key=lambda row: row[0])
        yield from ((_article(aid, doc, meta), meta) for aid, doc, meta in rows)

    def chunk_records(self) -> Iterable[tuple[str, str, dict]]:
        """Every stored chunk as (id, text, metadata)."""
        yield from pages(self._chunks)

    def count_articles(self) -> int:
        return self._articles.count()

    def count_chunks(self) -> int:
        return self._chunks.count()

    def sample_ids(self) -> frozenset[str]:
        """Ids of the articles marked as samples (the bundled demo articles); asked of Chroma
        again only when the store has changed since."""
        generation = self.generation()
        cached = self._samples
        if cached is not None and cached[0] == generation:
            return cached[1]
        ids = frozenset(self._articles.get(where={"sample": True}, include=[])["ids"])
        self._samples = (generation, ids)
        return ids

    def mark_samples(self, article_ids: Sequence[str]) -> None:
        """Mark stored articles as samples (a store written before samples were marked)."""
        if article_ids:
            self._articles.update(
                ids=list(article_ids), metadatas=[{"sample": True} for _ in article_ids]
            )
            self._bump_generation()  # cached sample ids (here and in other processes) are stale

    def list_articles(
        self,
        *,
        sources: Sequence[str] = (),
        title_contains: str | None = None,
        matching: str | None = None,
    ) -> list[ArticleInfo]:
        """Articles newest first (undated last), optionally by outlet, a title search, or a
        search (`matching`) of title, outlet, URL and text, ignoring case."""
        where = build_where(SearchFilters(sources=tuple(sources))) if sources else None
        include = ["metadatas", "documents"] if matching else ["metadatas"]
        res = self._articles.get(where=where, include=include)
        infos = [_info(aid, meta) for aid, meta in zip(res["ids"], res["metadatas"], strict=True)]
        if matching:
            needle = " ".join(matching.split()).casefold()
            infos = [
                info
                for info, text in zip(infos, res["documents"], strict=True)
                if any(needle in (part or "").casefold() for part in _searchable(info, text))
            ]
        if title_contains:
            needle = title_contains.casefold()
            infos = [i for i in infos if needle in i.title.casefold()]
        infos.sort(key=lambda i: (i.published_at or "", i.title), reverse=True)
        return infos

    def get_article(self, article_id: str) -> Article | None:
        res = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not res["ids"]:
            return None
        return _article(article_id, res["documents"][0], res["metadatas"][0])

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, Article]:
        if not article_ids:
            return {}
        res = self._articles.get(ids=list(article_ids), include=["documents", "metadatas"])
        return {
            aid: _article(aid, doc, meta)
            for aid, doc, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
        }

    def newest_day(self) -> date | None:
        """The newest publication date in the store (None when nothing is dated), read from
        the BM25 cache's metadata, so it costs no extra scan of Chroma."""
        days = (meta.get("published_day") or 0 for meta in self.lexical_index().metadatas)
        return from_day_number(max(days, default=0))

    def article_info(self, article_id: str) -> ArticleInfo | None:
        res = self._articles.get(ids=[article_id], include=["metadatas"])
        return _info(article_id, res["metadatas"][0]) if res["ids"] else None

    # -- health (vectorstore/health.py) ----------------------------------------------------

    def collections(self) -> tuple:
        """The chunks and the articles collection (for the health checks)."""
        return self._chunks, self._articles

    @property
    def lexical_cache_file(self) -> Path | None:
        return self._lexical_cache

    def reopen(self) -> None:
        """Open the collections again after a repair replaced them, and mark the change."""
        self._chunks = self._open(self._chunks_name)
        self._articles = self._open(self._articles_name)
        self._bump_generation()

    # -- search ----------------------------------------------------------------------------

    def lexical_index(self, generation: str | None = None) -> LexicalIndex:
        """The BM25 cache, rebuilt from Chroma when the store has changed since it was built
        (`generation`: the store's stamp, when the caller has just read it)."""
        generation = generation or self.generation()
        with self._lexical_lock:
            if self._lexical is None or self._lexical.generation != generation:
                loaded = self._load_lexical(generation)  # an empty index is falsy: `is None`
                self._lexical = self._build_lexical(generation) if loaded is None else loaded
            return self._lexical

    def last_lexical_index(self) -> LexicalIndex:
        """The BM25 cache as the latest search checked it, without asking Chroma again
        whether the store changed (each check counts the chunks: ~15 ms at 100k). For the
        answerer's word weights, looked up word by word right after that search."""
        with self._lexical_lock:
            if self._lexical is not None:
                return self._lexical
        return self.lexical_index()

    def _load_lexical(self, generation: str) -> LexicalIndex | None:
        if self._lexical_cache is None:
            return None
        try:
            return load_index(self._lexical_cache, generation)
        except CacheDamaged as exc:
            log.warning("%s; rebuilding it from the store", exc)
            self.lexical_cache_problem = str(exc)
            self.lexical_rebuilding = True
            return None

    def _build_lexical(self, generation: str) -> LexicalIndex:
        try:
            rows = pages(self._chunks)
            ids = [cid for cid, _, _ in rows]
            docs = [doc for _, doc, _ in rows]
            metas = [meta for _, _, meta in rows]
            index = LexicalIndex(generation, ids, metas, docs)
            if self._lexical_cache is not None:
                save_index(index, self._lexical_cache)  # replaces a damaged file too
            if self.lexical_rebuilding:
                self.lexical_cache_problem += f"; rebuilt from the store at {time.ctime()}"
            return index
        finally:
            self.lexical_rebuilding = False

    def rebuild_lexical_index(self) -> LexicalIndex:
        """Build the BM25 index from the store and save it, whatever the saved one holds."""
        generation = self.generation()
        with self._lexical_lock:
            self._lexical = self._build_lexical(generation)
            return self._lexical

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
        generation, total = self._stamp()
        if not query.strip() or total == 0:
            return []
        cfg = self.search_config
        n = cfg.candidates
        index = self.lexical_index(generation)
        allowed = None if filters.is_empty() else index.mask(lambda m: matches(m, filters))
        masks = [allowed]
        fresh = fresh_filters(filters, as_of, cfg) if as_of else None
        if fresh is not None:
            fresh_mask = index.day_mask(
                day_number(fresh.published_after), day_number(fresh.published_before), allowed
            )
            # No fresh news in the store (the usual case for an archive): skip its queries.
            fresh = fresh if fresh_mask.any() else None
            masks.append(fresh_mask)
        lexical = [self._lexical_entries(index, hits) for hits in index.top_many(query, n, masks)]
        vector = self.embedder.embed_query(query)  # once, for the whole-store and fresh lists
        ranked = [
            (cfg.dense_weight, "dense_rank", self._dense(vector, n, filters, total)),
            (cfg.lexical_weight, "lexical_rank", lexical[0]),
        ]
        if fresh is not None:
            fresh_dense = self._dense(vector, n, fresh, total)
            fresh_dense = [h for h in fresh_dense if h["similarity"] >= cfg.recent_min_similarity]
            ranked.append((cfg.recent_weight, None, fresh_dense))
            ranked.append((cfg.recent_weight, None, lexical[1]))
        fused = self._fuse(ranked, as_of)
        committed = self._existing_ids(list({p["meta"]["article_id"] for p in fused}))
        passages = [_passage(p) for p in fused if p["meta"]["article_id"] in committed]
        return collapse_copies(passages, limit=k)

    def _dense(self, vector: list[float], n: int, filters: SearchFilters, total: int) -> list[dict]:
        res = self._chunks.query(
            query_embeddings=[vector],
            n_results=max(1, min(n, total)),
            where=build_where(filters),
            include=["documents", "metadatas", "distances"],
        )
        # A chunk deleted or rewritten by another writer while this query ran comes back
        # without its metadata or text: it is not citable, so it is skipped.
        return [
            {"id": cid, "doc": doc, "meta": meta, "similarity": 1.0 - float(dist)}
            for cid, doc, meta, dist in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            )
            if meta is not None and doc is not None
        ]

    @staticmethod
    def _lexical_entries(index: LexicalIndex, hits: list[tuple[int, float]]) -> list[dict]:
        return [
            {"id": index.chunk_ids[i], "doc": index.documents[i], "meta": index.metadatas[i]}
            for i, _score in hits
        ]

    def _fuse(
        self, ranked: list[tuple[float, str | None, list[dict]]], as_of: date | None
    ) -> list[dict]:
        """Reciprocal-rank fusion of (weight, rank field, hits) lists, then the recency
        factor when the question has a day. Rank fields record the whole-store ranks."""
        cfg = self.search_config
        merged: dict[str, dict] = {}
        for weight, rank_key, hits in ranked:
            for rank, hit in enumerate(hits, start=1):
                entry = merged.setdefault(hit["id"], {**hit, "score": 0.0})
                if entry.get("similarity") is None:
                    entry["similarity"] = hit.get("similarity")
                if rank_key:
                    entry[rank_key] = rank
                entry["score"] += weight / (cfg.rrf_k + rank)
        if as_of is not None:
            for entry in merged.values():
                entry["score"] *= recency_factor(entry["meta"].get("published_day"), as_of, cfg)
        return sorted(merged.values(), key=lambda e: e["score"], reverse=True)


def _one_per_url(articles: list[Article]) -> tuple[list[Article], list[str]]:
    """One URL, one article: of several versions given together, the last one is kept; the
    ids of the others are returned as superseded."""
    last = {a.url: a.id for a in articles if a.url}
    kept = [a for a in articles if not a.url or last[a.url] == a.id]
    return kept, [a.id for a in articles if a.url and last[a.url] != a.id]


def _close(client: ClientAPI, lease: StoreLease | None) -> None:
    try:
        # The last client of an embedded folder stops its Chroma system: a later open reads
        # the folder afresh instead of an index another process may have changed since.
        client.close()
    finally:
        if lease is not None:
            lease.release()


def pages(collection) -> list[tuple[str, str, dict]]:  # noqa: ANN001 - a Collection
    ids: list[str] = []
    docs: list[str] = []
    metas: list[dict] = []
    total = collection.count()
    for offset in range(0, total, WRITE_BATCH):
        res = collection.get(include=["documents", "metadatas"], limit=WRITE_BATCH, offset=offset)
        ids.extend(res["ids"])
        docs.extend(res["documents"])
        metas.extend(res["metadatas"])
    return list(zip(ids, docs, metas, strict=True))


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


def _searchable(info: ArticleInfo, text: str) -> tuple[str | None, ...]:
    # The text with its whitespace folded, so a phrase found across a line break still matches.
    return (info.title, info.source, info.url, " ".join(text.split()))


def _info(article_id: str, meta: dict) -> ArticleInfo:
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


def _article(article_id: str, text: str, meta: dict) -> Article:
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


def _batches_by_chunks(
    articles: list[Article], chunking: ChunkingConfig, limit: int
) -> Iterable[list[tuple[Article, list[Chunk]]]]:
    """Group articles so each write embeds up to `limit` chunks (whole articles only)."""
    batch: list[tuple[Article, list[Chunk]]] = []
    size = 0
    for article in articles:
        chunks = chunk_article(article, chunking)
        if batch and size + len(chunks) > limit:
            yield batch
            batch, size = [], 0
        batch.append((article, chunks))
        size += len(chunks)
    if batch:
        yield batch


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):  # noqa: ANN202 - tqdm or a no-op
    if not enabled or total < 2:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc="embedding", file=None, leave=False)
