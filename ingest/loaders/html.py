"""HTML pages: the article's main text and its metadata, without the page around it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ingest.dates import parse_date
from ingest.loaders.pasted import is_boilerplate
from ingest.text import clean_text
from ingest.types import Article, IngestError, IngestProblem

_DROP_TAGS = (
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figure",
    "figcaption", "iframe", "svg", "button", "template", "object", "embed", "select",
)  # fmt: skip
# Class or id words that mark page furniture rather than article text.
_FURNITURE = re.compile(
    r"(?:^|[-_ ])(?:nav|navbar|menu|share|sharing|social|related|newsletter|cookie|consent|advert"
    r"|ad|ads|promo|caption|breadcrumbs?|subscribe|sidebar|comments?|footer|banner|paywall"
    r"|recommended|most-read|trending|byline|dateline|timestamp)(?:$|[-_ ])",
    re.IGNORECASE,
)
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td")


def _meta(soup, *names: str) -> str | None:  # noqa: ANN001 - BeautifulSoup
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        tag = tag or soup.find(attrs={"itemprop": name})
        if tag is not None:
            value = tag.get("content") or tag.get("datetime") or tag.get_text(" ", strip=True)
            if value and value.strip():
                return value.strip()
    return None


def _json_ld(soup) -> dict:  # noqa: ANN001
    """The first NewsArticle-like JSON-LD object, flattened from @graph lists."""
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data])
        for item in items:
            if isinstance(item, dict) and ("headline" in item or "datePublished" in item):
                return item
    return {}


def _name(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return str(value).strip() if value else None


def _is_furniture(tag) -> bool:  # noqa: ANN001
    if tag.attrs is None:
        return False
    words = " ".join([*tag.get("class", []), tag.get("id") or "", tag.get("role") or ""])
    return bool(words and _FURNITURE.search(words))


def _main_text(soup, title: str) -> str:  # noqa: ANN001
    container = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in container.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in container.find_all(_is_furniture):
        tag.decompose()
    for br in container.find_all("br"):
        br.replace_with("\n")
    blocks: list[str] = []
    for tag in container.find_all(_BLOCKS):
        if tag.find(_BLOCKS):  # its inner blocks are visited on their own
            continue
        text = " ".join(tag.get_text("").split())
        links = " ".join(a.get_text("") for a in tag.find_all("a")).split()
        if not text or is_boilerplate(text) or text == title:
            continue
        if links and len(links) >= len(text.split()) and len(text.split()) < 12:
            continue  # a paragraph that is only a link ("Live updates", "Read more")
        blocks.append(text)
    if not blocks:  # pages that put text straight into divs
        text = container.get_text("\n")
        blocks = [line for line in text.split("\n") if line.strip() and line.strip() != title]
    return clean_text("\n\n".join(blocks))


def load(path: Path, data: bytes) -> tuple[list[Article], list[IngestProblem]]:
    from bs4 import BeautifulSoup

    if b"\x00" in data[:8192]:
        raise IngestError("binary content (NUL bytes), not an HTML file")
    try:
        soup = BeautifulSoup(data, "lxml")
        ld = _json_ld(soup)
        h1 = soup.find("h1")
        title = (
            _meta(soup, "og:title", "twitter:title")
            or _name(ld.get("headline"))
            or (h1.get_text(" ", strip=True) if h1 else None)
            or (soup.title.get_text(" ", strip=True) if soup.title else None)
        )
        title = " ".join((title or "").split())
        time_tag = soup.find("time")
        published = (
            _meta(soup, "article:published_time", "datePublished", "pubdate", "date")
            or ld.get("datePublished")
            or (
                time_tag.get("datetime") or time_tag.get_text(" ", strip=True) if time_tag else None
            )
        )
        source = _meta(soup, "og:site_name", "application-name") or _name(ld.get("publisher")) or ""
        author = _meta(soup, "author", "article:author") or _name(ld.get("author"))
        canonical = soup.find("link", rel="canonical")
        url = (canonical.get("href") if canonical else None) or _meta(soup, "og:url")
        text = _main_text(soup, title)
    except RecursionError as exc:
        raise IngestError("HTML nested too deeply to parse") from exc
    if not title:
        raise IngestError("no title found (no og:title, <h1> or <title>)")
    if not text:
        raise IngestError("no article text found in the page")
    article = Article(
        title=title,
        text=text,
        source=source,
        published_at=parse_date(published),
        url=url,
        author=author,
        origin=str(path),
    )
    return [article], []
