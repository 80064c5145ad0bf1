"""When Chroma writes a collection's HNSW index to disk: its `sync_threshold`.

Chroma keeps each collection's vectors in an HNSW index in memory and writes its files (the
index, 0.74 GB at 450k chunks, and its id map) after every `sync_threshold` changes. Changes
not yet written stay in its log (chroma.sqlite3): the next process to open the store applies
them again, and every write in between reads them again, so a larger threshold makes each
add dearer as the unwritten tail grows (at 470k chunks, 20,000: 3.9 s of CPU for the first
add of 1,640 chunks, 10 s for the twelfth; 1,000: ~4 s throughout; docs/benchmarks.md, "Adds
into a large store"). The store's setting (StoreConfig.hnsw_sync_threshold, Chroma's 1,000
by default) is given to both collections of the store, those made before it included.
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
