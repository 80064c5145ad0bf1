"""The name an uploaded file is stored and reported under.

A client chooses upload names freely: "../../etc/cron.d/x", "C:\\evil.txt", "..", a NUL byte,
a 10,000-character name. Only the last path component survives (either separator), control
characters go, and the name is cut to what every file system accepts, keeping the extension
that picks the loader.
"""

from __future__ import annotations

import unicodedata

MAX_NAME_BYTES = 200  # under the 255-byte limit of common file systems, with room to spare
FALLBACK = "upload"


def safe_upload_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if base in ("", ".", ".."):
        return FALLBACK
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext.encode()) > 16:
        stem, dot, ext = base, "", ""
    room = MAX_NAME_BYTES - len((dot + ext).encode())
    stem = stem.encode()[:room].decode("utf-8", errors="ignore") or FALLBACK
    return stem + dot + ext
