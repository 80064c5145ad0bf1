"""The Sources section of the Library tab: add a feed, sync it now, see its status, and ask
about an article it brought; sync one source of several, remove one after a confirmation
(or keep it); a refused address says why; only editors may add, sync or remove."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import gradio as gr
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.serving.login import READER
from assistant.serving.runtime import Runtime
from assistant.settings import load_settings
from assistant.web import library
from assistant.web import sources as section
from tests.api.conftest import LiveServer
from tests.news_site import Story
from tests.web.conftest import Page

ALLOW_LOCAL = {
    "ingest.fetch.allow_hosts": "127.0.0.1",
    "ingest.fetch.host_interval_s": 0.0,
    "sample_corpus": False,
}


@pytest.fixture(scope="module")
def syncing_url(tmp_path_factory, embedder) -> Iterator[str]:
    """The full app on an empty store of its own, allowed to fetch from 127.0.0.1."""
    settings = load_settings(
        overrides={"data_dir": tmp_path_factory.mktemp("web-sources"), **ALLOW_LOCAL},
        environ={},
    )
    with LiveServer(create_app(Newsdesk(settings, embedder=embedder), warm_up=False)) as server:
        yield server.url


def test_a_read_only_session_cannot_add_sync_or_remove_a_source_and_sees_no_controls(
    make_app, news_site
):
    app = make_app(**ALLOW_LOCAL)
    runtime = Runtime(app)
    reader = gr.Request(username=READER)
    before = len(news_site.requests)
    with pytest.raises(gr.Error, match="read-only"):
        section.add_source(runtime, news_site.url("/feed.xml"), "", reader)
    with pytest.raises(gr.Error, match="read-only"):
        section.sync_now(runtime, reader)
    assert len(news_site.requests) == before
    controls = library.session_controls(reader)
    assert controls[-2].visible is False and controls[-1].visible is False  # the feed rows
    with pytest.raises(gr.Error, match="Add a feed or a sitemap first"):
        section.sync_now(runtime, gr.Request())
    with pytest.raises(gr.Error, match="Choose a source in the list first"):
        section.sync_one(runtime, None, gr.Request())
    with pytest.raises(gr.Error, match="10.1.1.1 is a private address: refused"):
        section.add_source(runtime, "http://10.1.1.1/rss", "", gr.Request())
    with pytest.raises(gr.Error, match="at least 1 minute"):
        section.add_source(runtime, news_site.url("/feed.xml"), "5s", gr.Request())
    assert "No sources yet" in section.sources_html(runtime)

    sid = app.add_source(news_site.feed(f"/ro{uuid.uuid4().hex[:6]}/feed.xml", "rss", [])).id
    for refused in (section.sync_one, section.ask_remove, section.confirm_remove):
        with pytest.raises(gr.Error, match="read-only"):
            refused(runtime, sid, reader)
    assert app.source(sid) is not None


@pytest.mark.slow
def test_a_feed_is_added_synced_and_its_article_answers_a_question(browser, syncing_url, news_site):
    prefix = f"/b{uuid.uuid4().hex[:8]}"
    stories = [
        Story(f"{prefix}/lighthouse", "Lighthouse keeper retires after 41 years",
              "Ada Brennan, keeper of the Port Alder lighthouse, retired on Friday after 41 "
              "years. The lighthouse will be run from the harbour office from July. Brennan "
              "said she would miss the storms most", day="2024-05-24"),
        Story(f"{prefix}/market", "Fish market moves to the old ferry shed",
              "The Port Alder fish market will move to the old ferry shed in September, the "
              "council said. Traders had asked for a covered hall", day="2024-05-25"),
    ]  # fmt: skip
    feed = news_site.feed(f"{prefix}/feed.xml", "rss", stories)
    p = Page(browser, syncing_url)
    p.page.get_by_role("tab", name="Library").click()
    p.page.wait_for_function(
        "() => document.querySelector('#nd-feeds').innerText.includes('No sources yet')"
    )
    p.page.fill("#nd-feed-url textarea", feed)
    p.page.fill("#nd-feed-every textarea", "2h")
    p.page.click("#nd-add-feed")
    p.page.wait_for_function(
        "([url]) => document.querySelector('#nd-feeds').innerText.includes(url)", arg=[feed]
    )
    assert "every 2h" in p.page.locator("#nd-feeds").inner_text()
    assert p.page.locator("#nd-feed-url textarea").input_value() == ""

    p.page.click("#nd-sync-now")
    p.page.wait_for_selector("#nd-sync-report li", timeout=120_000)
    assert "ok: 2 added" in p.page.locator("#nd-sync-report").inner_text()
    p.page.wait_for_function(
        "() => document.querySelector('#nd-articles').innerText.includes('Lighthouse keeper')"
    )
    status = p.page.locator("#nd-feeds").inner_text()
    assert "Last success: 20" in status and "Last run: ok, 2 listed, 2 added" in status
    assert "Next run: 20" in status
    p.shot("library-sources-synced")

    p.page.fill("#nd-feed-url textarea", "http://10.20.30.40/rss")
    p.page.press("#nd-feed-url textarea", "Enter")
    p.page.wait_for_selector(".toast-body", timeout=30_000)
    assert "10.20.30.40 is a private address: refused" in p.page.locator(".toast-body").inner_text()

    # A second feed: one source synced on its own, then removed after a confirmation.
    other = news_site.feed(f"{prefix}/other.xml", "rss", [], title="Harbour Notices")
    p.page.fill("#nd-feed-url textarea", other)
    p.page.click("#nd-add-feed")
    p.page.wait_for_function("() => document.querySelectorAll('#nd-feeds .nd-feed').length === 2")
    _pick(p, "Alder Gazette")
    p.page.click("#nd-sync-one")
    p.page.wait_for_function(
        "() => document.querySelector('#nd-sync-report').innerText.includes('unchanged')"
    )
    report = p.page.locator("#nd-sync-report").inner_text()
    assert feed in report and other not in report and "ok: 0 added" in report
    assert "not read yet" in p.page.locator("#nd-feeds [data-source] >> nth=1").inner_text()

    _pick(p, other)  # not read yet: named by its address
    p.page.click("#nd-remove-feed")
    p.page.wait_for_selector("#nd-feed-confirm", state="visible")
    assert "Remove the source" in p.page.locator("#nd-feed-confirm").inner_text()
    p.page.click("#nd-feed-no")
    p.page.wait_for_selector("#nd-feed-confirm", state="hidden")
    assert p.page.locator("#nd-feeds .nd-feed").count() == 2
    p.shot("library-sources-remove-asked")
    p.page.click("#nd-remove-feed")
    p.page.click("#nd-feed-yes")
    p.page.wait_for_function("() => document.querySelectorAll('#nd-feeds .nd-feed').length === 1")
    assert "Removed the source" in p.page.locator("#nd-sync-report").inner_text()
    assert other not in p.page.locator("#nd-feeds").inner_text()

    p.page.get_by_role("tab", name="Ask").click()
    answer = p.ask("After how many years did the lighthouse keeper retire?")
    assert "41 years" in answer
    assert "Lighthouse keeper retires" in p.page.locator("#nd-sources-panel").inner_text()
    assert not p.outside, p.outside
    p.close()


def _pick(p: Page, name: str) -> None:
    """Choose a source in the Sources dropdown by its title or address."""
    p.page.click("#nd-feed-pick input")
    p.page.get_by_role("option", name=name).click()
