"""Feeds and sitemaps read into the items they list (ingest/web/listing.py, feeds.py,
sitemaps.py): RSS 2.0, Atom, JSON Feed, news sitemaps and sitemap indexes, each as the
project's local news site serves it, and the broken and hostile ones refused with a reason."""

from __future__ import annotations

import gzip
import json

import pytest

from ingest.types import IngestError
from ingest.web.fetch import Fetcher
from ingest.web.listing import LISTING_TYPES, read_listing
from ingest.web.policy import FetchPolicy
from tests.news_site import FEED_FORMATS, Story, sitemap_index

LOCAL = FetchPolicy(allow_hosts=("127.0.0.1",), host_interval_s=0.0)
BASE = "http://127.0.0.1:8123"
STORIES = [
    Story("/l/one", "Ferry strike ends", "Crews returned on Monday.", day="2024-05-20"),
    Story("/l/two", "Bridge reopens", "Traffic flows again.", day="2024-05-21",
          updated="2024-05-22"),
]  # fmt: skip


def read(body: bytes | str, content_type: str = "application/xml", url: str = BASE + "/f"):
    data = body.encode() if isinstance(body, str) else body
    return read_listing(data, content_type, url, 10 * 1024 * 1024)


@pytest.mark.parametrize("kind", ["rss", "atom", "json", "news-sitemap"])
def test_every_format_gives_the_urls_titles_dates_and_ids_it_lists(kind):
    make, content_type = FEED_FORMATS[kind]
    listing = read(make(BASE, "Alder Gazette", STORIES), content_type.split(";")[0])
    assert listing.kind == {"rss": "rss", "atom": "atom", "json": "json-feed",
                            "news-sitemap": "sitemap"}[kind]  # fmt: skip
    assert [i.url for i in listing.items] == [BASE + "/l/one", BASE + "/l/two"]
    assert [i.title for i in listing.items] == ["Ferry strike ends", "Bridge reopens"]
    assert listing.items[0].published_at.startswith("2024-05-20")
    assert listing.items[1].version.startswith("2024-05-22")  # its update is what changes
    assert all(i.guid for i in listing.items)


def test_a_sitemap_index_lists_its_sitemaps_with_their_dates():
    listing = read(sitemap_index(BASE, [("/s/news.xml", "2024-05-28"), ("/s/old.xml", None)]))
    assert listing.kind == "sitemap-index" and not listing.items
    assert [(c.url, c.updated_at) for c in listing.sitemaps] == [
        (BASE + "/s/news.xml", "2024-05-28"),
        (BASE + "/s/old.xml", None),
    ]


def test_relative_links_are_made_absolute_and_links_that_are_not_web_pages_are_skipped():
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>a</title><link>/news/a</link></item>"
        "<item><title>b</title><link>javascript:alert(1)</link></item>"
        "<item><title>c</title><link>ftp://files.example/c</link></item>"
        "<item><title>d</title></item></channel></rss>"
    )
    listing = read(rss, url=BASE + "/feeds/main.xml")
    assert [i.url for i in listing.items] == [BASE + "/news/a"]
    assert listing.skipped == 3


def test_a_gzipped_sitemap_file_is_unpacked_within_the_size_limit():
    body = gzip.compress(FEED_FORMATS["news-sitemap"][0](BASE, "A", STORIES).encode())
    assert len(read(body, "application/x-gzip").items) == 2
    bomb = gzip.compress(b"<urlset>" + b" " * (3 * 1024 * 1024) + b"</urlset>")
    with pytest.raises(IngestError, match="larger than"):
        read_listing(bomb, "application/gzip", BASE, 1024 * 1024)


@pytest.mark.parametrize(
    "body, reason",
    [
        ("<html><body><p>Just a page</p></body></html>", "not a feed or a sitemap"),
        ('<?xml version="1.0"?><rss version="2.0"><channel><item><title>Cut', "malformed feed"),
        ('<?xml version="1.0"?><urlset><url><loc>http://a.example/x</url>', "malformed sitemap"),
        ('{"title": "no version", "items": []}', "not a feed or a sitemap"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": 3}', "malformed JSON Feed"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed JSON Feed"),
        ('<?xml version="1.0"?><project><name>x</name></project>', "not a feed or a sitemap"),
    ],
)
def test_what_is_not_a_feed_or_is_broken_is_refused_with_a_reason(body, reason):
    with pytest.raises(IngestError, match=reason):
        read(body, "text/html" if body.startswith("<html") else "application/xml")


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
              for i in range(1, 10))
    + ']>{root}'
)  # fmt: skip
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>{root}'


@pytest.mark.parametrize("attack", [LAUGHS, EXTERNAL])
@pytest.mark.parametrize(
    "root",
    [
        '<rss version="2.0"><channel><title>&lol9;&secret;</title><item><link>/a</link>'
        "</item></channel></rss>",
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a&secret;'
        "</loc></url></urlset>",
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>',
    ],
)
def test_xml_declaring_entities_is_refused_before_any_parser_reads_it(attack, root):
    with pytest.raises(IngestError, match="declares entities"):
        read(attack.format(root=root))


def test_json_feed_items_that_are_not_objects_are_skipped():
    feed = {"version": "https://jsonfeed.org/version/1", "items": [3, {"url": "/x", "id": "x"}]}
    listing = read(json.dumps(feed), "application/json")
    assert [i.url for i in listing.items] == [BASE + "/x"] and listing.skipped == 1


@pytest.mark.parametrize("kind", ["rss", "atom", "json", "news-sitemap"])
def test_each_format_is_fetched_with_the_listing_types_and_read(news_site, kind):
    url = news_site.feed(f"/listings/{kind}", kind, STORIES)
    with Fetcher(LOCAL) as fetcher:
        page = fetcher.fetch(url, accept=LISTING_TYPES)
    listing = read_listing(page.body, page.content_type, page.final_url, LOCAL.max_bytes)
    assert [i.url for i in listing.items] == [news_site.url(s.path) for s in STORIES]
