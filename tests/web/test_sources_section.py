"""The Sources section of the Library tab: add a feed, sync it now, see its status, and ask
about an article it brought; sync one source of several, remove one after a confirmation
(or keep it); a refused address says why; only editors may add, sync or remove."""

from __future__ import annotations

import time
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
from tests.news_site import NewsSite, Reply, Story, article_html
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
        section.sync_now(runtime, [], reader)
    assert len(news_site.requests) == before
    controls = library.session_controls(reader)
    assert controls[-2].visible is False and controls[-1].visible is False  # the feed rows
    with pytest.raises(gr.Error, match="Add a feed or a sitemap first"):
        section.sync_now(runtime, [], gr.Request())
    with pytest.raises(gr.Error, match="Choose a source in the list first"):
        section.sync_one(runtime, None, [], gr.Request())
    with pytest.raises(gr.Error, match="10.1.1.1 is a private address: refused"):
        section.add_source(runtime, "http://10.1.1.1/rss", "", gr.Request())
    with pytest.raises(gr.Error, match="at least 1 minute"):
        section.add_source(runtime, news_site.url("/feed.xml"), "5s", gr.Request())
    assert "No sources yet" in section.sources_html(runtime)

    sid = app.add_source(news_site.feed(f"/ro{uuid.uuid4().hex[:6]}/feed.xml", "rss", [])).id
    with pytest.raises(gr.Error, match="read-only"):
        section.sync_one(runtime, sid, [], reader)
    for refused in (section.ask_remove, section.confirm_remove):
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
    p.page.wait_for_selector("#nd-sync-report li[data-sync=done]", timeout=120_000)
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
        "() => document.querySelector('#nd-sync-report').innerText.includes('ok: 0 added')"
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


def _slow_feed(site: NewsSite, delay: float) -> tuple[str, Story, str]:
    """A feed of two items: a page that takes `delay` seconds to answer, and one gone (404):
    (the feed's URL, the slow story, the gone page's URL)."""
    prefix = f"/slow{uuid.uuid4().hex[:8]}"
    slow = Story(f"{prefix}/ferry", "Winter ferry timetable starts in November",
                 "The Port Alder ferry will sail four times a day from 3 November, down from "
                 "seven in summer, the harbour office said", day="2024-05-26")  # fmt: skip
    gone = Story(f"{prefix}/gone", "A story taken down", "Nothing here", day="2024-05-25")
    feed = site.feed(f"{prefix}/feed.xml", "rss", [slow, gone], title="Ferry Notices", pages=False)
    page = article_html(slow.title, slow.body, "Alder Gazette", slow.day, site.url(slow.path))
    headers = {"Content-Type": "text/html; charset=utf-8"}
    site.routes[slow.path] = lambda _h: Reply(delay=delay, body=page.encode(), headers=headers)
    return feed, slow, site.url(gone.path)


def test_sync_now_returns_at_once_and_the_tick_follows_the_pass_to_its_errors(make_app, news_site):
    app = make_app(**ALLOW_LOCAL)
    runtime = Runtime(app)
    feed, slow, gone = _slow_feed(news_site, delay=6.0)
    sid = app.add_source(feed).id

    began = time.monotonic()
    report, listing, following, timer = section.sync_one(runtime, sid, [], gr.Request())
    assert time.monotonic() - began < 3.0  # the 6 s page is not waited for
    assert following == [sid] and timer.active
    assert "syncing since" in report and "nd-feed-syncing" in listing
    with pytest.raises(gr.Error, match="a sync is already running"):
        section.sync_now(runtime, following, gr.Request())

    seen, synced = [], 0
    while following and time.monotonic() - began < 60:
        time.sleep(0.3)
        report, listing, following, timer, synced = section.follow(runtime, following, synced)
        seen.append(report)
        assert timer.active == bool(following)
    assert not following and synced == 1  # ended: the article list is refreshed once
    # The gone page was settled while the slow one was still coming: counts shown live.
    assert any("1 failed, 1 page(s) to go" in r and "syncing since" in r for r in seen)
    assert "partial: 1 added, 0 replaced, 0 unchanged, 1 failed" in report
    assert f"{gone}: HTTP 404 Not Found" in report
    assert "nd-feed-syncing" not in listing
    assert [a.title for a in app.list_articles()] == [slow.title]
    idle = section.follow(runtime, [], synced)
    assert idle[2] == [] and not idle[3].active and idle[4] == synced


def test_a_pass_that_ends_between_the_views_two_reads_is_shown_running_not_done_with_running():
    """A record still "running" with no pass in this process (a pass in another process; or,
    before views read this process's passes first, one that ended between the two reads):
    the report line says the source is syncing (the next refresh shows the end), never
    "done" with status running."""
    from assistant.sync import SourceView
    from vectorstore.sync_state import Source, SourceStatus, SyncRun

    source = Source("src1", "http://127.0.0.1:9/feed.xml", 3600)
    run = SyncRun.start(source.id, "holder")
    run.added, run.failed = 1, 1
    between = SourceView(source, SourceStatus(source.id), run, time.time(), running_since=None)
    line = section._line(source.id, between)
    assert "data-sync='running'" in line and "syncing since" in line
    assert "1 added, 0 replaced, 0 unchanged, 1 failed" in line
    run.status, run.finished_at = "partial", time.time()
    assert "data-sync='done'" in section._line(source.id, between)
    assert "partial: 1 added" in section._line(source.id, between)


@pytest.mark.slow
def test_sync_this_source_runs_in_the_background_while_the_page_stays_usable(
    browser, syncing_url, news_site
):
    feed, slow, gone = _slow_feed(news_site, delay=10.0)
    other = news_site.story(Story(f"/p{uuid.uuid4().hex[:8]}/tram",
                                  "Tram line to the harbour approved",
                                  "The council approved a tram line to the harbour on Monday",
                                  day="2024-05-27"))  # fmt: skip
    p = Page(browser, syncing_url)
    p.page.get_by_role("tab", name="Library").click()
    p.page.fill("#nd-feed-url textarea", feed)
    p.page.click("#nd-add-feed")
    p.page.wait_for_function(
        "([url]) => document.querySelector('#nd-feeds').innerText.includes(url)", arg=[feed]
    )
    _pick(p, feed)
    p.page.click("#nd-sync-one")
    # Back at once, the pass running: the slow page takes 10 s.
    running = p.page.locator("#nd-sync-report li[data-sync=running]")
    running.wait_for(timeout=5_000)
    assert "syncing since" in running.inner_text()
    assert p.page.locator("#nd-feeds [data-source] .nd-feed-syncing").count() == 1
    p.page.click("#nd-sync-one")  # pressed again while it runs
    p.page.wait_for_selector(".toast-body", timeout=10_000)
    assert "a sync is already running" in p.page.locator(".toast-body").inner_text()
    p.shot("library-sources-syncing")

    # The rest of the page works meanwhile: a web page is added while the pass runs.
    p.page.fill("#nd-url textarea", other)
    p.page.click("#nd-add-url")
    p.page.wait_for_function(
        "() => document.querySelector('#nd-upload-report').innerText.includes('added 1 article')"
    )
    assert running.count() == 1, "the sync ended before the page was added: not in parallel"

    done = p.page.locator("#nd-sync-report li[data-sync=done]")
    done.wait_for(timeout=90_000)
    text = done.inner_text()
    assert "partial: 1 added, 0 replaced, 0 unchanged, 1 failed" in text
    assert f"{gone}: HTTP 404 Not Found" in text
    p.page.wait_for_function(  # the article list refreshed when the pass ended
        "([t]) => document.querySelector('#nd-articles').innerText.includes(t)", arg=[slow.title]
    )
    assert p.page.locator("#nd-feeds .nd-feed-syncing").count() == 0
    p.shot("library-sources-synced-in-background")
    assert not p.outside, p.outside
    p.close()


def _pick(p: Page, name: str) -> None:
    """Choose a source in the Sources dropdown by its title or address. The list is
    refreshed (and the pick cleared) just after a source is added: pick again until the
    choice holds."""
    for _ in range(5):
        p.page.click("#nd-feed-pick input")
        p.page.get_by_role("option", name=name).click()
        p.page.wait_for_timeout(700)
        if name in p.page.locator("#nd-feed-pick input").input_value():
            return
    raise AssertionError(f"could not choose {name} in the Sources list")
