"""One factory for the Chroma client: embedded on disk, or a Chroma server by host and port."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectorstore.config import StoreConfig

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


class StoreUnavailable(RuntimeError):
    """The Chroma store cannot be reached or opened; the message says where and why."""


def make_client(config: StoreConfig) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if config.host:
            headers = {"Authorization": f"Bearer {config.token}"} if config.token else None
            return chromadb.HttpClient(
                host=config.host,
                port=config.port,
                ssl=config.ssl,
                headers=headers,
                settings=chroma_settings,
            )
        config.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(config.path), settings=chroma_settings)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # chromadb raises several unrelated types for one failure,
        # and its Rust core panics (a BaseException) on a malformed chroma.sqlite3
        where = f"{config.host}:{config.port}" if config.host else str(config.path)
        raise StoreUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc
