"""The text shape people paste: headline, optional header lines, standfirst, body.

Shared by the plain-text and Markdown loaders, which differ only in markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.dates import find_date_line
from ingest.text import clean_text

# Lines that are page furniture copied along with the article, never its content. Only short
# lines are considered, so a body paragraph that happens to start the same way is kept.
_BOILERPLATE = re.compile(
    r"^(?:live updates?:.*|live blog:.*|powered by automated translation|read more:.*"
    r"|related:.*|advertisement|share this article|sign up (?:for|to) .*|subscribe (?:to|for) .*"
    r"|follow (?:us|the latest).*|click here.*|listen to this article.*)$",
    re.IGNORECASE,
)
_MAX_BOILERPLATE_LEN = 150
_AGENCY = (
    r"(?:(?:photo|photograph|picture|image)s?\s*:\s*)?"
    r"(?:AFP|Reuters|AP|EPA(?:-EFE)?|PA|Getty Images|Bloomberg|Xinhua|Anadolu|Shutterstock)"
    r"(?:\s*(?:via|/)\s*(?:Getty Images|Reuters|AFP|AP|EPA))?"
)
# A credit alone on its line ("AFP"), or a caption whose last sentence is followed by the
# credit ("... in Baghdad in November. AFP"). A body sentence ends in a full stop instead.
_CREDIT_LINE = re.compile(rf"^{_AGENCY}$")
_CAPTION = re.compile(rf"[.!?\"”’)]\s+{_AGENCY}$")
_MAX_CAPTION_LEN = 300
_SOURCE = re.compile(r"^(?:source|outlet|publisher|publication)\s*:\s*(.+)$", re.IGNORECASE)
# "By Ines Moreau", "By Ana Ruiz and Tom Hale": capitalised names only, so a sentence that
# starts with "By the end of..." stays in the body.
_AUTHOR = re.compile(
    r"^(?:[Bb]y\s+|[Aa]uthor\s*:\s*)"
    r"([A-Z][\w'’.-]*(?:,?\s+(?:[A-Z][\w'’.-]*|and|&|de|van|von|al|bin)){0,7})$"
)
_URL = re.compile(r"^(?:url|link|canonical)\s*:\s*(https?://\S+)$", re.IGNORECASE)
# Header lines (source, author, URL) are looked for only near the top.
_HEADER_LINES = 12
# A first line this long is a paragraph, not a headline (text pasted without its headline).
_MAX_TITLE_LEN = 200


@dataclass
class Pasted:
    title: str
    text: str
    source: str = ""
    published_at: str | None = None
    author: str | None = None
    url: str | None = None


def is_boilerplate(line: str) -> bool:
    """Page furniture that can be recognised reliably: navigation prompts and photo credits."""
    stripped = line.strip()
    if len(stripped) <= _MAX_BOILERPLATE_LEN and _BOILERPLATE.match(stripped):
        return True
    if _CREDIT_LINE.match(stripped):
        return True
    return len(stripped) <= _MAX_CAPTION_LEN and bool(_CAPTION.search(stripped))


def is_byline(line: str) -> bool:
    """A byline such as "By Ines Moreau" alone on its line."""
    return bool(_AUTHOR.match(line.strip()))


def _short_title(paragraph: str, words: int = 12) -> str:
    parts = paragraph.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def parse_pasted(text: str, title: str | None = None) -> Pasted:
    """Split pasted article text into headline, metadata lines and body."""
    lines = clean_text(text).split("\n")
    if title is None:
        while lines and not lines[0].strip():
            lines.pop(0)
        first = lines[0].strip() if lines else ""
        if len(first) > _MAX_TITLE_LEN:
            title = _short_title(first)  # the paragraph stays in the body
        else:
            title = first
            lines = lines[1:]
    result = Pasted(title=title, text="")
    header = [i for i, line in enumerate(lines) if line.strip()][:_HEADER_LINES]
    dropped: set[int] = set()
    # Date lines sit under the headline or, on many sites, at the very end.
    found = find_date_line(lines)
    if found:
        dropped.add(found[0])
        result.published_at = found[1]
    for i in header:
        line = lines[i].strip()
        if m := _SOURCE.match(line):
            result.source = m[1].strip()
        elif m := _URL.match(line):
            result.url = m[1].strip()
        elif m := _AUTHOR.match(line):
            result.author = m[1].strip()
        else:
            continue
        dropped.add(i)
    body = [line for i, line in enumerate(lines) if i not in dropped and not is_boilerplate(line)]
    result.text = clean_text("\n".join(body))
    return result
