"""Batches: files and folders in, articles and a list of problems out. One bad file never
stops the others."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ingest.loaders import is_supported, load_file
from ingest.types import IngestError, IngestProblem, LoadResult

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def discover(paths: Sequence[str | Path]) -> tuple[list[Path], list[IngestProblem]]:
    """Files to load: named files as given, folders walked recursively in sorted order.

    Inside folders, hidden entries and files of unsupported types are skipped silently; a
    file named explicitly is always attempted, so its problem gets reported.
    """
    files: list[Path] = []
    problems: list[IngestProblem] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if (
                    child.is_file()
                    and is_supported(child)
                    and not any(part.startswith(".") for part in relative)
                ):
                    files.append(child)
        elif path.exists():
            files.append(path)
        else:
            problems.append(IngestProblem(str(path), "no such file or folder"))
    return files, problems


def load_paths(
    paths: Sequence[str | Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: bool = False,
) -> LoadResult:
    files, problems = discover(paths)
    result = LoadResult(problems=problems, files_seen=len(files))
    iterator = files
    if progress and len(files) > 3:
        from tqdm import tqdm

        iterator = tqdm(files, unit="file", desc="reading", leave=False)
    seen: set[str] = set()
    for path in iterator:
        try:
            articles, record_problems = load_file(path, max_bytes=max_bytes)
        except IngestError as exc:
            result.problems.append(IngestProblem(str(path), str(exc)))
            continue
        except Exception as exc:  # a loader bug must cost one file, not the batch
            reason = f"unexpected {type(exc).__name__}: {exc}"
            result.problems.append(IngestProblem(str(path), reason))
            continue
        result.problems.extend(record_problems)
        for article in articles:
            if article.id not in seen:
                seen.add(article.id)
                result.articles.append(article)
    return result
