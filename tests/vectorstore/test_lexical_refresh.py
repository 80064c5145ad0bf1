"""A large store keeps answering while its BM25 index is rebuilt after a write (issue 21).

The rebuild is held on an Event (the file build it streams the chunks into waits), so each
test knows the rebuild is running, not merely slow, while it searches."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date

import pytest

from assistant.api import create_app
from assistant.cli import main
from ingest.types import Article, MetadataEdit
from tests.api.conftest import local_client
from tests.vectorstore.test_lexical_cache import BEEHIVES, GLACIER
from vectorstore import lexical_cache
from vectorstore.types import SearchFilters

FERRY = Article(
    title="Ferry line to close after storm damage",
    text="The Ostravik ferry line closes for the winter after the storm wrecked its pier.",
    source="Coast Herald",
    published_at="2024-10-02",
)
ORCHARD = Article(
    title="Orchard harvest doubles after mild spring",
    text="Growers at the Pelmarsh orchards picked twice last year's apples after a mild spring.",
    source="Farm Weekly",
    published_at="2024-08-20",
)
LARGE = {"search.lexical_background_chunks": 1}  # every test store is "large"


class HeldRebuilds:
    """Every BM25 file build waits for `release` before it reads the first chunk (its
    scratch folder made, as in a long build); `started` is set when one begins."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_first: bool = False) -> None:
        self.started, self.release = threading.Event(), threading.Event()
        self.calls = 0
        build = lexical_cache.build_file

        def held(rows: Iterable[tuple], *args: object) -> None:
            self.calls += 1
            build(self._rows(rows, failing=fail_first and self.calls == 1), *args)

        monkeypatch.setattr(lexical_cache, "build_file", held)

    def _rows(self, rows: Iterable[tuple], *, failing: bool) -> Iterator[tuple]:
        self.started.set()
        assert self.release.wait(60), "the test never released the rebuild"
        if failing:
            raise OSError("disk full")
        yield from rows


def _finishes(call: Callable[[], object], seconds: float = 30) -> object:
    """`call`'s result, failing the test if it does not return within `seconds` (while
    the rebuild is held, a search that waited for it would never return)."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the search waited for the held rebuild"
    return result[0]


def _landed(app, seconds: float = 60) -> None:
    """Wait until no rebuild runs beside the searches any more."""
    deadline = time.monotonic() + seconds
    while app.search_index_status().refresh and "rebuilding" in app.search_index_status().refresh:
        assert time.monotonic() < deadline, "the background rebuild never finished"
        time.sleep(0.05)


def _served(make_app, *articles: Article):
    """A server's Newsdesk (warmed up: rebuilds beside the searches) over `articles`, its
    BM25 index built and saved."""
    app = make_app(**LARGE)
    app.store.add_articles(articles)
    app.warm_up()
    return app


def test_a_large_store_answers_with_the_earlier_index_while_one_thread_rebuilds_it(
    make_app, monkeypatch
):
    app = _served(make_app, GLACIER, FERRY)
    indexed = len(app.store.last_lexical_index())
    held = HeldRebuilds(monkeypatch)
    app.store.add_articles([BEEHIVES, ORCHARD])
    assert app.store.delete_article(FERRY.id)

    passages = _finishes(lambda: app.store.search("Quillmore rooftop beehives"))
    assert held.started.wait(30) and held.calls == 1
    # Found by the dense ranking alone: the index searched meanwhile does not know it.
    assert passages[0].article_id == BEEHIVES.id and passages[0].lexical_rank is None
    # The deleted article's chunk is still in that index, and BM25's best hit there...
    assert len(app.store.last_lexical_index()) == indexed
    # ...but never returned.
    hits = _finishes(lambda: app.store.search("Ostravik ferry pier"))
    assert FERRY.id not in {p.article_id for p in hits}
    assert held.calls == 1  # one rebuild, however many searches
    status = app.search_index_status()
    total = app.store.count_chunks()
    assert "rebuilding in the background since" in status.refresh
    assert f"{total - indexed:,} chunk(s) behind" in status.refresh
    assert status.building is None  # searches do not wait: /readyz stays ready

    held.release.set()
    _landed(app)
    passages = app.store.search("Quillmore rooftop beehives")
    assert passages[0].article_id == BEEHIVES.id and passages[0].lexical_rank == 1
    assert len(app.store.last_lexical_index()) == total
    assert held.calls == 1 and app.search_index_status().refresh is None


def test_an_article_edited_out_of_a_filter_is_not_returned_under_it_meanwhile(
    make_app, monkeypatch
):
    app = _served(make_app, GLACIER, FERRY)
    outlet = SearchFilters(sources=["Coast Herald"])
    assert app.store.search("Ostravik ferry", filters=outlet)[0].article_id == FERRY.id
    held = HeldRebuilds(monkeypatch)
    app.store.edit_metadata(FERRY.id, MetadataEdit(source="Harbour Gazette"))

    # The index searched meanwhile still says Coast Herald; the store no longer does.
    hits = _finishes(lambda: app.store.search("Ostravik ferry", filters=outlet))
    assert held.started.wait(30)
    assert FERRY.id not in {p.article_id for p in hits}
    # Edited into a filter, it is found there once the rebuild lands (the index's masks are
    # of the metadata it indexed: vectorstore/filtered.py, `behind_dense`).
    harbour = SearchFilters(sources=["Harbour Gazette"])
    held.release.set()
    _landed(app)
    assert app.store.search("Ostravik ferry", filters=harbour)[0].article_id == FERRY.id


def test_a_filtered_search_meanwhile_finds_new_chunks_without_chromas_where(make_app, monkeypatch):
    app = _served(make_app, GLACIER, FERRY)
    held = HeldRebuilds(monkeypatch)
    app.store.add_articles([BEEHIVES, ORCHARD])
    assert app.store.delete_article(GLACIER.id)
    storage = app.store.storage

    def no_where(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the filtered dense list went to Chroma's where")

    monkeypatch.setattr(storage, "dense_query", no_where)
    spring = SearchFilters(published_after=date(2024, 5, 1), published_before=date(2024, 9, 30))
    # BEEHIVES (May) and ORCHARD (August) are new: the index searched meanwhile lacks them.
    hits = _finishes(lambda: app.store.search("rooftop beehives for the library", filters=spring))
    assert held.started.wait(30)
    assert hits[0].article_id == BEEHIVES.id and hits[0].lexical_rank is None
    found = {p.article_id for p in hits}
    # In the period and new: found; deleted since (GLACIER, September): never; outside: no.
    assert ORCHARD.id in found and GLACIER.id not in found and FERRY.id not in found
    held.release.set()
    _landed(app)


def test_a_write_during_a_background_rebuild_is_followed_by_another(make_app, monkeypatch):
    app = _served(make_app, GLACIER)
    held = HeldRebuilds(monkeypatch)
    app.store.add_articles([BEEHIVES])
    _finishes(lambda: app.store.search("Quillmore"))
    assert held.started.wait(30)
    app.store.add_articles([ORCHARD])  # the store moves on while the rebuild runs
    _finishes(lambda: app.store.search("Pelmarsh"))
    assert held.calls == 1

    held.release.set()
    _landed(app)
    # The finished index (with the beehives, not the orchard) is used...
    first = app.store.search("Quillmore")
    assert first[0].article_id == BEEHIVES.id and first[0].lexical_rank == 1
    _landed(app)
    assert held.calls == 2  # ...and that search started the next rebuild
    orchard = app.store.search("Pelmarsh orchards")
    assert orchard[0].article_id == ORCHARD.id and orchard[0].lexical_rank == 1


def test_a_failed_background_rebuild_is_reported_and_the_next_search_tries_again(
    make_app, monkeypatch
):
    app = _served(make_app, GLACIER)
    held = HeldRebuilds(monkeypatch, fail_first=True)
    held.release.set()  # not held: the first build fails at once
    app.store.add_articles([BEEHIVES])
    app.store.search("Quillmore")
    _landed(app)
    assert "failed" in app.search_index_status().refresh
    assert "disk full" in app.search_index_status().refresh
    assert held.calls == 1

    app.store.search("Quillmore")  # tries again
    _landed(app)
    assert held.calls == 2 and app.search_index_status().refresh is None
    assert app.store.search("Quillmore")[0].lexical_rank == 1


def test_a_server_opening_a_large_store_answers_with_its_saved_earlier_index(make_app, monkeypatch):
    writer = make_app(**LARGE)
    writer.store.add_articles([GLACIER])
    writer.store.search("Vardbreen")  # saves the index
    writer.store.add_articles([BEEHIVES])  # ...which this write makes stale
    held = HeldRebuilds(monkeypatch)

    server = make_app(**LARGE)  # a new process: nothing in memory yet
    _finishes(server.warm_up)
    assert held.started.wait(30)
    hits = _finishes(lambda: server.store.search("Vardbreen glacier"))
    assert hits[0].article_id == GLACIER.id and hits[0].lexical_rank == 1
    held.release.set()
    _landed(server)
    assert server.store.search("Quillmore")[0].lexical_rank == 1


def test_a_small_store_rebuilds_at_once_so_a_new_word_is_found_by_bm25(make_app):
    app = make_app()  # the default threshold: the suite's stores and the samples are small
    app.store.add_articles([GLACIER])
    app.warm_up()
    app.store.add_articles([BEEHIVES])
    passages = app.store.search("Quillmore")
    assert passages[0].article_id == BEEHIVES.id and passages[0].lexical_rank == 1
    assert app.search_index_status().refresh is None


def test_readyz_stays_ready_and_names_a_background_rebuild(make_app, monkeypatch):
    server = make_app(**LARGE)
    server.store.add_articles([GLACIER])
    with local_client(create_app(server, warm_up=False)) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
        held = HeldRebuilds(monkeypatch)
        make_app().store.add_articles([BEEHIVES])  # another process writes
        found = _finishes(lambda: client.get("/v1/search", params={"q": "Quillmore beehives"}))
        assert found.status_code == 200
        assert held.started.wait(30)
        during = client.get("/readyz")
        held.release.set()
        assert during.status_code == 200
        (note,) = during.json()["notes"]
        assert "rebuilding in the background since" in note and "1 chunk(s) behind" in note
        _landed(server)
        assert client.get("/readyz").json() == {"status": "ready"}


def test_readyz_is_not_ready_while_a_large_store_with_no_saved_index_builds_one(
    make_app, monkeypatch
):
    server = make_app(**LARGE)
    server.store.add_articles([GLACIER])
    held = HeldRebuilds(monkeypatch)
    with local_client(create_app(server, warm_up=False)) as client:
        # The first request warms up: no index in memory or on disk, so it is built at once.
        warming = threading.Thread(target=lambda: client.get("/v1/search", params={"q": "x"}))
        warming.start()
        assert held.started.wait(30)
        during = client.get("/readyz")
        held.release.set()
        warming.join(60)
        assert during.status_code == 503
        message = during.json()["error"]["message"]
        assert "building the BM25 index from the store's 1 chunks since" in message
        assert client.get("/readyz").json() == {"status": "ready"}


def test_newsdesk_check_says_how_stale_the_saved_index_is_and_who_rebuilds_it(
    make_app, monkeypatch, capsys
):
    server = _served(make_app, GLACIER)
    held = HeldRebuilds(monkeypatch)
    server.store.add_articles([BEEHIVES])
    _finishes(lambda: server.store.search("Quillmore"))
    assert held.started.wait(30)
    check = ["check", "--data-dir", str(server.settings.data_dir), "--no-sample"]
    try:
        assert main(check) == 0  # stale is not damage
    finally:
        held.release.set()
    out = capsys.readouterr().out
    assert "note: the BM25 cache" in out and "1 chunks indexed, the store has 2 (+1)" in out
    assert f"being rebuilt by process {os.getpid()} since" in out

    _landed(server)
    assert main(check) == 0
    assert "note:" not in capsys.readouterr().out
