"""Filtered dense search finds what Chroma's `where` finds, by whichever of its three ways."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.types import Article
from vectorstore import filtered
from vectorstore.config import SearchConfig
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


@pytest.mark.parametrize("way", ["exact", "wide", "among", "chroma"])
@pytest.mark.parametrize("filters", FILTERS, ids=["outlet", "date-range", "outlet-and-date"])
def test_each_way_finds_the_chunks_chromas_where_finds(app, monkeypatch, way, filters):
    limits = {"exact": (10**6, 0, 0), "wide": (0, 10**6, 0), "among": (0, 0, 10**6)}
    exact, wide, among = limits.get(way, (0, 0, 0))
    # The `search.filter_*` settings choose the way.
    config = SearchConfig(
        filter_exact_limit=exact, filter_wide_limit=wide, filter_among_limit=among
    )
    storage = app.store.storage
    generation, total = storage.stamp()
    index = app.store.lexical_index(generation)
    vector = app.embedder.embed_query("strike over pay on the railway")
    expected = storage.dense_query(vector, 5, filters, total)
    if way != "chroma":  # the way under test answers alone
        monkeypatch.setattr(storage, "dense_query", lambda *a: pytest.fail("fell back"))
    found = filtered.filtered_dense(
        storage, index, vector, 5, filters, index.allowed(filters), total, config
    )
    assert [h["id"] for h in found] == [h["id"] for h in expected]
    assert [h["similarity"] for h in found] == pytest.approx(
        [h["similarity"] for h in expected], abs=1e-6
    )
    assert all(h["doc"] and h["meta"]["article_id"] for h in found)


def test_a_filter_nothing_passes_asks_chroma_nothing(app, monkeypatch):
    storage = app.store.storage
    monkeypatch.setattr(storage, "dense_query", lambda *a: pytest.fail("Chroma was asked"))
    index = app.store.lexical_index()
    nothing = SearchFilters(sources=("Nowhere News",))
    found = filtered.filtered_dense(
        storage, index, [0.1] * 384, 5, nothing, index.allowed(nothing), len(index)
    )
    assert found == []


def test_the_filter_settings_reach_search(make_app, monkeypatch):
    app = make_app(**{"search.filter_exact_limit": 0, "search.filter_wide_limit": 0})
    app.store.add_articles(_articles())
    storage = app.store.storage
    among = []
    real = storage.dense_among
    monkeypatch.setattr(storage, "dense_among", lambda *a: among.append(1) or real(*a))
    monkeypatch.setattr(storage, "dense_query", lambda *a: pytest.fail("Chroma's where"))
    found = app.store.search("strike over pay", k=3, filters=FILTERS[0])
    assert found and among  # neither exact nor wide may answer: the query among the ids did
    app.close()
