"""RSS (0.9x, 1.0, 2.0), Atom and JSON Feed, read into `ListedItem`s.

RSS and Atom by feedparser (its strict parser, falling back to its forgiving one for the
small breakages real feeds have); JSON Feed (1.0 and 1.1) by hand, which feedparser 6 does
not read. feedparser is handed the bytes, never a URL: it fetches nothing itself. An item
without an http(s) link is skipped (counted in `Listing.skipped`).
"""

from __future__ import annotations

import io
import json
from typing import Any

from ingest.types import IngestError
from ingest.web.listing import MAX_ITEMS, Listing, iso_date


def _text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if isinstance(value, str | int | float) else ""
    return text or None


def read_feed(body: bytes, content_type: str, url: str) -> Listing:
    """An RSS or Atom feed; IngestError when the body is neither, or too broken to list
    anything."""
    import feedparser

    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-type": content_type or "application/xml"},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        why = parsed.get("bozo_exception")
        detail = f" ({type(why).__name__}: {why})" if why else ""
        raise IngestError(f"not a feed or a sitemap: no RSS, Atom or JSON Feed found{detail}")
    listing = Listing(kind="atom" if version.startswith("atom") else "rss")
    listing.title = _text(parsed.get("feed", {}).get("title"))
    for entry in entries[:MAX_ITEMS]:
        listing.add(
            entry.get("link") or _first_href(entry),
            url,
            title=_text(entry.get("title")),
            # dict.get: feedparser's own get maps a missing "updated" to "published", with a
            # warning; an item's version is its update, else its publication.
            published_at=iso_date(dict.get(entry, "published_parsed")),
            updated_at=iso_date(dict.get(entry, "updated_parsed")),
            guid=_text(entry.get("id")),
        )
    if parsed.get("bozo") and not listing.items:
        why = parsed.get("bozo_exception")
        raise IngestError(f"malformed feed: {why or 'unreadable'} (no item with a link)")
    return listing


def _first_href(entry: Any) -> str | None:
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def read_json_feed(body: bytes, url: str) -> Listing:
    """A JSON Feed (https://jsonfeed.org/version/1.1); IngestError when the body is not one."""
    try:
        feed = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise IngestError(f"malformed JSON Feed: {exc}") from exc
    version = feed.get("version") if isinstance(feed, dict) else None
    if not isinstance(version, str) or "jsonfeed.org" not in version:
        raise IngestError("not a feed or a sitemap: JSON without a jsonfeed.org version")
    items = feed.get("items")
    if not isinstance(items, list):
        raise IngestError("malformed JSON Feed: 'items' is not a list")
    listing = Listing(kind="json-feed", title=_text(feed.get("title")))
    for item in items[:MAX_ITEMS]:
        if not isinstance(item, dict):
            listing.skipped += 1
            continue
        listing.add(
            item.get("url") or item.get("external_url"),
            url,
            title=_text(item.get("title")),
            published_at=iso_date(_text(item.get("date_published"))),
            updated_at=iso_date(_text(item.get("date_modified"))),
            guid=_text(item.get("id")),
        )
    return listing
