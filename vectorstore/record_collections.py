"""Collections of plain records kept beside the chunks (sync state, saved answers, watches),
so a Chroma-server deployment shares them and export/import carry them."""

from __future__ import annotations

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

# Records are read by id and metadata only: a fixed two-number vector, so Chroma never embeds
# (nor downloads a model) for them.
VECTOR = [1.0, 0.0]


def record_collection(client: ClientAPI, name: str, role: str) -> Collection:
    """The collection `name` of records of one `role` ("sync-state", "watches", ...)."""
    return client.get_or_create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"newsdesk": role, "version": 1},
    )
