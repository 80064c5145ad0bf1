"""A feed or a sitemap, read into the items it lists (`read_listing`).

A source (docs/sources.md) is a URL that lists articles: an RSS 2.0, Atom or JSON Feed
(ingest/web/feeds.py), or a sitemap, a news sitemap or a sitemap index
(ingest/web/sitemaps.py). Each reader gives the same `ListedItem`s (the article's URL, and
what the listing says of it: title, dates, guid); the sync (assistant/sync.py) decides which
to fetch.

XML is read safely everywhere: a document that declares entities (`<!ENTITY`: the "billion
laughs" and external-entity attacks both need one) is refused before any parser sees it,
and the parsers are set to load no DTD and reach no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from ingest.dates import parse_date
from ingest.types import IngestError
from ingest.web.fetch import XML_TYPES

# What a listing may be served as: XML (RSS, Atom, sitemaps), JSON Feed, a gzipped sitemap
# file, and the plain-text and HTML types some servers give feeds anyway (the body decides).
JSON_TYPES = ("application/feed+json", "application/json")
GZIP_TYPES = ("application/gzip", "application/x-gzip")
LISTING_TYPES = (*XML_TYPES, *JSON_TYPES, *GZIP_TYPES, "text/plain", "text/html")
# The most items read from one listing (a sitemap may hold 50,000).
MAX_ITEMS = 50_000
_ROOT = re.compile(rb"<(?:[\w.-]+:)?(urlset|sitemapindex|rss|feed|RDF)\b")
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ListedItem:
    """One article a listing names: its URL and what the listing says of it. `version` is
    what tells the sync the listing saw it change (its updated date, else its published
    date); `guid` is the feed's own id of the item."""

    url: str
    title: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    guid: str | None = None

    @property
    def version(self) -> str:
        return self.updated_at or self.published_at or ""


@dataclass(frozen=True)
class ChildSitemap:
    """A sitemap a sitemap index names, with the date it says the sitemap last changed."""

    url: str
    updated_at: str | None = None


@dataclass
class Listing:
    """What a listing holds. `kind`: "rss", "atom", "json-feed", "sitemap" or
    "sitemap-index" (whose `sitemaps` are then to be read in turn)."""

    kind: str
    title: str | None = None
    items: list[ListedItem] = field(default_factory=list)
    sitemaps: list[ChildSitemap] = field(default_factory=list)
    # Entries left out: no link, or not an http(s) one.
    skipped: int = 0

    def add(self, link: str | None, base: str, **about: str | None) -> None:
        """List the item at `link` (made absolute against `base`; its URL is its guid when
        it has none), or count it skipped when that is no web page."""
        url = web_url(link, base)
        if url is None or len(self.items) >= MAX_ITEMS:
            self.skipped += 1
            return
        self.items.append(ListedItem(url, **{"guid": url, **about}))


def refuse_entities(body: bytes) -> None:
    """IngestError for XML that declares entities: no feed or sitemap needs one, and each
    XML attack (entity expansion, external entities) does."""
    # Searched in the whole body: a comment can hide where the prolog ends. Case matters in
    # XML ("<!entity" declares nothing); the cost is refusing a feed that quotes the words.
    if b"<!ENTITY" in body:
        raise IngestError("the XML declares entities (<!ENTITY): refused as unsafe")


def web_url(link: str | None, base: str) -> str | None:
    """The absolute http(s) URL a listing's link names, or None."""
    if not link or not isinstance(link, str):
        return None
    url = urljoin(base, link.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def iso_date(value: object) -> str | None:
    """ISO 8601 for a date a listing gives (a string, or feedparser's UTC struct_time)."""
    if value is None:
        return None
    if hasattr(value, "tm_year"):
        try:
            return datetime(*value[:6], tzinfo=UTC).isoformat()  # type: ignore[index, misc]
        except (TypeError, ValueError):
            return None
    return parse_date(str(value))


def read_listing(body: bytes, content_type: str, url: str, max_bytes: int) -> Listing:
    """The listing in a fetched body (`url`: where it came from, for relative links);
    IngestError when it is no feed or sitemap, or a broken one. A gzipped body (a
    `sitemap.xml.gz`) is unpacked up to `max_bytes`."""
    if body[:2] == GZIP_MAGIC:
        from ingest.web.body import read_limited

        body = read_limited([body], "gzip", max_bytes)
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") or content_type in JSON_TYPES:
        from ingest.web.feeds import read_json_feed

        return read_json_feed(body, url)
    refuse_entities(body)
    root = _ROOT.search(body[:8192])
    if root and root[1] in (b"urlset", b"sitemapindex"):
        from ingest.web.sitemaps import read_sitemap

        return read_sitemap(body, url)
    from ingest.web.feeds import read_feed

    return read_feed(body, content_type, url)
