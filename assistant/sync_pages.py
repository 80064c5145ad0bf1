"""Step 3 of a pass over a source (assistant/sync.py): the pending pages fetched, read,
embedded and stored, as a pipeline that keeps the encoder busy.

- Fetching threads (`sync.workers`, each host within its limits) fetch pages and read them
  into articles, a few dozen ahead of the encoder.
- The pass's thread embeds the articles read, a batch at a time (`STORE_BATCH`): the
  encoder, the costliest step, never waits for a write.
- One writer thread stores each embedded batch (`ArticleStore.add_articles`, with the
  vectors made ahead) and then writes down what became of its items, while the next batch
  is embedded. Writes go in order, one at a time; a killed pass loses at most the batches
  in flight, whose items are still pending in the state. It writes the run's counts so far
  too (`left`: the pages of this pass still to settle), so a pass can be followed while it
  runs (the Library's Sources section, GET /v1/sources/<id>).

A page fetched before is asked for with its ETag and Last-Modified (a 304 is unchanged,
without a body), and a body with the hash of the one stored is not read again; an article
with the content id of a stored one is not embedded again, and a changed one replaces its
old version (one URL, one article).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ingest.types import Article, IngestError
from vectorstore.sync_state import FAILED, PENDING, STORED, ItemState, Source, SyncRun

if TYPE_CHECKING:
    import numpy as np

    from assistant.sync import Syncer
    from ingest.web.fetch import Page

# Articles embedded and stored together, or what has come in after this many seconds: what
# a killed pass may have to fetch again, at most (times the batches in flight: two).
STORE_BATCH = 16
STORE_AFTER_S = 2.0


@dataclass
class _Fetched:
    """What fetching one pending item gave: an article, an unchanged page, or an error."""

    item: ItemState
    article: Article | None = None
    page: Page | None = None
    unchanged: bool = False
    not_modified: bool = False
    error: str | None = None
    transient: bool = False


class PageSync:
    """The pending pages of one pass: fetched, read, embedded and stored."""

    def __init__(
        self,
        syncer: Syncer,
        source: Source,
        run: SyncRun,
        stop: threading.Event,
        progress: bool,
    ) -> None:
        self.syncer = syncer
        self.source = source
        self.run = run
        self.stop = stop
        self.progress = progress
        self.state = syncer.state
        self.store = syncer.store
        self.settings = syncer.settings.sync
        self._tally = threading.Lock()  # the run's counts, written by the writer thread

    def fetch_and_store(self, todo: list[ItemState]) -> int:
        """Fetch, read, embed and store the pending items; how many were settled (stored,
        unchanged or failed). Stops early when asked to or when the lease is lost."""
        if not todo:
            return 0
        bar = self._bar(len(todo))
        self.run.left = len(todo)
        settled = 0
        batch: list[_Fetched] = []
        since = time.monotonic()
        workers = max(1, self.settings.workers)
        # Pages queued ahead: the workers keep fetching while a batch is embedded and stored.
        ahead = workers + 2 * STORE_BATCH
        queue: Iterator[ItemState] = iter(todo)
        running: set[Future[_Fetched]] = set()
        writing: Future[int] | None = None

        def write(ready: list[_Fetched]) -> None:
            nonlocal writing, settled
            vectors = self._embed(ready)  # here, while the writer stores the batch before
            if writing is not None:
                settled += writing.result()
            writing = writer.submit(self._store, ready, vectors)
            bar.update(len(ready))

        with (
            ThreadPoolExecutor(workers, thread_name_prefix="sync-fetch") as pool,
            ThreadPoolExecutor(1, thread_name_prefix="sync-write") as writer,
        ):
            while True:
                while len(running) < ahead and self._may_go_on():
                    item = next(queue, None)
                    if item is None:
                        break
                    running.add(pool.submit(self._fetch, item))
                if not self._may_go_on():  # pages not begun stay pending for the next pass
                    running = {f for f in running if not f.cancel()}
                if not running:
                    break
                finished, running = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
                for future in finished:
                    since = since if batch else time.monotonic()
                    batch.append(future.result())
                waited = time.monotonic() - since >= STORE_AFTER_S
                if batch and (len(batch) >= STORE_BATCH or waited or not running):
                    write(batch)
                    batch = []
            if batch:
                write(batch)
            if writing is not None:
                settled += writing.result()
        bar.close()
        return settled

    def _may_go_on(self) -> bool:
        return not self.stop.is_set() and self.syncer.keeper.held

    def _bar(self, total: int):  # noqa: ANN202 - tqdm or a no-op
        if not self.progress or total < 2:
            return _NoBar()
        from tqdm import tqdm

        return tqdm(total=total, unit="page", desc=f"syncing {self.source.url}"[:60], leave=False)

    def _fetch(self, item: ItemState) -> _Fetched:
        """Runs in a fetching thread: fetch and read one page (no store access here)."""
        from ingest.web.extract import page_article
        from ingest.web.fetch import HTML_TYPES

        stored = item.article_id is not None  # fetched before: asked with its validators
        try:
            page = self.syncer.fetcher().fetch(
                item.url,
                etag=item.etag if stored else None,
                last_modified=item.last_modified if stored else None,
                accept=HTML_TYPES,
            )
            if page.not_modified:
                return _Fetched(item, unchanged=True, not_modified=True)
            if stored and item.body_hash == _hash(page.body):
                return _Fetched(item, page=page, unchanged=True)
            article = page_article(page)
        except IngestError as exc:  # FetchError included
            return _Fetched(item, error=getattr(exc, "reason", str(exc)),
                            transient=bool(getattr(exc, "transient", False)))  # fmt: skip
        except Exception as exc:  # a reader bug must cost one page, not the pass
            return _Fetched(item, error=f"unexpected {type(exc).__name__}: {exc}")
        return _Fetched(item, article=self._finish(article, item), page=page)

    def _finish(self, article: Article, item: ItemState) -> Article:
        """The listing's and the source's word where the page says nothing (its date), or
        where the source overrules it (its outlet)."""
        changes: dict = {}
        if not article.published_at and item.published_at:
            changes["published_at"] = item.published_at
        if self.source.outlet:
            changes["source"] = self.source.outlet
        return replace(article, **changes) if changes else article

    def _embed(self, batch: list[_Fetched]) -> dict[str, np.ndarray]:
        """The vectors of the batch's new articles' chunks, by text, made in the pass's
        thread (the store's own chunking and chunk texts; articles stored already are left
        to the store, which skips them)."""
        from ingest.chunking import chunk_article
        from vectorstore.records import embedding_text

        articles = [f.article for f in batch if f.article is not None]
        if not articles:
            return {}
        present = self.store.storage.existing_ids([a.id for a in articles])
        chunking = self.store.chunking
        texts = list(dict.fromkeys(
            embedding_text(a, c) for a in articles if a.id not in present
            for c in chunk_article(a, chunking)
        ))  # fmt: skip
        if not texts:
            return {}
        return dict(zip(texts, self.store.embedder.embed_documents(texts), strict=True))

    def _vectors(self, made: dict[str, np.ndarray]):  # noqa: ANN202 - an EmbedBatches
        """The store's `embed`: the vectors made ahead; a text not among them (another
        process stored a version meanwhile, changing what is written) is embedded here."""
        import numpy as np

        def embed(batches: Iterable[list[str]]) -> Iterator[np.ndarray]:
            for texts in batches:
                missing = [t for t in texts if t not in made]
                if missing:
                    made.update(zip(missing, self.store.embedder.embed_documents(missing),
                                    strict=True))  # fmt: skip
                yield np.stack([made[t] for t in texts])

        return embed

    def _store(self, batch: list[_Fetched], vectors: dict[str, np.ndarray]) -> int:
        """In the writer thread: store the batch's articles, then write down what became of
        each item."""
        now = time.time()
        articles = [f.article for f in batch if f.article is not None]
        report = (
            self.store.add_articles(articles, embed=self._vectors(vectors)) if articles else None
        )
        added = set(report.added) if report else set()
        updates = []
        with self._tally:
            for got in batch:
                updates.append(self._settle(got, replace(got.item, updated_at=now), added))
            self.run.left -= len(batch)
        self.state.put_items(updates)
        self.state.put_run(self.run)  # after the items: the counts never run ahead of them
        return len(batch)

    def _settle(self, got: _Fetched, item: ItemState, added: set[str]) -> ItemState:
        """What became of one item, counted in the run."""
        run = self.run
        if got.error is not None:
            item.tries += 1
            gave_up = not got.transient or item.tries >= self.settings.max_tries
            item.status, item.error = (FAILED if gave_up else PENDING), got.error
            run.note_error(item.url, got.error)
            return item
        item.status, item.error, item.tries = STORED, None, 0
        if got.not_modified:
            run.not_modified += 1
        if got.page is not None:
            item.etag, item.last_modified = got.page.etag, got.page.last_modified
            item.body_hash = _hash(got.page.body)
        if got.article is not None:
            new = got.article.id in added
            replaced = new and item.article_id not in (None, got.article.id)
            run.replaced += replaced
            run.added += new and not replaced
            run.unchanged += not new
            item.article_id, item.article_url = got.article.id, got.article.url
        elif got.unchanged:
            run.unchanged += 1
        return item


def _hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass
