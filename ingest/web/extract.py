"""A fetched page to an Article: metadata by trafilatura (and htmldate for the date), main
text by the hand-written HTML loader, each falling back to the other. Chosen by measurement
on the project's own news pages (bench/extract.py; docs/benchmarks.md, "Web page
extraction"; why in docs/design.md):

- trafilatura found every date (htmldate reads the page's address too: "/2023/11/07/") and
  more authors; the hand loader missed dates given only in the URL or the text, and bylines
  outside meta tags;
- the hand loader found every main-text sentence where trafilatura dropped standfirsts,
  with as little boilerplate kept.

The article's `url` is the page's canonical URL (else the address it was fetched from), so
that fetching the same page again, by whatever link, replaces its stored version
(vectorstore/versions.py), as ingesting an edited file does. `origin` is the URL asked for.
trafilatura is imported here only, on the first page read: nothing else pays for it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ingest.dates import parse_date
from ingest.loaders.html import read_html
from ingest.text import clean_text
from ingest.types import Article, IngestError

if TYPE_CHECKING:
    from ingest.web.fetch import Page

# What trafilatura is asked for (bench/extract.py measures the variants).
OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "with_metadata": True,
    "favor_precision": True,
    "date_extraction_params": {"extensive_search": True, "original_date": True},
}
_BULLET = re.compile(r"^\s*[-*•]\s+")


def _one_line(value: object) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None


def _body(text: str, title: str) -> str:
    """trafilatura's lines as paragraphs, without a repeat of the headline on top and
    without its list markers."""
    lines = [_BULLET.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and " ".join(lines[0].split()).casefold() == title.casefold():
        lines = lines[1:]
    return clean_text("\n\n".join(lines))


def trafilatura_article(
    html: str, url: str, *, origin: str | None = None, **options: Any
) -> Article:
    """The article as trafilatura alone reads it (`options` override OPTIONS). IngestError
    when it finds no text or no title."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url or None, **{**OPTIONS, **options})
    except (ValueError, RecursionError) as exc:  # lxml on broken or absurdly deep markup
        raise IngestError(f"the page's HTML could not be read ({exc})") from exc
    if doc is None or not (doc.text or "").strip():
        raise IngestError("no article text found in the page")
    title = _one_line(doc.title)
    if not title:
        raise IngestError("no title found in the page")
    text = _body(doc.text, title)
    if not text:
        raise IngestError("no article text found in the page")
    return Article(
        title=title,
        text=text,
        # The site's name; trafilatura falls back to the host name, which still tells
        # outlets apart (`newsdesk ingest --outlet` or an edit can name it better).
        source=_one_line(doc.sitename) or "",
        published_at=parse_date(doc.date) if doc.date else None,
        url=_one_line(doc.url) or url or None,
        author=_one_line(doc.author),
        origin=origin or url,
    )


def _metadata(html: str, url: str) -> Any:
    """trafilatura's metadata alone (title, author, date by htmldate, site name, canonical
    URL): a fraction of the cost of its main-text extraction on a large page."""
    from trafilatura.metadata import extract_metadata
    from trafilatura.settings import set_date_params

    try:
        return extract_metadata(html, default_url=url or None, date_config=set_date_params())
    except (ValueError, RecursionError):
        return None


def extract_article(html: str, url: str, *, origin: str | None = None) -> Article:
    """The article in a page's decoded HTML, `url` being where it was found: the hand
    loader's text with trafilatura's metadata, or trafilatura alone when the hand loader
    finds no article. IngestError when neither does."""
    origin = origin or url
    try:
        hand = read_html(html, origin)
    except IngestError as exc:
        if "nested" in str(exc):  # hostile markup: refused, not handed to another parser
            raise
        return trafilatura_article(html, url, origin=origin)
    meta = _metadata(html, url)
    if meta is None:
        return replace(hand, url=hand.url or url or None)
    return replace(
        hand,
        id="",  # made again from the title and text below
        title=_one_line(meta.title) or hand.title,
        published_at=(parse_date(meta.date) if meta.date else None) or hand.published_at,
        author=_one_line(meta.author) or hand.author,
        source=hand.source or _one_line(meta.sitename) or "",
        url=_one_line(meta.url) or hand.url or url or None,
    )


def page_article(page: Page) -> Article:
    """The article of a fetched page (`ingest.web.fetch.Page`)."""
    return extract_article(page.text, page.final_url, origin=page.url)
