"""Upkeep: warming up, checks and repairs below the records (vectorstore/integrity.py,
vectorstore/health.py), for `newsdesk check` and /readyz.

`Upkeep` is one part of `Newsdesk` (assistant/app.py), which every interface goes through.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vectorstore.client import StoreUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.settings import Settings
    from vectorstore.embeddings import Embedder
    from vectorstore.health import ReadinessProbe
    from vectorstore.integrity import IntegrityReport
    from vectorstore.lexical_keeper import LexicalStatus
    from vectorstore.store import ArticleStore


class Upkeep:
    """Warm-up, checks and repairs, as methods of `Newsdesk`.

    Relies on Newsdesk for `settings`, `store` and `embedder`, and on
    `Intake._offer_samples` (a warmed-up store has its sample articles)."""

    settings: Settings
    store: ArticleStore
    embedder: Embedder
    _offer_samples: Callable[[], None]

    def warm_up(self) -> None:
        """Load the embedder, offer the sample corpus and load (or rebuild) the BM25 index,
        so that the first question waits for none of them. A server warms up: from now on
        a large store's BM25 index is rebuilt beside its searches after a write
        (`search.lexical_background_chunks`), the thread outliving the search."""
        self.embedder.embed_query("warm-up")
        self._offer_samples()
        self.store.rebuild_lexical_beside_searches()
        self.store.lexical_index()

    def search_index_status(self) -> LexicalStatus:
        """Whether the BM25 index is being built (searches wait) or rebuilt beside the
        searches (they use an earlier one), and why the saved one was unusable."""
        return self.store.lexical_status()

    def store_problem(self, probe: ReadinessProbe) -> str | None:
        """None when the store answers and is whole; else why not, in words."""
        try:
            self.store.client.heartbeat()
            self.store.count_articles()
        except StoreUnavailable as exc:
            return str(exc)
        except Exception as exc:  # chromadb raises many unrelated types for one outage
            # ... and for a damaged embedded store, which SQLite's check then names.
            config = self.settings.store
            where = f"{config.host}:{config.port}" if config.host else str(config.path)
            damage = probe.sqlite_damage(self.store)
            return (
                damage or f"cannot reach the Chroma store at {where}: {type(exc).__name__}: {exc}"
            )
        # Reachable, but damaged below the records (vectorstore/health.py)?
        return "; ".join(probe.problems(self.store)) or None

    def check(self) -> IntegrityReport:
        """Every article whole, every chunk with its article, the indexes readable."""
        from vectorstore.integrity import check_store

        return check_store(self.store)

    def remove_orphans(self, report: IntegrityReport) -> int:
        from vectorstore.integrity import remove_orphans

        return remove_orphans(self.store, report)

    def rebuild_dense_index(self) -> tuple[int, str | None]:
        """Rebuild the dense index from the stored records: how many, and any problem left.
        Raises what Chroma raises when the records cannot be read either."""
        from vectorstore.health import dense_problem_after_rebuild
        from vectorstore.repair import rebuild_dense_indexes

        count = rebuild_dense_indexes(self.store)
        return count, dense_problem_after_rebuild(self.store)

    def rebuild_lexical_index(self) -> Path | None:
        """Rebuild the BM25 cache; the file it is saved in."""
        self.store.rebuild_lexical_index()
        return self.store.lexical_cache_file
