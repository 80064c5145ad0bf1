"""A store of the project's two stories (tests/stories_corpus.py), shared by the briefing
tests that only read it."""

from __future__ import annotations

import pytest

from assistant.app import Newsdesk
from assistant.settings import load_settings
from tests.stories_corpus import STORY_ARTICLES


@pytest.fixture(scope="module")
def story_app(tmp_path_factory, embedder) -> Newsdesk:
    folder = tmp_path_factory.mktemp("stories")
    settings = load_settings(overrides={"data_dir": folder, "sample_corpus": False}, environ={})
    app = Newsdesk(settings, embedder=embedder)
    app.store.add_articles(STORY_ARTICLES)
    yield app
    app.close()
