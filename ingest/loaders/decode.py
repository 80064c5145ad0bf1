"""Bytes to text for the text formats, refusing binary content with a clear reason."""

from __future__ import annotations

import codecs
import unicodedata

from ingest.types import IngestError

# Share of control characters above which "text" is really binary data.
_MAX_CONTROL_SHARE = 0.01


def _control_share(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    return bad / len(sample)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 with a BOM, else Windows-1252.

    Windows-1252 is the one legacy encoding common enough in pasted news (curly quotes from
    Word) to guess safely; a guess that yields control characters is refused instead.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
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
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise IngestError("binary content (control characters), not a text file")
    return text
