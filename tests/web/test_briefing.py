"""The Briefing tab in a real browser, on the project's own two stories: the events in date
order, each with its outlets and quotes, the disagreement and the change with both outlets
and dates; an empty period says so; a date that is not one is refused; the briefing exports
as a Word file; and "What happened with ... this week?" in the chat gets the briefing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import load_settings
from tests.api.conftest import LiveServer
from tests.stories_corpus import GARRISON, HARBOR, NORTHERN, SANCTIONS, STORY_ARTICLES, VALLEY
from tests.web.conftest import Page

pytestmark = pytest.mark.slow
TOPIC = "Iran-backed militias"


@pytest.fixture(scope="module")
def brief_server(tmp_path_factory, embedder) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("brief-web")
    settings = load_settings(overrides={"data_dir": folder, "sample_corpus": False}, environ={})
    app = Newsdesk(settings, embedder=embedder)
    app.ingest_articles(STORY_ARTICLES)
    with LiveServer(create_app(app, warm_up=False)) as server:
        yield server.url
    app.close()


def _fill(p: Page, field: str, value: str) -> None:
    p.page.fill(f"#nd-brief-{field} textarea, #nd-brief-{field} input", value)


def test_the_briefing_tab_shows_the_dated_events_with_quotes_and_differences(browser, brief_server):
    p = Page(browser, brief_server)
    try:
        p.page.get_by_role("tab", name="Briefing").click()
        _fill(p, "topic", TOPIC)
        _fill(p, "since", "2023-11-01")
        _fill(p, "until", "2023-11-10")
        p.page.click("#nd-brief-go")
        p.page.wait_for_selector("#nd-briefing .nd-brief-event")
        events = p.page.locator("#nd-briefing .nd-brief-event")
        assert events.count() == 2
        assert [events.nth(i).get_attribute("data-date") for i in range(2)] == [
            "2023-11-02",
            "2023-11-08",
        ]
        title = p.page.locator("#nd-brief-title").inner_text()
        assert title == f"Briefing: {TOPIC}, between 2023-11-01 and 2023-11-10"
        garrison = events.nth(0).inner_text()
        assert f"reported by {HARBOR} (2023-11-02), {NORTHERN} (2023-11-03)" in garrison
        assert "The outlets disagree on the same day:" in garrison
        assert "About 700 troops are stationed at Camp Ardent" in garrison
        assert "About 900 troops are stationed at Camp Ardent" in garrison
        assert f"{NORTHERN} · 2023-11-03, characters" in garrison
        assert f"{VALLEY} · 2023-11-03, characters" in garrison
        assert "The figure changed over days:" in garrison
        assert "About 1,200 troops are now stationed" in garrison
        assert any(a.title in garrison for a in GARRISON)
        assert any(a.title in events.nth(1).inner_text() for a in SANCTIONS)
        p.shot("briefing-01-events")

        with p.page.expect_download() as download:
            p.page.click("#nd-brief-export")
            p.page.locator("#nd-brief-file a").first.click()
        word = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
        text = "\n".join(par.text for par in word.paragraphs)
        assert "About 700 troops are stationed at Camp Ardent" in text
        # The disagreeing report and both ends of the change are quoted, with their URLs.
        assert all(a.url in text for a in (GARRISON[0], GARRISON[2], GARRISON[3]))

        _fill(p, "since", "2024-01-01")
        _fill(p, "until", "2024-01-31")
        p.page.click("#nd-brief-go")
        p.page.wait_for_function(
            "() => document.querySelectorAll('#nd-briefing .nd-brief-event').length === 0"
        )
        empty = p.page.locator("#nd-briefing").inner_text()
        assert f"No articles about {TOPIC} between 2024-01-01 and 2024-01-31." in empty

        _fill(p, "since", "next week")
        p.page.click("#nd-brief-go")
        error = p.page.wait_for_selector(".toast-body")
        assert "From: expected a date as YYYY-MM-DD" in error.inner_text()
        assert not p.dialogs
    finally:
        outside = p.outside
        p.close()
    assert not outside


def test_what_happened_with_a_subject_this_week_in_the_chat_is_answered_by_a_briefing(
    browser, brief_server
):
    p = Page(browser, brief_server)
    try:
        p.page.click("text=Filters for the next questions")
        p.page.fill("#nd-as-of textarea, #nd-as-of input", "2023-11-09")
        answer = p.ask(f"What happened with {TOPIC} this week?")
        assert "2023-11-02 (Harbor Ledger, Northern Wire, Valley Courier):" in answer
        assert "2023-11-08 (Valley Courier, Northern Wire):" in answer
        assert "give different figures" in answer and "The figure changed" in answer
        panel = p.page.locator("#nd-sources-panel").inner_text()
        assert "About 700 troops are stationed at Camp Ardent" in panel
        p.shot("briefing-02-chat")
    finally:
        outside = p.outside
        p.close()
    assert not outside
