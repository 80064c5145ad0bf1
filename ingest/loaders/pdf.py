"""PDF articles: the text layer of every page, re-flowed into paragraphs."""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.dates import parse_date
from ingest.loaders.pasted import parse_pasted
from ingest.types import DEFAULT_MAX_BYTES, Article, IngestError


@dataclass(frozen=True)
class PdfLimits:
    """What reading one PDF may cost. A PDF is compressed and may show one content stream on
    a thousand pages, so a 2 KB file can hold a megabyte of text: its text and time are
    bounded on their own, not only its size. Going past a limit refuses the file."""

    # Characters from one file; None: as many as the largest file (NEWSDESK_MAX_FILE_MB) has
    # bytes, so a PDF never gives more text than the largest plain-text file could.
    max_chars: int | None = None
    # Characters from one page: a dense broadsheet page holds about 25,000.
    max_page_chars: int = 100_000
    # Characters per byte of the file: real PDFs (fonts, layout) give well under 5.
    max_expansion: float = 100.0
    # Wall-clock seconds to extract the text, checked as each page's operators are read.
    max_seconds: float = 60.0


class _OverBudget(IngestError):
    """A PDF went past one of its PdfLimits."""


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


_SHOW_TEXT = frozenset((b"Tj", b"TJ", b"'", b'"'))


def _string_bytes(operands: Any) -> int:
    """Bytes of the strings a text-showing operator shows (TJ takes them in an array)."""
    items = operands[0] if operands and isinstance(operands[0], list) else operands or ()
    return sum(len(item) for item in items if isinstance(item, str | bytes))


class _Budget:
    """Counts the text of one PDF as pypdf reads it and stops at the first limit passed.

    `operator` runs before every content-stream operator (pypdf's visitor), so one huge page
    is stopped part-way, not after it was read. pypdf reports text only when a line ends, so
    a page's text is also estimated from the strings its operators show: at least half their
    bytes (two-byte fonts) become characters.
    """

    def __init__(self, limits: PdfLimits, file_bytes: int, max_bytes: int) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.max_chars = limits.max_chars if limits.max_chars is not None else max_bytes
        self.by_expansion = int(limits.max_expansion * file_bytes)
        self.file_bytes = file_bytes
        self.done = 0  # characters of the pages already read
        self.page = 0  # the page being read, from 1
        self.reported = 0  # characters pypdf reported for this page so far
        self.shown = 0  # bytes of strings this page's operators showed so far

    def start_page(self, number: int) -> None:
        self.page, self.reported, self.shown = number, 0, 0
        self.check()

    def operator(self, operator: bytes, operands: Any, *_: Any) -> None:
        if operator in _SHOW_TEXT:
            self.shown += _string_bytes(operands)
        self.check()

    def text(self, text: str, *_: Any) -> None:
        self.reported += len(text)
        self.check()

    def end_page(self, text: str) -> None:
        self.reported, self.shown = len(text), 0  # what pypdf returned is the truth
        self.check()
        self.done += len(text)
        self.reported = 0

    def check(self) -> None:
        page_chars = max(self.reported, self.shown // 2)
        total = self.done + page_chars
        if page_chars > self.limits.max_page_chars:
            raise _OverBudget(
                f"PDF page {self.page} has over {self.limits.max_page_chars:,} characters of "
                "text (limit NEWSDESK_PDF_MAX_PAGE_CHARS)"
            )
        if total > self.by_expansion and self.by_expansion < self.max_chars:
            raise _OverBudget(
                f"PDF text grows past {self.by_expansion:,} characters, "
                f"{self.limits.max_expansion:g} times the file's {self.file_bytes:,} bytes "
                "(a compression bomb?; limit NEWSDESK_PDF_MAX_EXPANSION)"
            )
        if total > self.max_chars:
            raise _OverBudget(
                f"PDF text is over {self.max_chars:,} characters (limit NEWSDESK_PDF_MAX_CHARS)"
            )
        if time.monotonic() > self.deadline:
            raise _OverBudget(
                f"PDF text took over {self.limits.max_seconds:g} seconds to extract, stopped "
                f"at page {self.page} (limit NEWSDESK_PDF_SECONDS)"
            )


def _pypdf_limits(max_bytes: int) -> dict[str, int]:
    """pypdf's own caps, lowered to ours: no stream decompresses to more than the largest file
    we accept (pypdf's default, 75 MB, lets one stream take a gigabyte to read)."""
    from pypdf import get_configuration

    current = get_configuration()
    names = (
        "zlib_maximum_output_length",
        "lzw_maximum_output_length",
        "run_length_maximum_output_length",
        "brotli_maximum_output_length",
        "array_based_stream_maximum_output_length",
    )
    return {name: min(max_bytes, getattr(current, name)) for name in names}


def _pages_text(reader: Any, budget: _Budget) -> list[str]:
    pages = []
    for number, page in enumerate(reader.pages, 1):
        budget.start_page(number)
        text = page.extract_text(visitor_operand_before=budget.operator, visitor_text=budget.text)
        budget.end_page(text or "")
        pages.append(text or "")
    return pages


def load(
    path: Path,
    data: bytes,
    limits: PdfLimits | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Article]:
    """The PDF's text layer as one article; IngestError when it has none, cannot be read, or
    goes past `limits` (`max_bytes` is the largest file accepted, which some limits follow)."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    budget = _Budget(limits or PdfLimits(), len(data), max_bytes)
    try:
        with apply_configuration(**_pypdf_limits(max_bytes)):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise IngestError("PDF is encrypted with a password")
            pages = _pages_text(reader, budget)
            info = reader.metadata or {}
    except IngestError:
        raise
    except LimitReachedError as exc:
        raise IngestError(f"PDF goes past a safety limit of its reader ({exc})") from exc
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
