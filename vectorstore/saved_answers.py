"""Answers saved for hand-over, kept with the store: a Chroma collection `<name>_saved`.

Kept in the store rather than in a file of one process, so every process on one Chroma
server serves the same permalinks, and `newsdesk export` / `import` carry them with the
articles (vectorstore/transfer.py). One record per saved answer or conversation: its JSON
(written by assistant/handover/saved.py, which alone knows its shape) in the document, its
kind and save time in the metadata, under an id nobody can guess (`new_id`: 144 random
bits), since whoever holds the id may read the answer wherever a key lets them in.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING

from vectorstore.record_collections import VECTOR, record_collection

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

SUFFIX = "_saved"
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{24}")
MAX_RECORD_CHARS = 2_000_000
KINDS = ("answer", "conversation")


def new_id() -> str:
    """A fresh, unguessable id: 24 URL-safe characters."""
    return secrets.token_urlsafe(18)


def is_id(value: object) -> bool:
    """Whether `value` has the shape of a saved answer's id (checked before any look-up)."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def check_saved(record_id: object, kind: object, data: object) -> None:
    """ValueError for a record that is not a saved answer (an import's line); the answer
    inside is read, and checked again, by assistant/handover/saved.py when it is shown."""
    if not is_id(record_id):
        raise ValueError(f"not a saved answer's id: {str(record_id)[:40]!r}")
    if kind not in KINDS or not isinstance(data, dict) or data.get("kind") != kind:
        raise ValueError(f"a saved answer's kind must be one of {', '.join(KINDS)}")
    if data.get("id") != record_id or not isinstance(data.get("turns"), list):
        raise ValueError("a saved answer must hold its own id and a list of turns")


class SavedAnswers:
    """The `<name>_saved` collection: (id, kind, data) records."""

    def __init__(self, client: ClientAPI, collection: str) -> None:
        self.name = f"{collection}{SUFFIX}"
        self.collection = record_collection(client, self.name, "saved-answers")

    def put(self, record_id: str, kind: str, saved_at: float, data: dict) -> None:
        if not is_id(record_id):
            raise ValueError(f"not a saved answer's id: {record_id!r}")
        document = json.dumps(data, sort_keys=True, ensure_ascii=False)
        if len(document) > MAX_RECORD_CHARS:
            raise ValueError(f"a saved {kind} may hold at most {MAX_RECORD_CHARS} characters")
        self.collection.upsert(
            ids=[record_id],
            embeddings=[VECTOR],
            metadatas=[{"kind": kind, "saved_at": saved_at}],
            documents=[document],
        )

    def get(self, record_id: str) -> tuple[str, dict] | None:
        """(kind, data) of a saved record, or None (also for a malformed id)."""
        if not is_id(record_id):
            return None
        found = self.collection.get(ids=[record_id], include=["metadatas", "documents"])
        if not found["ids"]:
            return None
        return (found["metadatas"][0] or {}).get("kind", ""), json.loads(found["documents"][0])

    def delete(self, record_id: str) -> bool:
        if self.get(record_id) is None:
            return False
        self.collection.delete(ids=[record_id])
        return True

    def count(self) -> int:
        return self.collection.count()

    # -- export and import (vectorstore/transfer.py)

    def exported(self) -> list[tuple[str, str, dict]]:
        """Every record as (id, kind, data), in id order."""
        found = self.collection.get(include=["metadatas", "documents"])
        rows = [
            (rid, (meta or {}).get("kind", ""), json.loads(doc))
            for rid, meta, doc in zip(found["ids"], found["metadatas"], found["documents"],
                                      strict=True)
        ]  # fmt: skip
        return sorted(rows)

    def restore(self, rows: Sequence[tuple[str, str, dict]]) -> None:
        for record_id, kind, data in rows:
            self.put(record_id, kind, float(data.get("saved_at", 0.0)), data)
