"""Two Newsdesk API processes on one real Chroma server, and an outage of that server.

Process A is `newsdesk serve` in a subprocess; process B is uvicorn in this test process.
Each has its own BM25 cache, which must notice what the other wrote.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import load_settings
from tests.api.conftest import LiveServer
from tests.chroma_server import ChromaServer
from tests.concurrent_versions import articles_per_url, post_versions_at_once
from tests.served import serving
from vectorstore.integrity import check_store

PILOTS = {
    "title": "Harbour pilots strike over night shifts",
    "body": "Harbour pilots in Port Ellis began a 48-hour strike on Tuesday over night shifts. "
    "The harbour board said 14 ships were waiting at anchor by the evening.",
    "source": "Coastal Ledger",
    "published_at": "2024-05-07",
}
QUESTION = "How many ships were waiting at anchor in Port Ellis?"


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def process_a(chroma: ChromaServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("a")
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(data_dir)}
    args = ["--chroma-host", "127.0.0.1", "--chroma-port", str(chroma.port), "--no-sample"]
    with serving(data_dir, env, *args) as url:
        yield url


@pytest.fixture(scope="module")
def process_b(
    chroma: ChromaServer, tmp_path_factory: pytest.TempPathFactory, embedder
) -> Iterator[str]:
    overrides = {"data_dir": tmp_path_factory.mktemp("b"), "sample_corpus": False}
    overrides |= {"store.host": "127.0.0.1", "store.port": chroma.port}
    app = Newsdesk(load_settings(overrides=overrides, environ={}), embedder=embedder)
    with LiveServer(create_app(app, warm_up=False)) as server:
        yield server.url


def ask(url: str) -> dict:
    response = httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_article_added_through_one_process_is_answered_and_deleted_through_the_other(
    process_a: str, process_b: str
):
    assert ask(process_b)["abstained"]  # B builds its lexical cache before A writes
    added = httpx.post(f"{process_a}/v1/articles", json=[PILOTS], timeout=60).json()["added"]
    answer = ask(process_b)
    assert "14 ships" in answer["answer"] and answer["citations"][0]["article_id"] == added[0]
    assert httpx.delete(f"{process_b}/v1/articles/{added[0]}").status_code == 204
    assert httpx.get(f"{process_a}/v1/articles/{added[0]}").status_code == 404
    assert ask(process_a)["abstained"]
    search = httpx.get(f"{process_a}/v1/search", params={"q": "harbour pilots strike"})
    assert search.json()["passages"] == []


def test_while_chroma_is_down_requests_get_503_and_the_process_recovers_with_it(
    chroma: ChromaServer, process_b: str
):
    httpx.post(f"{process_b}/v1/articles", json=[PILOTS], timeout=60)
    chroma.stop()
    try:
        down = httpx.post(f"{process_b}/v1/ask", json={"question": QUESTION}, timeout=60)
        assert down.status_code == 503
        assert f"127.0.0.1:{chroma.port}" in down.json()["error"]["message"]
        assert httpx.get(f"{process_b}/healthz").status_code == 200
        assert httpx.get(f"{process_b}/readyz").status_code == 503
        # A write during the outage is refused as clearly (503), not half-done.
        other = {**PILOTS, "title": "Pilots end strike", "body": "The pilots went back."}
        refused = httpx.post(f"{process_b}/v1/articles", json=[other], timeout=60)
        assert refused.status_code == 503
    finally:
        chroma.start()
    # What was accepted before the outage is all still there, and answered again.
    assert "14 ships" in ask(process_b)["answer"]
    titles = [a["title"] for a in httpx.get(f"{process_b}/v1/articles").json()["items"]]
    assert PILOTS["title"] in titles and "Pilots end strike" not in titles


@pytest.mark.parametrize("through", ["one process", "two processes"])
def test_simultaneous_versions_of_one_url_leave_one_whole_article(
    chroma: ChromaServer, process_a: str, process_b: str, tmp_path, embedder, through: str
):
    stories = range(20, 26) if through == "one process" else range(30, 36)
    a = httpx.Client(base_url=process_a, timeout=120)
    b = a if through == "one process" else httpx.Client(base_url=process_b, timeout=120)
    for n in stories:
        post_versions_at_once([a, b], n)
    assert set(articles_per_url(a, stories).values()) == {1}
    # And the one left is whole: every chunk there, none of the loser's left behind.
    overrides = {"data_dir": tmp_path, "sample_corpus": False}
    overrides |= {"store.host": "127.0.0.1", "store.port": chroma.port}
    with Newsdesk(load_settings(overrides=overrides, environ={}), embedder=embedder) as app:
        assert check_store(app.store).ok
