"""PDF articles: the text layer of every page, re-flowed into paragraphs."""

from __future__ import annotations

import io
import re
from pathlib import Path

from ingest.dates import parse_date
from ingest.loaders.pasted import parse_pasted
from ingest.types import Article, IngestError

_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)


def reflow(text: str) -> str:
    """PDF text breaks lines where the page did; join lines back into paragraphs.

    A line ending in sentence punctuation, or one clearly shorter than the page's typical line
    (a headline, a dateline), ends a paragraph; other lines continue into the next. "Typical"
    is the median, so narrow columns are not cut at every line. Words hyphenated across lines
    are joined, and lines that are only a page number are dropped.
    """
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if not _PAGE_NUMBER.match(line)] if any(lines) else lines
    lengths = sorted(len(line) for line in lines if line)
    short = 0.6 * lengths[len(lengths) // 2] if lengths else 0
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
                current = ""
            continue
        if current.endswith("-") and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
        if re.search(r"[.!?:\"”’)]$", line) or len(line) < short:
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def strip_leading_title(text: str, title: str) -> str:
    """Remove the headline from the start of the text when a PDF wrapped it over lines."""
    wanted = "".join(title.split()).casefold()
    got = 0
    for index, ch in enumerate(text):
        if ch.isspace():
            continue
        if got == len(wanted) or ch.casefold() != wanted[got]:
            return text[index:] if got == len(wanted) else text
        got += 1
    return "" if got == len(wanted) else text


def _pdf_date(raw: object) -> str | None:
    match = re.match(r"^D:(\d{4})(\d{2})(\d{2})", str(raw or ""))
    return f"{match[1]}-{match[2]}-{match[3]}" if match else None


def load(path: Path, data: bytes) -> list[Article]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("PDF is encrypted with a password")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types for corrupt files
        raise IngestError(f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    raw = reflow("\n\n".join(pages))
    if not raw.strip():
        raise IngestError("PDF has no extractable text (scanned?)")
    meta_title = " ".join(str(info.get("/Title") or "").split())
    if re.match(r"(?i)^(untitled|microsoft word|document\d*$)", meta_title):
        meta_title = ""  # word processors' placeholders, not headlines
    # The document title is the headline when set; the page may repeat it, wrapped.
    if meta_title:
        pasted = parse_pasted(strip_leading_title(raw, meta_title), title=meta_title)
    else:
        pasted = parse_pasted(raw)
    title, text = pasted.title, pasted.text
    if not text:
        raise IngestError("PDF has a title but no body text")
    # A "Published:" line beats the file's creation date, which is only a fallback.
    published = pasted.published_at or _pdf_date(info.get("/CreationDate"))
    article = Article(
        title=title,
        text=text,
        source=pasted.source,
        published_at=parse_date(published) if published else None,
        url=pasted.url,
        author=str(info.get("/Author") or "").strip() or pasted.author,
        origin=str(path),
    )
    return [article]
