"""One file of plain binary arrays behind a JSON header, memory-mapped when read.

The BM25 index (vectorstore/lexical.py) lives in such a file so that its size in memory does
not grow with the text: the arrays stay on disk and every process on the machine maps the
same pages. Nothing here can run code when read (no pickle): the file is

    MAGIC | header length (8 bytes, little-endian) | header JSON | arrays, 64-byte aligned

and the header names the format, version, store generation and each array's dtype, length
and offset, with one SHA-256 over the arrays. `read_arrays` checks all of that by streaming
the file with plain reads (a check through the mapping would pull every page into this
process); `ArrayChecks` watch the same blocks for the bounds a search relies on.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"NEWSDESK-ARRAYS\n"
_ALIGN = 64
_BLOCK = 1 << 23  # bytes read at a time while checking: 8 MiB


class CacheDamaged(ValueError):
    """A saved index cannot be used; the message names the file and why."""


@dataclass
class Stats:
    """What a streamed array looked like: extremes, ends, whether it never decreased."""

    size: int = 0
    low: float | None = None
    high: float | None = None
    first: float | None = None
    last: float | None = None
    ordered: bool = True

    def add(self, block: np.ndarray) -> None:
        if not len(block):
            return
        if self.first is None:
            self.first = block[0].item()
        elif block[0] < self.last:
            self.ordered = False
        self.ordered = self.ordered and bool(np.all(block[1:] >= block[:-1]))
        low, high = block.min().item(), block.max().item()
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)
        self.last = block[-1].item()
        self.size += len(block)


def layout(header: dict, shapes: Mapping[str, tuple[np.dtype, int]]) -> tuple[bytes, int]:
    """The header bytes (with a table of where each array goes) and the file's total size.
    `header` gains "arrays"; its "sha256" must already hold a 64-character placeholder, so
    that filling in the real digest later keeps every offset."""
    start = 0
    while True:  # the offsets are in the header, so its length depends on them
        table, offset = {}, start
        for name, (dtype, length) in shapes.items():
            table[name] = {"dtype": np.dtype(dtype).str, "length": int(length), "offset": offset}
            offset += _aligned(np.dtype(dtype).itemsize * int(length))
        header["arrays"] = table
        raw = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
        needed = _aligned(len(MAGIC) + 8 + len(raw))
        if needed <= start:
            return raw, offset
        start = needed


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def create(path: Path, header: dict, shapes: Mapping[str, tuple[np.dtype, int]]) -> dict:
    """Make `path` at its full size with the header's table; returns writable maps of its
    arrays. `seal` then writes the checksum."""
    raw, total = layout(header, shapes)
    with path.open("wb") as handle:
        handle.write(MAGIC + len(raw).to_bytes(8, "little") + raw)
        handle.truncate(total)
    return {name: _map(path, entry, "r+") for name, entry in header["arrays"].items()}


def seal(path: Path, header: dict) -> None:
    """Fill in the SHA-256 of the arrays now that they are written, and flush to disk."""
    header["sha256"] = _digest(path, header, {})
    raw = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    with path.open("r+b") as handle:
        handle.seek(len(MAGIC) + 8)
        handle.write(raw)  # the same length: the digest replaced a placeholder of its size
        handle.flush()
        os.fsync(handle.fileno())


def read_header(path: Path) -> dict:
    """The header of `path` (FileNotFoundError when there is none); CacheDamaged when the
    file is not one of these."""
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC) + 8)
        if len(head) < len(MAGIC) + 8 or head[: len(MAGIC)] != MAGIC:
            raise CacheDamaged(f"{path}: not a Newsdesk array file")
        size = int.from_bytes(head[len(MAGIC) :], "little")
        if size > 1 << 24:
            raise CacheDamaged(f"{path}: header of {size} bytes is not plausible")
        raw = handle.read(size)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CacheDamaged(f"{path}: unreadable header ({exc})") from exc
    if not isinstance(header, dict) or not isinstance(header.get("arrays"), dict):
        raise CacheDamaged(f"{path}: header lacks its table of arrays")
    return header


def read_arrays(
    path: Path,
    header: dict,
    expected: Mapping[str, np.dtype],
    watch: Mapping[str, Callable[[np.ndarray], None]],
) -> dict[str, np.ndarray]:
    """The arrays of `path`, memory-mapped read-only, after checking that the table names
    exactly `expected` with those dtypes, that they lie inside the file, and that their
    SHA-256 matches; `watch[name]` sees every block of that array on the way."""
    table = header["arrays"]
    if set(table) != set(expected):
        raise CacheDamaged(f"{path}: arrays {sorted(table)}, expected {sorted(expected)}")
    size = path.stat().st_size
    for name, dtype in expected.items():
        entry = table[name]
        fields = (entry.get("dtype"), entry.get("length"), entry.get("offset"))
        if fields[0] != np.dtype(dtype).str or not all(_natural(v) for v in fields[1:]):
            raise CacheDamaged(f"{path}: array {name} is described wrongly")
        if entry["offset"] + entry["length"] * np.dtype(dtype).itemsize > size:
            raise CacheDamaged(f"{path}: truncated (array {name} ends past the file)")
    if _digest(path, header, watch) != header.get("sha256"):
        raise CacheDamaged(f"{path}: checksum mismatch (edited or damaged)")
    return {name: _map(path, entry, "r") for name, entry in table.items()}


def _natural(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _digest(path: Path, header: dict, watch: Mapping[str, Callable[[np.ndarray], None]]) -> str:
    digest = hashlib.sha256()
    with path.open("rb", buffering=0) as handle:
        for name, entry in header["arrays"].items():
            dtype = np.dtype(entry["dtype"])
            digest.update(f"{name}:{dtype.str}:{entry['length']};".encode())
            handle.seek(entry["offset"])
            left = entry["length"] * dtype.itemsize
            step = _BLOCK - _BLOCK % dtype.itemsize
            while left:
                block = handle.read(min(step, left))
                if not block:
                    raise CacheDamaged(f"{path}: truncated in array {name}")
                if len(block) % dtype.itemsize:
                    raise CacheDamaged(f"{path}: array {name} cut mid-value")
                digest.update(block)
                left -= len(block)
                if name in watch:
                    watch[name](np.frombuffer(block, dtype=dtype))
    return digest.hexdigest()


def _map(path: Path, entry: dict, mode: str) -> np.ndarray:
    dtype = np.dtype(entry["dtype"])
    if entry["length"] == 0:  # a zero-length map is an error in mmap
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode=mode, offset=entry["offset"], shape=entry["length"])
