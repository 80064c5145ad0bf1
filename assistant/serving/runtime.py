"""The Newsdesk behind an API server: prepared once (model loaded, store open, samples in),
and asked whether its store still answers."""

from __future__ import annotations

import logging
import threading

from assistant.app import Newsdesk
from vectorstore.client import StoreUnavailable
from vectorstore.health import ReadinessProbe

log = logging.getLogger("newsdesk.api")


class Runtime:
    def __init__(self, newsdesk: Newsdesk) -> None:
        self.newsdesk = newsdesk
        self._prepared = False
        self._lock = threading.Lock()
        self._probe = ReadinessProbe()

    @property
    def prepared(self) -> bool:
        return self._prepared

    def prepare(self) -> Newsdesk:
        """Load the embedder, open the store and offer the sample corpus, once; raises
        StoreUnavailable (and is tried again by the next request) while Chroma is down."""
        if self._prepared:
            return self.newsdesk
        with self._lock:
            if not self._prepared:
                # The first question should wait for nothing; /readyz says "loading" meanwhile.
                self.newsdesk.warm_up()
                self._prepared = True
        return self.newsdesk

    def prepare_quietly(self) -> None:
        """Start-up warm-up: a store that is down now is reported by /readyz, not fatal."""
        try:
            self.prepare()
        except StoreUnavailable as exc:
            log.warning("not ready: %s", exc)

    def readiness_problem(self) -> str | None:
        """None when ready to answer; else why not. Never waits for a warm-up in progress."""
        if not self._prepared:
            if self._lock.locked():
                building = self.newsdesk.search_index_status().building
                return "loading the embedder and opening the store" + (
                    f"; building the BM25 index {building}" if building else ""
                )
            try:
                self.prepare()
            except StoreUnavailable as exc:
                return str(exc)
            except Exception as exc:  # a damaged store: say what is wrong with it
                return self.store_problem() or f"{type(exc).__name__}: {exc}"
        index = self.newsdesk.search_index_status()
        if index.building:  # no usable index meanwhile: searches wait for it
            why = f": {index.problem}" if index.problem else ""
            return f"rebuilding the BM25 index {index.building}{why}"
        return self.store_problem()

    def readiness_notes(self) -> list[str]:
        """What a ready server has mended and an operator should know: a damaged cache, a
        rebuild running beside the searches (which use an earlier index meanwhile)."""
        if not self._prepared:
            return []
        index = self.newsdesk.search_index_status()
        return [note for note in (index.refresh, index.problem) if note]

    def store_problem(self) -> str | None:
        """None when the store answers; else why not."""
        return self.newsdesk.store_problem(self._probe)
