"""When Chroma writes a collection's HNSW index to disk: its `sync_threshold`.

Chroma keeps each collection's vectors in an HNSW index in memory and writes the whole of it
(vectors, graph and id map: ~1.8 GB at 1M chunks) after every `sync_threshold` changes;
changes not yet written are kept in its log (chroma.sqlite3) and applied again when the index
is next loaded. Chroma's default, 1,000, made every add into a large store pay for rewriting
the whole index (docs/benchmarks.md, "Adds into a large store"); the store's setting
(StoreConfig.hnsw_sync_threshold) is given to both collections of the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection


def hnsw_configuration(sync_threshold: int | None) -> dict:
    """The HNSW configuration a collection of the store is created with."""
    hnsw: dict = {"space": "cosine"}
    if sync_threshold is not None:
        hnsw["sync_threshold"] = sync_threshold
    return {"hnsw": hnsw}


def set_sync_threshold(collection: Collection, sync_threshold: int | None) -> None:
    """Give a collection made earlier (with Chroma's default, 1,000) the configured threshold.
    Chroma reads it when it loads the collection's index, so this is done on opening, before
    the first read; a Chroma server already holding the index takes it when it loads it again."""
    hnsw = (collection.configuration_json or {}).get("hnsw") or {}
    if sync_threshold is not None and hnsw.get("sync_threshold") != sync_threshold:
        collection.modify(configuration={"hnsw": {"sync_threshold": sync_threshold}})
