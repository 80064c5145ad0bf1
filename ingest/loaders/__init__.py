"""One loader module per file format; `load_file` picks by extension and guards the input.

Each format module has `load(path, data) -> list[Article]`, raising IngestError for content it
cannot use. The records module also has `load_with_problems`, which keeps the good records of
a file and reports each bad one, and that is what `load_file` uses for JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from ingest.loaders import html, markdown, pdf, plaintext, records
from ingest.loaders.pdf import PdfLimits
from ingest.types import Article, IngestError, IngestProblem

Loader = Callable[[Path, bytes], tuple[list[Article], list[IngestProblem]]]


def _whole_file(load: Callable[[Path, bytes], list[Article]]) -> Loader:
    """A one-article format: the file either gives its articles or is one problem."""
    return lambda path, data: (load(path, data), [])


LOADERS: dict[str, Loader] = {
    ".txt": _whole_file(plaintext.load),
    ".text": _whole_file(plaintext.load),
    ".md": _whole_file(markdown.load),
    ".markdown": _whole_file(markdown.load),
    ".html": _whole_file(html.load),
    ".htm": _whole_file(html.load),
    ".json": records.load_with_problems,
    ".jsonl": records.load_with_problems,
    ".ndjson": records.load_with_problems,
    ".pdf": _whole_file(pdf.load),
}


def is_supported(path: Path) -> bool:
    return path.suffix.casefold() in LOADERS


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if n < 1024 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(
                f"file is {_size(size)}, over the {_size(max_bytes)} limit (NEWSDESK_MAX_FILE_MB)"
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise IngestError(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise IngestError(f"file is over the {_size(max_bytes)} limit")
    if not data.strip():
        raise IngestError("empty file")
    return data


def load_file(
    path: Path, *, max_bytes: int, pdf_limits: PdfLimits | None = None
) -> tuple[list[Article], list[IngestProblem]]:
    """The articles in one file and the problems with records inside it.

    Raises IngestError, naming what is wrong, when the file as a whole gives nothing: missing,
    too large, empty, binary, undecodable, unsupported type, or content its loader refuses
    (a PDF also when it goes past `pdf_limits`).
    """
    path = Path(path)
    if not path.exists():
        raise IngestError("no such file or folder")
    if path.is_dir():
        raise IngestError("is a folder, not a file")
    loader = LOADERS.get(path.suffix.casefold())
    if loader is None:
        kinds = ", ".join(sorted(LOADERS))
        raise IngestError(f"unsupported file type {path.suffix or '(none)'!r} (supported: {kinds})")
    if path.suffix.casefold() == ".pdf":  # the one format whose text its size does not bound
        loader = _whole_file(partial(pdf.load, limits=pdf_limits, max_bytes=max_bytes))
    data = _read(path, max_bytes)
    articles, problems = loader(path, data)
    # Loaders refuse empty bodies themselves; this keeps the promise for any future loader.
    empty = [a for a in articles if not a.text.strip()]
    problems = [*problems, *(IngestProblem(a.origin, "no text after clean-up") for a in empty)]
    articles = [a for a in articles if a.text.strip()]
    if not articles and not problems:
        raise IngestError("no articles found")
    return articles, problems
