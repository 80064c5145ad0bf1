"""The bundled sample articles are invented demo news: marked as samples everywhere, kept out
of answers once a real article is stored (unless asked for), and removable in one action."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.api import create_app
from assistant.app import SAMPLE_MARKER, SAMPLES_FLAGGED, sample_corpus_files
from assistant.settings import Names
from tests.api.conftest import READ_KEY, WRITE_KEY, local_client, with_api
from tests.test_cli import newsdesk

TROOPS = "How many US troops are in Syria?"
# A stand-in for a real article on the story one sample tells (written for this test): over
# the real seed article the answer used to quote the invented sample as a second source.
REAL_STORY = """Pro-Iran militias strike US troops again after deadly Kirkuk raid
Published: December 4, 2023

Armed groups backed by Iran carried out two new attacks on US troops in Iraq and Syria late on Sunday.

The drone strikes followed a US air raid that killed five militia fighters near the northern Iraqi city of Kirkuk earlier in the day.

A coalition calling itself the Islamic Resistance in Iraq said it had targeted a large air base in western Iraq and a small outpost in eastern Syria.

A US defence official said there were no injuries and no damage to either base.

The raid near Kirkuk was ordered after the same coalition claimed a drone attack on US troops in northern Iraq and a rocket attack in Syria.

Groups aligned with Tehran have stepped up drone and rocket attacks on US forces in Iraq and Syria since the war in Gaza began in October, citing Washington's backing for Israel.

Other attacks have targeted a base near Baghdad airport, an airport in Erbil and several positions inside Syria.

The US keeps 900 troops in Syria and 2,500 in neighbouring Iraq to advise and support local forces working to stop a comeback of ISIS, which held large parts of both countries in 2014 before it was defeated.
"""


@pytest.fixture
def real_story(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "militias.txt"
    path.parent.mkdir()
    path.write_text(REAL_STORY, encoding="utf-8")
    return path


@pytest.fixture
def mixed_app(make_app, real_story):
    """The samples loaded into an empty store, then one real article on the Syria story."""
    app = make_app("mixed", sample_corpus=True)
    assert app.ensure_sample_corpus() is not None
    assert app.ingest([real_story]).report.added
    return app


def test_a_sample_article_is_not_a_second_source_beside_a_real_article(mixed_app):
    answer = mixed_app.ask(TROOPS)
    samples = mixed_app.store.sample_ids()
    assert answer.citations and "900" in answer.text
    assert not {c.article_id for c in answer.citations} & samples, answer.text
    assert not any(c.sample for c in answer.citations)
    assert not answer.text.startswith("The sources disagree")
    assert not any(p.sample for p in mixed_app.retrieve(TROOPS, k=20))


def test_samples_answer_beside_real_articles_only_when_asked_and_say_they_are_samples(mixed_app):
    passages = mixed_app.retrieve(TROOPS, k=20, include_samples=True)
    samples = mixed_app.store.sample_ids()
    assert {p.article_id for p in passages if p.sample} <= samples
    assert any(p.sample for p in passages)
    answer = mixed_app.ask(TROOPS, include_samples=True)
    assert all(c.sample == (c.article_id in samples) for c in answer.citations)


def test_a_store_of_samples_only_answers_from_them_marked_as_samples(sample_app):
    answer = sample_app.ask(TROOPS)
    assert "900" in answer.text and answer.citations
    assert all(c.sample for c in answer.citations)
    infos = sample_app.store.list_articles()
    assert len(infos) == len(sample_corpus_files()) + 1 and all(i.sample for i in infos)


def test_the_first_question_or_listing_loads_the_samples_without_the_caller_asking(make_app):
    asked, listed = make_app("asked", sample_corpus=True), make_app("listed", sample_corpus=True)
    answer = asked.ask(TROOPS)
    assert "900" in answer.text and all(c.sample for c in answer.citations)
    infos = listed.list_articles()
    assert infos and all(i.sample for i in infos)
    # Offered once: removed samples stay removed for the rest of the instance's life.
    listed.remove_samples()
    assert listed.list_articles() == []


def test_samples_loaded_by_an_older_newsdesk_are_recognised_and_marked(make_app, real_story):
    app = make_app("old", sample_corpus=True)
    # What an older Newsdesk left: the samples stored without their flag, the marker set.
    app.store.add_articles(app._load(sample_corpus_files()).articles)
    app.store.set_marker(SAMPLE_MARKER, "loaded")
    app.ingest([real_story])
    assert not app.store.sample_ids()
    assert app.ensure_sample_corpus() is None  # nothing loaded again
    infos = app.store.list_articles()
    assert sum(i.sample for i in infos) == len(infos) - 1 == len(sample_corpus_files()) + 1
    assert app.store.marker(SAMPLES_FLAGGED) == "yes"
    assert not app.ask(TROOPS).citations[0].sample


def test_removing_the_samples_leaves_real_articles_and_they_never_come_back(mixed_app):
    real = [i.id for i in mixed_app.store.list_articles() if not i.sample]
    removed = mixed_app.remove_samples()
    assert len(removed) == len(sample_corpus_files()) + 1
    assert mixed_app.ensure_sample_corpus() is None
    assert [i.id for i in mixed_app.store.list_articles()] == real
    assert mixed_app.remove_samples() == []


def test_the_api_marks_samples_and_removes_them_with_a_read_write_key(mixed_app):
    keyed = with_api(mixed_app, keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))
    with local_client(create_app(keyed, warm_up=False)) as client:
        read = {"Authorization": f"Bearer {READ_KEY}"}
        write = {"Authorization": f"Bearer {WRITE_KEY}"}
        items = client.get("/v1/articles", params={"limit": 500}, headers=read).json()["items"]
        assert sum(i["sample"] for i in items) == len(items) - 1
        body = {"question": TROOPS}
        cited = client.post("/v1/ask", json=body, headers=read).json()["citations"]
        assert cited and not any(c["sample"] for c in cited)
        body["filters"] = {"include_samples": True}
        found = client.get(
            "/v1/search", params={"q": TROOPS, "include_samples": "true"}, headers=read
        ).json()["passages"]
        assert any(p["sample"] for p in found)
        assert client.delete("/v1/articles/samples", headers=read).status_code == 403
        removed = client.delete("/v1/articles/samples", headers=write)
        assert removed.status_code == 200 and len(removed.json()["removed"]) == len(items) - 1
        left = client.get("/v1/articles", headers=read).json()
        assert left["total"] == 1 and not left["items"][0]["sample"]


def test_the_cli_lists_samples_as_samples_and_removes_them_in_one_command(tmp_path, real_story):
    data = tmp_path / "cli"
    listing = newsdesk(data, "articles", "list").stdout
    assert listing.count("[sample]") == len(sample_corpus_files()) + 1
    newsdesk(data, "ingest", str(real_story), "--no-progress")
    out = newsdesk(data, "ask", TROOPS, "--include-samples").stdout
    assert "[sample article, not real news]" in out
    listed = json.loads(newsdesk(data, "articles", "list", "--json").stdout)
    assert sum(i["sample"] for i in listed) == len(listed) - 1
    removed = newsdesk(data, "articles", "remove", "--samples").stdout
    assert removed.count("removed sample") == len(listed) - 1
    listed = json.loads(newsdesk(data, "articles", "list", "--json").stdout)
    assert [i["sample"] for i in listed] == [False]
