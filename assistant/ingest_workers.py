"""Ingest workers: `newsdesk ingest --workers N` reads and embeds in N processes.

One process writes. The workers load the files (each on its own, as
`ingest.pipeline.load_one` does in one process) and embed the chunks of each write with an
encoder of their own, holding cores/N threads; the process that started them keeps the
store (an embedded store is held by one process, vectorstore/lock.py) and writes batch after
batch exactly as a one-process ingest does, while the workers embed the batches after it.
So the crash guarantees are today's: a worker writes nothing, and a killed one stops the
ingest between two whole writes, which a re-run finishes (docs/reliability.md). The results
are those of `--workers 1`: files are read back in their order, articles kept once in that
order, and each write's chunks are embedded together, as one process embeds them.

Against a Chroma server the same holds, and several machines scale out by each running an
ingest of its own share of the files: a server takes writers from many processes
(docs/deploy.md, "Ingest workers").
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import numpy as np

from vectorstore.config import EmbedderConfig

T = TypeVar("T")
R = TypeVar("R")

# A crash switch for the tests, like vectorstore/faults.py's: a worker SIGKILLs itself when
# it is handed its Nth batch to embed, so a test can lose a worker mid-run on purpose.
WORKER_FAULT_ENV = "NEWSDESK_FAULT_WORKER_AFTER_BATCHES"
# Batches handed out per worker beyond the one it embeds: the next is always queued while
# the writer writes, and few vectors wait in memory.
_AHEAD_PER_WORKER = 2


class IngestWorkerLost(RuntimeError):
    """A worker process ended before its work was done (killed, out of memory)."""


def cores() -> int:
    """The cores this process may run on (a container's or taskset's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(setting: int) -> int:
    """Processes for NEWSDESK_INGEST_WORKERS: 0 means one per core."""
    return setting if setting > 0 else cores()


def workers_for(requested: int, files: Iterable[Path], min_bytes: int) -> int:
    """The worker processes an ingest of `files` gets: 1 (all in this process) when they hold
    fewer than `min_bytes` (NEWSDESK_INGEST_WORKERS_MIN_KB), else `requested`. Spawning a
    worker and loading its encoder costs ~1.5-3 s, and on 2 cores two workers embed ~1.14x
    as fast as one process (docs/benchmarks.md, "Ingest with worker processes"): that repays
    the start only on an ingest of ~20 s and more, about half a megabyte of article text.
    Missing files count as nothing (loading them reports the problem)."""
    if requested <= 1:
        return 1
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            continue
        if total >= min_bytes:
            return requested
    return 1 if total < min_bytes else requested


class IngestWorkers:
    """N worker processes, each with its own encoder; a context manager that stops them."""

    def __init__(self, embedder: EmbedderConfig, workers: int) -> None:
        self.workers = max(1, workers)
        # Cores split between the workers: N encoders each claiming every core only fight.
        config = replace(embedder, threads=max(1, cores() // self.workers))
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            # Not fork: a forked child would share the parent's Chroma client, threads and
            # the store lock's file descriptor.
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(config, os.getpid()),
        )

    def __enter__(self) -> IngestWorkers:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def map_files(self, load: Callable[[Path], R], files: list[Path]) -> Iterator[R]:
        """`load` over the files in the workers, results in the files' order (the
        `map_files` of ingest.pipeline.load_paths)."""
        # A few files a task: one at a time costs a round trip per small file.
        size = max(1, min(16, len(files) // (4 * self.workers)))
        return _guarded(self._pool.map(load, files, chunksize=size))

    def embed_batches(self, batches: Iterable[list[str]]) -> Iterator[np.ndarray]:
        """Each batch's vectors, in order, embedded in the workers a few batches ahead of
        the one the caller is writing (the `embed` of ArticleStore.add_articles)."""
        return _guarded(self._embed_ahead(batches))

    def _embed_ahead(self, batches: Iterable[list[str]]) -> Iterator[np.ndarray]:
        pending: deque[Future[np.ndarray]] = deque()
        for texts in batches:
            pending.append(self._pool.submit(_embed, texts))
            if len(pending) > self.workers * _AHEAD_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _guarded(results: Iterator[T]) -> Iterator[T]:
    """The results, with a lost worker (submit and result both say so) named for users."""
    try:
        yield from results
    except BrokenProcessPool as exc:
        raise _lost() from exc


def _lost() -> IngestWorkerLost:
    return IngestWorkerLost(
        "an ingest worker ended before its work was done (killed, or out of memory?); what "
        "was written is whole: run the same ingest again to finish it"
    )


# -- in the worker processes ---------------------------------------------------------------

_config: EmbedderConfig | None = None
_embedder = None
_batches = 0


def _start_worker(config: EmbedderConfig, parent: int) -> None:
    global _config
    _config = config
    # Ctrl-C is the writer's to handle: it stops handing out work and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker when the process that started it is gone (a SIGKILLed ingest would
    otherwise leave its workers waiting for work forever)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _embed(texts: list[str]) -> np.ndarray:
    global _embedder, _batches
    _batches += 1
    limit = os.environ.get(WORKER_FAULT_ENV)
    if limit and _batches >= int(limit):
        os.kill(os.getpid(), signal.SIGKILL)
    if _embedder is None:
        # Loaded on first use, not in the initializer: a failure here (a missing model)
        # reaches the writer as its own error, where a failed initializer only breaks the pool.
        from vectorstore.embeddings import make_embedder

        _embedder = make_embedder(_config)
    return _embedder.embed_documents(texts)
