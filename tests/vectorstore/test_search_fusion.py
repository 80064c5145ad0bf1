"""Search fuses on ids and reads text for the surviving passages only, and ranks exactly as
when every BM25 hit's text was read before fusion."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.types import Article
from vectorstore import search
from vectorstore.types import SearchFilters

TOPICS = [
    "The harbour ferry fare rose to 4.20 after the council vote on the port budget.",
    "A drought left the reservoir at a third of its capacity, the water board said.",
    "Rail workers began a strike over pay, halting trains on the northern line.",
    "The central bank held its rate at 4 percent, citing slowing inflation.",
    "Wildfire crews evacuated two villages as winds pushed the blaze east.",
    "The glacier retreated 62 metres in one summer, surveyors measured.",
]
OUTLETS = ("Mountain Post", "Town Crier", "Harbour Gazette")


def _articles() -> list[Article]:
    made = [
        Article(
            title=f"{topic.split(',')[0][:40]} ({i})",
            text=" ".join([f"{topic} Officials gave figures on day {i}."] * (1 + i % 4)),
            source=OUTLETS[i % 3],
            published_at=f"2024-0{1 + i % 9}-{10 + i % 9}",
        )
        for i, topic in enumerate(TOPICS * 5)
    ]
    # Wire copies under another outlet, so that copy collapsing has copies to collapse.
    wire = [
        Article(title=a.title + " (wire)", text=a.text, source="Wire", published_at=a.published_at)
        for a in made[:8]
    ]
    return made + wire


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    folder = tmp_path_factory.mktemp("fusion")
    # Short candidate lists, so that many BM25 hits are in no dense list (have no text).
    overrides = {"data_dir": folder, "sample_corpus": False, "search.candidates": 6}
    settings = load_settings(overrides=overrides, environ={})
    app = Newsdesk(settings, embedder=embedder)
    app.store.add_articles(_articles())
    yield app
    app.close()


QUESTIONS = [
    "strike over pay on the trains",
    "4 percent rate",
    "How far did the glacier retreat?",
    "reservoir capacity drought",
    "ferry fare 4.20",
    "figures on day 7",
]
FILTERS = [
    SearchFilters(),
    SearchFilters(sources=("Town Crier",)),
    SearchFilters(published_after=date(2024, 2, 1), published_before=date(2024, 6, 30)),
]


def _ranked(app, question: str, k: int, filters: SearchFilters, as_of: date | None) -> list:
    found = app.store.search(question, k=k, filters=filters, as_of=as_of)
    return [(p.chunk_id, p.score, p.dense_rank, p.lexical_rank, p.text, p.title) for p in found]


def test_fusing_on_ids_ranks_exactly_as_reading_every_hit_first(app, monkeypatch):
    storage = app.store.storage
    searches = [
        (q, k, f, as_of)
        for q in QUESTIONS
        for k in (3, 8)
        for f in FILTERS
        for as_of in (None, date(2024, 5, 16), date(2024, 9, 20))
    ]
    lazy = [_ranked(app, *s) for s in searches]

    def eager(index, rows):  # the BM25 hits with text and metadata, read up front
        entries = lazy_entries(index, rows)
        read = storage.chunks_by_id([e["id"] for e in entries])
        return [{"id": e["id"], "doc": read[e["id"]][0], "meta": read[e["id"]][1]} for e in entries]

    lazy_entries = search._lexical_entries
    monkeypatch.setattr(search, "_lexical_entries", eager)
    assert [_ranked(app, *s) for s in searches] == lazy
    assert sum(map(len, lazy)) > 100  # the comparison compared something


def test_a_search_reads_text_once_and_only_for_a_few_passages(app, monkeypatch):
    storage = app.store.storage
    reads: list[int] = []
    real = storage.chunks_by_id
    monkeypatch.setattr(storage, "chunks_by_id", lambda ids: reads.append(len(ids)) or real(ids))
    app.store.search("ferry fare 4.20 council vote", k=3)
    assert len(reads) <= 1
    assert sum(reads) <= 3 + search.READ_AHEAD  # not every one of the 40 BM25 hits


def test_a_hit_deleted_after_the_index_was_built_is_left_out(app, monkeypatch):
    storage = app.store.storage
    question = "ferry fare 4.20 council vote"
    before = app.store.search(question, k=5)
    gone = before[0].chunk_id
    real = storage.chunks_by_id
    monkeypatch.setattr(
        storage, "chunks_by_id", lambda ids: {c: v for c, v in real(ids).items() if c != gone}
    )
    # Only BM25 hits come without text: make the first one a BM25-only hit.
    monkeypatch.setattr(storage, "dense_query", lambda *a: [])
    after = app.store.search(question, k=5)
    assert gone not in [p.chunk_id for p in after]
    assert after and all(p.text for p in after)
