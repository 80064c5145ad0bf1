"""The BM25 index is kept on disk between processes and thrown away when any process writes."""

from __future__ import annotations

from ingest.types import Article
from vectorstore.lexical import LexicalIndex, load_index

GLACIER = Article(
    title="Glacier retreat measured by survey team",
    text="Surveyors found the Vardbreen glacier retreated 62 metres in one summer.",
    source="Mountain Post",
    published_at="2024-09-14",
)
BEEHIVES = Article(
    title="Town council funds rooftop beehives",
    text="The council will pay for 40 rooftop beehives on the Quillmore library and school.",
    source="Town Crier",
    published_at="2024-05-03",
)


def test_a_new_process_loads_the_saved_index_instead_of_rebuilding_it(make_app, monkeypatch):
    first = make_app()
    first.store.add_articles([GLACIER])
    assert first.store.search("Vardbreen glacier")[0].article_id == GLACIER.id
    cache = first._lexical_cache_file()
    assert cache.is_file()

    def rebuilt(*_args, **_kwargs):
        raise AssertionError("the BM25 index was rebuilt although a current one was saved")

    monkeypatch.setattr(LexicalIndex, "__post_init__", rebuilt)
    second = make_app()  # same data folder, a new store object: what a new process sees
    index = second.store.lexical_index()
    hits = index.top("Vardbreen", 5)
    assert [index.metadatas[i]["article_id"] for i, _score in hits] == [GLACIER.id]


def test_a_write_by_another_process_makes_the_saved_index_stale(make_app):
    reader = make_app()
    reader.store.add_articles([GLACIER])
    reader.store.lexical_index()
    saved_at = reader.store.generation()
    assert load_index(reader._lexical_cache_file(), saved_at) is not None

    writer = make_app()  # another process writing to the same store
    writer.store.add_articles([BEEHIVES])
    assert load_index(reader._lexical_cache_file(), writer.store.generation()) is None
    # The reader notices the change and finds the new article by a word only BM25 knows well.
    passages = reader.store.search("Quillmore beehives")
    assert passages[0].article_id == BEEHIVES.id and passages[0].lexical_rank == 1
    assert load_index(reader._lexical_cache_file(), writer.store.generation()) is not None


def test_a_damaged_cache_file_is_only_a_miss(make_app):
    app = make_app()
    app.store.add_articles([GLACIER])
    app._lexical_cache_file().parent.mkdir(parents=True, exist_ok=True)
    app._lexical_cache_file().write_bytes(b"not a pickle")
    assert make_app().store.search("Vardbreen")[0].article_id == GLACIER.id
