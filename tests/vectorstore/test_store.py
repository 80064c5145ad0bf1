"""The Chroma-backed store with the real embedder: writes, identity, replacement, search.

The storage tests hold the Chroma storage through the `ArticleStorage` protocol alone, and
the search tests search it through that protocol alone: reaching past it fails the test."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.types import Article
from vectorstore.chroma_storage import SchemaMismatch
from vectorstore.client import make_client
from vectorstore.config import StoreConfig
from vectorstore.records import SCHEMA_VERSION
from vectorstore.storage import ArticleStorage
from vectorstore.store import ArticleStore
from vectorstore.types import SearchFilters

HARBOUR = Article(
    title="Port authority opens third container terminal",
    text=(
        "The port authority opened its third container terminal on Monday.\n\n"
        "The terminal adds capacity for 1.4 million containers a year, officials said. "
        "Construction took four years and cost 820 million euros.\n\n"
        "Dock workers had warned that automation would cut 300 jobs."
    ),
    source="Coastal Gazette",
    published_at="2024-02-12",
    url="https://coastal.example/port-terminal",
)
ORCHARD = Article(
    title="Late frost damages apple orchards in the valley",
    text=(
        "A late frost has damaged apple blossoms across the valley.\n\n"
        "Growers expect the harvest to fall by about 40 percent this year. "
        "The agriculture ministry promised emergency grants to affected farms."
    ),
    source="Valley Times",
    published_at="2023-04-20",
)


class OnlyTheProtocol:
    """A storage seen through `ArticleStorage` alone: any other attribute is missing."""

    NAMES = frozenset(name for name in vars(ArticleStorage) if not name.startswith("_"))

    def __init__(self, storage: ArticleStorage) -> None:
        self._storage = storage

    def __getattr__(self, name: str):  # noqa: ANN204 - whatever the storage has
        if name not in self.NAMES:
            raise AttributeError(f"{name!r} is not part of ArticleStorage")
        return getattr(self._storage, name)


@pytest.fixture
def storage(make_app, backend) -> ArticleStorage:
    return OnlyTheProtocol(make_app(**backend).store.storage)


@pytest.fixture
def store(make_app, backend) -> ArticleStore:
    """The app's store, its search seeing the storage through the protocol alone."""
    store = make_app(**backend).store
    store.searcher.storage = OnlyTheProtocol(store.storage)
    return store


def test_the_chroma_storage_is_an_article_storage_and_search_needs_no_more(store):
    assert isinstance(store.storage, ArticleStorage)
    assert isinstance(store.searcher.storage, ArticleStorage)
    with pytest.raises(AttributeError, match="not part of ArticleStorage"):
        store.searcher.storage.collections()  # Chroma's own, for the health checks
    store.add_articles([HARBOUR, ORCHARD])
    # Both halves of a search, the fresh-news lists too, through the protocol alone.
    passages = store.search("When did the container terminal open?", as_of=date(2024, 2, 13))
    assert passages[0].article_id == HARBOUR.id and passages[0].dense_rank is not None


def test_added_articles_are_listed_with_their_metadata_and_chunk_counts(storage):
    report = storage.add_articles([HARBOUR, ORCHARD])
    assert sorted(report.added) == sorted([HARBOUR.id, ORCHARD.id])
    infos = {i.id: i for i in storage.list_articles()}
    assert infos[HARBOUR.id].source == "Coastal Gazette"
    assert infos[HARBOUR.id].published_at == "2024-02-12"
    assert infos[HARBOUR.id].chunk_count >= 1
    assert storage.count_chunks() == sum(i.chunk_count for i in infos.values())
    assert storage.get_article(ORCHARD.id) == ORCHARD


def test_ingesting_the_same_article_twice_changes_nothing(storage):
    storage.add_articles([HARBOUR])
    chunks_before = storage.count_chunks()
    report = storage.add_articles([HARBOUR])
    assert report.added == [] and report.unchanged == [HARBOUR.id]
    assert storage.count_chunks() == chunks_before and storage.count_articles() == 1


def test_a_new_version_with_the_same_url_replaces_the_old_one_and_its_chunks(storage):
    storage.add_articles([HARBOUR])
    revised = Article(
        title=HARBOUR.title,
        text=HARBOUR.text + "\n\nUnions have called a strike for next week.",
        source=HARBOUR.source,
        published_at="2024-02-13",
        url=HARBOUR.url,
    )
    report = storage.add_articles([revised])
    assert report.replaced == [HARBOUR.id]
    assert [i.id for i in storage.list_articles()] == [revised.id]
    chunk_owners = {meta["article_id"] for _, _, meta in storage.chunk_records()}
    assert chunk_owners == {revised.id}


def test_two_versions_of_one_url_in_one_batch_store_only_the_last(storage):
    revised = Article(
        title=HARBOUR.title,
        text=HARBOUR.text + " The port said it would appeal.",
        source=HARBOUR.source,
        url=HARBOUR.url,
    )
    report = storage.add_articles([HARBOUR, revised, ORCHARD])
    assert sorted(report.added) == sorted([revised.id, ORCHARD.id])
    assert report.replaced == [HARBOUR.id]
    assert sorted(i.id for i in storage.list_articles()) == sorted([revised.id, ORCHARD.id])


def test_deleting_an_article_removes_all_its_chunks_from_search(store):
    store.add_articles([HARBOUR, ORCHARD])
    assert store.delete_article(HARBOUR.id) is True
    assert store.get_article(HARBOUR.id) is None
    assert all(p.article_id != HARBOUR.id for p in store.search("container terminal", k=10))
    assert store.delete_article(HARBOUR.id) is False


def test_search_passages_are_exact_slices_of_their_article(store):
    store.add_articles([HARBOUR, ORCHARD])
    passages = store.search("How much did the terminal cost?", k=5)
    assert passages[0].article_id == HARBOUR.id
    for p in passages:
        article = store.get_article(p.article_id)
        assert article.text[p.start : p.end] == p.text


def test_lexical_ranking_finds_rare_numbers(store):
    store.add_articles([HARBOUR, ORCHARD])
    top = store.search("820 million", k=1)[0]
    assert top.article_id == HARBOUR.id and top.lexical_rank == 1


def test_filters_restrict_by_outlet_and_date_range(store):
    store.add_articles([HARBOUR, ORCHARD])
    by_outlet = store.search(
        "harvest frost", k=5, filters=SearchFilters(sources=("coastal gazette",))
    )
    assert {p.article_id for p in by_outlet} == {HARBOUR.id}
    in_2023 = SearchFilters(published_after=date(2023, 1, 1), published_before=date(2023, 12, 31))
    assert {p.article_id for p in store.search("terminal", k=5, filters=in_2023)} == {ORCHARD.id}
    nothing = SearchFilters(published_after=date(2030, 1, 1))
    assert store.search("terminal", k=5, filters=nothing) == []


def test_excluded_articles_are_left_out_of_dense_and_lexical_results(store):
    store.add_articles([HARBOUR, ORCHARD])
    hidden = SearchFilters(exclude_articles=frozenset({HARBOUR.id}))
    found = store.search("container terminal 1.4 million containers", k=8, filters=hidden)
    assert found and all(p.article_id != HARBOUR.id for p in found)


def test_lexical_cache_sees_changes_made_through_another_store_object(make_app, backend):
    first, second = make_app("shared", **backend).store, make_app("shared", **backend).store
    first.add_articles([ORCHARD])
    assert second.search("apple blossoms", k=1)[0].article_id == ORCHARD.id
    first.add_articles([HARBOUR])
    assert second.search("820 million euros", k=1)[0].article_id == HARBOUR.id


def test_chunks_without_their_article_record_are_never_returned(store):
    store.add_articles([HARBOUR])
    # Simulate a crash between writing the chunks and the article record.
    _, articles = store.collections()
    articles.delete(ids=[HARBOUR.id])
    store.storage._bump_generation()
    assert store.search("container terminal", k=5) == []


def test_a_store_written_by_a_newer_version_is_refused(tmp_path, embedder):
    client = make_client(StoreConfig(path=tmp_path / "chroma"))
    client.create_collection(
        "newer_chunks", embedding_function=None, metadata={"schema_version": SCHEMA_VERSION + 1}
    )
    with pytest.raises(SchemaMismatch, match="newer"):
        ArticleStore(client, embedder, collection="newer")
