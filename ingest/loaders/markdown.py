"""Markdown articles: optional front matter, a `# Headline`, then prose.

Markup is removed so that the stored text, and so every quote, reads as plain prose.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.dates import parse_date
from ingest.loaders.decode import decode_text
from ingest.loaders.pasted import parse_pasted
from ingest.types import Article, IngestError

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
# Line patterns use [ \t], never \s, so that they cannot swallow the blank line before them.
_INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE), ""),  # heading markers
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE), ""),  # block quotes
    (re.compile(r"^[ \t]*[-*+][ \t]+", re.MULTILINE), ""),  # bullet markers
    (re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.MULTILINE), ""),  # horizontal rules
    (re.compile(r"^[ \t]*=+[ \t]*$", re.MULTILINE), ""),  # "Title\n=====" underlines
    (re.compile(r"^```.*$", re.MULTILINE), ""),  # code fences (content kept)
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])"), r"\2"),  # italics
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
    (re.compile(r"<[^>\n]+>"), ""),  # inline HTML tags
]


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {}
    for line in match[1].splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().casefold()] = value.strip().strip("'\"")
    return fields, text[match.end() :]


def strip_markdown(text: str) -> str:
    """Markdown to plain prose: link text kept, images dropped, code kept without fences."""
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def load(path: Path, data: bytes) -> list[Article]:
    fields, body = _front_matter(decode_text(data).replace("\r\n", "\n"))
    title = fields.get("title")
    if not title and (heading := _HEADING.search(body)):
        title = strip_markdown(heading[1]).strip()
        body = body[: heading.start()] + body[heading.end() :]
    elif title and (heading := _HEADING.search(body)) and heading[1].strip() == title:
        body = body[: heading.start()] + body[heading.end() :]
    pasted = parse_pasted(strip_markdown(body), title=strip_markdown(title) if title else None)
    if not pasted.title or not pasted.text:
        raise IngestError("no article text (a '# Headline' or front-matter title and a body)")
    published = fields.get("published_at") or fields.get("date") or fields.get("published")
    article = Article(
        title=pasted.title,
        text=pasted.text,
        source=next(
            (fields[k] for k in ("source", "outlet", "publisher") if fields.get(k)), pasted.source
        ),
        published_at=parse_date(published) or pasted.published_at,
        url=fields.get("url") or fields.get("canonical_url") or pasted.url,
        author=fields.get("author") or pasted.author,
        origin=str(path),
    )
    return [article]
