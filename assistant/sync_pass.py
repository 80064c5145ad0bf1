"""One pass over a source (`Pass.run`; assistant/sync.py says what a pass is):

1. The listing (feed, sitemap, or each sitemap of an index, indexes nested up to
   `MAX_INDEX_DEPTH`) is fetched with the ETag and Last-Modified of its last fetch: a 304
   lists nothing new, and no body is downloaded.
2. Each item listed is compared with what the source's state remembers of its URL: stored
   and listed with the same date, it is skipped without a request; stored under its URL by
   any way in, it is skipped too; new or changed, it becomes *pending*. The pending items
   are written to the state before any page is fetched, and only then the listing's
   validators, so a pass killed at any point leaves its work in the state for the next one.
3. Pending pages are fetched, read, embedded and stored (assistant/sync_pages.py).
4. The pass's `SyncRun` (counts, errors per item) and the source's status are written, and
   the records of items long gone from the listing are pruned.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.sync_pages import PageSync
from ingest.types import IngestError
from vectorstore.sync_state import PENDING, STORED, ItemState, Source, SyncRun

if TYPE_CHECKING:
    from assistant.sync import Syncer
    from ingest.web.listing import ListedItem, Listing

# Sitemaps read from one index per pass (nested indexes included), those it says changed
# last first; indexes followed inside indexes, at most this deep (the source's own is 1).
MAX_CHILD_SITEMAPS = 50
MAX_INDEX_DEPTH = 3
# An item stored or given up on that no listing has named for this long is forgotten (its
# article stays): the state of a feed read for years stays the size of what it lists. One
# that comes back is found stored by its URL, or fetched once and found unchanged.
FORGET_AFTER_S = 30 * 86400
# How stale an item's `listed_at` may get before a pass writes it again.
RELIST_AFTER_S = 86400


def _newest_first(items: list[ItemState]) -> list[ItemState]:
    return sorted(items, key=lambda i: (i.published_at or i.version or "", i.url), reverse=True)


class Pass:
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
        pages = PageSync(self.syncer, self.source, run, self.stop, self.progress)
        done = pages.fetch_and_store(todo)
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

    def _read_index(self, index: Listing) -> list[ListedItem]:
        """The items of an index's sitemaps (and of the indexes it names, to
        `MAX_INDEX_DEPTH`); a child the index says has not changed, or that answers 304, is
        not read again. What each child answered is kept in the source's status."""
        self._kept: dict[str, dict] = {}
        self._budget = MAX_CHILD_SITEMAPS
        items = self._read_children(index, 1, {self.source.url})
        self.status.listings = self._kept
        return items

    def _read_children(self, index: Listing, depth: int, seen: set[str]) -> list[ListedItem]:
        from ingest.web.listing import LISTING_TYPES, read_listing
        from ingest.web.policy import FetchError

        fetcher = self.syncer.fetcher()
        known, kept = self.status.listings, self._kept
        items: list[ListedItem] = []
        children = sorted(index.sitemaps, key=lambda c: c.updated_at or "", reverse=True)
        for child in children:
            if child.url in seen or self._budget <= 0:
                continue  # an index that names itself or an ancestor; or enough for a pass
            seen.add(child.url)
            self._budget -= 1
            seen_before = known.get(child.url) or {}
            kept[child.url] = seen_before
            if child.updated_at and seen_before.get("updated_at") == child.updated_at:
                continue  # the index says it has not changed since it was read
            try:
                page = fetcher.fetch(
                    child.url,
                    etag=seen_before.get("etag"),
                    last_modified=seen_before.get("last_modified"),
                    accept=LISTING_TYPES,
                )
                if page.not_modified:
                    self.run_record.not_modified += 1
                    kept[child.url] = {**seen_before, "updated_at": child.updated_at}
                    continue
                listing = read_listing(page.body, page.content_type, page.final_url,
                                       self.policy.max_bytes)  # fmt: skip
            except (FetchError, IngestError) as exc:
                self.run_record.note_error(child.url, getattr(exc, "reason", str(exc)))
                continue
            if listing.kind == "sitemap-index":
                if depth >= MAX_INDEX_DEPTH:
                    reason = (
                        f"sitemap indexes nested more than {MAX_INDEX_DEPTH} deep: not followed"
                    )
                    self.run_record.note_error(child.url, reason)
                    continue
                items += self._read_children(listing, depth + 1, seen)
            else:
                items += listing.items
            kept[child.url] = {"etag": page.etag, "last_modified": page.last_modified,
                               "updated_at": child.updated_at}  # fmt: skip
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
                                  item.guid, item.published_at, updated_at=now,
                                  listed_at=now)  # fmt: skip
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
                                       updated_at=now, listed_at=now))  # fmt: skip
            else:
                run.unchanged += old.status == STORED
                if now - old.last_listed >= RELIST_AFTER_S:
                    changed.append(replace(old, listed_at=now))
        self.state.put_items(changed)
        self._forget([i for url, i in known.items() if url not in by_url], now)

    def _forget(self, unlisted: list[ItemState], now: float) -> None:
        """Drop the records of items no listing has named for `FORGET_AFTER_S` (never a
        pending one: that is work still to do)."""
        gone = [i.record_id for i in unlisted
                if i.status != PENDING and now - i.last_listed >= FORGET_AFTER_S]  # fmt: skip
        if gone:
            self.state.delete(gone)
            self.run_record.forgotten = len(gone)
