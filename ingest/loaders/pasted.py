"""The text shape people paste: headline, optional header lines, standfirst, body.

Shared by the plain-text and Markdown loaders, which differ only in markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.dates import find_date_line
from ingest.text import clean_text

# Lines that are page furniture copied along with the article, never its content.
_BOILERPLATE = re.compile(
    r"^(?:live updates?:.*|live blog:.*|powered by automated translation|read more:.*"
    r"|related:.*|advertisement|share this article|sign up (?:for|to) .*|subscribe (?:to|for) .*"
    r"|follow (?:us|the latest).*|click here.*|listen to this article.*)$",
    re.IGNORECASE,
)
# A photo caption ends with the agency's credit ("... in Baghdad in November. AFP").
_CREDIT = re.compile(
    r"(?:^|[.!?\"”’)]\s*|\s)(?:AFP|Reuters|AP|EPA|Getty Images|Bloomberg|Xinhua|Anadolu)"
    r"(?:\s*(?:via|/)\s*[\w .]+)?$"
)
_SOURCE = re.compile(r"^(?:source|outlet|publisher|publication)\s*:\s*(.+)$", re.IGNORECASE)
_AUTHOR = re.compile(r"^(?:by|author\s*:)\s+(.{2,80})$", re.IGNORECASE)
_URL = re.compile(r"^(?:url|link|canonical)\s*:\s*(https?://\S+)$", re.IGNORECASE)
# Header lines (source, author, date) are looked for only near the top.
_HEADER_LINES = 12


@dataclass
class Pasted:
    title: str
    text: str
    source: str = ""
    published_at: str | None = None
    author: str | None = None
    url: str | None = None


def is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    if _BOILERPLATE.match(stripped):
        return True
    # A caption: short, ends in an agency credit, never a full body sentence with a final stop.
    return len(stripped) < 300 and bool(_CREDIT.search(stripped))


def parse_pasted(text: str, title: str | None = None) -> Pasted:
    """Split pasted article text into headline, metadata lines and body."""
    lines = clean_text(text).split("\n")
    if title is None:
        while lines and not lines[0].strip():
            lines.pop(0)
        title = lines.pop(0).strip() if lines else ""
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
        elif (m := _AUTHOR.match(line)) and not line.endswith("."):
            result.author = m[1].strip()
        else:
            continue
        dropped.add(i)
    body = [line for i, line in enumerate(lines) if i not in dropped and not is_boilerplate(line)]
    result.text = clean_text("\n".join(body))
    return result
