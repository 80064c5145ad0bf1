"""ChromaStorage: articles and their chunks kept in Chroma (the `ArticleStorage` of
vectorstore/storage.py).

Two collections:
- `<name>_chunks`: one record per chunk: its text (the document), its embedding, its offsets
  and the article metadata needed to cite it.
- `<name>_articles`: one record per article: the full text and metadata. An article record is
  written only after all its chunks, and searches return only chunks whose article record
  exists, so a half-written article is never visible to questions.

Everything the assistant needs lives in Chroma, so several processes can share one Chroma
server; the generation stamp, rewritten on every change by any process, tells each of them
when its caches (the BM25 index, the sample ids) are stale. What a record holds is laid out
in vectorstore/records.py.
"""

from __future__ import annotations

import logging
import time
import uuid
import weakref
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from ingest.chunking import ChunkingConfig, chunk_article
from ingest.types import Article, Chunk, MetadataEdit
from vectorstore import faults
from vectorstore.client import StoreUnavailable
from vectorstore.embeddings import Embedder
from vectorstore.hnsw_sync import hnsw_configuration, set_sync_threshold
from vectorstore.keylocks import KeyedLocks
from vectorstore.lock import StoreLease
from vectorstore.records import (
    SCHEMA_VERSION,
    SUPERSEDED,
    article_metadata,
    article_of,
    article_vector,
    build_where,
    chunk_metadata,
    citable_metadata,
    embedding_text,
    info_of,
)
from vectorstore.storage import EmbedBatches, Hit
from vectorstore.types import (
    ALL_ARTICLES,
    AddReport,
    ArticleInfo,
    ArticleQuery,
    SearchFilters,
    StoredArticle,
)
from vectorstore.versions import older_versions, one_per_url, stale_versions

log = logging.getLogger("newsdesk.store")

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api import ClientAPI

# Chroma refuses batches above its max_batch_size (5461 here); stay well under it.
WRITE_BATCH = 2000
COUNT_TTL = 5.0  # seconds a chunk count is trusted while the generation stamp stands still
# Chunks embedded and written together: small enough for a smooth progress bar and little
# work lost to a crash, large enough to keep the encoder busy.
EMBED_BATCH = 256
# Writers of the same URL in one process, across every store object of the process.
_URL_LOCKS = KeyedLocks()


class SchemaMismatch(StoreUnavailable):
    """The store was written by a newer Newsdesk; refuse rather than corrupt it."""


class ChromaStorage:
    """Add, list, show and delete articles kept in Chroma."""

    def __init__(
        self,
        client: ClientAPI,
        embedder: Embedder,
        *,
        collection: str = "newsdesk",
        chunking: ChunkingConfig | None = None,
        batch_chunks: int = EMBED_BATCH,
        lease: StoreLease | None = None,
        sync_threshold: int | None = None,
    ) -> None:
        """`lease` is this process's hold on an embedded store (vectorstore/lock.py), given
        back by `close` (or when the storage is garbage-collected). `sync_threshold`: the
        changes after which Chroma writes a collection's HNSW files (StoreConfig; None:
        whatever the collection has)."""
        self.client = client
        self.embedder = embedder
        self.chunking = chunking or ChunkingConfig()
        self.batch_chunks = max(1, batch_chunks)
        self.sync_threshold = sync_threshold
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
        # (generation, ids): asking Chroma for the sample articles scans every article's
        # metadata (~130 ms at 100k chunks), on every question.
        self._samples: tuple[str, frozenset[str]] | None = None
        # (generation, chunk count, when counted): count() scans the collection (135 ms at
        # 290k chunks, a third of a search), so a search reuses the count while the
        # generation is unchanged, for COUNT_TTL seconds; this process's writes forget it.
        self._counted: tuple[str, int, float] | None = None

    def close(self) -> None:
        """Let go of the Chroma client and of the store's lease, so another process may
        open an embedded store; idempotent."""
        self._closer()

    def _open(self, name: str):  # noqa: ANN202 - chromadb Collection
        collection = self.client.get_or_create_collection(
            name,
            embedding_function=None,
            configuration=hnsw_configuration(self.sync_threshold),
            metadata={"schema_version": SCHEMA_VERSION, "generation": "new"},
        )
        found = (collection.metadata or {}).get("schema_version", SCHEMA_VERSION)
        if int(found) > SCHEMA_VERSION:
            raise SchemaMismatch(
                f"collection {name!r} has schema version {found}, newer than this Newsdesk "
                f"understands ({SCHEMA_VERSION}); upgrade Newsdesk to use this store"
            )
        set_sync_threshold(collection, self.sync_threshold)
        return collection

    # -- change tracking -------------------------------------------------------------------

    def generation(self) -> str:
        """A stamp that changes whenever any process writes to the store."""
        return self.stamp()[0]

    @property
    def chunks_collection_id(self) -> str:
        """The chunks collection's id: the same whether this store is opened in process or
        through a `chroma run` serving its folder, and new when the collection is made anew."""
        return str(self._chunks.id)

    @property
    def chunks_collection(self) -> str:
        """The name of the Chroma collection that holds the chunks and their vectors."""
        return self._chunks_name

    def stamp(self) -> tuple[str, int]:
        """The generation stamp and the chunk count it ends with (count() scans the
        collection, ~15 ms at 100k chunks: a search reads both at once)."""
        meta = self.client.get_collection(self._chunks_name, embedding_function=None).metadata
        generation, now = str((meta or {}).get("generation", "")), time.monotonic()
        counted = self._counted
        if counted and counted[0] == generation and now - counted[2] < COUNT_TTL:
            total = counted[1]
        else:  # another writer's change moves the generation; a crashed one's only the count
            total = self._chunks.count()
            self._counted = (generation, total, now)
        return f"{generation}:{total}", total

    def _bump_generation(self) -> None:
        self._counted = None
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
        embed: EmbedBatches | None = None,
    ) -> AddReport:
        """Store articles; an id already stored is left alone, and an article whose URL is
        already stored under another id replaces that older version. `ingested_at` keeps the
        original times of imported articles (by id). `embed` turns each write's texts into
        vectors (None: this storage's embedder, one write after another).

        Safe to re-run after a crash at any point: chunks are upserted under ids derived from
        the article, the article record comes last, and older versions are looked up by URL in
        both collections, so a replacement cut short is finished by the next run."""
        started = time.perf_counter()
        unique, superseded = one_per_url(list({a.id: a for a in articles}.values()))
        urls = {a.url for a in unique if a.url}
        # Writers of one URL in this process take turns: each finds the older versions, writes
        # and deletes them before the next looks (processes sharing a Chroma server are
        # reconciled after the write, below).
        with _URL_LOCKS.hold(f"{self._articles_name}|{url}" for url in urls):
            report = self._add(unique, urls, progress, ingested_at or {}, embed)
        report.replaced[:0] = superseded
        report.seconds = time.perf_counter() - started
        return report

    def _add(
        self,
        unique: list[Article],
        urls: set[str],
        progress: bool,
        ingested_at: Mapping[str, float],
        embed: EmbedBatches | None,
    ) -> AddReport:
        present = self.existing_ids([a.id for a in unique])
        report = AddReport(
            added=[], unchanged=[a.id for a in unique if a.id in present], replaced=[]
        )
        todo = [a for a in unique if a.id not in present]
        stale_records, stale_chunks = stale_versions(
            self._articles, self._chunks, urls, unique, self.existing_ids
        )
        bar = _progress(len(todo), progress)
        batches = _batches_by_chunks(todo, self.chunking, self.batch_chunks)
        for batch, vectors in _with_vectors(batches, embed or self._embed_one_by_one):
            report.chunks_written += self._write_batch(batch, vectors, ingested_at)
            report.added.extend(article.id for article, _ in batch)
            bar.update(len(batch))
        bar.close()
        for old_id in stale_records:
            self.delete_article(old_id, bump=False)
            report.replaced.append(old_id)
        # Another process on the same Chroma server may have stored a version of one of these
        # URLs meanwhile: every writer keeps only the newest record of each URL, so all of
        # them agree on which one stays, whatever the interleaving.
        for old_id in older_versions(self._articles, urls):
            if self.delete_article(old_id, bump=False):
                report.replaced.append(old_id)
        # Chunks of an older version whose record a crashed replacement already removed.
        self._delete_chunk_ids(stale_chunks)
        if report.added or report.replaced or stale_chunks:
            self._bump_generation()
        return report

    def _embed_one_by_one(self, texts: Iterable[list[str]]) -> Iterator[np.ndarray]:
        return (self.embedder.embed_documents(batch) for batch in texts)

    def _write_batch(
        self,
        batch: list[tuple[Article, list[Chunk]]],
        vectors: np.ndarray,
        ingested_at: Mapping[str, float],
    ) -> int:
        pairs = [(article, chunk) for article, chunks in batch for chunk in chunks]
        if pairs:
            self._chunks.upsert(
                ids=[c.id for _, c in pairs],
                embeddings=vectors,
                documents=[c.text for _, c in pairs],
                # None drops a mark left by a removal cut short (Chroma merges metadata).
                metadatas=[{**chunk_metadata(a, c), SUPERSEDED: None} for a, c in pairs],
            )
            faults.after_write()
        # Article records last: they are what makes the chunks visible to searches.
        self._articles.upsert(
            ids=[a.id for a, _ in batch],
            embeddings=[article_vector(a.id) for a, _ in batch],
            documents=[a.text for a, _ in batch],
            metadatas=[
                article_metadata(a, len(chunks), ingested_at.get(a.id)) for a, chunks in batch
            ],
        )
        faults.after_write()
        return len(pairs)

    def delete_article(self, article_id: str, *, bump: bool = True) -> bool:
        """Remove an article and all its chunks; False when no such article is stored."""
        if not self.existing_ids([article_id]):
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
                {**meta, **citable_metadata(new, ("published_at", "url"))}
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
        record = {**record, **citable_metadata(new, ("published_at", "url", "author"))}
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

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of these articles are stored whole: their record, written after all their
        chunks, exists."""
        found: set[str] = set()
        for i in range(0, len(ids), WRITE_BATCH):
            found.update(self._articles.get(ids=list(ids[i : i + WRITE_BATCH]), include=[])["ids"])
        return found

    def stored_urls(self, urls: Sequence[str]) -> dict[str, str]:
        """Which of these URLs an article is stored under: URL to article id."""
        found: dict[str, str] = {}
        url_list = sorted(set(urls))
        for i in range(0, len(url_list), 500):
            res = self._articles.get(
                where={"url": {"$in": url_list[i : i + 500]}}, include=["metadatas"]
            )
            found.update(
                (meta["url"], aid) for aid, meta in zip(res["ids"], res["metadatas"], strict=True)
            )
        return found

    def article_records(self) -> Iterable[tuple[Article, dict]]:
        """Every stored article with its record's metadata, in id order."""
        rows = sorted(pages(self._articles), key=lambda row: row[0])
        yield from ((article_of(aid, doc, meta), meta) for aid, doc, meta in rows)

    def chunk_records(self, *, vectors: bool = False) -> Iterable[tuple]:
        """Every stored chunk as (id, text, metadata), with its embedding last when `vectors`,
        a page at a time: a million chunks' texts are never in memory together (the BM25
        build streams them). Embeddings that cannot be read (a damaged dense index, which
        `newsdesk check --repair` rebuilds) leave every row without one: BM25 still answers."""
        total = self._chunks.count()
        for offset in range(0, total, WRITE_BATCH):
            res = self._chunk_page(offset, vectors=vectors)
            if res is None:
                vectors = False
                res = self._chunk_page(offset, vectors=False)
            columns = [res["ids"], res["documents"], res["metadatas"]]
            if vectors:
                columns.append(res["embeddings"])
            yield from zip(*columns, strict=True)

    def _chunk_page(self, offset: int, *, vectors: bool) -> dict | None:
        """One page of chunks; None when the first page's embeddings cannot be read."""
        from chromadb.errors import ChromaError

        include = ["documents", "metadatas", *(["embeddings"] if vectors else [])]
        try:
            return self._chunks.get(include=include, limit=WRITE_BATCH, offset=offset)
        except ChromaError as exc:
            if not vectors or offset:  # unreadable texts, or a dense index broken mid-build
                raise
            log.warning("chunk embeddings unreadable (%s): BM25 index built without them", exc)
            return None

    def nearest_ids(self, vector: np.ndarray, n: int, total: int) -> list[tuple[str, float]]:
        """Ids and similarities of the `n` chunks nearest `vector`, no filter, no text: the
        cheap query (3 ms for 200 at 100k chunks, where a `where` clause costs 300 ms)."""
        res = self._chunks.query(
            query_embeddings=[vector], n_results=max(1, min(n, total)), include=["distances"]
        )
        return [
            (cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    def chunk_vectors(self, chunk_ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The stored vectors of these chunks (those still stored), in the order returned."""
        import numpy  # the module imports numpy for annotations only

        res = self._chunks.get(ids=list(chunk_ids), include=["embeddings"])
        vectors = res["embeddings"] if len(res["ids"]) else numpy.zeros((0, 0))
        return list(res["ids"]), numpy.asarray(vectors, dtype=numpy.float32)

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, tuple[str, dict]]:
        """Text and metadata of these chunks (those still stored): a lexical hit's."""
        if not chunk_ids:
            return {}
        res = self._chunks.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        return {
            cid: (doc, meta)
            for cid, doc, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
            if doc is not None and meta is not None
        }

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

    def list_articles(self, query: ArticleQuery = ALL_ARTICLES) -> list[ArticleInfo]:
        """Articles newest first (undated last), those `query` asks for."""
        sources, title_contains, matching = query.sources, query.title_contains, query.matching
        where = build_where(SearchFilters(sources=tuple(sources))) if sources else None
        include = ["metadatas", "documents"] if matching else ["metadatas"]
        res = self._articles.get(where=where, include=include)
        infos = [info_of(aid, meta) for aid, meta in zip(res["ids"], res["metadatas"], strict=True)]
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
        return article_of(article_id, res["documents"][0], res["metadatas"][0])

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, Article]:
        if not article_ids:
            return {}
        res = self._articles.get(ids=list(article_ids), include=["documents", "metadatas"])
        return {
            aid: article_of(aid, doc, meta)
            for aid, doc, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
        }

    def stored_article(self, article_id: str) -> StoredArticle | None:
        """One article's listing and text, in one read."""
        res = self._articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not res["ids"]:
            return None
        return StoredArticle(info_of(article_id, res["metadatas"][0]), res["documents"][0])

    # -- health (vectorstore/health.py) ----------------------------------------------------

    def collections(self) -> tuple:
        """The chunks and the articles collection (for the health checks)."""
        return self._chunks, self._articles

    def reopen(self) -> None:
        """Open the collections again after a repair replaced them, and mark the change."""
        self._chunks = self._open(self._chunks_name)
        self._articles = self._open(self._articles_name)
        self._bump_generation()

    # -- the dense half of a search (vectorstore/search.py) --------------------------------

    def dense_query(
        self, vector: np.ndarray, n: int, filters: SearchFilters, total: int
    ) -> list[Hit]:
        """The `n` chunks nearest `vector` within the filters (at most `total`, the chunk
        count the search has just read), nearest first."""
        res = self._chunks.query(
            query_embeddings=[vector],
            n_results=max(1, min(n, total)),
            where=build_where(filters),
            include=["documents", "metadatas", "distances"],
        )
        return _hits(res)


def _hits(res: dict) -> list[Hit]:
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


def _searchable(info: ArticleInfo, text: str) -> tuple[str | None, ...]:
    # The text with its whitespace folded, so a phrase found across a line break still matches.
    return (info.title, info.source, info.url, " ".join(text.split()))


def _with_vectors(
    batches: Iterable[list[tuple[Article, list[Chunk]]]], embed: EmbedBatches
) -> Iterator[tuple[list[tuple[Article, list[Chunk]]], np.ndarray]]:
    """Each batch with the vectors of its chunks' texts. `embed` may read batches ahead of
    the one being written (ingest workers embed several at once), so those it has taken
    wait here, in order."""
    taken: deque[list[tuple[Article, list[Chunk]]]] = deque()

    def texts() -> Iterator[list[str]]:
        for batch in batches:
            taken.append(batch)
            yield [embedding_text(a, c) for a, chunks in batch for c in chunks]

    for vectors in embed(texts()):
        yield taken.popleft(), vectors


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
