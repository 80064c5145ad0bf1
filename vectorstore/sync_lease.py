"""The sync lease: at most one process runs the syncs of a store at a time.

Several processes may share one store (API servers on one Chroma server, `newsdesk sync
--watch`); each may want to run the scheduled syncs. The lease is a record in the store's sync
collection (vectorstore/sync_state.py), so it works the same on an embedded store and on a
Chroma server, with nothing else to run.

How it is taken. The lease is a series of terms, `lease:<term>` records, each naming its
holder and an expiry (wall-clock time). A process that finds the newest term expired (or
none) adds the record of the next term. Chroma ignores an `add` of an id it already holds, so
when several processes add the same term at once, the first write wins and the others' are
dropped: each then reads the term back, and only the one whose name is in it holds the lease
(a compare-and-set on "term n+1 does not exist yet"). It then checks that no later term
exists (a taker slow enough to find its term pruned and re-added it loses here).

How it is kept. The holder rewrites its own term's expiry every `ttl/3` seconds (only the
holder writes its term; takers write the next one), and checks that no later term exists.
It trusts its hold only until `ttl - margin` after the start of its last successful renewal,
on its own monotonic clock, and stops starting work after that. A holder that crashes, hangs
or loses the store stops renewing; its term expires `ttl` after its last renewal and the
next process takes the next term. Releasing (a clean stop) sets the expiry to now.

The guarantee: two processes never both believe they hold the lease, provided the clocks of
the machines that share the store differ by less than `margin` (ttl/4: 15 s at the default
60 s) and a holder is not suspended between checking its hold and starting an item's fetch.
Chroma offers no conditional write, so a holder that breaks those assumptions (a process
frozen for over a minute, then resumed mid-item) can finish the item it had started after
another process took over. Nothing is damaged then: every write of a sync is idempotent
(articles by content id, one version per URL; state records by id), so the cost is one page
fetched twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass

from vectorstore.sync_state import SyncState

log = logging.getLogger("newsdesk.sync")
DEFAULT_TTL_S = 60.0


def holder_id() -> str:
    """A name no other process (or other lease keeper of this one) shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class LeaseTerm:
    term: int
    holder: str
    about: str
    taken_at: float
    expires_at: float

    @property
    def record_id(self) -> str:
        return f"lease:{self.term:012d}"

    def describe(self) -> str:
        left = self.expires_at - time.time()
        return f"{self.about} ({self.holder}; its lease runs {max(0.0, left):.0f} s more)"


class SyncLease:
    """One process's claim on a store's sync lease (see the module's text)."""

    def __init__(
        self, state: SyncState, about: str, ttl_s: float = DEFAULT_TTL_S, holder: str = ""
    ) -> None:
        self.state = state
        self.about = about
        self.ttl_s = max(1.0, ttl_s)
        self.margin_s = self.ttl_s / 4
        self.holder = holder or holder_id()
        self.term: int | None = None
        self._valid_until = 0.0

    @property
    def held(self) -> bool:
        """Whether this process may start work under the lease now."""
        return self.term is not None and time.monotonic() < self._valid_until

    def current(self) -> LeaseTerm | None:
        """The newest term, or None when nobody ever held the lease."""
        terms = [_term(data) for _, _, data in self.state.records("lease")]
        return max(terms, key=lambda t: t.term) if terms else None

    def try_take(self) -> bool:
        """Take the lease if it is free (or expired); True when this process holds it."""
        started = time.monotonic()
        now = time.time()
        newest = self.current()
        if newest is not None and newest.holder == self.holder and newest.expires_at > now:
            self.term = newest.term
            return self.renew()
        if newest is not None and newest.expires_at > now:
            return False
        term = LeaseTerm((newest.term if newest else 0) + 1, self.holder, self.about, now,
                         now + self.ttl_s)  # fmt: skip
        self.state.insert_new(term.record_id, _meta(term), _data(term))
        found = self.state.record(term.record_id)
        after = self.current()
        if found is None or found[2]["holder"] != self.holder or after is None:
            return False
        if after.term != term.term:
            return False
        self.term = term.term
        self._valid_until = started + self.ttl_s - self.margin_s
        self._prune(term.term)
        return True

    def renew(self) -> bool:
        """Push the expiry on; False (and no longer held) when another process has taken
        the lease since. Raises what the store raises when it cannot be reached: the hold
        then simply runs out."""
        if self.term is None:
            return False
        started = time.monotonic()
        newest = self.current()
        if newest is None or newest.term != self.term or newest.holder != self.holder:
            self.term = None
            return False
        now = time.time()
        term = LeaseTerm(self.term, self.holder, self.about, newest.taken_at, now + self.ttl_s)
        self.state.put([(term.record_id, _meta(term), _data(term))])
        after = self.current()
        if after is None or after.term != self.term:
            self.term = None
            return False
        self._valid_until = started + self.ttl_s - self.margin_s
        return True

    def release(self) -> None:
        """Give the lease up at once (the next process need not wait for it to expire)."""
        if self.term is None:
            return
        term, self.term = self.term, None
        try:
            newest = self.current()
            if newest is not None and newest.term == term and newest.holder == self.holder:
                gone = LeaseTerm(term, self.holder, self.about, newest.taken_at, time.time())
                self.state.put([(gone.record_id, _meta(gone), _data(gone))])
        except Exception as exc:  # the store is down: the lease expires by itself
            log.warning("could not release the sync lease: %s", exc)

    def _prune(self, term: int) -> None:
        old = [rid for rid, meta, _ in self.state.records("lease") if meta["term"] < term - 1]
        self.state.delete(old)


def _term(data: dict) -> LeaseTerm:
    return LeaseTerm(int(data["term"]), str(data["holder"]), str(data.get("about", "")),
                     float(data["taken_at"]), float(data["expires_at"]))  # fmt: skip


def _meta(term: LeaseTerm) -> dict:
    return {"kind": "lease", "term": term.term, "holder": term.holder}


def _data(term: LeaseTerm) -> dict:
    return {"term": term.term, "holder": term.holder, "about": term.about,
            "taken_at": term.taken_at, "expires_at": term.expires_at}  # fmt: skip


class LeaseKeeper:
    """This process's hold on the lease, shared by its scheduler and any one-off pass: taken
    by the first `acquire`, renewed in a background thread, given back by the last
    `release`. Thread-safe."""

    def __init__(self, lease: SyncLease) -> None:
        self.lease = lease
        self._count = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def held(self) -> bool:
        return self.lease.held

    def acquire(self) -> bool:
        """True when this process holds the lease (now, or already); False when another
        process does."""
        with self._lock:
            if self._count and self.lease.held:
                self._count += 1
                return True
            if not self.lease.try_take():
                return False
            self._count += 1
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(
                    target=self._renew_loop, name="sync-lease", daemon=True
                )
                self._thread.start()
            return True

    def release(self) -> None:
        with self._lock:
            self._count = max(0, self._count - 1)
            if self._count:
                return
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None:
            thread.join(timeout=10)
        with self._lock:
            if not self._count:
                self.lease.release()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease.ttl_s / 3):
            try:
                if not self.lease.renew():
                    log.warning("the sync lease was taken over by another process")
                    return
            except Exception as exc:  # the store is down: retried; the hold runs out meanwhile
                log.warning("could not renew the sync lease: %s", exc)
