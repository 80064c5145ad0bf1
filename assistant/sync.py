"""Sources kept in sync: feeds and sitemaps read on a schedule, their new articles stored.

A pass over a source (`Syncer.sync_source`) reads its listing, writes down what is new or
changed as pending, fetches, reads, embeds and stores the pending pages and records the run
(assistant/sync_pass.py, and for the pages assistant/sync_pages.py). This module holds what
the interfaces call: sources added, listed and removed, passes now or in the background
(`start_sync`, one at a time per source), and the due passes the scheduler runs.

A page that fails for a passing reason (5xx, timeout) stays pending for `sync.max_tries`
passes; one that will not work (404, robots.txt, not an article) is marked failed until the
listing changes it. Every pass runs under the store's sync lease (vectorstore/sync_lease.py):
one process at a time syncs a store; the scheduler that runs the passes when they are due is
in assistant/scheduler.py.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from vectorstore.keylocks import KeyedLocks
from vectorstore.sync_lease import LeaseKeeper, SyncLease
from vectorstore.sync_state import (
    FAILED,
    KEEP_ERRORS,
    PENDING,
    ItemError,
    Source,
    SourceStatus,
    SyncRun,
    SyncState,
    source_id,
)

if TYPE_CHECKING:
    from assistant.settings import Settings
    from ingest.web.fetch import Fetcher
    from ingest.web.polite import HostLimits
    from vectorstore.store import ArticleStore

log = logging.getLogger(__name__)

MIN_EVERY_S = 60
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "": 60, "m": 60, "h": 3600, "d": 86400}


class SourceError(ValueError):
    """A source that cannot be added or found; the message says why."""


class SyncBusy(SourceError):
    """A pass asked for over a source whose pass is running in this process now."""


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
    # When the pass running in this process now began (None: none running here).
    running_since: float | None = None

    @property
    def id(self) -> str:
        return self.source.id

    @property
    def syncing_since(self) -> float | None:
        """When the pass now running began: this process's, else the last run's while its
        record says running (a pass in another process, or one that ended after the record
        was read: the next read shows its end); None when none runs."""
        if self.running_since is not None:
            return self.running_since
        run = self.last_run
        return run.started_at if run is not None and run.status == "running" else None

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
            "running": self.running_since is not None,
            "running_since": self.running_since,
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
    # Sources whose passes `start_sync` began in the background here.
    started: list[str] = field(default_factory=list)


class Syncer:
    """Passes over the sources of one store, under its sync lease."""

    def __init__(
        self,
        store: ArticleStore,
        settings: Settings,
        limits: HostLimits,
        about: str,
        on_stored: Callable[[], None] | None = None,
    ) -> None:
        """`on_stored`: called after a pass that stored something new (watched questions
        are asked again); it must return at once and not raise."""
        self.store = store
        self.on_stored = on_stored
        self.settings = settings
        self.limits = limits
        self.state: SyncState = store.sync_state
        self.keeper = LeaseKeeper(SyncLease(self.state, about, settings.sync.lease_s))
        self._fetcher: Fetcher | None = None
        self._fetcher_lock = threading.Lock()
        self._busy = KeyedLocks()
        # Sources with a pass running (or started in the background) in this process, since.
        self._running: dict[str, float] = {}
        self._running_lock = threading.Lock()
        self._closing = threading.Event()

    @property
    def holder(self) -> str:
        return self.keeper.lease.holder

    def close(self) -> None:
        self._closing.set()  # background passes stop after the page in hand
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
        # This process's passes are read before their run records: a pass that ends in
        # between is then seen running with its finished record (the next read shows it
        # done), never as no pass with a record still saying "running".
        running = self.running()
        statuses = self.state.statuses()
        last: dict[str, SyncRun] = {}
        for run in self.state.runs():  # newest first
            last.setdefault(run.source_id, run)
        requested = self.state.requests()
        return [
            self._view(s, statuses.get(s.id) or SourceStatus(s.id), last.get(s.id),
                       bool(requested.get(s.id)), running.get(s.id))
            for s in self.state.sources()
        ]  # fmt: skip

    def _view(
        self,
        source: Source,
        status: SourceStatus,
        run: SyncRun | None,
        requested: bool,
        since: float | None,
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
        return SourceView(source, status, run, next_at, requested, failing[:KEEP_ERRORS], since)

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
        since = self.running().get(sid)  # before the runs: see views()
        source = self.state.source(sid)
        if source is None:
            return None
        runs = self.state.runs(sid)
        requested = bool(self.state.requests().get(sid))
        return self._view(
            source, self.state.status(sid), runs[0] if runs else None, requested, since
        )

    def remove(self, ref: str) -> bool:
        source = self.find(ref)
        return source is not None and self.state.remove_source(source.id)

    # -- passes

    def running(self) -> dict[str, float]:
        """Sources with a pass running in this process (or started in the background), and
        since when."""
        with self._running_lock:
            return dict(self._running)

    def _refuse_busy(self, sources: Sequence[Source]) -> None:
        """SyncBusy naming the sources among `sources` with a pass running here (the
        caller holds `_running_lock`)."""
        busy = [s.id for s in sources if s.id in self._running]
        if busy:
            raise SyncBusy(f"a sync of {', '.join(busy)} is running now: its last run "
                           "(GET /v1/sources/<id>) says when it is done")  # fmt: skip

    def _queue(self, sources: Sequence[Source]) -> SyncOutcome:
        """Leave the sources to the process that holds the sync lease, as requests."""
        for source in sources:
            self.state.request(source.id)
        current = self.keeper.lease.current()
        return SyncOutcome(queued=[s.id for s in sources],
                           holder=current.describe() if current else None)  # fmt: skip

    def start_sync(self, refs: Sequence[str] = ()) -> SyncOutcome:
        """Start a pass over the sources named (all when none) in a background thread and
        return at once (`started`); poll each source's view (`running`, `last_run`). When
        another process holds the sync lease, they are left to it (`queued`). SyncBusy when
        a pass over one of them is running in this process already."""
        sources = self._resolve(refs)
        with self._running_lock:
            self._refuse_busy(sources)
            if not self.keeper.acquire():
                return self._queue(sources)
            now = time.time()
            self._running.update((s.id, now) for s in sources)
        try:
            threading.Thread(target=self._background, args=(sources,), name="sync-now",
                             daemon=True).start()  # fmt: skip
        except BaseException:
            self._done(sources)
            raise
        return SyncOutcome(started=[s.id for s in sources])

    def _background(self, sources: list[Source]) -> None:
        try:
            requests = self.state.requests()
            for source in sources:
                if self._closing.is_set():
                    break
                self.sync_source(source, stop=self._closing)
                self.state.delete(requests.get(source.id, []))
        except Exception:  # the store went away: the next pass starts again
            log.exception("a background sync failed")
        finally:
            self._done(sources)

    def _done(self, sources: Sequence[Source]) -> None:
        with self._running_lock:
            for source in sources:
                self._running.pop(source.id, None)
        self.keeper.release()

    def sync(
        self,
        refs: Sequence[str] = (),
        *,
        progress: bool = False,
        stop: threading.Event | None = None,
        exclusive: bool = False,
    ) -> SyncOutcome:
        """One pass over the sources named (all when none), now. Under the sync lease: when
        another process holds it, the sources are left to it as "sync now" requests.
        `exclusive`: SyncBusy when a pass over one of them is running here, rather than
        waiting for it."""
        sources = self._resolve(refs)
        if exclusive:
            with self._running_lock:
                self._refuse_busy(sources)
        if not self.keeper.acquire():
            return self._queue(sources)
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
            from assistant.sync_pass import Pass

            with self._running_lock:
                mine = source.id not in self._running  # else start_sync marked it
                self._running.setdefault(source.id, time.time())
            try:
                run = Pass(self, source, stop or threading.Event(), progress).run()
                if run is not None and (run.added or run.replaced) and self.on_stored:
                    self.on_stored()
                return run
            finally:
                if mine:
                    with self._running_lock:
                        self._running.pop(source.id, None)


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
