"""The BM25 index one process searches with, and when it is rebuilt.

Every write, by any process, moves the store's generation stamp, and an index of another
generation no longer lists every chunk. Rebuilding reads every chunk: milliseconds for the
sample corpus, 38 s at 100k chunks, ~13 minutes at 1M (docs/deploy.md). A store with fewer
chunks than `search.lexical_background_chunks` is rebuilt at once, under the lock, by the
search that finds the stamp moved (so a word ingested is found by BM25 on the next search).

A larger store, in a process that keeps running (`background`: set by a server's warm-up,
`Newsdesk.warm_up`), keeps searching with the index of an earlier generation (the one in
memory, or the saved file's) while one thread rebuilds it; the search after it lands uses
the new one, and a write made meanwhile starts the next rebuild. A one-shot command builds
at once, as before: its process would end before a background rebuild saved anything.

An earlier index is safe to search with (vectorstore/search.py says how): it only misses
what was written since, which the dense list finds.

With no usable index at all (nothing in memory, the saved file missing or damaged) the index
is built at once whatever the size, rather than answering from the dense ranking alone
meanwhile: BM25 is half of every ranking (names, figures, rare words), and such answers
would differ from the same question's minutes later. That happens once per machine, not
after every write; `building` says so meanwhile (/readyz is 503 with it, so a load balancer
sends questions to another process), and `newsdesk check` says how far behind a saved file
is and which process is rebuilding it (vectorstore/health.py).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from vectorstore.lexical import LexicalIndex
from vectorstore.lexical_cache import CacheDamaged, build_index, load_index
from vectorstore.lexical_file import read_header
from vectorstore.storage import ArticleStorage

log = logging.getLogger("newsdesk.store")


@dataclass(frozen=True)
class Refresh:
    """A rebuild running beside the searches: since when, and how far behind the index
    they use meanwhile is."""

    since: float
    earlier: LexicalIndex  # the index searched meanwhile
    total: int  # the store's chunks when the rebuild started

    def __str__(self) -> str:
        behind = self.total - len(self.earlier)
        gap = f"{behind:,} chunk(s) behind" if behind >= 0 else f"{-behind:,} chunk(s) ahead"
        return (
            f"BM25 index rebuilding in the background since {utc_time(self.since)}: searches use "
            f"an earlier generation's ({len(self.earlier):,} chunks, the store has "
            f"{self.total:,}: {gap}; chunks added since are found by the dense ranking)"
        )


@dataclass(frozen=True)
class LexicalStatus:
    """What the index is doing, in words, for /readyz and the logs."""

    building: str | None  # built with none usable meanwhile (searches wait): from what, since
    refresh: str | None  # rebuilt beside the searches, or why the last such rebuild failed
    problem: str | None  # why the saved index was unusable (kept after its rebuild)


class LexicalKeeper:
    """The BM25 index of one storage in this process, rebuilt when the storage has moved."""

    def __init__(self, storage: ArticleStorage, cache: Path | None, background_chunks: int) -> None:
        self.storage = storage
        self.cache = cache  # where the index is kept between processes (None: not kept)
        self.background_chunks = background_chunks
        # Whether a large store's rebuild may run beside the searches (a serving process).
        self.background = False
        self._index: LexicalIndex | None = None
        # Held to read or swap the index, and by a build at once (searches wait for it).
        self._lock = threading.Lock()
        self._refresh: Refresh | None = None
        # Why the saved index was unusable (kept after the rebuild), for /readyz and `check`.
        self.problem: str | None = None
        # A build at once with no usable index meanwhile: what and since when.
        self.building: str | None = None
        # Why the last background rebuild failed (cleared by the next that lands).
        self.failure: str | None = None

    def status(self) -> LexicalStatus:
        refresh = self._refresh
        return LexicalStatus(
            self.building, str(refresh) if refresh is not None else self.failure, self.problem
        )

    def index(self, generation: str, total: int | None = None) -> LexicalIndex:
        """The index to search with at `generation` (`total`: the storage's chunk count,
        when the caller has just read it)."""
        with self._lock:
            current = self._index
            if current is not None and (current.generation == generation or self._refresh):
                return current  # up to date, or the earlier one while a rebuild runs
            if total is None:
                total = self.storage.stamp()[1]
            beside = self.background and total >= self.background_chunks
            problem = self.problem
            saved = self._saved(generation, earlier=beside and current is None)
            earlier = current if current is not None else saved  # an empty index is falsy
            if saved is not None and saved.generation == generation:
                self._index = saved
            elif beside and earlier is not None:
                self._index = earlier
                self._start(generation, total)
            else:
                # Not ready meanwhile when nothing is usable, or the saved file proved damaged.
                announce = earlier is None or self.problem is not problem
                self._index = self._build_at_once(generation, total, announce)
            return self._index

    def last(self) -> LexicalIndex | None:
        with self._lock:
            return self._index

    def rebuild(self) -> LexicalIndex:
        """Build the index from the storage now, whatever the saved one holds."""
        generation, total = self.storage.stamp()
        with self._lock:
            self._index = self._build_at_once(generation, total, self._index is None)
            return self._index

    def _saved(self, generation: str, *, earlier: bool) -> LexicalIndex | None:
        """The saved index if it is of `generation`; with `earlier`, of whichever generation
        it is. None when there is none (or it is damaged: `problem` says why)."""
        if self.cache is None:
            return None
        try:
            index = load_index(self.cache, generation)
            if index is None and earlier and self.cache.is_file():
                built_at = read_header(self.cache).get("generation")
                index = load_index(self.cache, built_at) if isinstance(built_at, str) else None
            return index
        except FileNotFoundError:  # replaced between the two reads: as if there were none
            return None
        except (CacheDamaged, OSError) as exc:
            log.warning("%s; rebuilding it from the store", exc)
            self.problem = str(exc)
            return None

    def _build_at_once(self, generation: str, total: int, announce: bool) -> LexicalIndex:
        if announce:
            self.building = f"from the store's {total:,} chunks since {utc_time(time.time())}"
        try:
            # Streams the chunks; replaces a damaged file too.
            index = build_index(self.storage.chunk_records(vectors=True), generation, self.cache)
            if self.problem and self.building:
                self.problem += f"; rebuilt from the store at {time.ctime()}"
            return index
        finally:
            self.building = None

    def _start(self, generation: str, total: int) -> None:
        assert self._index is not None
        self._refresh = Refresh(time.time(), self._index, total)
        thread = threading.Thread(
            target=self._rebuild_beside, args=(generation,), name="bm25-rebuild", daemon=True
        )
        thread.start()
        log.info("%s", self._refresh)

    def _rebuild_beside(self, generation: str) -> None:
        index = None
        try:
            index = build_index(self.storage.chunk_records(vectors=True), generation, self.cache)
        except Exception as exc:  # the store or the disk: logged, and the next search retries
            log.exception("rebuilding the BM25 index in the background failed")
            self.failure = (
                f"the background rebuild of the BM25 index failed at {utc_time(time.time())} "
                f"({type(exc).__name__}: {exc}); the next search starts another"
            )
        with self._lock:
            refresh, self._refresh = self._refresh, None
            # Unless a build at once (`rebuild`) replaced the earlier index meanwhile.
            if index is not None and refresh is not None and self._index is refresh.earlier:
                self._index = index
                self.failure = None


def utc_time(moment: float) -> str:
    """A moment as status lines and logs name it."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(moment))
