"""What a pass reads of a listing and what it keeps of it: sitemap indexes nested inside
indexes are followed to a bound (and a loop back is not), and the records of items gone
from a listing for long are forgotten, never those still to be fetched."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from assistant import sync_pass
from tests.news_site import Reply, sitemap_index
from tests.test_sync import LOCAL, fresh, stories
from vectorstore.sync_state import PENDING, STORED

pytestmark = pytest.mark.slow


def _index(news_site, path: str, children: list[str]) -> str:  # noqa: ANN001 - a NewsSite
    body = sitemap_index(news_site.base, [(child, None) for child in children]).encode()
    news_site.routes[path] = lambda _h: Reply(
        body=body, headers={"Content-Type": "application/xml"}
    )
    return news_site.url(path)


def test_indexes_inside_indexes_are_followed_to_the_depth_bound_and_a_loop_is_not(
    make_app, news_site
):
    prefix = fresh()
    listed = stories(prefix, 4)
    for i, story in enumerate(listed, 1):
        news_site.feed(f"{prefix}/news-{i}.xml", "news-sitemap", [story])
    top = _index(news_site, f"{prefix}/index.xml", [f"{prefix}/news-1.xml", f"{prefix}/l2.xml"])
    # The second level names the top one again: read once, not round and round.
    _index(news_site, f"{prefix}/l2.xml",
           [f"{prefix}/news-2.xml", f"{prefix}/l3.xml", f"{prefix}/index.xml"])  # fmt: skip
    _index(news_site, f"{prefix}/l3.xml", [f"{prefix}/news-3.xml", f"{prefix}/l4.xml"])
    _index(news_site, f"{prefix}/l4.xml", [f"{prefix}/news-4.xml"])
    assert sync_pass.MAX_INDEX_DEPTH == 3

    app = make_app(**LOCAL)
    app.add_source(top)
    since = len(news_site.answers)
    (run,) = app.sync().runs

    assert (run.status, run.listed, run.added) == ("partial", 3, 3)
    reason = "sitemap indexes nested more than 3 deep: not followed"
    assert [(e.url, e.reason) for e in run.errors] == [(news_site.url(f"{prefix}/l4.xml"), reason)]
    asked = news_site.bodies(since)
    assert asked.count(f"{prefix}/index.xml") == 1 and f"{prefix}/news-4.xml" not in asked
    assert {a.title for a in app.list_articles()} == {s.title for s in listed[:3]}


def test_items_gone_from_the_feed_for_long_are_forgotten_but_pending_ones_and_articles_stay(
    make_app, news_site, monkeypatch
):
    monkeypatch.setattr(sync_pass, "FORGET_AFTER_S", 3600)
    monkeypatch.setattr(sync_pass, "RELIST_AFTER_S", 1800)  # a listed item's mark, renewed
    prefix = fresh()
    listed = stories(prefix, 4)
    feed = news_site.feed(f"{prefix}/feed", "rss", listed)
    app = make_app(**LOCAL)
    source = app.add_source(feed).source
    (first,) = app.sync().runs
    assert first.added == 4
    state = app.store.sync_state
    items = state.items(source.id)
    assert len(items) == 4 and {i.status for i in items.values()} == {STORED}

    # Two hours on: nothing has been listed since; one item is still to be fetched.
    aged = [replace(i, listed_at=time.time() - 7200) for i in items.values()]
    still_to_do = news_site.url(listed[3].path)
    aged = [replace(i, status=PENDING) if i.url == still_to_do else i for i in aged]
    state.put_items(aged)
    del listed[1:]  # the feed now lists only the first story

    (second,) = app.sync().runs
    assert second.forgotten == 2 and second.listed == 1
    kept = state.items(source.id)
    assert set(kept) == {news_site.url(listed[0].path), still_to_do}
    assert kept[news_site.url(listed[0].path)].listed_at > time.time() - 60  # seen again
    assert len(app.list_articles()) == 4  # the articles stay in the library

    (third,) = app.sync().runs  # nothing more to forget, nothing fetched twice
    assert third.forgotten == 0 and third.added == 0
