"""`newsdesk check --repair` for a damaged dense index: each collection made again from its
own stored records.

Chroma 1.5 keeps a collection's records (ids, texts, metadata) in chroma.sqlite3 and its
vectors only in the HNSW files of the collection's segment folder, so vectors lost with those
files are made again: a chunk's by embedding its headline and text (as it was written), an
article's from its id. The records go into a new collection first, and only once it is full
does it take the old one's name, so a failure before that changes nothing. Only for a store no
other process is writing to.
"""

from __future__ import annotations

from vectorstore.chroma_storage import WRITE_BATCH, pages
from vectorstore.hnsw_sync import hnsw_configuration
from vectorstore.records import record_vectors
from vectorstore.store import ArticleStore

_SUFFIX = "_rebuild"


def rebuild_dense_indexes(store: ArticleStore) -> int:
    """Rebuild both collections; returns how many records were written."""
    written = 0
    for collection in store.collections():
        written += _rebuild(store, collection)
    store.reopen()
    return written


def _rebuild(store: ArticleStore, old) -> int:  # noqa: ANN001 - a chromadb Collection
    client, name = store.client, old.name
    _drop(client, name + _SUFFIX)  # what a rebuild cut short left
    rows = pages(old)  # raises when the records themselves are unreadable
    new = client.create_collection(
        name + _SUFFIX,
        embedding_function=None,
        # The store's threshold from the start: a million records written with Chroma's
        # default would write the whole index a thousand times.
        configuration=hnsw_configuration(store.storage.sync_threshold),
        metadata=dict(old.metadata or {}),  # schema version, generation, markers
    )
    for i in range(0, len(rows), WRITE_BATCH):
        batch = rows[i : i + WRITE_BATCH]
        new.upsert(
            ids=[rid for rid, _, _ in batch],
            embeddings=record_vectors(store.embedder, name, batch),
            documents=[doc for _, doc, _ in batch],
            metadatas=[meta for _, _, meta in batch],
        )
    client.delete_collection(name)
    new.modify(name=name)
    return len(rows)


def _drop(client, name: str) -> None:  # noqa: ANN001 - a chromadb client
    if name in {c.name for c in client.list_collections()}:
        client.delete_collection(name)
