"""Shared fixtures: the real embedder (loaded once per run) and apps on throw-away stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.app import Newsdesk
from assistant.settings import load_settings
from ingest.types import Article
from tests.chroma_server import ChromaServer
from tests.news_site import NewsSite
from vectorstore.embeddings import SentenceTransformerEmbedder


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


@pytest.fixture
def make_app(tmp_path: Path, embedder) -> Callable[..., Newsdesk]:
    """A Newsdesk on its own empty data folder, without the sample corpus unless asked."""

    def factory(name: str = "store", **overrides) -> Newsdesk:
        overrides.setdefault("sample_corpus", False)
        settings = load_settings(overrides={"data_dir": tmp_path / name, **overrides}, environ={})
        return Newsdesk(settings, embedder=embedder)

    return factory


@pytest.fixture
def store_of(make_app) -> Callable[[list[Article]], Newsdesk]:
    """A fresh Newsdesk whose store holds only the given articles."""

    def build(articles: list[Article]) -> Newsdesk:
        app = make_app()
        app.store.add_articles(articles)
        return app

    return build


@pytest.fixture(scope="session")
def sample_app(tmp_path_factory, embedder) -> Newsdesk:
    """A Newsdesk with the bundled sample corpus loaded, shared by read-only tests."""
    data_dir = tmp_path_factory.mktemp("sample")
    app = Newsdesk(load_settings(overrides={"data_dir": data_dir}, environ={}), embedder=embedder)
    outcome = app.ensure_sample_corpus()
    assert outcome is not None and not outcome.problems, outcome
    return app


@pytest.fixture(scope="session")
def chroma_port(tmp_path_factory) -> Iterator[int]:
    """One real `chroma run` on 127.0.0.1 for the whole session."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server.port
    server.stop()


@pytest.fixture(params=["embedded", "chroma-server"])
def backend(request) -> dict:
    """Settings overrides that select the store: embedded Chroma, or the Chroma server with a
    collection of this test's own. Tests that take it run once against each."""
    if request.param == "embedded":
        return {}
    return {
        "store.host": "127.0.0.1",
        "store.port": request.getfixturevalue("chroma_port"),
        "store.collection": f"t{uuid.uuid4().hex[:12]}",
    }


@pytest.fixture(scope="session")
def news_site() -> Iterator[NewsSite]:
    """A news site on 127.0.0.1 (tests/news_site.py) for everything that fetches URLs."""
    with NewsSite() as site:
        yield site
