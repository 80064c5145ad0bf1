"""Sources kept in sync (assistant/sync.py) against the local news site (tests/news_site.py):
every format syncs, a second sync stores nothing twice and downloads no page body, an
edited page replaces its article, errors are reported per source and per item while the
rest goes in, private addresses are refused with a clear message, and the state goes with
the store (export and import carry it)."""

from __future__ import annotations

import re
import uuid

import pytest

from assistant.sync import SourceError, parse_every
from tests.news_site import Reply, Story, sitemap_index

pytestmark = pytest.mark.slow

LOCAL = {
    "ingest.fetch.allow_hosts": "127.0.0.1",
    "ingest.fetch.host_interval_s": 0.0,
}


CAFE = "https://www.alder-gazette.example/2024/05/20/cafe-rents"  # the page's canonical URL


def stories(prefix: str, count: int = 3) -> list[Story]:
    topics = ["ferry fares", "bridge tolls", "harbour dredging", "tram lines", "school roofs"]
    return [
        Story(
            f"{prefix}/story-{i}",
            f"Council votes on {topics[i % 5]} plan {i}",
            f"The Port Alder council voted on Monday on the {topics[i % 5]} plan number {i}. "
            f"Councillors approved it by {20 + i} votes to {i}. The work starts in June "
            f"and costs {3 + i}.5 million euros, the council said",
            day=f"2024-05-{10 + i:02d}",
        )
        for i in range(count)
    ]


def fresh() -> str:
    return f"/s{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("kind", ["rss", "atom", "json", "news-sitemap"])
def test_a_feed_syncs_and_a_second_sync_stores_nothing_twice_and_downloads_no_page(
    make_app, news_site, kind
):
    prefix = fresh()
    listed = stories(prefix)
    url = news_site.feed(f"{prefix}/feed", kind, listed)
    app = make_app(**LOCAL)
    view = app.add_source(url, every="15m", outlet="Harbour Times")
    assert view.source.every_s == 900 and view.as_dict()["every"] == "15m"

    (run,) = app.sync().runs
    assert (run.status, run.listed, run.added, run.failed) == ("ok", 3, 3, 0), run
    infos = app.list_articles()
    assert sorted(i.url for i in infos) == sorted(news_site.url(s.path) for s in listed)
    assert {i.source for i in infos} == {"Harbour Times"}  # the source's outlet overrules
    shown = app.source(view.id).as_dict()
    assert shown["kind"] == {"news-sitemap": "sitemap", "json": "json-feed"}.get(kind, kind)
    assert shown["last_success_at"] and shown["last_error"] is None

    since = len(news_site.answers)
    (again,) = app.sync().runs
    assert (again.added, again.replaced, again.not_modified) == (0, 0, 1)
    assert news_site.bodies(since) == []  # the feed answered 304, no page was asked for
    assert len(app.list_articles()) == 3

    # The feed changes (a new story, the others the same): only the new page is fetched.
    listed.append(stories(prefix, 4)[3])
    news_site.story(listed[3])
    since = len(news_site.answers)
    (third,) = app.sync().runs
    assert (third.added, third.unchanged, third.listed) == (1, 3, 4)
    assert news_site.bodies(since) == [f"{prefix}/feed", listed[3].path]
    answer = app.ask("By how many votes did the council approve the tram lines plan?")
    assert "23 votes" in answer.text and answer.citations[0].url == news_site.url(listed[3].path)


def test_an_edited_page_replaces_its_article_and_an_unchanged_one_is_not_read_again(
    make_app, news_site
):
    prefix = fresh()
    listed = stories(prefix)
    app = make_app(**LOCAL)
    app.add_source(news_site.feed(f"{prefix}/feed", "rss", listed))
    app.sync()
    old = {i.url: i.id for i in app.list_articles()}

    listed[0].body = "The council reversed its vote on Friday. The ferry fares plan is dropped"
    listed[0].updated = "2024-05-30"
    listed[1].updated = "2024-05-30"  # the feed says it changed; the page did not
    since = len(news_site.answers)
    (run,) = app.sync().runs
    assert (run.replaced, run.added, run.not_modified) == (1, 0, 1), run
    # Asked with its ETag, the unchanged page answered 304: no body, nothing embedded.
    assert news_site.bodies(since) == [f"{prefix}/feed", listed[0].path]
    infos = {i.url: i for i in app.list_articles()}
    edited = news_site.url(listed[0].path)
    assert len(infos) == 3 and infos[edited].id != old[edited]
    assert app.article(old[edited]) is None
    assert "reversed" in app.article(infos[edited].id).text


def test_errors_are_reported_per_item_while_the_rest_goes_in(make_app, news_site):
    prefix = fresh()
    news_site.routes[f"{prefix}/to-private"] = lambda _h: Reply(
        302, headers={"Location": "http://10.20.30.40/news"}
    )
    news_site.routes[f"{prefix}/slow"] = lambda _h: Reply(
        delay=2.0, body=b"<html></html>", headers={"Content-Type": "text/html"}
    )
    bad = {  # the site's own routes (/broken, /private/memo, /report.pdf) and these
        f"{prefix}/gone": "HTTP 404 Not Found",
        "/broken": "HTTP 500 Internal Server Error after 3 tries",
        "/private/memo": "the site's robots.txt forbids fetching this page",
        f"{prefix}/to-private": "redirected to http://10.20.30.40/news: 10.20.30.40 is a "
        "private address: refused (NEWSDESK_FETCH_ALLOW_HOSTS can allow it)",
        f"{prefix}/slow": "timed out after 3 tries",
        "/report.pdf": "the server sent application/pdf, not a page",
        "/huge": "page larger than 5.0 MB (stopped reading there)",  # 50 MB sent
    }
    (good,) = stories(prefix, 1)
    news_site.story(good)
    # The site's Windows-1252 page goes in too, read by its charset.
    listed = [good, Story("/cp1252", "Café rents", "x")]
    listed += [Story(path, f"Item {path}", "x") for path in bad]
    url = news_site.feed(f"{prefix}/feed", "rss", listed, pages=False)
    app = make_app(**LOCAL, **{"ingest.fetch.read_timeout_s": 0.3})
    source = app.add_source(url)
    (run,) = app.sync().runs
    assert run.status == "partial" and run.added == 2 and run.failed == len(bad)
    reasons = {e.url: e.reason for e in run.errors}
    for path, reason in bad.items():
        assert reasons[news_site.url(path)].startswith(reason), (path, reasons)
    # The articles that could be read went in; the source itself is fine.
    titles = {i.title: i.url for i in app.list_articles()}
    assert titles == {
        good.title: news_site.url(good.path),
        "Café owners protest “unfair” rent rises": CAFE,
    }
    view = app.source(source.id)
    assert view.status.last_error is None
    assert {p.url for p in view.problems} == {news_site.url(p) for p in bad}

    # Passing failures (5xx, timeouts) are tried again next pass, the others are not.
    news_site.routes[f"{prefix}/slow"] = lambda _h: Reply(
        body=b"<html></html>", headers={"Content-Type": "text/html"}
    )
    since = len(news_site.requests)
    app.sync()
    asked = {path for path, _ in news_site.requests[since:]}
    assert {"/broken", f"{prefix}/slow"} <= asked
    assert not asked & {f"{prefix}/gone", "/private/memo", "/report.pdf", f"{prefix}/to-private",
                        "/huge", "/cp1252"}  # fmt: skip


def test_a_malformed_feed_fails_its_source_with_the_reason_and_other_sources_still_sync(
    make_app, news_site
):
    prefix = fresh()
    broken = news_site.url(f"{prefix}/broken.xml")
    news_site.routes[f"{prefix}/broken.xml"] = lambda _h: Reply(
        body=b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Cut off',
        headers={"Content-Type": "application/rss+xml"},
    )
    missing = news_site.url(f"{prefix}/missing.xml")
    good = news_site.feed(f"{prefix}/feed", "atom", stories(prefix, 2))
    app = make_app(**LOCAL)
    for url in (broken, missing, good):
        app.add_source(url)
    runs = {r.source_id: r for r in app.sync().runs}
    views = {v.source.url: v for v in app.sources()}
    assert runs[views[broken].id].status == "failed"
    assert runs[views[broken].id].error.startswith("malformed feed: ")
    assert views[broken].status.last_error.startswith("malformed feed: ")
    assert views[broken].status.failures == 1 and views[broken].status.last_success_at is None
    assert runs[views[missing].id].error == "HTTP 404 Not Found"
    assert runs[views[good].id].status == "ok" and runs[views[good].id].added == 2
    assert len(app.list_articles()) == 2


def test_a_sitemap_index_is_read_through_its_sitemaps_and_a_missing_one_is_reported(
    make_app, news_site
):
    prefix = fresh()
    first, second = stories(prefix, 4)[:2], stories(prefix, 4)[2:]
    news_site.feed(f"{prefix}/news-1.xml", "news-sitemap", first)
    news_site.feed(f"{prefix}/news-2.xml", "news-sitemap", second)
    children = [(f"{prefix}/news-1.xml", "2024-05-28"), (f"{prefix}/news-2.xml", None),
                (f"{prefix}/gone.xml", "2024-05-01")]  # fmt: skip
    news_site.routes[f"{prefix}/index.xml"] = lambda _h: Reply(
        body=sitemap_index(news_site.base, children).encode(),
        headers={"Content-Type": "application/xml"},
    )
    app = make_app(**LOCAL)
    app.add_source(news_site.url(f"{prefix}/index.xml"))
    (run,) = app.sync().runs
    assert (run.status, run.added, run.listed) == ("partial", 4, 4)
    assert [(e.url, e.reason) for e in run.errors] == [
        (news_site.url(f"{prefix}/gone.xml"), "HTTP 404 Not Found")
    ]
    # Again: the index (no ETag here) is read; the sitemap it dates the same is not asked
    # for, the other one answers 304; no page is fetched.
    since = len(news_site.answers)
    (again,) = app.sync().runs
    assert again.added == 0 and again.not_modified == 1
    assert news_site.bodies(since) == [f"{prefix}/index.xml"]


def test_an_article_already_in_the_library_is_not_fetched_again_for_a_feed(make_app, news_site):
    prefix = fresh()
    listed = stories(prefix, 2)
    url = news_site.feed(f"{prefix}/feed", "json", listed)
    app = make_app(**LOCAL)
    app.ingest_urls([news_site.url(listed[0].path)])  # stored by hand first
    before = news_site.hits[listed[0].path]
    app.add_source(url)
    (run,) = app.sync().runs
    assert (run.added, run.unchanged) == (1, 1)
    assert news_site.hits[listed[0].path] == before
    assert len(app.list_articles()) == 2


def test_at_most_max_items_are_fetched_in_a_pass_newest_first_and_the_rest_next_time(
    make_app, news_site
):
    prefix = fresh()
    listed = stories(prefix, 5)
    app = make_app(**LOCAL, **{"sync.max_items": 2})
    app.add_source(news_site.feed(f"{prefix}/feed", "rss", listed))
    (run,) = app.sync().runs
    assert (run.added, run.left) == (2, 3)
    assert {i.url for i in app.list_articles()} == {
        news_site.url(s.path) for s in listed[3:]
    }  # the newest two
    app.sync()
    (last,) = app.sync().runs
    assert (last.left, len(app.list_articles())) == (0, 5)


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://10.1.2.3/feed.xml", "10.1.2.3 is a private address: refused"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a cloud metadata address: never fetched",
        ),
        ("http://[::1]:8080/rss", "::1 is a loopback address: refused"),
        ("http://2130706433/rss", "resolves to 127.0.0.1, a loopback address: refused"),
        ("file:///etc/passwd", "a source is an http(s) URL of a feed or a sitemap"),
        ("http://user:pw@news.example/rss", "a user name or password"),
        ("feeds.example/rss", "a source is an http(s) URL"),
    ],
)
def test_a_source_at_a_private_address_or_not_on_the_web_is_refused_when_added(
    make_app, url, reason
):
    app = make_app()
    with pytest.raises(SourceError, match=re.escape(reason)):
        app.add_source(url)
    assert app.sources() == []


def test_a_source_redirecting_to_a_private_address_fails_with_the_reason(make_app, news_site):
    prefix = fresh()
    news_site.routes[f"{prefix}/feed"] = lambda _h: Reply(
        301, headers={"Location": "http://192.168.1.10/feed"}
    )
    app = make_app(**LOCAL)
    app.add_source(news_site.url(f"{prefix}/feed"))
    (run,) = app.sync().runs
    assert run.error == (
        "redirected to http://192.168.1.10/feed: 192.168.1.10 is a private address: refused "
        "(NEWSDESK_FETCH_ALLOW_HOSTS can allow it)"
    )


def test_intervals_read_as_people_write_them():
    assert [parse_every(x) for x in ("30m", "2h", "1d", "90s", "45", 5)] == [
        1800, 7200, 86400, 90, 2700, 300,
    ]  # fmt: skip
    for bad in ("10s", "soon", "-5m", "0"):
        with pytest.raises(SourceError):
            parse_every(bad)


def test_removing_a_source_forgets_its_state_and_keeps_its_articles(make_app, news_site):
    prefix = fresh()
    app = make_app(**LOCAL)
    view = app.add_source(news_site.feed(f"{prefix}/feed", "rss", stories(prefix, 2)))
    app.sync()
    assert app.remove_source(news_site.url(f"{prefix}/feed"))  # by URL, or by id
    assert app.sources() == [] and not app.remove_source(view.id)
    assert len(app.list_articles()) == 2
    assert app.store.sync_state.items(view.id) == {}


def test_export_and_import_carry_the_sources_and_their_state(make_app, news_site, tmp_path):
    prefix = fresh()
    app = make_app(**LOCAL)
    app.add_source(news_site.feed(f"{prefix}/feed", "rss", stories(prefix, 2)), every="2h")
    app.sync()
    first = tmp_path / "first.jsonl"
    with first.open("w", encoding="utf-8") as out:
        app.export(out)
    restored = make_app("restored", **LOCAL)
    report = restored.import_file(first)
    assert (report.articles, report.sources) == (2, 1)
    (view,) = restored.sources()
    assert view.as_dict()["every"] == "2h" and view.last_run is not None
    second = tmp_path / "second.jsonl"
    with second.open("w", encoding="utf-8") as out:
        restored.export(out)
    assert second.read_bytes() == first.read_bytes()
    # The restored store knows the feed's ETag and its items: nothing is downloaded again.
    since = len(news_site.answers)
    (run,) = restored.sync().runs
    assert run.not_modified == 1 and news_site.bodies(since) == []


def test_a_pass_ending_between_a_views_reads_is_seen_running_never_stopped_on_its_record(
    make_app, monkeypatch
):
    """A view reads this process's passes before the run records: a pass that ends between
    the two reads (its final record written, then it leaves the running set, as Pass.run
    does) is seen running with the record it had, and the next read shows it done. Read the
    other way round, the view held a record saying "running" with no pass: a page ticking
    until the pass ends would stop on it."""
    import dataclasses
    import time

    from vectorstore.sync_state import Source, SyncRun

    syncer = make_app().syncer
    source = Source("src1", "http://127.0.0.1:9/feed.xml", 3600)
    syncer.state.put_source(source)
    read_runs = syncer.state.runs
    run: SyncRun | None = None

    def the_pass_ends_after_its_record_is_read(sid: str | None = None) -> list[SyncRun]:
        records = read_runs(sid)
        syncer.state.put_run(dataclasses.replace(run, status="ok", finished_at=time.time()))
        syncer._running.pop(source.id, None)
        return records

    for read in (lambda: syncer.view(source.id), lambda: syncer.views()[0]):
        run = SyncRun.start(source.id, syncer.holder)
        syncer.state.put_run(run)
        syncer._running[source.id] = run.started_at
        monkeypatch.setattr(syncer.state, "runs", the_pass_ends_after_its_record_is_read)
        between = read()
        assert between.last_run.status == "running"
        assert between.running_since == run.started_at
        monkeypatch.setattr(syncer.state, "runs", read_runs)
        after = read()
        assert after.running_since is None and after.syncing_since is None
        assert after.last_run.status == "ok"
