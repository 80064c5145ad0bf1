"""HTML pages: the article's main text and its metadata, without the page around it."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from ingest.dates import find_date_line, parse_date
from ingest.loaders.decode import bom_encoding, check_bytes, decode_text
from ingest.loaders.pasted import is_boilerplate, is_byline
from ingest.text import clean_text
from ingest.types import Article, IngestError

_DROP_TAGS = (
    "script", "style", "noscript", "nav", "footer", "aside", "form", "figure", "figcaption",
    "iframe", "svg", "button", "template", "object", "embed", "select", "dialog",
)  # fmt: skip
# Class, id or role words that mark page furniture rather than article text.
_FURNITURE = re.compile(
    r"(?:^|[-_ ])(?:nav|navbar|navigation|menu|share|sharing|social|related|newsletter|cookies?"
    r"|consent|advert|advertisement|ad|ads|sponsored|promo|caption|breadcrumbs?|subscribe"
    r"|sidebar|comments?|footer|banner|paywall|recommended|most-read|trending|byline|dateline"
    r"|timestamp)(?:$|[-_ ])",
    re.IGNORECASE,
)
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td")
_ARTICLE_TYPES = set(
    "NewsArticle Article ReportageNewsArticle AnalysisNewsArticle BlogPosting".split()
)


def _meta(soup: Any, *names: str) -> str | None:
    """The first non-empty <meta property|name=...> or itemprop=... value among `names`."""
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        tag = tag or soup.find(attrs={"itemprop": name})
        if tag is not None:
            value = tag.get("content") or tag.get("datetime") or tag.get_text(" ", strip=True)
            if value and value.strip():
                return value.strip()
    return None


def _json_ld(soup: Any) -> dict:
    """The first article-like JSON-LD object, looking inside lists and @graph."""
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue  # a broken JSON-LD block costs its metadata, not the page
        items = data if isinstance(data, list) else [data]
        items = [g for i in items if isinstance(i, dict) for g in i.get("@graph", [i])]
        for item in items:
            types = item.get("@type") if isinstance(item, dict) else None
            types = set(types) if isinstance(types, list) else {types}
            if types & _ARTICLE_TYPES or (isinstance(item, dict) and "headline" in item):
                return item
    return {}


def _name(value: object) -> str | None:
    """A person or organisation from JSON-LD: a string, {"name": ...}, or a list of those."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    if not isinstance(value, str | int | float):
        return None
    return " ".join(str(value).split()) or None


def _is_furniture(tag: Any) -> bool:
    if tag.attrs is None:
        return False
    words = " ".join([*tag.get("class", []), tag.get("id") or "", tag.get("role") or ""])
    return bool(words.strip() and _FURNITURE.search(words))


def _skip_block(text: str, title: str, link_words: int) -> bool:
    words = len(text.split())
    if not text or text == title or is_boilerplate(text) or is_byline(text):
        return True
    if find_date_line([text]):
        return True  # "Updated: 4 December 2023" is metadata, read separately
    # A paragraph that is only a link ("Live updates: ...", "Read more").
    return link_words >= words and words < 12


def _inner(tag: Any, names: tuple[str, ...]) -> list[Any]:
    """The elements inside `tag` named `names`: `tag.find_all(names)` without building
    BeautifulSoup's filter objects, which cost more than the walk on a paragraph. (Text
    nodes have no name.)"""
    return [d for d in tag.descendants if d.name in names]


def _main_text(soup: Any, title: str) -> str:
    container = soup.find("article") or soup.find("main") or soup.body or soup
    drop = list(_DROP_TAGS)
    if container.name != "article":
        drop.append("header")  # the site's header; an <article>'s own holds its standfirst
    for tag in container.find_all(drop):
        tag.decompose()
    total = len(container.get_text(" ", strip=True))
    for tag in container.find_all(_is_furniture):
        # A wrapper class like "with-sidebar" must not take the article with it.
        if not tag.decomposed and len(tag.get_text(" ", strip=True)) <= total / 2:
            tag.decompose()
    blocks: list[str] = []
    for tag in container.find_all(_BLOCKS):
        if _inner(tag, _BLOCKS):  # its inner blocks are visited on their own
            continue
        text = " ".join(tag.get_text("").split())
        links = " ".join(a.get_text(" ") for a in _inner(tag, ("a",))).split()
        if not _skip_block(text, title, len(links)):
            blocks.append(text)
    if not blocks:  # pages that put text straight into divs
        lines = (" ".join(line.split()) for line in container.get_text("\n").split("\n"))
        blocks = [line for line in lines if line and not _skip_block(line, title, 0)]
    return clean_text("\n\n".join(blocks))


def _title(soup: Any, ld: dict, site: str) -> str:
    h1 = soup.find("h1")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    if site:  # "Dam opens floodgates | Riverside Post"
        page_title = re.sub(rf"\s*[|\-–—:]\s*{re.escape(site)}\s*$", "", page_title)
    title = (
        _meta(soup, "og:title", "twitter:title")
        or _name(ld.get("headline"))
        or (h1.get_text(" ", strip=True) if h1 else None)
        or page_title
    )
    return " ".join((title or "").split())


def _published(soup: Any, ld: dict) -> str | None:
    container = soup.find("article") or soup
    time_tag = container.find("time", attrs={"datetime": True}) or soup.find("time")
    candidates = (
        _meta(soup, "article:published_time", "datePublished", "pubdate", "date"),
        _name(ld.get("datePublished")),
        (time_tag.get("datetime") or time_tag.get_text(" ", strip=True)) if time_tag else None,
    )
    return next((iso for iso in map(parse_date, candidates) if iso), None)


# Real pages nest a few dozen levels; thousands are a hostile or broken file, and the
# block-finding below costs depth x size on them (100k nested divs: half a minute).
MAX_DEPTH = 512


def _too_deep(soup: Any) -> bool:
    stack = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in getattr(node, "contents", ()))
    return False


def load(path: Path, data: bytes) -> list[Article]:
    check_bytes(data)
    # BeautifulSoup reads <meta charset> from bytes; BOM-marked UTF-16/32 is decoded here.
    markup: str | bytes = decode_text(data) if bom_encoding(data) else data
    return [read_html(markup, str(path))]


# What the readers above look for anywhere in a page: a furniture element holding one of
# these is kept whole (a logo's <h1> in a <nav>, a <time> in an <aside>, an <article> card).
_KEEP = (
    "self::script[@type='application/ld+json'] | descendant-or-self::*[self::meta or self::link"
    " or self::title or self::h1 or self::time or self::article or self::main or @itemprop]"
)


_PARSERS = threading.local()  # an lxml parser is not to be shared by threads


def _parser() -> Any:
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        import lxml.html

        parser = _PARSERS.parser = lxml.html.HTMLParser(huge_tree=True)
    return parser


def _without_furniture(markup: str) -> str:
    """The page less the furniture the main text drops anyway (`_DROP_TAGS` holding nothing
    in `_KEEP`) and its comments, by lxml's C parser: a news page's navigation, footer and
    "most read" lists are most of its elements, and BeautifulSoup's tree costs a Python object
    each (86 KB pages: 11 ms a page read whole, 3 ms pruned first; docs/benchmarks.md). The
    same libxml2 parser reads both, so what is left is the tree BeautifulSoup would have
    built. Markup lxml cannot read is returned as it came."""
    import lxml.html
    from lxml import etree

    try:
        # huge_tree: no depth cut at 256 levels, so that `_too_deep` still sees hostile nesting.
        root = lxml.html.document_fromstring(markup, parser=_parser())
    except (ValueError, etree.ParserError):
        return markup
    for node in root.iter(_DROP_TAGS, etree.Comment):
        if node.getparent() is None:
            continue  # the root, or inside a subtree already dropped
        if isinstance(node, etree._Comment) or not node.xpath(_KEEP):
            node.drop_tree()  # its tail text stays
    return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")


def read_html(markup: str | bytes, origin: str) -> Article:
    """The article in a page's markup: text already decoded (a fetched page, by its
    charset), or bytes whose <meta charset> says how (BeautifulSoup reads them whole)."""
    from bs4 import BeautifulSoup

    try:
        if isinstance(markup, str):
            markup = _without_furniture(markup)
        soup = BeautifulSoup(markup, "lxml")
        if _too_deep(soup):
            raise IngestError(f"HTML nested more than {MAX_DEPTH} levels deep")
        ld = _json_ld(soup)
        source = (
            _meta(soup, "og:site_name")
            or _name(ld.get("publisher"))
            or _meta(soup, "application-name")
            or ""
        )
        title = _title(soup, ld, source)
        author = _meta(soup, "author") or _name(ld.get("author"))
        if author and author.startswith("http"):
            author = None  # article:author is often a profile URL, not a name
        canonical = soup.find("link", rel="canonical")
        url = (canonical.get("href") if canonical else None) or _meta(soup, "og:url")
        published = _published(soup, ld)
        text = _main_text(soup, title)
    except RecursionError as exc:
        raise IngestError("HTML nested too deeply to parse") from exc
    if not title:
        raise IngestError("no title found (no og:title, <h1> or <title>)")
    if not text:
        raise IngestError("no article text found in the page")
    return Article(
        title=title,
        text=text,
        source=source,
        published_at=published,
        url=url,
        author=author,
        origin=origin,
    )
