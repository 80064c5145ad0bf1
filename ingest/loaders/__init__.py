"""One loader module per file format; `load_file` picks by extension and guards the input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.loaders import html, markdown, pdf, plaintext, records
from ingest.types import Article, IngestError, IngestProblem

Loader = Callable[[Path, bytes], tuple[list[Article], list[IngestProblem]]]

LOADERS: dict[str, Loader] = {
    ".txt": plaintext.load,
    ".text": plaintext.load,
    ".md": markdown.load,
    ".markdown": markdown.load,
    ".html": html.load,
    ".htm": html.load,
    ".json": records.load,
    ".jsonl": records.load,
    ".ndjson": records.load,
    ".pdf": pdf.load,
}


def is_supported(path: Path) -> bool:
    return path.suffix.casefold() in LOADERS


def load_file(path: Path, *, max_bytes: int) -> tuple[list[Article], list[IngestProblem]]:
    """Articles from one file, or IngestError naming what is wrong with it."""
    loader = LOADERS.get(path.suffix.casefold())
    if loader is None:
        kinds = ", ".join(sorted(LOADERS))
        raise IngestError(f"unsupported file type {path.suffix or '(none)'!r} (supported: {kinds})")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit "
                "(NEWSDESK_MAX_FILE_MB)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise IngestError("empty file")
    articles, problems = loader(path, data)
    if not articles and not problems:
        raise IngestError("no articles found")
    return articles, problems
