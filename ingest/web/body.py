"""A response body, read safely: decompressed as it streams and stopped at the size limit
(a small gzip body cannot swell into gigabytes in memory), then decoded by its charset."""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterable

from ingest.loaders.decode import bom_encoding, check_bytes, check_text, decode_text
from ingest.types import IngestError

IDENTITY = frozenset({"", "identity"})
# The encodings asked for ("Accept-Encoding"); anything else a server sends is refused.
ACCEPT_ENCODING = "gzip, deflate"
# Browsers read these labels as Windows-1252 (WHATWG Encoding): pages labelled Latin-1 use
# its curly quotes and dashes all the time.
_AS_CP1252 = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([\w.:-]+)", re.IGNORECASE)
_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def size_words(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


class _Inflater:
    """gzip or deflate, fed a chunk at a time, never giving more than it is asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        gzip = encoding in ("gzip", "x-gzip")
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)
        self._raw_ok = not gzip  # "deflate" is sent zlib-wrapped or raw: both are seen
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            out = self._z.decompress(data, room)
        except zlib.error:
            if self._started or not self._raw_ok:
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._z.decompress(data, room)
        self._started = True
        return out


def read_limited(chunks: Iterable[bytes], content_encoding: str, max_bytes: int) -> bytes:
    """The body from its raw chunks, decompressed; IngestError past `max_bytes` (counted
    after decompression) or for an encoding that was not asked for."""
    encoding = content_encoding.strip().casefold()
    inflater = None
    if encoding not in IDENTITY:
        if encoding not in ("gzip", "x-gzip", "deflate"):
            asked = ACCEPT_ENCODING
            raise IngestError(f"content encoding {encoding!r} was not asked for ({asked})")
        inflater = _Inflater(encoding)
    out = bytearray()
    for chunk in chunks:
        if inflater is not None:
            try:
                chunk = inflater.feed(chunk, max_bytes - len(out) + 1)
            except zlib.error as exc:
                raise IngestError(f"the {encoding} body is damaged ({exc})") from exc
        out += chunk
        if len(out) > max_bytes:
            raise IngestError(f"page larger than {size_words(max_bytes)} (stopped reading there)")
    return bytes(out)


def _codec(label: str | bytes | None) -> str | None:
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None  # an unknown label: fall back as if there were none
    return "cp1252" if name in _AS_CP1252 else name


def declared_charset(content_type: str, body: bytes) -> str | None:
    """The body's encoding as declared: byte-order mark, then the header, then the markup
    (<meta charset>, <meta http-equiv>, <?xml encoding?>), as browsers read them."""
    bom = bom_encoding(body)
    if bom:
        return bom
    header = _CHARSET_PARAM.search(content_type)
    head = body[:4096]
    markup = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return _codec(header[1] if header else None) or _codec(markup[1] if markup else None)


def decode_body(body: bytes, content_type: str) -> tuple[str, str]:
    """(text, encoding used). A declared charset that the bytes do not fit is overruled by
    the same guess file ingest makes (UTF-8, else Windows-1252); binary data is refused."""
    check_bytes(body)
    declared = declared_charset(content_type, body)
    if declared:
        try:
            return check_text(body.decode(declared)), declared
        except UnicodeDecodeError:
            pass
    text = decode_text(body)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return text, "cp1252"
    return text, "utf-8"
