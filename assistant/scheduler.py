"""The scheduler: runs the due syncs of sources (assistant/sync.py) while this process holds
the store's sync lease, in `newsdesk serve` (a background thread) or `newsdesk sync --watch`
(the foreground). When another process holds the lease it stands by, and takes over when that
one stops or its lease runs out (vectorstore/sync_lease.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from assistant.sync import Syncer, describe_run


class Scheduler:
    """Runs due syncs until stopped, while this process holds the store's sync lease; when
    another process holds it, waits and tries again (it takes over when that one stops or
    its lease runs out). `say` gets a line for each change worth logging."""

    TICK_S = 5.0

    def __init__(self, syncer: Syncer, say: Callable[[str], None] | None = None) -> None:
        self.syncer = syncer
        self.say = say or (lambda _line: None)
        self.stop_event = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self, stop: threading.Event | None = None) -> None:
        stop = stop or self.stop_event
        keeper, holding, waiting_for = self.syncer.keeper, False, None
        try:
            while not stop.is_set():
                if holding and not keeper.held:
                    keeper.release()
                    holding = False
                    self.say("lost the sync lease: standing by")
                if not holding:
                    holding = self._try_take()
                    if not holding:
                        current = keeper.lease.current()
                        who = current.about if current else None
                        if who != waiting_for:
                            self.say(f"standing by: the sync lease is held by {who}")
                            waiting_for = who
                        stop.wait(self._standby_wait())
                        continue
                    waiting_for = None
                    self.say(f"holding the sync lease ({self.syncer.holder})")
                try:
                    for run in self.syncer.run_due(stop):
                        self.say(describe_run(run))
                except Exception as exc:  # the store is down, ...: tried again next tick
                    self.say(f"sync failed: {type(exc).__name__}: {exc}")
                stop.wait(self.TICK_S)
        finally:
            if holding:
                keeper.release()

    def _try_take(self) -> bool:
        try:
            return self.syncer.keeper.acquire()
        except Exception as exc:  # the store is down: tried again
            self.say(f"cannot reach the store for the sync lease: {exc}")
            return False

    def _standby_wait(self) -> float:
        return min(self.TICK_S, self.syncer.keeper.lease.ttl_s / 3)

    def start(self) -> None:
        """Run in a background thread (`newsdesk serve`)."""
        self._thread = threading.Thread(target=self.run, name="sync-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
