"""Watched questions asked again after each ingest and sync, in the background.

`Watcher.poke` is what an ingest or a sync pass calls when it stored something new: it
returns at once (a flag and, when none is running, a thread), so a watch never slows or
fails an ingest. The thread runs rounds: each watched question asked again, under a time
bound (`watch.max_seconds`: no ask starts after it), its answer compared with the last one by
the rule in assistant/watches.py (least recently asked first, so those left out go first
next time); a change is recorded with both answers and sent to the
watch's webhook. Pokes that come while a round runs make one more round, not one each.
The thread ends when idle; `close` lets a round in hand finish (the CLI's `newsdesk ingest`
reports first, then waits for it), bounded by the same time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.watches import Reading, Watch, WatchChange, WatchView, change_between, reading_of
from assistant.webhook import check_webhook, deliver
from vectorstore.watches import WATCH_ID

if TYPE_CHECKING:
    from assistant.settings import Settings
    from assistant.types import Answer
    from vectorstore.watches import WatchRecords

log = logging.getLogger(__name__)

IDLE_S = 5.0  # a thread with nothing to do this long ends; the next poke starts another
MAX_WATCHES = 200


class Watcher:
    """The watches of one store: adding, listing, checking, and the background rounds."""

    def __init__(
        self, records: WatchRecords, settings: Settings, ask: Callable[[Watch], Answer]
    ) -> None:
        self.records = records
        self.settings = settings
        self.ask = ask
        self._wake = threading.Event()
        self._pending = False  # a round was asked for and has not started
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._busy = False  # a round is running in the thread

    # -- what the interfaces call -------------------------------------------------------------

    def add(
        self,
        question: str,
        *,
        outlet: str | None = None,
        since: str | None = None,
        webhook: str | None = None,
    ) -> WatchView:
        """A new watch, asked at once: its answer is the baseline later answers are compared
        with. ValueError naming the field for what cannot be watched."""
        if len(self.records.of_kind("watch")) >= MAX_WATCHES:
            raise ValueError(f"at most {MAX_WATCHES} watches; remove one first")
        watch = Watch.new(question, outlet, since, webhook)
        if watch.webhook:
            check_webhook(watch.webhook, self.settings.ingest.fetch, self.settings.watch.secret)
        self.records.put(f"watch:{watch.id}", "watch", watch.to_data())
        self._check(watch, None)
        return self.view(watch.id) or WatchView(watch)

    def remove(self, watch_id: str) -> bool:
        rows = self.records.of_watch(watch_id)
        self.records.delete([rid for rid, _, _ in rows])
        return any(kind == "watch" for _, kind, _ in rows)

    def views(self) -> list[WatchView]:
        """Every watch with its last answer and unseen changes, oldest first."""
        ids = [data["watch_id"] for _, data in self.records.of_kind("watch")]
        views = [self.view(watch_id) for watch_id in ids]
        return sorted((v for v in views if v), key=lambda v: v.watch.created_at)

    def view(self, watch_id: str) -> WatchView | None:
        """One watch with its history (newest change first); None when there is none."""
        rows = {kind: [] for kind in ("watch", "state", "seen", "change")}
        for _, kind, data in self.records.of_watch(watch_id):
            rows[kind].append(data)
        if not rows["watch"]:
            return None
        view = WatchView(Watch.of_data(rows["watch"][0]))
        try:
            if rows["state"]:
                view.last = Reading.of_data(rows["state"][0]["last"])
                view.checked_at = rows["state"][0]["at"]
            view.changes = sorted((WatchChange.of_data(d) for d in rows["change"]),
                                  key=lambda c: c.at, reverse=True)  # fmt: skip
        except (KeyError, ValueError) as exc:  # a record another version wrote
            log.warning("watch %s: a record left out: %s", watch_id, exc)
        seen = rows["seen"][0]["at"] if rows["seen"] else 0.0
        view.unseen = sum(c.at > seen for c in view.changes)
        return view

    def mark_seen(self, watch_id: str) -> bool:
        """The watch's changes so far are seen (its badge clears); False when none."""
        if not WATCH_ID.fullmatch(watch_id) or self.records.get(f"watch:{watch_id}") is None:
            return False
        self.records.put(f"seen:{watch_id}", "seen", {"watch_id": watch_id, "at": time.time()})
        return True

    def check_now(self) -> list[WatchChange]:
        """Ask every watched question again now, in this thread: the changes recorded."""
        return self._round()

    # -- the background rounds ----------------------------------------------------------------

    def poke(self) -> None:
        """Something new was stored: a round soon, in the background. Returns at once."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._pending = True
            self._wake.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="newsdesk-watches",
                                                daemon=True)  # fmt: skip
                self._thread.start()

    def _loop(self) -> None:
        while True:
            self._wake.wait(IDLE_S)
            with self._lock:
                self._wake.clear()
                if not self._pending:  # idle for a while, or closing with nothing asked
                    self._thread = None
                    return
                self._pending, self._busy = False, True
            try:
                self._round()
            except Exception:  # the store went away, a bug: logged, never the ingest's
                log.exception("a round of watched questions failed")
            finally:
                self._busy = False

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no round runs or is asked for (tests; a CLI that reports changes)."""
        end = time.monotonic() + timeout
        while self._pending or self._busy:
            if time.monotonic() > end:
                return False
            time.sleep(0.05)
        return True

    def close(self) -> None:
        """Let a round in hand (or asked for) finish, within its time bound; start no more."""
        with self._lock:
            self._stopping.set()
            thread = self._thread
        if thread is not None:
            self._wake.set()  # an idle thread ends at once, a busy one after its round
            thread.join(self.settings.watch.max_seconds + 60)

    def _round(self) -> list[WatchChange]:
        deadline = time.monotonic() + self.settings.watch.max_seconds
        changes = []
        # Least recently asked first: those a round's time bound left out go first next time.
        for view in sorted(self.views(), key=lambda v: v.checked_at or 0.0):
            if time.monotonic() > deadline:
                log.warning("watched questions: time is up; the rest wait for the next round")
                break
            try:
                change = self._check(view.watch, view.last)
            except Exception:
                log.exception("watch %s could not be asked", view.watch.id)
                continue
            if change is not None:
                changes.append(change)
        return changes

    def _check(self, watch: Watch, last: Reading | None) -> WatchChange | None:
        """Ask `watch` again; record its answer and, when it changed, the change."""
        reading = reading_of(self.ask(watch), watch.question)
        why = change_between(last, reading)
        # The state is the answer as last asked (the same key as before when unchanged, so
        # the next comparison is the same): when it was asked shows, nothing else moves.
        state = {"watch_id": watch.id, "at": reading.asked_at, "last": reading.to_data()}
        if why is None:  # the baseline, or the same answer: nothing recorded, nothing sent
            self.records.put(f"state:{watch.id}", "state", state)
            return None
        assert last is not None
        change = WatchChange(watch.id, reading.asked_at, why, last, reading)
        record_id = f"change:{change.id}"
        known = self.records.get(record_id) is not None  # another process recorded it
        if watch.webhook and not known:
            change = replace(change, delivery="sending")
        self.records.put(record_id, "change", change.to_data())
        self.records.put(f"state:{watch.id}", "state", state)
        self.records.prune_changes(watch.id)
        if watch.webhook and not known:
            change = replace(change, delivery=self._send(watch, change))
            self.records.put(record_id, "change", change.to_data())
        return change

    def _send(self, watch: Watch, change: WatchChange) -> str:
        config = self.settings.watch
        payload = {
            "event": "watch.changed",
            "watch": {"id": watch.id, "question": watch.question, "outlet": watch.outlet,
                      "since": watch.since},
            "change": {"id": change.id, **change.to_data()},
        }  # fmt: skip
        payload["change"].pop("delivery")
        return deliver(watch.webhook or "", payload, config.secret, self.settings.ingest.fetch,
                       tries=config.webhook_tries, backoff_s=config.backoff_s)  # fmt: skip
