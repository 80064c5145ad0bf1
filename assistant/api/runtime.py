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
                self.newsdesk.embedder.embed_query("warm-up")
                self.newsdesk.ensure_sample_corpus()
                # Load (or rebuild) the BM25 index now: the first question should not wait
                # for it, and /readyz says "loading" meanwhile.
                self.newsdesk.store.lexical_index()
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
                return "loading the embedder and opening the store"
            try:
                self.prepare()
            except StoreUnavailable as exc:
                return str(exc)
            except Exception as exc:  # a damaged store: say what is wrong with it
                return self.store_problem() or f"{type(exc).__name__}: {exc}"
        store = self.newsdesk.store
        if store.lexical_rebuilding:
            return f"rebuilding the BM25 index: {store.lexical_cache_problem}"
        return self.store_problem()

    def readiness_notes(self) -> list[str]:
        """What a ready server has mended and an operator should know (a damaged cache)."""
        problem = self.newsdesk.store.lexical_cache_problem if self._prepared else None
        return [problem] if problem else []

    def store_problem(self) -> str | None:
        """None when the store answers; else why not."""
        try:
            self.newsdesk.store.client.heartbeat()
            self.newsdesk.store.count_articles()
        except StoreUnavailable as exc:
            return str(exc)
        except Exception as exc:  # chromadb raises many unrelated types for one outage
            # ... and for a damaged embedded store, which SQLite's check then names.
            damage = self._probe.sqlite_damage(self.newsdesk.store)
            where = self._where()
            return (
                damage or f"cannot reach the Chroma store at {where}: {type(exc).__name__}: {exc}"
            )
        # Reachable, but damaged below the records (vectorstore/health.py)?
        return "; ".join(self._probe.problems(self.newsdesk.store)) or None

    def _where(self) -> str:
        config = self.newsdesk.settings.store
        return f"{config.host}:{config.port}" if config.host else str(config.path)
