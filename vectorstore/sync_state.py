"""What the sync of sources knows, kept with the store: a Chroma collection `<name>_sync`.

So every process on one Chroma server sees the same sources, schedules and progress, and
`newsdesk export` / `import` carry them with the articles. One record per thing, its JSON in
the document and what is filtered on in the metadata (explicit two-number vectors: Chroma
never embeds, and never downloads a model, for this collection):

- `source:<id>` (kind `source`): a `Source`, its URL, interval and outlet; written when a
  source is added;
- `status:<id>` (`status`): a `SourceStatus`, the listing's ETag, the last run and success,
  the last error; written by the sync;
- `item:<id>:<hash of URL>` (`item`): an `ItemState`, one listed article's progress,
  validators, content hash and error; written by the sync;
- `run:<id>:<time>` (`run`): a `SyncRun`, one pass over the source with its counts and
  errors; written by the sync;
- `request:<id>:<random>` (`request`): a "sync now", asked by any process, removed by the
  sync that serves it;
- `lease:<term>` (`lease`): who runs the syncs (vectorstore/sync_lease.py); not exported.

Each writer writes only its own kinds, so two processes never overwrite each other's fields:
a source's settings and its sync status are separate records, and a "sync now" is a record of
its own rather than a flag in one.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from vectorstore.record_collections import VECTOR, record_collection

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

SUFFIX = "_sync"
# Every record gets this vector: the collection is read by id and metadata only.
BATCH = 500
# Runs kept per source (the newest); errors kept per run.
KEEP_RUNS = 20
KEEP_ERRORS = 50
EXPORTED_KINDS = ("source", "status", "item", "run", "request")

# Item statuses: listed and not yet done, stored (or found unchanged), or given up on.
PENDING, STORED, FAILED = "pending", "stored", "failed"


def source_id(url: str) -> str:
    """A source's id: short, stable, from its URL ("s" and 10 hex digits)."""
    return "s" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:10]


def _url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


@dataclass
class Source:
    """A feed or sitemap to keep in sync: where, how often, and the outlet to give its
    articles (None: each page's own)."""

    id: str
    url: str
    every_s: int
    outlet: str | None = None
    added_at: float = 0.0


@dataclass
class SourceStatus:
    """Where a source's sync stands. `last_run_at`: the start of the last pass;
    `last_success_at`: the last pass that read the listing; `failures`: passes in a row that
    could not. `listings` holds the validators of each sitemap an index names (URL to
    {"etag", "last_modified", "updated_at"})."""

    source_id: str
    kind: str | None = None
    title: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_run_at: float | None = None
    last_success_at: float | None = None
    last_error: str | None = None
    failures: int = 0
    listings: dict[str, dict] = field(default_factory=dict)


@dataclass
class ItemState:
    """One article a source listed. `status`: pending (to fetch), stored (its article is in
    the store, or was found unchanged) or failed (`error` says why; `tries` so far).
    `version` is the listing's date for it when last seen, so a change in the listing
    brings a new check; `etag`/`last_modified`/`body_hash` are the page's as last fetched,
    `article_id` the content id stored for it."""

    source_id: str
    url: str
    status: str = PENDING
    version: str = ""
    title: str | None = None
    guid: str | None = None
    published_at: str | None = None
    article_id: str | None = None
    article_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    error: str | None = None
    tries: int = 0
    updated_at: float = 0.0
    # When a listing last named it (refreshed at most daily; 0: a record written before
    # this field, whose `updated_at` stands in): items long gone from it are forgotten.
    listed_at: float = 0.0

    @property
    def record_id(self) -> str:
        return f"item:{self.source_id}:{_url_key(self.url)}"

    @property
    def last_listed(self) -> float:
        return self.listed_at or self.updated_at


@dataclass
class ItemError:
    url: str
    reason: str


@dataclass
class SyncRun:
    """One pass over a source. `status`: running, ok, partial (some items failed), failed
    (the listing could not be read), stopped (asked to stop, or the lease was lost; what is
    left is `left`) or interrupted (its process died: found so by the next pass)."""

    id: str
    source_id: str
    holder: str
    started_at: float
    finished_at: float | None = None
    status: str = "running"
    listed: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    not_modified: int = 0
    failed: int = 0
    left: int = 0
    # Item records dropped: gone from the listing for long (assistant/sync_pass.py).
    forgotten: int = 0
    error: str | None = None
    errors: list[ItemError] = field(default_factory=list)

    @classmethod
    def start(cls, source_id: str, holder: str) -> SyncRun:
        now = time.time()
        return cls(f"run:{source_id}:{now:017.6f}:{uuid.uuid4().hex[:6]}", source_id, holder, now)

    def note_error(self, url: str, reason: str) -> None:
        self.failed += 1
        if len(self.errors) < KEEP_ERRORS:
            self.errors.append(ItemError(url, reason))


T = TypeVar("T")


def _load(kind: type[T], data: dict) -> T:
    """A record's dataclass from its JSON (fields it does not know are ignored, so an older
    Newsdesk reads what a newer one wrote)."""
    known = {f.name for f in fields(kind)}  # type: ignore[arg-type]
    values = {k: v for k, v in data.items() if k in known}
    if kind is SyncRun:
        values["errors"] = [ItemError(**e) for e in values.get("errors", [])]
    return kind(**values)


def run_from(data: dict) -> SyncRun:
    """A `SyncRun` from its JSON (a record's, or an API answer's)."""
    return _load(SyncRun, data)


KINDS: dict[str, type] = {
    "source": Source,
    "status": SourceStatus,
    "item": ItemState,
    "run": SyncRun,
}


def check_record(record_id: str, kind: str, data: Any) -> None:
    """ValueError for a record that is not one this module writes (an import's line)."""
    if kind not in EXPORTED_KINDS or not isinstance(data, dict):
        raise ValueError(f"not a sync record: kind {kind!r}")
    if not isinstance(record_id, str) or not record_id.startswith(f"{kind}:"):
        raise ValueError(f"a {kind} record's id must start with '{kind}:'")
    if kind in KINDS:
        try:
            _load(KINDS[kind], data)
        except TypeError as exc:
            raise ValueError(f"a {kind} record with wrong fields: {exc}") from exc


class SyncState:
    """The `<name>_sync` collection: sources, their status, items, runs, requests."""

    def __init__(self, client: ClientAPI, collection: str) -> None:
        self.name = f"{collection}{SUFFIX}"
        self.collection = record_collection(client, self.name, "sync-state")

    # -- low level: records by id and metadata

    def put(self, rows: Sequence[tuple[str, dict, dict]]) -> None:
        """Upsert (id, metadata, data) rows."""
        for i in range(0, len(rows), BATCH):
            batch = rows[i : i + BATCH]
            self.collection.upsert(
                ids=[r[0] for r in batch],
                embeddings=[VECTOR] * len(batch),
                metadatas=[r[1] for r in batch],
                documents=[json.dumps(r[2], sort_keys=True, ensure_ascii=False) for r in batch],
            )

    def _get(self, where: dict | None = None, ids: Sequence[str] | None = None) -> list[tuple]:
        """(id, metadata, data) of the records asked for."""
        res = self.collection.get(
            ids=list(ids) if ids is not None else None,
            where=where,
            include=["metadatas", "documents"],
        )
        return [
            (rid, meta or {}, json.loads(doc))
            for rid, meta, doc in zip(res["ids"], res["metadatas"], res["documents"], strict=True)
        ]

    def insert_new(self, record_id: str, meta: dict, data: dict) -> None:
        """Add a record unless one of that id exists: Chroma ignores an `add` of an id it
        holds, so of several processes adding one id, the first write wins (the lease's
        compare-and-set, vectorstore/sync_lease.py)."""
        self.collection.add(
            ids=[record_id],
            embeddings=[VECTOR],
            metadatas=[meta],
            documents=[json.dumps(data, sort_keys=True, ensure_ascii=False)],
        )

    def records(self, kind: str) -> list[tuple[str, dict, dict]]:
        return self._get({"kind": kind})

    def record(self, record_id: str) -> tuple[str, dict, dict] | None:
        found = self._get(ids=[record_id])
        return found[0] if found else None

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), BATCH):
            self.collection.delete(ids=list(ids[i : i + BATCH]))

    # -- sources

    def sources(self) -> list[Source]:
        found = [_load(Source, data) for _, _, data in self.records("source")]
        return sorted(found, key=lambda s: (s.added_at, s.url))

    def source(self, sid: str) -> Source | None:
        found = self.record(f"source:{sid}")
        return _load(Source, found[2]) if found else None

    def put_source(self, source: Source) -> None:
        self.put([(f"source:{source.id}", {"kind": "source", "source_id": source.id},
                    asdict(source))])  # fmt: skip

    def remove_source(self, sid: str) -> bool:
        """Forget a source and everything its sync kept (its articles stay in the store)."""
        ids = self.collection.get(where={"source_id": sid}, include=[])["ids"]
        self.delete(ids)
        return f"source:{sid}" in ids

    def status(self, sid: str) -> SourceStatus:
        found = self.record(f"status:{sid}")
        return _load(SourceStatus, found[2]) if found else SourceStatus(sid)

    def statuses(self) -> dict[str, SourceStatus]:
        return {m["source_id"]: _load(SourceStatus, d) for _, m, d in self.records("status")}

    def put_status(self, status: SourceStatus) -> None:
        sid = status.source_id
        self.put([(f"status:{sid}", {"kind": "status", "source_id": sid}, asdict(status))])

    # -- items

    def items(self, sid: str, status: str | None = None) -> dict[str, ItemState]:
        """The source's items by URL (only those of `status`, if given)."""
        where: dict = {"$and": [{"kind": "item"}, {"source_id": sid}]}
        if status is not None:
            where["$and"].append({"status": status})
        return {d["url"]: _load(ItemState, d) for _, _, d in self._get(where)}

    def put_items(self, items: Iterable[ItemState]) -> None:
        self.put([
            (i.record_id, {"kind": "item", "source_id": i.source_id, "status": i.status},
             asdict(i))
            for i in items
        ])  # fmt: skip

    # -- runs

    def put_run(self, run: SyncRun) -> None:
        meta = {"kind": "run", "source_id": run.source_id, "status": run.status,
                "started_at": run.started_at}  # fmt: skip
        self.put([(run.id, meta, asdict(run))])

    def runs(self, sid: str | None = None) -> list[SyncRun]:
        """Runs newest first (of one source, or of all)."""
        where: dict = {"kind": "run"} if sid is None else {
            "$and": [{"kind": "run"}, {"source_id": sid}]}  # fmt: skip
        found = [_load(SyncRun, d) for _, _, d in self._get(where)]
        return sorted(found, key=lambda r: r.started_at, reverse=True)

    def prune_runs(self, sid: str, keep: int = KEEP_RUNS) -> None:
        self.delete([run.id for run in self.runs(sid)[keep:]])

    # -- "sync now"

    def request(self, sid: str) -> None:
        rid = f"request:{sid}:{uuid.uuid4().hex[:12]}"
        self.put([(rid, {"kind": "request", "source_id": sid}, {"at": time.time()})])

    def requests(self) -> dict[str, list[str]]:
        """Record ids of the pending "sync now" requests, by source."""
        found: dict[str, list[str]] = {}
        for rid, meta, _ in self.records("request"):
            found.setdefault(meta.get("source_id", ""), []).append(rid)
        return found

    # -- export and import (vectorstore/transfer.py)

    def exported(self) -> list[tuple[str, str, dict]]:
        """Every record but the lease, as (id, kind, data), in id order."""
        rows = []
        for kind in EXPORTED_KINDS:
            rows += [(rid, kind, data) for rid, _, data in self.records(kind)]
        return sorted(rows)

    def restore(self, rows: Sequence[tuple[str, str, dict]]) -> None:
        """Write exported records back (checked first with `check_record`)."""
        out = []
        for rid, kind, data in rows:
            meta: dict = {"kind": kind, "source_id": data.get("source_id") or data.get("id", "")}
            if kind == "request":
                meta["source_id"] = rid.split(":")[1]
            if kind in ("item", "run"):
                meta["status"] = data.get("status", "")
            if kind == "run":
                meta["started_at"] = float(data.get("started_at", 0.0))
            out.append((rid, meta, data))
        self.put(out)
