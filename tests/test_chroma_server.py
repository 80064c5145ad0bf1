"""The same store code against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

from tests.test_store import HARBOUR, ORCHARD


def test_articles_stored_through_a_chroma_server_are_searchable_by_another_process(
    chroma_port, make_app
):
    first = make_app("a", **{"store.host": "127.0.0.1", "store.port": chroma_port})
    second = make_app("b", **{"store.host": "127.0.0.1", "store.port": chroma_port})
    first.store.add_articles([HARBOUR, ORCHARD])
    answer = second.ask("How many jobs did dock workers say automation would cut?")
    assert "300 jobs" in answer.text
    assert answer.citations[0].article_id == HARBOUR.id
    assert first.store.delete_article(HARBOUR.id)
    assert all(p.article_id != HARBOUR.id for p in second.store.search("container terminal"))
