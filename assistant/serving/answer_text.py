"""Article text made safe to put into Markdown that a chat client will render.

Titles, outlets, URLs and quoted sentences come from whoever wrote the article files, so they
may carry HTML (`<script>`, `<img onerror=...>`), Markdown images and links, or `javascript:`
URLs. In a Markdown answer they must read as the text they are and never become markup: HTML
is written as entities, Markdown punctuation is backslash-escaped, line breaks are folded
(a new line could start a heading, a code block or an HTML block), and only http(s) URLs are
ever linked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import quote

# Backslash-escaped: emphasis, code, links/images/footnotes ("![", "[^1]:"), headings, tables,
# strikethrough and the backslash itself. "(" and ")" only matter after "]", which is escaped.
_PUNCTUATION = re.compile(r"([\\`*_\[\]#|~])")
_ENTITY_START = re.compile(r"&(?=#?\w+;)")  # "&lt;" in an article shows as "&lt;", not "<"
# Characters a link destination "(...)" cannot hold as they are; everything else URL-legal.
_URL_SAFE = "/:?#@!$&'*+,;=%-._~"


def md_text(text: str) -> str:
    """`text` as literal Markdown inline text, on one line."""
    return md_chunk(" ".join(text.split()))


def md_chunk(text: str) -> str:
    """A streamed piece of answer text escaped on its own: like `md_text`, but keeping the
    piece's spacing, since pieces are concatenated by the client."""
    text = _ENTITY_START.sub("&amp;", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace("\r", " ").replace("\n", " ")
    return _PUNCTUATION.sub(r"\\\1", text)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for a Markdown link destination, or None for any other scheme
    (`javascript:`, `data:`, ...) or something that is not a URL at all."""
    url = (url or "").strip()
    if not re.match(r"https?://[^\s/]", url, re.IGNORECASE):
        return None
    return quote(url, safe=_URL_SAFE)


def md_link(title: str, url: str | None) -> str:
    """The title, linked when its URL is http(s); plain escaped text otherwise."""
    target = safe_url(url)
    return f"[{md_text(title)}]({target})" if target else md_text(title)


class Cited(Protocol):
    """A citation as footnotes show it (assistant.types.Citation or the API's copy)."""

    n: int
    title: str
    url: str | None
    source: str
    published_at: str | None
    quote: str


_MARKER = re.compile(r"(\[\d+\])")


def footnoted(text: str, citations: Sequence[Cited], notes: Sequence[str]) -> str:
    """`[n]` markers become Markdown footnotes `[^n]`, defined under the answer. Everything
    that came from an article is escaped (md_chunk, md_link, md_text): it reads as text,
    never markup."""
    numbers = {c.n for c in citations}
    text = "".join(
        f"[^{part[1:-1]}]" if _MARKER.fullmatch(part) and int(part[1:-1]) in numbers
        else md_chunk(part)
        for part in _MARKER.split(text)
    )  # fmt: skip
    # The day "last week" or "now" was counted from, and why (the app's note says it).
    text += "".join(f"\n\n_{md_text(n)}_" for n in notes if n.startswith("As of "))
    notes = []
    for c in citations:
        meta = ", ".join(x for x in (c.source, (c.published_at or "")[:10]) if x)
        line = f"[^{c.n}]: {md_link(c.title, c.url)}" + (f" ({md_text(meta)})" if meta else "")
        notes.append(f"{line}: “{md_text(c.quote)}”")
    return text + ("\n\n" + "\n".join(notes) if notes else "")


def pieces(text: str) -> list[str]:
    """The answer in word-sized deltas that join back to exactly `text`.

    The extractive answerer finds the whole answer at once; deltas keep streaming clients
    (and a future generative answerer) on the same protocol.
    """
    return re.findall(r"\S+\s*|\s+", text)
