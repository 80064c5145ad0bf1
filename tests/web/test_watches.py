"""Watches in a real browser: "Watch this question" under an answer watches it; articles
added afterwards (through the API, as another user would) change its cited figure, and the
page shows a badge with the number of new changes, the Watches tab the change with both
answers cited; "Mark all as seen" clears the badge. A read-only session sees the badge and
the history, and no button that would change them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import Names, load_settings
from tests.api.conftest import READ_KEY, WRITE_KEY, LiveServer, with_api
from tests.test_watches import EARLY, LATER, QUESTION
from tests.web.conftest import Page
from tests.web.test_sign_in import _sign_in

pytestmark = pytest.mark.slow


@pytest.fixture
def watch_server(tmp_path: Path, embedder) -> Iterator[tuple[str, Newsdesk]]:
    settings = load_settings(
        overrides={"data_dir": tmp_path / "watch-web", "sample_corpus": False}, environ={}
    )
    app = Newsdesk(settings, embedder=embedder)
    app.ingest_records(EARLY)
    app.watcher.wait_idle(60)
    with LiveServer(create_app(app, warm_up=False)) as server:
        yield server.url, app


def test_watch_this_question_then_a_changed_figure_shows_a_badge_and_its_history(
    browser, watch_server
):
    url, app = watch_server
    p = Page(browser, url)
    try:
        assert "900" in p.ask(QUESTION)
        assert p.page.locator("#nd-watch-badge-box .nd-watch-badge").count() == 0
        p.page.click("#nd-watch")
        note = p.page.wait_for_selector("#nd-watch-note .nd-watch-added")
        assert QUESTION in note.inner_text()
        p.page.get_by_role("tab", name="Watches").click()
        watch = p.page.wait_for_selector("#nd-watches .nd-watch")
        assert QUESTION in watch.inner_text() and "0 change(s)" in watch.inner_text()
        p.shot("watches-01-watched")

        added = httpx.post(f"{url}/v1/articles", json=LATER, timeout=60)
        assert added.status_code == 200, added.text
        assert app.watcher.wait_idle(60)
        p.page.click("#nd-watch-refresh")
        badge = p.page.wait_for_selector("#nd-watch-badge-box .nd-watch-badge")
        assert "1 new change" in badge.inner_text()
        shown = p.page.locator("#nd-watches .nd-watch").inner_text()
        assert "1 new change" in shown and "900 -> 2500" in shown
        history = p.page.locator("#nd-watches .nd-watch-change")
        text = history.inner_text()
        assert "Before" in text and "After" in text
        assert "About 900 US troops are in Syria" in text  # the old answer's quote
        assert "2,500 US troops are in Syria" in text and "Northern Ledger" in text
        p.shot("watches-02-changed")

        p.page.click("#nd-watch-seen")
        p.page.wait_for_function(
            "() => !document.querySelector('#nd-watch-badge-box .nd-watch-badge')"
        )
        assert "new change" not in p.page.locator("#nd-watches").inner_text()
        assert not p.dialogs
    finally:
        outside = p.outside
        p.close()
    assert not outside


def test_a_read_only_session_sees_the_badge_and_history_but_cannot_watch(
    browser, tmp_path: Path, embedder
):
    settings = load_settings(
        overrides={"data_dir": tmp_path / "watch-keyed", "sample_corpus": False}, environ={}
    )
    app = Newsdesk(settings, embedder=embedder)
    app.ingest_records(EARLY)
    app.add_watch(QUESTION)
    app.ingest_records(LATER)
    assert app.watcher.wait_idle(60)
    keyed = with_api(app, keys=Names((WRITE_KEY,)), read_keys=Names((READ_KEY,)))
    with LiveServer(create_app(keyed, warm_up=False)) as server:
        p = _sign_in(browser, server.url, READ_KEY)
        try:
            badge = p.page.wait_for_selector("#nd-watch-badge-box .nd-watch-badge")
            assert "1 new change" in badge.inner_text()
            p.ask(QUESTION)
            assert not p.page.locator("#nd-watch").is_visible()
            p.page.get_by_role("tab", name="Watches").click()
            shown = p.page.wait_for_selector("#nd-watches .nd-watch").inner_text()
            assert "2500" in shown and "Before" in shown
            assert not p.page.locator("#nd-watch-seen").is_visible()
            assert not p.page.locator("#nd-watch-remove").is_visible()
        finally:
            p.close()
