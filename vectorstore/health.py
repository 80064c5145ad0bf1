"""Can the store answer? Damage below the records that Chroma does not report by itself.

- chroma.sqlite3 of an embedded store: random bytes in it fail SQLite's own integrity check
  long before Chroma notices (and then some reads fail, others go on).
- The dense (HNSW) index: a truncated header.bin in a collection's segment folder leaves
  queries silently empty while count() and get() still answer; a missing or empty one makes
  every read raise "Error loading hnsw index". Probed by looking a stored record up by its
  own vector, which must find it (`dense_problem`).
- The BM25 cache file: a damaged one is rebuilt by the next search, and reported here.

`newsdesk check` runs all of them in full (`store_problems`); /readyz runs the cheap form on
every call (`ReadinessProbe`).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from vectorstore.lexical_build import process_alive
from vectorstore.lexical_cache import CacheDamaged, load_index
from vectorstore.lexical_file import read_header
from vectorstore.lexical_keeper import utc_time
from vectorstore.store import ArticleStore

# Records looked up by their own vectors, spread over each collection: by `newsdesk check`,
# and by /readyz on every call (three, so one unreachable record is not read as damage).
CHECK_SAMPLES = 25
READY_SAMPLES = 3
# How long a dense-index probe may take. Chroma 1.5 does not always raise for damaged HNSW
# files: with records still waiting in its write-ahead log, count() hangs or the process
# dies (SIGSEGV) while applying them, so `check` probes an embedded store in a child process
# and /readyz waits for its probe thread only this long.
PROBE_SECONDS = 60.0


@dataclass(frozen=True)
class StoreProblem:
    """One finding: `kind` says what is damaged (and what repairs it), `message` what and why."""

    kind: str  # "sqlite", "dense", "dense_hangs", "lexical_cache" or "records"
    message: str
    # Reading the store in this process would hang or crash: skip the checks that read it.
    blocks_reading: bool = False

    def __str__(self) -> str:
        return self.message


def sqlite_problem(path: Path | None, *, quick: bool = False) -> str | None:
    """None when the SQLite file passes SQLite's integrity check (or there is none: a Chroma
    server checks its own); else what SQLite says is wrong. `quick` skips the index checks."""
    if path is None or not path.is_file():
        return None
    pragma = "quick_check" if quick else "integrity_check"
    try:
        # Read-only: a check must not write, and may run beside a serving process.
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            findings = [str(row[0]) for row in db.execute(f"PRAGMA {pragma}(20)")]
    except sqlite3.Error as exc:
        findings = [str(exc)]
    if findings == ["ok"]:
        return None
    detail = "; ".join(" ".join(f.split()) for f in findings[:3])
    return f"{path} fails SQLite's {pragma}: {detail}"


def sqlite_file(store: ArticleStore) -> Path | None:
    """chroma.sqlite3 of an embedded store; None for a Chroma server."""
    settings = store.client.get_settings()
    if not settings.is_persistent or not settings.persist_directory:
        return None
    return Path(settings.persist_directory) / "chroma.sqlite3"


def dense_problem(store: ArticleStore, samples: int = READY_SAMPLES) -> str | None:
    """None when the dense index of each collection finds its stored records (`samples` of
    them, spread over it) by their own vectors; else which collection fails and how."""
    for collection in store.collections():
        problem = _probe_dense(collection, samples)
        if problem:
            return problem
    return None


def dense_problem_after_rebuild(store: ArticleStore, wait_s: float = 5.0) -> str | None:
    """`dense_problem` right after a rebuild, asked again for up to `wait_s`; for an embedded
    store still failing then, judged as `newsdesk check` judges it: in a fresh process.

    This process's own reading can lag the rebuilt index: a probe run at once has failed
    with Chroma's "Error getting embedding" on a sound rebuilt index (the repair test, 2 runs
    in 9 with three at a time), while a new process reads the same files soundly. What the
    repair must leave is an index the next process can read. (Fresh processes that failed
    too, once put down to files still settling, had met a record no search reaches in a
    sound index, which `_probe_dense` no longer reads as damage.)"""
    deadline = time.monotonic() + wait_s
    problem = dense_problem(store)
    while problem is not None and time.monotonic() < deadline:
        time.sleep(0.25)
        problem = dense_problem(store)
    if problem is None or sqlite_file(store) is None:
        return problem
    return _isolated_dense_problem(store).message or None


def _probe_dense(collection, samples: int) -> str | None:  # noqa: ANN001 - a Collection
    name = collection.name
    probed, missed = 0, []
    try:
        total = collection.count()
        for offset in sorted({i * total // samples for i in range(samples)} if total else ()):
            stored = collection.get(limit=1, offset=offset, include=["embeddings"])
            if not stored["ids"]:
                continue  # removed by another writer since count()
            record = stored["ids"][0]
            found = collection.query(
                query_embeddings=[stored["embeddings"][0]],
                n_results=min(total, 10),
                include=["distances"],
            )
            if not found["ids"][0]:
                return (
                    f"the dense index of {name!r} finds nothing for record {record}'s own "
                    f"vector: its HNSW files are damaged (dense search answers nothing)"
                )
            probed += 1
            # Its own vector is at distance 0 (an identical copy may come first: also 0).
            if record not in found["ids"][0] and found["distances"][0][0] > 1e-3:
                missed.append(record)
    except Exception as exc:  # chromadb raises InternalError and others for damaged segments
        return f"the dense index of {name!r} cannot answer: {type(exc).__name__}: {exc}"
    # HNSW search is approximate: a sound index can leave a record that no search reaches
    # (one of 1,000 near-identical chunks, in about one build in ten, the same one in every
    # process that loads those files), so only misses of half the records probed or more are damage.
    if missed and len(missed) * 2 >= probed:
        return (
            f"the dense index of {name!r} does not find {len(missed)} of {probed} sampled "
            f"records by their own vectors (record {missed[0]} first): its HNSW files are "
            f"damaged (dense search misses them)"
        )
    return None


def lexical_cache_damage(store: ArticleStore) -> str | None:
    """Why the saved BM25 index cannot be used; None when it is sound, stale or absent."""
    if store.lexical_cache_file is None:
        return None
    try:
        load_index(store.lexical_cache_file, store.generation())
    except CacheDamaged as exc:
        return str(exc)
    return None


def lexical_cache_staleness(store: ArticleStore) -> str | None:
    """How far behind the store the saved BM25 index is, and whether a process is rebuilding
    it now (None: current, absent or damaged, which `lexical_cache_damage` reports). Not a
    problem: any write leaves it stale until the next search (or a server, beside its
    searches: vectorstore/lexical_keeper.py) rebuilds it."""
    path = store.lexical_cache_file
    try:
        header = read_header(path) if path is not None else {}
        built = path.stat().st_mtime if path is not None else 0.0
    except (OSError, CacheDamaged):
        return None
    generation, total = store.generation(), store.count_chunks()
    if path is None or header.get("generation") in (None, generation):
        return None
    indexed = header.get("chunks") if isinstance(header.get("chunks"), int) else 0
    # A build writes into a scratch folder named after its process (vectorstore/lexical_build.py).
    builds = [
        f"process {pid} since {utc_time(folder.stat().st_mtime)}"
        for folder in sorted(path.parent.glob(f"{path.name}.*.*"))
        if folder.is_dir() and _running(pid := folder.name[len(path.name) + 1 :].split(".")[0])
    ]
    now = f"being rebuilt by {', '.join(builds)}" if builds else "the next search rebuilds it"
    return (
        f"the BM25 cache {path} is of an earlier generation of the store, built at "
        f"{utc_time(built)}: {indexed:,} chunks indexed, the store has {total:,} "
        f"({total - indexed:+,}); {now}"
    )


def _running(pid: str) -> bool:
    return pid.isdigit() and process_alive(int(pid))


def store_problems(store: ArticleStore) -> list[StoreProblem]:
    """Everything `newsdesk check` finds wrong below the records (empty: nothing)."""
    found = [StoreProblem("sqlite", sqlite_problem(sqlite_file(store)) or "")]
    found.append(_isolated_dense_problem(store))
    if not any(p.blocks_reading for p in found):
        try:
            found.append(StoreProblem("lexical_cache", lexical_cache_damage(store) or ""))
        except Exception as exc:  # the store cannot say its generation: a finding too
            why = f"cannot read the store's state: {type(exc).__name__}: {exc}"
            found.append(StoreProblem("records", why))
    return [p for p in found if p.message]


def _isolated_dense_problem(store: ArticleStore) -> StoreProblem:
    """The dense probe; for an embedded store in a child process, which may hang or die."""
    path = sqlite_file(store)
    if path is None:
        return StoreProblem("dense", dense_problem(store, CHECK_SAMPLES) or "")
    names = [c.name for c in store.collections()]
    command = [sys.executable, "-m", "vectorstore.health", str(path.parent), *names]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROBE_SECONDS)
    except subprocess.TimeoutExpired:
        why = f"reading the dense index did not finish within {PROBE_SECONDS:.0f} s (it hangs)"
    else:
        if done.returncode == 0:
            return StoreProblem("dense", json.loads(done.stdout.splitlines()[-1]) or "")
        why = f"reading the dense index crashed Chroma (exit status {done.returncode})"
    message = f"{path.parent}: {why}: its HNSW files are damaged"
    return StoreProblem("dense_hangs", message, blocks_reading=True)


def _probe_in_child(path: str, names: list[str]) -> str | None:
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))
    for name in names:
        problem = _probe_dense(client.get_collection(name), CHECK_SAMPLES)
        if problem:
            return problem
    return None


class ReadinessProbe:
    """The checks /readyz runs on every call, cheap enough for that: one record looked up per
    collection, and SQLite's quick_check only when the database files changed since the last
    (it reads the whole file)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sqlite_stamp: tuple | None = None
        self._sqlite_problem: str | None = None
        self._stuck: threading.Thread | None = None  # a probe that never came back
        self._stuck_since = 0.0

    def problems(self, store: ArticleStore) -> list[str]:
        found = [self.sqlite_damage(store), self._dense(store)]
        return [p for p in found if p]

    def sqlite_damage(self, store: ArticleStore) -> str | None:
        return self._sqlite(sqlite_file(store))

    def _dense(self, store: ArticleStore) -> str | None:
        with self._lock:
            if self._stuck is not None and self._stuck.is_alive():
                waited = time.monotonic() - self._stuck_since
                return f"a dense-index probe has hung for {waited:.0f} s (damaged HNSW files?)"
        result: list[str | None] = []
        probe = threading.Thread(target=lambda: result.append(dense_problem(store)), daemon=True)
        probe.start()
        probe.join(PROBE_SECONDS)
        if not result:
            with self._lock:
                self._stuck, self._stuck_since = probe, time.monotonic()
            return f"a dense-index probe did not answer within {PROBE_SECONDS:.0f} s"
        return result[0]

    def _sqlite(self, path: Path | None) -> str | None:
        if path is None:
            return None
        stamp = tuple(_stamp(path.with_name(path.name + suffix)) for suffix in ("", "-wal"))
        with self._lock:
            if stamp != self._sqlite_stamp:
                self._sqlite_problem = sqlite_problem(path, quick=True)
                self._sqlite_stamp = stamp
            return self._sqlite_problem


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


if __name__ == "__main__":  # the child process of `_isolated_dense_problem`
    print(json.dumps(_probe_in_child(sys.argv[1], sys.argv[2:])))
