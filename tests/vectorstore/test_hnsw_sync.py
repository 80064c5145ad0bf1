"""The store's HNSW sync threshold reaches Chroma: its collections are written to disk only
after that many changes, and what was not yet written is still found after the store is
opened again (Chroma applies it from its log), on real embedded Chroma."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import SettingsError, load_settings
from ingest.types import Article
from vectorstore.integrity import check_store

ARTICLES = [
    Article(
        title=f"Council report {n} on the river bridge",
        text=(
            f"The council published report number {n} on the river bridge on Tuesday.\n\n"
            f"Engineers found {n * 3} cracked bearings and asked for {n + 2} more inspections."
        ),
        source="Town Crier",
        published_at=f"2024-03-{n + 1:02d}",
    )
    for n in range(8)
]


def _thresholds(app) -> set[int]:
    return {c.configuration_json["hnsw"]["sync_threshold"] for c in app.store.collections()}


def _index_files_written(data_dir: Path) -> bool:
    # Chroma writes a collection's id map (beside its HNSW files) only when it syncs.
    return any((data_dir / "chroma").glob("*/index_metadata.pickle"))


def test_a_new_store_gives_both_collections_the_configured_threshold(make_app):
    app = make_app(**{"store.hnsw_sync_threshold": 1234})
    assert _thresholds(app) == {1234}


def test_chroma_writes_the_index_only_once_the_threshold_is_reached(make_app, tmp_path):
    low = make_app("low", **{"store.hnsw_sync_threshold": 4})
    low.store.add_articles(ARTICLES)
    assert _index_files_written(tmp_path / "low")

    high = make_app("high", **{"store.hnsw_sync_threshold": 10_000})
    high.store.add_articles(ARTICLES)
    assert not _index_files_written(tmp_path / "high")


def test_chunks_not_yet_in_the_index_files_are_found_after_reopening(make_app, tmp_path):
    app = make_app("store", **{"store.hnsw_sync_threshold": 10_000})
    app.store.add_articles(ARTICLES)
    ids, vectors = app.store.storage.chunk_vectors([cid for cid, _, _ in app.store.chunk_records()])
    app.close()
    assert not _index_files_written(tmp_path / "store")

    again = make_app("store", **{"store.hnsw_sync_threshold": 10_000})
    assert again.store.count_chunks() == len(ids) and again.store.count_articles() == 8
    for cid, vector in zip(ids, vectors, strict=True):
        nearest = again.store.storage.nearest_ids(vector, 1, len(ids))
        assert nearest[0][0] == cid
    assert again.store.search("cracked bearings river bridge", k=3)
    assert check_store(again.store).ok


def test_an_existing_store_takes_a_new_threshold_when_opened_and_keeps_its_articles(
    make_app, backend
):
    app = make_app("store", **backend, **{"store.hnsw_sync_threshold": 4})
    app.store.add_articles(ARTICLES)
    assert _thresholds(app) == {4}
    app.close()

    again = make_app("store", **backend, **{"store.hnsw_sync_threshold": 50_000})
    assert _thresholds(again) == {50_000}
    assert again.store.count_articles() == 8
    assert check_store(again.store).ok
    hits = again.store.search("report number 5 river bridge", k=8)
    assert hits and {p.article_id for p in hits} <= {a.id for a in ARTICLES}


def test_a_threshold_below_one_is_refused_naming_the_variable():
    with pytest.raises(SettingsError, match="NEWSDESK_HNSW_SYNC_THRESHOLD"):
        load_settings(environ={"NEWSDESK_HNSW_SYNC_THRESHOLD": "0"})
