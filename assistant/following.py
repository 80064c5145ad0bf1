"""Following the news: watched questions asked again after each ingest and sync
(assistant/watcher.py), and sources kept in sync (assistant/sync.py).

`Following` is one part of `Newsdesk` (assistant/app.py), which every interface goes through.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from assistant.types import Answer

if TYPE_CHECKING:
    from assistant.scheduler import Scheduler
    from assistant.settings import Settings
    from assistant.sync import SourceView, Syncer, SyncOutcome
    from assistant.watcher import Watcher
    from assistant.watches import Watch, WatchChange, WatchView
    from ingest.web.polite import HostLimits
    from vectorstore.lock import Holder
    from vectorstore.store import ArticleStore

log = logging.getLogger(__name__)


class Following:
    """Watches and sources, as methods of `Newsdesk`.

    Relies on Newsdesk for `settings`, `store`, `holder` (named in the sync lease) and `ask`
    (a watched question is asked as any other), and on `Intake.host_limits` (a sync fetches
    as politely as an ingest, under the same per-host limits)."""

    settings: Settings
    store: ArticleStore
    holder: Holder
    host_limits: HostLimits
    ask: Callable[..., Answer]

    # Watched questions, asked again after each ingest and sync (assistant/watcher.py); a
    # change of the cited answer is recorded and sent to the watch's webhook.

    @cached_property
    def watcher(self) -> Watcher:
        from assistant.watcher import Watcher

        # A weak reference back: the watcher (and its thread) must not keep this Newsdesk,
        # and with it the store's one-process lock, alive once its owner lets it go.
        ask = weakref.WeakMethod(self._ask_watched)
        return Watcher(self.store.watches, self.settings, lambda watch: ask()(watch))

    def _ask_watched(self, watch: Watch) -> Answer:
        return self.ask(watch.question, filters=watch.filters())

    def watch_again(self) -> None:
        """New articles were stored: the watched questions are asked again in the background.
        Never raises: a watch must not fail the ingest that stored them."""
        try:
            if "watcher" in self.__dict__ or self.store.watches.of_kind("watch"):
                self.watcher.poke()
        except Exception:
            log.exception("watched questions could not be asked again")

    def watches(self) -> list[WatchView]:
        return self.watcher.views()

    def watch(self, watch_id: str) -> WatchView | None:
        """A watch with its history of changes; None when there is none of that id."""
        return self.watcher.view(watch_id)

    def add_watch(
        self,
        question: str,
        *,
        outlet: str | None = None,
        since: str | None = None,
        webhook: str | None = None,
    ) -> WatchView:
        """Watch a question (asked now: its answer is the baseline). ValueError names the
        field that cannot be used (a webhook needs NEWSDESK_WATCH_SECRET and a public URL)."""
        return self.watcher.add(question, outlet=outlet, since=since, webhook=webhook)

    def remove_watch(self, watch_id: str) -> bool:
        return self.watcher.remove(watch_id)

    def mark_watch_seen(self, watch_id: str) -> bool:
        return self.watcher.mark_seen(watch_id)

    def check_watches(self) -> list[WatchChange]:
        """Ask every watched question again now; the changes recorded."""
        return self.watcher.check_now()

    # Sources kept in sync: feeds and sitemaps read on a schedule (assistant/sync.py).

    @cached_property
    def syncer(self) -> Syncer:
        from assistant.sync import Syncer

        # Weakly, as the watcher's ask: the syncer must not keep this Newsdesk alive.
        watch_again = weakref.WeakMethod(self.watch_again)

        def on_stored() -> None:
            method = watch_again()
            if method is not None:
                method()

        return Syncer(self.store, self.settings, self.host_limits, self.holder.describe(),
                      on_stored=on_stored)  # fmt: skip

    def sources(self) -> list[SourceView]:
        """Every source with its status, last run (counts, errors per item) and next run."""
        return self.syncer.views()

    def source(self, ref: str) -> SourceView | None:
        """One source by its id or URL; None when there is none."""
        found = self.syncer.find(ref)
        return self.syncer.view(found.id) if found else None

    def add_source(
        self, url: str, *, every: str | int | None = None, outlet: str | None = None
    ) -> SourceView:
        """Add a feed or sitemap to keep in sync (`every`: "30m", "2h", ...; default the
        settings' `sync.every_minutes`); the URL is checked as every fetch is (http(s), no
        private address unless allow-listed). SourceError (a ValueError) says why not."""
        return self.syncer.add(url, every, outlet)

    def remove_source(self, ref: str) -> bool:
        """Forget a source and its sync state (its articles stay); False when none."""
        return self.syncer.remove(ref)

    def sync(
        self, refs: Sequence[str] = (), *, progress: bool = False, exclusive: bool = False
    ) -> SyncOutcome:
        """One pass now over the sources named (all when none). When another process runs
        the syncs of this store, they are asked of it instead (`SyncOutcome.queued`).
        `exclusive`: SyncBusy when a pass over one of them runs here, rather than waiting."""
        return self.syncer.sync(refs, progress=progress, exclusive=exclusive)

    def start_sync(self, refs: Sequence[str] = ()) -> SyncOutcome:
        """Start a pass over the sources named (all when none) in the background and return
        at once (`SyncOutcome.started`; each source's view says `running_since` until it
        ends). SyncBusy when one of them is being synced here already."""
        return self.syncer.start_sync(refs)

    def scheduler(self, say: Callable[[str], None] | None = None) -> Scheduler:
        """The loop that runs due syncs while this process holds the store's sync lease
        (`run()` in the foreground, `start()` in a thread)."""
        from assistant.scheduler import Scheduler

        return Scheduler(self.syncer, say)
