"""Bytes to text for the text formats, refusing binary content with a clear reason."""

from __future__ import annotations

import codecs
import unicodedata

from ingest.types import IngestError

# Share of control characters above which "text" is really binary data.
_MAX_CONTROL_SHARE = 0.01
# Longest BOMs first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark announces, if the data starts with one."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def _control_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    return bad / len(sample)


def check_text(text: str) -> str:
    """Refuse decoded "text" that is mostly control characters: a binary file misnamed."""
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise IngestError("binary content (control characters), not a text file")
    return text


def check_bytes(data: bytes) -> None:
    """Refuse binary data before a parser that guesses encodings (HTML) turns it into noise."""
    if bom_encoding(data):
        return
    head = data[:20000]
    if b"\x00" in head:
        raise IngestError("binary content (NUL bytes), not a text file")
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f")
    if controls > _MAX_CONTROL_SHARE * len(head):
        raise IngestError("binary content (control characters), not a text file")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with a BOM, else Windows-1252.

    Without a BOM, NUL bytes mean binary data (UTF-16 without a BOM is too rare to guess at).
    Windows-1252 is the one legacy encoding common enough in pasted news (curly quotes from
    Word) to guess safely; it is used only when the bytes are not UTF-8 and decode cleanly
    (its five undefined bytes fail), and a result full of control characters is refused.
    """
    encoding = bom_encoding(data)
    if encoding:
        try:
            return check_text(data.decode(encoding))
        except UnicodeDecodeError as exc:
            raise IngestError(f"invalid {encoding} text ({exc.reason})") from exc
    if b"\x00" in data[:8192]:
        raise IngestError("binary content (NUL bytes), not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise IngestError("not valid UTF-8 and not readable as Windows-1252 text") from exc
    return check_text(text)
