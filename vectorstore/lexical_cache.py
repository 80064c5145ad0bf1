"""The BM25 index on disk between processes: plain arrays that cannot run code, mapped.

Rebuilding the index reads every chunk of the store (minutes at a million chunks), opening
the saved one takes a checksum pass, so a new process (`newsdesk ask`, a second server
worker) opens the saved file and maps it: processes on one machine share its pages. The
file (vectorstore/lexical_file.py) carries the store generation it was built at; a file of
another generation is stale (None: rebuild). Whatever is wrong with a file (foreign,
truncated, edited, a pickle planted under its name, a crafted one whose rows point past the
chunks) is a CacheDamaged naming the file and the reason; the store then rebuilds the index
from Chroma and records the problem (docs/reliability.md).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from vectorstore.lexical import LexicalIndex
from vectorstore.lexical_build import ARRAYS, FORMAT, VERSION, build_file
from vectorstore.lexical_file import CacheDamaged, Stats, read_arrays, read_header

__all__ = ["CacheDamaged", "build_index", "load_index"]

# Arrays whose values index something: checked while the checksum pass streams them.
_WATCHED = ("term_starts", "posting_rows", "term_offsets", "id_offsets", "outlets", "articles",
            "article_offsets", "id_hashes", "id_hash_rows", "vector_scales")  # fmt: skip


def build_index(rows: Iterable[tuple], generation: str, path: Path | None) -> LexicalIndex:
    """Index `rows` (chunk id, text, metadata[, embedding]) into the file `path` and open it;
    with no path, into a temporary file that is gone once the index is."""
    if path is not None:
        build_file(rows, generation, path)
        index = load_index(path, generation)
        if index is None:  # another process replaced it with a newer generation meanwhile
            raise CacheDamaged(f"BM25 cache {path}: replaced while it was being opened")
        return index
    with tempfile.TemporaryDirectory(prefix="newsdesk-bm25-") as folder:
        file = Path(folder) / "index"
        build_file(rows, generation, file)
        return load_index(file, generation)  # mapped: the data outlives the file's name


def load_index(path: Path, generation: str) -> LexicalIndex | None:
    """The index saved at `path` if it was built at `generation`; None if there is no file or
    it is stale (another process wrote since). Raises CacheDamaged for a file that is there
    but unusable."""
    try:
        header = read_header(path)
        if header.get("format") != FORMAT:
            raise CacheDamaged(f"{path}: not a {FORMAT} index")
        if header.get("version") != VERSION:
            raise CacheDamaged(f"{path}: version {header.get('version')!r}, not {VERSION}")
        if header.get("generation") != generation:
            return None
        stats = {name: Stats() for name in _WATCHED}
        arrays = read_arrays(path, header, ARRAYS, {n: s.add for n, s in stats.items()})
        try:
            _check(header, arrays, stats)
        except ValueError as exc:
            raise CacheDamaged(f"{path}: inconsistent content ({exc})") from exc
    except FileNotFoundError:
        return None
    except CacheDamaged as exc:
        raise CacheDamaged(f"BM25 cache {exc}") from exc
    except Exception as exc:  # numpy and the OS raise many types for one bad file
        raise CacheDamaged(f"BM25 cache {path}: unreadable ({type(exc).__name__}: {exc})") from exc
    return LexicalIndex(
        generation,
        arrays,
        header["outlets"],
        dimensions=header["dimensions"],
        residual=header["residual"],
    )


def _check(header: dict, arrays: dict, stats: dict[str, Stats]) -> None:
    """Every shape a search relies on, so that a file that passes cannot make a search fail
    (the checksum only proves the file is what its writer wrote)."""
    rows, outlets = header.get("chunks"), header.get("outlets")
    _expect(isinstance(rows, int) and len(arrays["days"]) == rows, "row count disagrees")
    _expect(
        isinstance(outlets, list) and all(isinstance(o, str) for o in outlets),
        "outlets must be a list of names",
    )
    for name in ("outlets", "articles", "id_hashes", "id_hash_rows"):
        _expect(len(arrays[name]) == rows, f"{name} has a wrong length")
    postings = len(arrays["posting_rows"])
    _expect(len(arrays["posting_weights"]) == postings, "postings differ in length")
    _offsets(stats["term_starts"], postings, "postings of words")
    _offsets(stats["term_offsets"], len(arrays["term_bytes"]), "words")
    _offsets(stats["id_offsets"], len(arrays["id_bytes"]), "chunk ids")
    _offsets(stats["article_offsets"], len(arrays["article_bytes"]), "article ids")
    _expect(stats["id_offsets"].size == rows + 1, "chunk ids and rows disagree")
    _expect(stats["term_starts"].size == stats["term_offsets"].size, "words and postings disagree")
    _within(stats["posting_rows"], 0, rows, "posting rows")
    _within(stats["outlets"], -1, len(outlets), "outlet codes")
    _within(stats["id_hash_rows"], 0, rows, "rows of chunk ids")
    _expect(stats["id_hashes"].ordered, "chunk id hashes out of order")
    _within(stats["articles"], 0, stats["article_offsets"].size - 1, "article codes")
    dimensions, residual = header.get("dimensions"), header.get("residual")
    _expect(
        isinstance(dimensions, int) and not isinstance(dimensions, bool) and dimensions >= 0,
        "dimensions must be a count",
    )
    _expect(
        isinstance(residual, float | int) and 0 <= residual <= 2,  # NaN fails too
        "residual out of range",
    )
    _expect(len(arrays["vectors"]) == rows * dimensions, "vectors have a wrong length")
    _expect(len(arrays["vector_scales"]) == (rows if dimensions else 0), "scales: wrong length")
    # A unit vector's largest component is at most 1, so its scale at most 1/127.
    _within(stats["vector_scales"], 0, 1, "vector scales")


def _offsets(seen: Stats, end: int, what: str) -> None:
    _expect(seen.size >= 1 and seen.first == 0, f"offsets of {what} start wrong")
    _expect(seen.ordered and seen.last == end, f"offsets of {what} out of order or size")


def _within(seen: Stats, low: int, high: int, what: str) -> None:
    _expect(not seen.size or (low <= seen.low and seen.high < high), f"{what} out of range")


def _expect(condition: bool, why: str) -> None:
    if not condition:
        raise ValueError(why)
