"""Sources kept in sync: feeds and sitemaps read on a schedule, their new articles stored.

A pass over a source (`Syncer.sync_source`):

1. The listing (feed, sitemap, or each sitemap of an index) is fetched with the ETag and
   Last-Modified of its last fetch: a 304 lists nothing new, and no body is downloaded.
2. Each item listed is compared with what the source's state remembers of its URL
   (vectorstore/sync_state.py): stored and listed with the same date, it is skipped without a
   request; stored under its URL by any way in (another source, `newsdesk ingest`), it is
   skipped too; new or changed, it becomes *pending*. The pending items are written to the
   state before any page is fetched, and only then the listing's validators, so a pass
   killed at any point leaves its work in the state for the next one.
3. Pending pages are fetched (a few at once, each host within its limits) and read into
   articles while the articles already read are embedded and stored, a batch at a time;
   after each batch the items' state says so. A page fetched before is asked for with its
   ETag and Last-Modified (a 304 is unchanged, without a body), and a body with the hash of
   the one stored is not read again; an article with the same content id is not embedded
   again, and a changed one replaces its old version (one URL, one article).
4. The pass's `SyncRun` (counts, errors per item) and the source's status are written.

A page that fails for a passing reason (5xx, timeout) stays pending for `sync.max_tries`
passes; one that will not work (404, robots.txt, not an article) is marked failed until the
listing changes it. Every pass runs under the store's sync lease (vectorstore/sync_lease.py):
one process at a time syncs a store; the scheduler that runs the passes when they are due is
in assistant/scheduler.py.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from ingest.types import Article, IngestError
from vectorstore.keylocks import KeyedLocks
from vectorstore.sync_lease import LeaseKeeper, SyncLease
from vectorstore.sync_state import (
    FAILED,
    KEEP_ERRORS,
    PENDING,
    STORED,
    ItemError,
    ItemState,
    Source,
    SourceStatus,
    SyncRun,
    SyncState,
    source_id,
)

if TYPE_CHECKING:
    from assistant.settings import Settings
    from ingest.web.fetch import Fetcher, Page
    from ingest.web.listing import ListedItem
    from ingest.web.polite import HostLimits
    from vectorstore.store import ArticleStore

MIN_EVERY_S = 60
# Articles stored together, or what has come in after this many seconds: what a killed pass
# may have to fetch again, at most.
STORE_BATCH = 16
STORE_AFTER_S = 2.0
# Sitemaps read from one index per pass, those it says changed last first.
MAX_CHILD_SITEMAPS = 50
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "": 60, "m": 60, "h": 3600, "d": 86400}


class SourceError(ValueError):
    """A source that cannot be added or found; the message says why."""


def parse_every(text: str | float | int) -> int:
    """Seconds from "30m", "2h", "1d", "90s" or a number of minutes; at least a minute."""
    match = _EVERY.match(str(text))
    if not match:
        raise SourceError(f"an interval like 30m, 2h or 1d, not {text!r}")
    seconds = round(float(match[1]) * _UNITS[match[2].casefold()])
    if seconds < MIN_EVERY_S:
        raise SourceError(f"an interval of at least 1 minute, not {text!r}")
    return seconds


def describe_every(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass
class SourceView:
    """A source as the interfaces show it: its settings, sync status, last run, next run."""

    source: Source
    status: SourceStatus
    last_run: SyncRun | None
    next_run_at: float
    requested: bool = False
    # Items failing now (given up on, or to be tried again), with why.
    problems: list[ItemError] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.source.id

    def as_dict(self) -> dict:
        s, st = self.source, self.status
        return {
            "id": s.id,
            "url": s.url,
            "every": describe_every(s.every_s),
            "every_s": s.every_s,
            "outlet": s.outlet,
            "added_at": s.added_at,
            "kind": st.kind,
            "title": st.title,
            "last_run_at": st.last_run_at,
            "last_success_at": st.last_success_at,
            "last_error": st.last_error,
            "failures": st.failures,
            "next_run_at": self.next_run_at,
            "sync_requested": self.requested,
            "last_run": asdict(self.last_run) if self.last_run else None,
            "problems": [asdict(p) for p in self.problems],
        }


@dataclass
class SyncOutcome:
    """What a `sync` did: the runs made here, and the sources handed to the scheduler of
    another process (`holder` says which) because it holds the sync lease."""

    runs: list[SyncRun] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)
    holder: str | None = None


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


def _newest_first(items: list[ItemState]) -> list[ItemState]:
    return sorted(items, key=lambda i: (i.published_at or i.version or "", i.url), reverse=True)


class Syncer:
    """Passes over the sources of one store, under its sync lease."""

    def __init__(
        self,
        store: ArticleStore,
        settings: Settings,
        limits: HostLimits,
        about: str,
    ) -> None:
        self.store = store
        self.settings = settings
        self.limits = limits
        self.state: SyncState = store.sync_state
        self.keeper = LeaseKeeper(SyncLease(self.state, about, settings.sync.lease_s))
        self._fetcher: Fetcher | None = None
        self._fetcher_lock = threading.Lock()
        self._busy = KeyedLocks()

    @property
    def holder(self) -> str:
        return self.keeper.lease.holder

    def close(self) -> None:
        with self._fetcher_lock:
            if self._fetcher is not None:
                self._fetcher.close()
                self._fetcher = None

    def fetcher(self) -> Fetcher:
        """One fetcher for every pass of this process (its robots.txt cache lasts)."""
        from ingest.web.fetch import Fetcher

        with self._fetcher_lock:
            if self._fetcher is None:
                self._fetcher = Fetcher(self.settings.ingest.fetch, limits=self.limits)
            return self._fetcher

    # -- sources

    def views(self) -> list[SourceView]:
        statuses = self.state.statuses()
        last: dict[str, SyncRun] = {}
        for run in self.state.runs():  # newest first
            last.setdefault(run.source_id, run)
        requested = self.state.requests()
        return [
            self._view(s, statuses.get(s.id) or SourceStatus(s.id), last.get(s.id),
                       bool(requested.get(s.id)))
            for s in self.state.sources()
        ]  # fmt: skip

    def _view(
        self, source: Source, status: SourceStatus, run: SyncRun | None, requested: bool
    ) -> SourceView:
        if requested or status.last_run_at is None:
            next_at = time.time() if requested else source.added_at
        else:
            next_at = status.last_run_at + source.every_s
        failing = [
            ItemError(i.url, i.error or "") for i in self.state.items(source.id, FAILED).values()
        ]
        failing += [ItemError(i.url, i.error) for i in self.state.items(source.id, PENDING).values()
                    if i.error]  # fmt: skip
        return SourceView(source, status, run, next_at, requested, failing[:KEEP_ERRORS])

    def find(self, ref: str) -> Source | None:
        """A source by its id or its URL."""
        ref = ref.strip()
        return self.state.source(ref) or self.state.source(source_id(ref))

    def add(self, url: str, every: str | int | None, outlet: str | None) -> SourceView:
        """Add a source (or change the interval and outlet of one already there)."""
        from ingest.web.policy import FetchError

        url = url.strip()
        if not re.match(r"^https?://", url, re.IGNORECASE):
            raise SourceError(f"{url}: a source is an http(s) URL of a feed or a sitemap")
        every_s = parse_every(every if every is not None else self.settings.sync.every_minutes)
        try:
            self.fetcher().check(url)
        except FetchError as exc:
            raise SourceError(f"{url}: {exc.reason}") from exc
        old = self.state.source(source_id(url))
        source = Source(source_id(url), url, every_s, outlet or None,
                        old.added_at if old else time.time())  # fmt: skip
        self.state.put_source(source)
        return self.view(source.id)  # type: ignore[return-value]

    def view(self, sid: str) -> SourceView | None:
        source = self.state.source(sid)
        if source is None:
            return None
        runs = self.state.runs(sid)
        requested = bool(self.state.requests().get(sid))
        return self._view(source, self.state.status(sid), runs[0] if runs else None, requested)

    def remove(self, ref: str) -> bool:
        source = self.find(ref)
        return source is not None and self.state.remove_source(source.id)

    # -- passes

    def sync(
        self,
        refs: Sequence[str] = (),
        *,
        progress: bool = False,
        stop: threading.Event | None = None,
    ) -> SyncOutcome:
        """One pass over the sources named (all when none), now. Under the sync lease: when
        another process holds it, the sources are left to it as "sync now" requests."""
        sources = self._resolve(refs)
        if not self.keeper.acquire():
            for source in sources:
                self.state.request(source.id)
            current = self.keeper.lease.current()
            return SyncOutcome(queued=[s.id for s in sources],
                               holder=current.describe() if current else None)  # fmt: skip
        try:
            requests = self.state.requests()
            runs = [self.sync_source(s, stop=stop, progress=progress) for s in sources]
            self.state.delete([rid for s in sources for rid in requests.get(s.id, [])])
        finally:
            self.keeper.release()
        return SyncOutcome(runs=[r for r in runs if r is not None])

    def _resolve(self, refs: Sequence[str]) -> list[Source]:
        if not refs:
            return self.state.sources()
        found = []
        for ref in refs:
            source = self.find(ref)
            if source is None:
                raise SourceError(f"no source {ref!r} (see 'newsdesk sources list')")
            found.append(source)
        return found

    def due(self) -> tuple[list[Source], dict[str, list[str]]]:
        """The sources whose time has come or that were asked to sync now, and the request
        records that asked."""
        requests = self.state.requests()
        now = time.time()
        statuses = self.state.statuses()
        due = []
        for source in self.state.sources():
            status = statuses.get(source.id)
            last = status.last_run_at if status else None
            if source.id in requests or last is None or now >= last + source.every_s:
                due.append(source)
        return due, requests

    def run_due(self, stop: threading.Event | None = None) -> list[SyncRun]:
        """The scheduler's step: a pass over each due source (the caller holds the lease)."""
        due, requests = self.due()
        runs = []
        for source in due:
            if stop is not None and stop.is_set() or not self.keeper.held:
                break
            run = self.sync_source(source, stop=stop)
            if run is not None:
                runs.append(run)
                self.state.delete(requests.get(source.id, []))
        return runs

    def sync_source(
        self, source: Source, *, stop: threading.Event | None = None, progress: bool = False
    ) -> SyncRun | None:
        """One pass over one source (the caller holds the lease); None when it was removed
        meanwhile. Passes over one source in this process take turns."""
        with self._busy.hold([source.id]):
            if self.state.source(source.id) is None:
                return None
            return _Pass(self, source, stop or threading.Event(), progress).run()


class _Pass:
    """One pass over one source: the steps of the module's text."""

    def __init__(
        self, syncer: Syncer, source: Source, stop: threading.Event, progress: bool
    ) -> None:
        self.syncer = syncer
        self.state = syncer.state
        self.store = syncer.store
        self.settings = syncer.settings.sync
        self.policy = syncer.settings.ingest.fetch
        self.source = source
        self.stop = stop
        self.progress = progress
        self.run_record = SyncRun.start(source.id, syncer.holder)
        self.status = self.state.status(source.id)

    def run(self) -> SyncRun:
        run, status = self.run_record, self.status
        self._close_interrupted()
        status.last_run_at = run.started_at
        self.state.put_run(run)
        self.state.put_status(status)
        try:
            self._list()
        except IngestError as exc:  # FetchError included
            run.status, run.error = "failed", getattr(exc, "reason", str(exc))
            status.last_error = run.error
            status.failures += 1
        else:
            status.last_success_at = time.time()
            status.last_error = None
            status.failures = 0
        self.state.put_status(status)
        pending = _newest_first(list(self.state.items(self.source.id, PENDING).values()))
        todo, waiting = pending[: self.settings.max_items], len(pending) - self.settings.max_items
        done = self._fetch_and_store(todo)
        run.left = max(0, waiting) + len(todo) - done
        run.finished_at = time.time()
        if run.status == "running":
            stopped = done < len(todo)
            run.status = "stopped" if stopped else ("partial" if run.failed else "ok")
            if stopped and not self.syncer.keeper.held:
                run.error = "the sync lease was lost: another process syncs this store now"
        self.state.put_run(run)
        self.state.prune_runs(self.source.id)
        if self.state.source(self.source.id) is None:  # removed while this pass ran
            self.state.remove_source(self.source.id)
        return run

    def _close_interrupted(self) -> None:
        """Runs of this source still "running": their process died (passes of one source
        take turns, and a live holder of the lease is this one)."""
        for old in self.state.runs(self.source.id):
            if old.status == "running":
                old.status, old.finished_at = "interrupted", old.finished_at or time.time()
                old.error = old.error or "its process stopped before the pass ended"
                self.state.put_run(old)

    # -- 1 and 2: the listing

    def _list(self) -> None:
        from ingest.web.listing import LISTING_TYPES, read_listing

        fetcher = self.syncer.fetcher()
        status = self.status
        page = fetcher.fetch(
            self.source.url,
            etag=status.etag,
            last_modified=status.last_modified,
            accept=LISTING_TYPES,
        )
        if page.not_modified:
            self.run_record.not_modified += 1
            return
        listing = read_listing(page.body, page.content_type, page.final_url, self.policy.max_bytes)
        status.kind, status.title = listing.kind, listing.title or status.title
        items = list(listing.items)
        if listing.kind == "sitemap-index":
            items = self._read_index(listing)
        self._note_listed(items)
        # Only now, with every new item written down as pending: a pass killed before this
        # line fetches the listing again rather than trusting a 304 over lost items.
        status.etag, status.last_modified = page.etag, page.last_modified

    def _read_index(self, index) -> list[ListedItem]:  # noqa: ANN001 - a Listing
        from ingest.web.listing import LISTING_TYPES, read_listing
        from ingest.web.policy import FetchError

        fetcher = self.syncer.fetcher()
        known = self.status.listings
        kept: dict[str, dict] = {}
        items: list[ListedItem] = []
        children = sorted(index.sitemaps, key=lambda c: c.updated_at or "", reverse=True)
        for child in children[:MAX_CHILD_SITEMAPS]:
            seen = known.get(child.url) or {}
            kept[child.url] = seen
            if child.updated_at and seen.get("updated_at") == child.updated_at:
                continue  # the index says it has not changed since it was read
            try:
                page = fetcher.fetch(
                    child.url,
                    etag=seen.get("etag"),
                    last_modified=seen.get("last_modified"),
                    accept=LISTING_TYPES,
                )
                if page.not_modified:
                    self.run_record.not_modified += 1
                    kept[child.url] = {**seen, "updated_at": child.updated_at}
                    continue
                listing = read_listing(page.body, page.content_type, page.final_url,
                                       self.policy.max_bytes)  # fmt: skip
            except (FetchError, IngestError) as exc:
                self.run_record.note_error(child.url, getattr(exc, "reason", str(exc)))
                continue
            if listing.kind == "sitemap-index":
                reason = "a sitemap index inside an index: not followed"
                self.run_record.note_error(child.url, reason)
                continue
            items += listing.items
            kept[child.url] = {"etag": page.etag, "last_modified": page.last_modified,
                               "updated_at": child.updated_at}  # fmt: skip
        self.status.listings = kept
        return items

    def _note_listed(self, listed: list[ListedItem]) -> None:
        """Write down as pending what is new or changed; count what is unchanged."""
        run = self.run_record
        by_url: dict[str, ListedItem] = {}
        for item in listed:
            by_url.setdefault(item.url, item)
        run.listed = len(by_url)
        known = self.state.items(self.source.id)
        fresh = [url for url in by_url if url not in known]
        elsewhere = self.store.stored_urls(fresh) if fresh else {}
        now = time.time()
        changed: list[ItemState] = []
        for url, item in by_url.items():
            old = known.get(url)
            if old is None:
                state = ItemState(self.source.id, url, PENDING, item.version, item.title,
                                  item.guid, item.published_at, updated_at=now)  # fmt: skip
                if url in elsewhere:  # stored already, by another source or an ingest
                    state = replace(state, status=STORED, article_id=elsewhere[url],
                                    article_url=url)  # fmt: skip
                    run.unchanged += 1
                changed.append(state)
            elif old.version != item.version or (old.guid or "") != (item.guid or ""):
                # The listing says it changed: checked again (a failed one tried again).
                changed.append(replace(old, status=PENDING, version=item.version,
                                       title=item.title, guid=item.guid,
                                       published_at=item.published_at, tries=0,
                                       updated_at=now))  # fmt: skip
            elif old.status == STORED:
                run.unchanged += 1
        self.state.put_items(changed)

    # -- 3: pages

    def _fetch_and_store(self, todo: list[ItemState]) -> int:
        """Fetch, read and store the pending items; how many were settled (stored,
        unchanged or failed). Stops early when asked to or when the lease is lost."""
        if not todo:
            return 0
        bar = self._bar(len(todo))
        settled = 0
        batch: list[_Fetched] = []
        since = time.monotonic()
        workers = max(1, self.settings.workers)
        # Pages queued ahead: the workers keep fetching while a batch is embedded and stored.
        ahead = workers + 2 * STORE_BATCH
        queue: Iterator[ItemState] = iter(todo)
        running: set[Future[_Fetched]] = set()
        with ThreadPoolExecutor(workers, thread_name_prefix="sync-fetch") as pool:
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
                    settled += self._store(batch)
                    bar.update(len(batch))
                    batch = []
            if batch:
                settled += self._store(batch)
                bar.update(len(batch))
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
        """Runs in a worker thread: fetch and read one page (no store access here), so that
        where cores are spare, reading overlaps the encoder's work (on 2 cores it measured
        the same as reading in the pass's thread: docs/benchmarks.md)."""
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

    def _store(self, batch: list[_Fetched]) -> int:
        """Store the batch's articles, then write down what became of each item."""
        run, now = self.run_record, time.time()
        articles = [f.article for f in batch if f.article is not None]
        report = self.store.add_articles(articles) if articles else None
        added = set(report.added) if report else set()
        updates = []
        for got in batch:
            item = replace(got.item, updated_at=now)
            if got.error is not None:
                item.tries += 1
                gave_up = not got.transient or item.tries >= self.settings.max_tries
                item.status, item.error = (FAILED if gave_up else PENDING), got.error
                run.note_error(item.url, got.error)
            else:
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
            updates.append(item)
        self.state.put_items(updates)
        return len(batch)


def _hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def describe_run(run: SyncRun) -> str:
    """One line for a log or the terminal."""
    parts = [f"{run.added} added", f"{run.replaced} replaced", f"{run.unchanged} unchanged"]
    if run.failed:
        parts.append(f"{run.failed} failed")
    if run.left:
        parts.append(f"{run.left} left for the next pass")
    took = (run.finished_at or time.time()) - run.started_at
    error = f": {run.error}" if run.error else ""
    return (
        f"{run.source_id}: {run.status}{error}; {run.listed} listed, "
        + ", ".join(parts)
        + (f" in {took:.1f}s")
    )
