"""Build the BM25 index file from the store's chunks without holding their texts.

Two passes. The first streams the chunks (a page at a time from Chroma), tokenises each
title and text, and appends its (word, count) pairs, length, day, outlet and article to
scratch files beside the index; only the vocabulary and the article and outlet names stay
in memory. The second computes the BM25 weights and sorts the pairs by word into postings,
a block at a time, straight into the mapped index file (vectorstore/lexical_file.py).

Given each chunk's embedding (rows of four), the file also holds it quantised to int8: the
vector scaled to length 1, then divided by a per-row float32 scale (its largest component
over 127) and rounded, ~388 bytes a chunk of 384 dimensions. A filtered dense search scores
a filter's rows from them without asking Chroma (vectorstore/filtered.py); the header's
"residual" is the largest distance between a row's dequantised vector and its unit vector,
which bounds how far any int8 score is from the exact cosine.

The weights are bm25s's Lucene variant (k1 1.5, b 0.75), computed with the same operations
in the same float types, so scores equal what the in-memory bm25s index gave
(tests/vectorstore/test_lexical_index.py compares them).
"""

from __future__ import annotations

import hashlib
import math
import mmap
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ingest.text.tokens import tokenize
from vectorstore import lexical_file

FORMAT = "newsdesk-bm25"
VERSION = 4  # 4: int8 vectors; a file of an older version is rebuilt
K1, B = 1.5, 0.75
_PLACEHOLDER = "0" * 64
_PAIR_BLOCK = 1 << 22  # (word, chunk) pairs sorted into postings at a time
# name: dtype of each array in the file, in file order.
ARRAYS = {
    "term_starts": np.int64,  # word w's postings are term_starts[w]:term_starts[w + 1]
    "posting_rows": np.int32,  # the chunk (row) of each posting
    "posting_weights": np.float32,  # its BM25 weight
    "term_bytes": np.uint8,  # the words, UTF-8, in byte order (looked up by bisection)
    "term_offsets": np.int64,
    "id_bytes": np.uint8,  # each row's chunk id
    "id_offsets": np.int64,
    "days": np.int32,  # published day as YYYYMMDD, 0 when undated
    "outlets": np.int32,  # index into the header's "outlets" (source_key), -1 when none
    "articles": np.int32,  # index into the article ids
    "article_bytes": np.uint8,
    "article_offsets": np.int64,
    "id_hashes": np.uint64,  # every row's chunk id hashed (`id_hash`), ascending...
    "id_hash_rows": np.int32,  # ...and the row of each: a chunk id to its row, vectorised
    "vectors": np.int8,  # rows x header "dimensions" (0: built without vectors), row-major
    "vector_scales": np.float32,  # unit vector ~= vectors[row] * vector_scales[row]
}
_VECTOR_BLOCK = 1 << 16  # rows copied into the file at a time


def build_file(rows: Iterable[tuple], generation: str, path: Path) -> None:
    """Write the index of `rows` (chunk id, text, metadata[, embedding]) to `path`
    atomically; every row has an embedding or none does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(path)
    scratch = Path(tempfile.mkdtemp(prefix=f"{path.name}.{os.getpid()}.", dir=path.parent))
    try:
        first = _FirstPass(scratch)
        for row in rows:
            first.add(*row)
        first.close()
        target = scratch / "index"
        _write(first, generation, target)
        target.replace(path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _remove_abandoned(path: Path) -> None:
    """Scratch folders of builds whose process is gone (killed mid-build: at 1M chunks they
    hold ~1 GB); a live process's build is left alone."""
    for folder in path.parent.glob(f"{path.name}.*.*"):
        pid = folder.name[len(path.name) + 1 :].split(".", 1)[0]
        if folder.is_dir() and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists (signal 0 asks, sends nothing); another user's does."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class _FirstPass:
    """Streams chunks into scratch files: pairs (word id, count), then one value a row, and
    the quantised vectors."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.vocabulary: dict[str, int] = {}
        self.outlets: dict[str, int] = {}
        self.article_ids: dict[str, int] = {}
        self.rows = 0
        self._pending: dict[str, list] = {name: [] for name in _SCRATCH}
        self._ids = bytearray()
        self._hashes: list[int] = []
        self._vectors: list[np.ndarray] = []
        self.dimensions: int | None = None  # set by the first row: 0 when it has no vector
        self.residual = 0.0
        names = (*_SCRATCH, "id_bytes", "id_hashes", "vectors", "vector_scales")
        self._files = {name: (scratch / name).open("wb") for name in names}

    def add(self, chunk_id: str, text: str, meta: dict, vector: object = None) -> None:
        self._add_vector(chunk_id, vector)
        tokens = tokenize(f"{meta.get('title', '')}\n{text}")
        counts = Counter(tokens)
        vocab, pending = self.vocabulary, self._pending
        pending["pair_terms"].extend(vocab.setdefault(t, len(vocab)) for t in counts)
        pending["pair_tfs"].extend(counts.values())
        pending["lengths"].append(len(tokens))
        pending["pair_counts"].append(len(counts))
        pending["days"].append(_day(meta.get("published_day")))
        outlet = meta.get("source_key")
        outlets = self.outlets
        pending["outlets"].append(
            outlets.setdefault(outlet, len(outlets)) if isinstance(outlet, str) else -1
        )
        article = str(meta.get("article_id", ""))
        pending["articles"].append(self.article_ids.setdefault(article, len(self.article_ids)))
        encoded = _utf8(chunk_id)
        self._ids += encoded
        pending["id_lengths"].append(len(encoded))
        self._hashes.append(id_hash(encoded))
        self.rows += 1
        if len(pending["lengths"]) >= 4096:
            self._flush()

    def _add_vector(self, chunk_id: str, vector: object) -> None:
        width = 0 if vector is None else len(vector)  # type: ignore[arg-type] - a sequence
        if self.dimensions is None:
            self.dimensions = width
        if width != self.dimensions:
            raise ValueError(
                f"chunk {chunk_id!r}: embedding of {width} dimensions, expected {self.dimensions}"
            )
        if width:
            self._vectors.append(np.asarray(vector, dtype=np.float32))

    def _flush(self) -> None:
        if self._vectors:
            codes, scales, residual = quantise(np.stack(self._vectors))
            codes.tofile(self._files["vectors"])
            scales.tofile(self._files["vector_scales"])
            self.residual = max(self.residual, residual)
            self._vectors.clear()
        for name, values in self._pending.items():
            np.asarray(values, dtype=np.int32).tofile(self._files[name])
            values.clear()
        self._files["id_bytes"].write(self._ids)
        self._ids.clear()
        np.asarray(self._hashes, dtype=np.uint64).tofile(self._files["id_hashes"])
        self._hashes.clear()

    def close(self) -> None:
        self._flush()
        for handle in self._files.values():
            handle.close()

    def read(self, name: str) -> np.ndarray:
        """A scratch file as an array (mapped: the pairs of 1M chunks are ~0.5 GB)."""
        dtypes = {"id_bytes": np.uint8, "id_hashes": np.uint64, "vectors": np.int8}
        dtype = dtypes.get(name, np.float32 if name == "vector_scales" else np.int32)
        file = self.scratch / name
        if not file.stat().st_size:
            return np.zeros(0, dtype=dtype)
        return np.memmap(file, dtype=dtype, mode="r")


_SCRATCH = ("pair_terms", "pair_tfs", "lengths", "pair_counts", "days", "outlets", "articles",
            "id_lengths")  # fmt: skip


def _day(value: object) -> int:
    # A day outside int32 (a hand-edited record) would wrap; it cannot be a real date.
    return value if isinstance(value, int) and 0 < value < 2**31 else 0


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Rows scaled to length 1 as int8 codes and a scale each (a zero or non-finite row: all
    zeros, scale 0), and the largest length of (codes * scale - unit row) among them."""
    vectors = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    usable = np.isfinite(norms) & (norms > 0)
    unit = np.zeros_like(vectors)
    unit[usable] = vectors[usable] / norms[usable, None]
    scales = np.abs(unit).max(axis=1, initial=0.0) / 127.0
    codes = np.rint(unit / np.where(scales > 0, scales, 1.0)[:, None]).astype(np.int8)
    scales = scales.astype(np.float32)
    errors = np.linalg.norm(codes * scales[:, None].astype(np.float64) - unit, axis=1)
    return codes, scales, float(errors.max(initial=0.0))


def id_hash(encoded: bytes) -> int:
    """64 bits of BLAKE2b of a chunk id's UTF-8: what the index looks chunk ids up by."""
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "little")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _blob(parts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return np.frombuffer(b"".join(parts), dtype=np.uint8), offsets


def _write(first: _FirstPass, generation: str, target: Path) -> None:
    n = first.rows
    words = [_utf8(w) for w in first.vocabulary]  # by word id (first seen first)
    order = sorted(range(len(words)), key=words.__getitem__)
    rank = np.empty(len(words), dtype=np.int32)
    rank[order] = np.arange(len(words), dtype=np.int32)
    terms, lengths, pair_counts = (first.read(x) for x in ("pair_terms", "lengths", "pair_counts"))
    frequency = np.bincount(terms, minlength=len(words))
    # As bm25s: idf from Python floats, stored as float32; the mean length in float64.
    idf = np.array(
        [math.log(1 + (n - df + 0.5) / (df + 0.5)) for df in frequency.tolist()], dtype=np.float32
    )
    average = np.asarray(lengths, dtype=np.int64).mean() if n else 0.0
    term_bytes, term_offsets = _blob([words[i] for i in order])
    article_bytes, article_offsets = _blob([_utf8(a) for a in first.article_ids])
    id_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(first.read("id_lengths"), out=id_offsets[1:])
    hashes = np.asarray(first.read("id_hashes"))
    by_hash = np.argsort(hashes, kind="stable").astype(np.int32)
    small = {
        "id_hashes": hashes[by_hash],
        "id_hash_rows": by_hash,
        "term_starts": np.concatenate([[0], np.cumsum(frequency[order])]),
        "term_bytes": term_bytes,
        "term_offsets": term_offsets,
        "id_bytes": first.read("id_bytes"),
        "id_offsets": id_offsets,
        "days": first.read("days"),
        "outlets": first.read("outlets"),
        "articles": first.read("articles"),
        "article_bytes": article_bytes,
        "article_offsets": article_offsets,
    }
    streamed = {name: first.read(name) for name in ("vectors", "vector_scales")}
    sizes = {name: len(a) for name, a in (small | streamed).items()}
    shapes = {name: (dtype, sizes.get(name, len(terms))) for name, dtype in ARRAYS.items()}
    header = {
        "format": FORMAT,
        "version": VERSION,
        "generation": generation,
        "chunks": n,
        "outlets": list(first.outlets),
        "dimensions": first.dimensions or 0,
        "residual": first.residual,
        "sha256": _PLACEHOLDER,
    }
    maps = lexical_file.create(target, header, shapes)
    for name, values in small.items():
        maps[name][:] = values
    _copy_vectors(streamed, maps, first.dimensions or 0)
    cursor = small["term_starts"][:-1].copy()
    pair_starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(pair_counts, out=pair_starts[1:])
    row = 0
    while row < n:
        # Whole rows whose pairs fit in a block (at least one row).
        end = max(row + 1, int(np.searchsorted(pair_starts, pair_starts[row] + _PAIR_BLOCK)) - 1)
        end = min(end, n)
        _postings(first, rank, idf, average, (row, end), pair_starts, maps, cursor)
        row = end
    for array in maps.values():
        if isinstance(array, np.memmap):
            array.flush()
    del maps
    lexical_file.seal(target, header)


def _copy_vectors(streamed: dict[str, np.ndarray], maps: dict, dimensions: int) -> None:
    """The scratch vectors into the file a block of rows at a time, each block's pages, read
    and written, let go after it (1M chunks' vectors are ~0.4 GB: held, they were the
    build's peak)."""
    for start in range(0, len(streamed["vector_scales"]), _VECTOR_BLOCK):
        end = start + _VECTOR_BLOCK
        maps["vector_scales"][start:end] = streamed["vector_scales"][start:end]
        at = slice(start * dimensions, end * dimensions)
        maps["vectors"][at] = streamed["vectors"][at]
        for name in ("vectors", "vector_scales"):
            _release(maps[name])
            _release(streamed[name])


def _postings(  # noqa: PLR0913 - one block of the sort, its inputs spelled out
    first: _FirstPass,
    rank: np.ndarray,
    idf: np.ndarray,
    average: float,
    rows: tuple[int, int],
    pair_starts: np.ndarray,
    maps: dict[str, np.ndarray],
    cursor: np.ndarray,
) -> None:
    """Weights of the pairs of rows [start, end), put at their words' places in the postings."""
    start, end = rows
    begin, stop = int(pair_starts[start]), int(pair_starts[end])
    counts = first.read("pair_counts")[start:end]
    words = first.read("pair_terms")[begin:stop]
    tf = np.asarray(first.read("pair_tfs")[begin:stop], dtype=np.float32)
    length = np.repeat(np.asarray(first.read("lengths")[start:end]), counts)
    # bm25s (lucene): tf / (k1 * ((1 - b) + b * len / avg) + tf), times the word's idf.
    weights = (idf[words] * (tf / (K1 * ((1 - B) + B * length / average) + tf))).astype(np.float32)
    owners = np.repeat(np.arange(start, end, dtype=np.int32), counts)
    ranked = rank[words]
    order = np.argsort(ranked, kind="stable")  # by word, rows ascending within a word
    ranked = ranked[order]
    unique, first_at, per_word = np.unique(ranked, return_index=True, return_counts=True)
    places = cursor[ranked] + (np.arange(len(ranked)) - np.repeat(first_at, per_word))
    maps["posting_rows"][places] = owners[order]
    maps["posting_weights"][places] = weights[order]
    cursor[unique] += per_word
    for name in ("posting_rows", "posting_weights"):
        _release(maps[name])


def _release(array: np.ndarray) -> None:
    """Write a mapped array's pages out and drop them from this process: the postings are
    filled in random order, and at 1M chunks every page of the file would otherwise stay
    resident in the process building it (0.6 GB) until the end."""
    if isinstance(array, np.memmap):
        array.flush()
        array._mmap.madvise(mmap.MADV_DONTNEED)  # numpy keeps the mmap object there
