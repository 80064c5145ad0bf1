"""Text clean-up that loaders apply once: from then on the cleaned text is the reference that
chunk and citation offsets point into."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def surrogate_at(text: str) -> int | None:
    """Where the first lone surrogate of `text` is, or None: such text is not valid Unicode."""
    found = _SURROGATE.search(text)
    return found.start() if found else None


def valid_unicode(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (and split pairs joined).

    A JSON string may escape half of a UTF-16 pair ("\\ud800", often an emoji cut in two by a
    length limit); Python keeps it, but it cannot be encoded, hashed or stored. One broken
    character must not cost the article it is in.
    """
    if surrogate_at(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def clean_text(text: str) -> str:
    """Normalise what loaders produce: Unicode NFC, Unix newlines, no trailing spaces,
    at most one blank line between paragraphs, no leading/trailing blank lines, no lone
    surrogates."""
    text = unicodedata.normalize("NFC", valid_unicode(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    # Control characters other than newline and tab are noise from bad encodings or PDFs.
    # (Unicode category Cc is exactly these ranges; a regex keeps 20 MB files to seconds.)
    text = _CONTROL.sub("", text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
