"""Watched questions, kept with the store: a Chroma collection `<name>_watches`.

Kept in the store, like the sync state (vectorstore/sync_state.py), so every process on one
Chroma server sees the same watches, and `newsdesk export` / `import` carry them. The JSON of
each record is written by assistant/watches.py, which alone knows its shape; this module keeps
records and checks that each is one of its kinds before it is written or read back:

- `watch:<id>` (kind `watch`): the question, its filters and webhook; written when added;
- `state:<id>` (`state`): the last answer and when it was asked; written by the checker;
- `seen:<id>` (`seen`): when the changes were last looked at; written by whoever looks;
- `change:<id>:<key>` (`change`): one change of the answer, both answers and their citations;
  the key follows from the two answers, so two processes recording one change write one record.

Each writer writes only its own kind, so a check in one process never overwrites the "seen"
another process's reader just wrote. Records that fail the check (a hand-edited store, an
older version's) are left out of what is read, and logged, rather than failing every reader.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vectorstore.record_collections import VECTOR, record_collection

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)

SUFFIX = "_watches"
KINDS = ("watch", "state", "seen", "change")
WATCH_ID = re.compile(r"w[0-9a-f]{12}")
MAX_RECORD_CHARS = 500_000
# Changes kept per watch (the newest); older ones are dropped when a new one is recorded.
KEEP_CHANGES = 50


def watch_of(record_id: str) -> str:
    """The watch a record belongs to ("state:w0123..." -> "w0123...")."""
    return record_id.split(":")[1]


def check_record(record_id: object, kind: object, data: object) -> None:
    """ValueError for a record that is not one of this collection's (an import's line)."""
    if kind not in KINDS or not isinstance(data, dict):
        raise ValueError(f"not a watch record: kind {kind!r}")
    parts = record_id.split(":") if isinstance(record_id, str) else []
    if len(parts) != (3 if kind == "change" else 2) or parts[0] != kind:
        raise ValueError(f"a {kind} record's id must read '{kind}:<watch id>...'")
    if not WATCH_ID.fullmatch(parts[1]) or data.get("watch_id") != parts[1]:
        raise ValueError(f"a {kind} record must name its watch ('w' and 12 hex digits)")
    if kind == "watch" and not isinstance(data.get("question"), str):
        raise ValueError("a watch must hold its question")
    if kind == "change" and not isinstance(data.get("after"), dict):
        raise ValueError("a change must hold the answer it changed to")
    if not isinstance(data.get("at", 0.0), int | float):
        raise ValueError(f"a {kind} record's 'at' must be a time in seconds")


class WatchRecords:
    """The `<name>_watches` collection: (id, kind, data) records."""

    def __init__(self, client: ClientAPI, collection: str) -> None:
        self.name = f"{collection}{SUFFIX}"
        self.collection = record_collection(client, self.name, "watches")

    def put(self, record_id: str, kind: str, data: dict) -> None:
        check_record(record_id, kind, data)
        document = json.dumps(data, sort_keys=True, ensure_ascii=False)
        if len(document) > MAX_RECORD_CHARS:
            raise ValueError(f"a watch's {kind} may hold at most {MAX_RECORD_CHARS} characters")
        meta = {"kind": kind, "watch": data["watch_id"], "at": float(data.get("at", 0.0))}
        self.collection.upsert(
            ids=[record_id], embeddings=[VECTOR], metadatas=[meta], documents=[document]
        )

    def _read(self, **query: Any) -> list[tuple[str, str, dict]]:
        found = self.collection.get(include=["metadatas", "documents"], **query)
        rows = []
        for rid, meta, doc in zip(found["ids"], found["metadatas"], found["documents"],
                                  strict=True):  # fmt: skip
            kind = (meta or {}).get("kind", "")
            try:
                data = json.loads(doc or "")
                check_record(rid, kind, data)
            except ValueError as exc:  # JSONDecodeError too
                log.warning("watch record %r left out: %s", rid[:80], exc)
                continue
            rows.append((rid, kind, data))
        return sorted(rows)

    def get(self, record_id: str) -> dict | None:
        rows = self._read(ids=[record_id])
        return rows[0][2] if rows else None

    def of_kind(self, kind: str) -> list[tuple[str, dict]]:
        return [(rid, data) for rid, _, data in self._read(where={"kind": kind})]

    def of_watch(self, watch_id: str) -> list[tuple[str, str, dict]]:
        """Every record of one watch (its question, state, seen mark and changes)."""
        if not WATCH_ID.fullmatch(watch_id):
            return []
        return self._read(where={"watch": watch_id})

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self.collection.delete(ids=list(ids))

    def prune_changes(self, watch_id: str, keep: int = KEEP_CHANGES) -> None:
        changes = [(d.get("at", 0.0), rid) for rid, k, d in self.of_watch(watch_id)
                   if k == "change"]  # fmt: skip
        self.delete([rid for _, rid in sorted(changes, reverse=True)[keep:]])

    # -- export and import (vectorstore/transfer.py)

    def exported(self) -> list[tuple[str, str, dict]]:
        """Every record as (id, kind, data), in id order."""
        return self._read()

    def restore(self, rows: Sequence[tuple[str, str, dict]]) -> None:
        for record_id, kind, data in rows:
            self.put(record_id, kind, data)
