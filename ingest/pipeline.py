"""Batches: files and folders in, articles and a list of problems out. One bad file never
stops the others."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

from ingest.loaders import is_supported, load_file
from ingest.loaders.pdf import PdfLimits
from ingest.types import DEFAULT_MAX_BYTES, Article, IngestError, IngestProblem, LoadResult

# Fewer files than this finish before a progress bar would tell anyone anything.
_PROGRESS_MIN_FILES = 4


def _walk(folder: Path) -> list[Path]:
    """Supported files under `folder`, sorted by path, skipping hidden files and folders
    (.git, .DS_Store) without descending into them."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):  # does not follow symlinked folders: no loops
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(root, name)
            if not name.startswith(".") and is_supported(path):
                found.append(path)
    return sorted(found)


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files to load, in order: folders walked recursively (only supported, non-hidden files),
    files named explicitly kept as given, even when missing or of an unsupported type, so that
    loading them reports the problem instead of silently skipping what was asked for."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        files.extend(_walk(path) if path.is_dir() else [path])
    return files


def load_one(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, pdf_limits: PdfLimits | None = None
) -> tuple[list[Article], list[IngestProblem]]:
    """One file's articles and problems; its failure becomes a problem naming it. A plain
    function of picklable arguments, so ingest workers can run it in their processes."""
    try:
        return load_file(path, max_bytes=max_bytes, pdf_limits=pdf_limits)
    except IngestError as exc:
        return [], [IngestProblem(str(path), str(exc))]
    except Exception as exc:  # a loader bug must cost one file, not the batch
        return [], [IngestProblem(str(path), f"unexpected {type(exc).__name__}: {exc}")]


# How the files are loaded: the built-in `map` here, or a pool's ordered map in ingest
# workers (assistant/ingest_workers.py). Either way results come back in the files' order.
FileMap = Callable[
    [Callable[[Path], tuple[list[Article], list[IngestProblem]]], list[Path]],
    Iterable[tuple[list[Article], list[IngestProblem]]],
]


def load_paths(
    paths: Sequence[str | Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pdf_limits: PdfLimits | None = None,
    progress: bool = False,
    map_files: FileMap = map,
) -> LoadResult:
    """Load every file under `paths` (folders walked by `discover`), as `load_files` does."""
    return load_files(
        discover(paths),
        max_bytes=max_bytes,
        pdf_limits=pdf_limits,
        progress=progress,
        map_files=map_files,
    )


def load_files(
    files: Sequence[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pdf_limits: PdfLimits | None = None,
    progress: bool = False,
    map_files: FileMap = map,
) -> LoadResult:
    """Load files already found by `discover`, so a caller that walked the folders first
    (to size the input) does not walk them again. Each file is loaded on its own: its
    failure becomes a problem naming it and the batch goes on. An article met twice (same
    content id) is kept once, the first time (in the files' order, however many processes
    load them)."""
    files = list(files)
    result = LoadResult(files_seen=len(files))
    load = partial(load_one, max_bytes=max_bytes, pdf_limits=pdf_limits)
    loaded: Iterable[tuple[list[Article], list[IngestProblem]]] = map_files(load, files)
    if progress and len(files) >= _PROGRESS_MIN_FILES:
        from tqdm import tqdm

        # tqdm writes to stderr
        loaded = tqdm(loaded, total=len(files), unit="file", desc="reading", leave=False)
    seen: set[str] = set()
    for articles, problems in loaded:
        result.problems.extend(problems)
        for article in articles:
            if article.id not in seen:
                seen.add(article.id)
                result.articles.append(article)
    return result
