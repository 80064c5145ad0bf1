"""Sitemaps (sitemaps.org 0.9), Google news sitemaps, and sitemap indexes.

A `<urlset>` lists pages: each `<loc>`, its `<lastmod>`, and from a news sitemap's
`<news:news>` the title and publication date. A `<sitemapindex>` lists sitemaps, read in
turn by the sync. Parsed by lxml with no DTD loaded, no entity resolved, no network and no
"huge tree" (after `refuse_entities` has turned away any document that declares one).
"""

from __future__ import annotations

from ingest.types import IngestError
from ingest.web.listing import (
    MAX_ITEMS,
    ChildSitemap,
    Listing,
    iso_date,
    refuse_entities,
    web_url,
)


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child_text(element, name: str) -> str | None:  # noqa: ANN001 - an lxml element
    for child in element:
        if _local(child.tag) == name:
            text = " ".join((child.text or "").split())
            return text or None
    return None


def _child(element, name: str):  # noqa: ANN001, ANN202 - lxml elements
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def read_sitemap(body: bytes, url: str) -> Listing:
    """A sitemap or a sitemap index; IngestError for anything else or broken XML."""
    from lxml import etree

    refuse_entities(body)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(f"malformed sitemap: {exc}") from exc
    kind = _local(root.tag)
    if kind == "sitemapindex":
        listing = Listing(kind="sitemap-index")
        for entry in root:
            if _local(entry.tag) != "sitemap" or len(listing.sitemaps) >= MAX_ITEMS:
                continue
            loc = web_url(_child_text(entry, "loc"), url)
            if loc is None:
                listing.skipped += 1
                continue
            listing.sitemaps.append(ChildSitemap(loc, iso_date(_child_text(entry, "lastmod"))))
        return listing
    if kind != "urlset":
        raise IngestError(f"not a sitemap: its root element is <{kind}>")
    listing = Listing(kind="sitemap")
    for entry in root:
        if _local(entry.tag) != "url":
            continue
        news = _child(entry, "news")
        listing.add(
            _child_text(entry, "loc"),
            url,
            title=_child_text(news, "title") if news is not None else None,
            published_at=(
                iso_date(_child_text(news, "publication_date")) if news is not None else None
            ),
            updated_at=iso_date(_child_text(entry, "lastmod")),
        )
    return listing
