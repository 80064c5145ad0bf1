"""The Stories tab in a real browser: the project's own two stories (tests/stories_corpus.py)
grouped as written when the tab is picked, each with its outlets and dates, what its outlets
share and where they differ, every quote shown with its outlet, date and characters; an
outlet narrows them; a date that is not one is refused with a message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import load_settings
from tests.api.conftest import LiveServer
from tests.stories_corpus import GARRISON, HARBOR, NORTHERN, SANCTIONS, STORY_ARTICLES, VALLEY
from tests.web.conftest import Page

pytestmark = pytest.mark.slow


@pytest.fixture
def stories_server(tmp_path: Path, embedder) -> Iterator[str]:
    settings = load_settings(
        overrides={"data_dir": tmp_path / "stories-web", "sample_corpus": False}, environ={}
    )
    app = Newsdesk(settings, embedder=embedder)
    app.ingest_articles(STORY_ARTICLES)
    with LiveServer(create_app(app, warm_up=False)) as server:
        yield server.url
    app.close()


def test_the_stories_tab_shows_each_story_with_its_outlets_and_cited_differences(
    browser, stories_server
):
    p = Page(browser, stories_server)
    try:
        p.page.get_by_role("tab", name="Stories").click()
        p.page.wait_for_selector("#nd-stories .nd-story")
        stories = p.page.locator("#nd-stories .nd-story")
        assert stories.count() == 4
        garrison = stories.nth(0).inner_text()
        assert GARRISON[0].title in garrison
        assert "4 article(s), 2023-11-02 to 2023-11-06" in garrison
        assert all(outlet in garrison for outlet in (HARBOR, VALLEY, NORTHERN))
        assert "What the outlets share" in garrison and "Where they differ" in garrison
        assert "the outlets disagree on the same day" in garrison
        assert "About 700 troops are stationed at Camp Ardent" in garrison
        assert "About 900 troops are stationed at Camp Ardent" in garrison
        assert f"{NORTHERN} · 2023-11-03, characters" in garrison
        assert SANCTIONS[0].title in stories.nth(1).inner_text()
        p.shot("stories-01-all")

        p.page.fill("#nd-stories-outlet textarea, #nd-stories-outlet input", HARBOR)
        p.page.click("#nd-stories-show")
        p.page.wait_for_function(
            "() => document.querySelectorAll('#nd-stories .nd-story').length === 2"
        )
        assert SANCTIONS[0].title not in p.page.locator("#nd-stories").inner_text()

        p.page.fill("#nd-stories-since textarea, #nd-stories-since input", "last tuesday")
        p.page.click("#nd-stories-show")
        error = p.page.wait_for_selector(".toast-body")
        assert "From: expected a date as YYYY-MM-DD" in error.inner_text()
        assert not p.dialogs
    finally:
        outside = p.outside
        p.close()
    assert not outside
