"""Filtered dense search returns the exact nearest chunks within the filter, by whichever way
it takes: the index's int8 vectors re-ranked, the wide query, or an index without vectors."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from ingest.types import Article
from vectorstore import filtered
from vectorstore.config import SearchConfig
from vectorstore.lexical_build import quantise
from vectorstore.lexical_cache import build_index
from vectorstore.types import SearchFilters

TOPICS = [
    "The harbour ferry fare rose after the council vote on the port budget.",
    "A drought left the reservoir at a third of its capacity, the water board said.",
    "Rail workers began a strike over pay, halting trains on the northern line.",
    "The central bank held its rate at 4 percent, citing slowing inflation.",
    "Wildfire crews evacuated two villages as winds pushed the blaze east.",
    "The glacier retreated 62 metres in one summer, surveyors measured.",
]
OUTLETS = ("Mountain Post", "Town Crier", "Harbour Gazette")


def _articles() -> list[Article]:
    return [
        Article(
            title=f"{topic.split(',')[0][:40]} ({i})",
            text=f"{topic} Officials gave figures on day {i}. {TOPICS[(i + 1) % len(TOPICS)]}",
            source=OUTLETS[i % 3],
            published_at=f"2024-0{1 + i % 6}-{10 + i % 9}",
        )
        for i, topic in enumerate(TOPICS * 4)
    ]


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    folder = tmp_path_factory.mktemp("filtered")
    settings = load_settings(overrides={"data_dir": folder, "sample_corpus": False}, environ={})
    app = Newsdesk(settings, embedder=embedder)
    app.store.add_articles(_articles())
    yield app
    app.close()


FILTERS = [
    SearchFilters(sources=("Town Crier",)),
    SearchFilters(published_after=date(2024, 2, 1), published_before=date(2024, 4, 30)),
    SearchFilters(sources=("harbour gazette",), published_before=date(2024, 3, 31)),
]
FILTER_IDS = ["outlet", "date-range", "outlet-and-date"]
QUESTION = "strike over pay on the railway"


def _index(storage, *, vectors: bool):
    """The BM25 index of the store as it is, with the int8 vectors or as an older version
    built it (without)."""
    return build_index(storage.chunk_records(vectors=vectors), storage.generation(), None)


def _brute_force(storage, index, allowed, vector, n: int) -> list[tuple[str, float]]:
    """The exact answer: every kept chunk's stored vector, cosine in float64, ties by id."""
    ids, vectors = storage.chunk_vectors(index.chunk_ids(np.flatnonzero(allowed)))
    vectors = np.asarray(vectors, dtype=np.float64)
    query = np.asarray(vector, dtype=np.float64)
    cosine = vectors @ query / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    best = sorted(zip(ids, cosine.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
    return best[:n]


def _assert_exact(found, expected) -> None:
    assert [h["id"] for h in found] == [cid for cid, _ in expected]
    assert [h["similarity"] for h in found] == pytest.approx([s for _, s in expected], abs=1e-5)
    assert all(h["doc"] and h["meta"]["article_id"] for h in found)


WAYS = {
    # way: (index with vectors, the settings that send the filter that way)
    "int8-vectors": (True, SearchConfig(filter_vector_share=1.0, filter_wide_limit=0)),
    "wide-query": (True, SearchConfig(filter_vector_share=0.0, filter_wide_limit=10**6)),
    "no-vectors-exact": (False, SearchConfig(filter_exact_limit=10**6, filter_wide_limit=0)),
    "no-vectors-where": (False, SearchConfig(filter_exact_limit=0, filter_wide_limit=0)),
}


@pytest.mark.parametrize("n", [2, 5, 40])  # fewer than, about, and more than the kept chunks
@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("filters", FILTERS, ids=FILTER_IDS)
def test_each_way_returns_the_exact_nearest_chunks_within_the_filter(
    app, monkeypatch, way, filters, n
):
    vectors, config = WAYS[way]
    storage = app.store.storage
    index = _index(storage, vectors=vectors)
    assert index.has_vectors == vectors
    allowed = index.allowed(filters)
    vector = app.embedder.embed_query(QUESTION)
    expected = _brute_force(storage, index, allowed, vector, n)
    if way != "no-vectors-where":  # the way under test answers alone
        monkeypatch.setattr(storage, "dense_query", lambda *a: pytest.fail("fell back"))
    if way == "int8-vectors":
        monkeypatch.setattr(storage, "nearest_ids", lambda *a: pytest.fail("asked Chroma"))
    found = filtered.filtered_dense(storage, index, vector, n, filters, allowed, len(index), config)
    _assert_exact(found, expected)


@pytest.mark.parametrize("filters", FILTERS[:2], ids=FILTER_IDS[:2])
def test_rows_the_int8_scores_leave_in_doubt_are_rescored_too(app, monkeypatch, filters):
    storage = app.store.storage
    index = _index(storage, vectors=True)
    allowed = index.allowed(filters)
    vector = app.embedder.embed_query(QUESTION)
    read: list[int] = []
    real = storage.chunk_vectors
    monkeypatch.setattr(storage, "chunk_vectors", lambda ids: read.append(len(ids)) or real(ids))
    config = SearchConfig(filter_vector_share=1.0)
    found = filtered.filtered_dense(storage, index, vector, 2, filters, allowed, len(index), config)
    assert read[0] == 4 and len(read) <= 2  # 2n candidates, then only those in doubt
    _assert_exact(found, _brute_force(storage, index, allowed, vector, 2))

    read.clear()
    index.residual = 2.0  # an int8 score that could be anywhere: every row is in doubt
    found = filtered.filtered_dense(storage, index, vector, 2, filters, allowed, len(index), config)
    assert read == [4, int(allowed.sum()) - 4]
    _assert_exact(found, _brute_force(storage, index, allowed, vector, 2))


def test_a_large_share_tries_the_wide_query_and_falls_back_to_the_int8_vectors(app, monkeypatch):
    storage = app.store.storage
    index = _index(storage, vectors=True)
    filters = FILTERS[0]
    allowed = index.allowed(filters)
    vector = app.embedder.embed_query(QUESTION)
    monkeypatch.setattr(storage, "nearest_ids", lambda *a: [])  # the wide query comes back short
    monkeypatch.setattr(storage, "dense_query", lambda *a: pytest.fail("Chroma's where"))
    config = SearchConfig(filter_vector_share=0.0, filter_wide_limit=10**6)
    found = filtered.filtered_dense(storage, index, vector, 5, filters, allowed, len(index), config)
    _assert_exact(found, _brute_force(storage, index, allowed, vector, 5))


def test_int8_scores_are_within_the_residual_of_the_cosine():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(500, 384)).astype(np.float32)
    vectors[3] = 0.0  # a zero vector scores 0, it does not divide by zero
    codes, scales, residual = quantise(vectors)
    assert codes.dtype == np.int8 and scales.dtype == np.float32 and 0 < residual < 0.05
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-30)
    for query in rng.normal(size=(20, 384)):
        query /= np.linalg.norm(query)
        approximate = (codes.astype(np.float32) @ query.astype(np.float32)) * scales
        assert np.abs(approximate - unit @ query).max() <= residual + filtered.ROUNDING
        assert approximate[3] == 0


def test_a_filter_nothing_passes_asks_chroma_nothing(app, monkeypatch):
    storage = app.store.storage
    monkeypatch.setattr(storage, "dense_query", lambda *a: pytest.fail("Chroma was asked"))
    index = _index(storage, vectors=True)
    nothing = SearchFilters(sources=("Nowhere News",))
    found = filtered.filtered_dense(
        storage, index, [0.1] * 384, 5, nothing, index.allowed(nothing), len(index)
    )
    assert found == []


def test_the_vectors_are_read_with_the_texts_embedded_and_through_a_server(
    make_app, backend, monkeypatch
):
    # The build pages the embeddings with the texts (Chroma's get, include=["embeddings"]).
    app = make_app(**backend)
    app.store.add_articles(_articles())
    storage = app.store.storage
    index = _index(storage, vectors=True)
    assert index.has_vectors and len(index) == storage.count_chunks()
    monkeypatch.setattr(storage, "dense_query", lambda *a: pytest.fail("Chroma's where"))
    monkeypatch.setattr(storage, "nearest_ids", lambda *a: pytest.fail("the wide query"))
    vector = app.embedder.embed_query(QUESTION)
    allowed = index.allowed(FILTERS[1])
    config = SearchConfig(filter_vector_share=1.0)
    found = filtered.filtered_dense(
        storage, index, vector, 3, FILTERS[1], allowed, len(index), config
    )
    _assert_exact(found, _brute_force(storage, index, allowed, vector, 3))
    app.close()


def test_search_under_a_filter_ranks_from_the_index_vectors_it_built(make_app, monkeypatch):
    app = make_app(**{"search.filter_vector_share": 1.0})
    app.store.add_articles(_articles())
    storage = app.store.storage
    read: list[int] = []
    real = storage.chunk_vectors
    monkeypatch.setattr(storage, "chunk_vectors", lambda ids: read.append(len(ids)) or real(ids))
    monkeypatch.setattr(storage, "dense_query", lambda *a: pytest.fail("Chroma's where"))
    monkeypatch.setattr(storage, "nearest_ids", lambda *a: pytest.fail("the wide query"))
    found = app.store.search("strike over pay", k=3, filters=FILTERS[0])
    assert app.store.lexical_index().has_vectors
    assert found and read  # the int8 candidates' float vectors were read
    assert all(p.source == "Town Crier" for p in found)
    app.close()
