"""The BM25 index on disk between processes: plain arrays and JSON that cannot run code.

Rebuilding the index costs seconds at 10k chunks (reading every chunk, tokenising, indexing),
loading it a fraction of that, so a new process (`newsdesk ask`) loads the saved one. The file
is a NumPy .npz archive read with allow_pickle=False: a header (format, version, the store
generation it was built at, a SHA-256 of the rest), the chunks and vocabulary as JSON, and
bm25s's sparse score matrix as three arrays. Whatever is wrong with a file (foreign, truncated,
edited, a pickle planted under its name) is a CacheDamaged naming the file and the reason; the
store then rebuilds the index from Chroma and records the problem (docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from vectorstore.lexical import SCORE_ARRAYS, LexicalIndex, SavedParts

FORMAT = "newsdesk-bm25"
VERSION = 1
_DTYPES = {"data": np.float32, "indices": np.int32, "indptr": np.int64}
_BODY_FIELDS = ("chunk_ids", "metadatas", "documents", "vocab", "document_frequency")
# Chunk metadata the search reads without a fallback: a cache must carry them, typed.
_REQUIRED_META = {"article_id": str, "start": int, "end": int}


class CacheDamaged(ValueError):
    """The saved BM25 index cannot be used; the message names the file and why."""


def _json_bytes(value: object) -> np.ndarray:
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return np.frombuffer(raw, dtype=np.uint8)


def _checksum(body: np.ndarray, arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256(body.tobytes())
    for key in SCORE_ARRAYS:
        digest.update(f"{key}:{arrays[key].dtype.str}:{arrays[key].shape}".encode())
        digest.update(arrays[key].tobytes())
    return digest.hexdigest()


def save_index(index: LexicalIndex, path: Path) -> None:
    """Write atomically: a reader never sees half a file, concurrent writers never mix."""
    parts = index.saved_parts()
    body = _json_bytes({field: getattr(parts, field) for field in _BODY_FIELDS})
    arrays = {
        key: np.ascontiguousarray(parts.scores.get(key, np.zeros(0)), dtype=dtype)
        for key, dtype in _DTYPES.items()
    }
    header = {
        "format": FORMAT,
        "version": VERSION,
        "generation": parts.generation,
        "sha256": _checksum(body, arrays),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        np.savez(handle, header=_json_bytes(header), body=body, **arrays)
    os.replace(tmp, path)


def load_index(path: Path, generation: str) -> LexicalIndex | None:
    """The index saved at `path` if it was built at `generation`; None if there is no file or
    it is stale (another process wrote since). Raises CacheDamaged for a file that is there
    but unusable."""
    try:
        with path.open("rb") as handle:
            saved = np.load(handle, allow_pickle=False)
            if not isinstance(saved, np.lib.npyio.NpzFile):
                raise CacheDamaged(f"BM25 cache {path}: not a {FORMAT} archive")
            with saved:
                header = _read_header(saved["header"], path)
                if header["generation"] != generation:
                    return None
                body = saved["body"]
                arrays = {key: saved[key] for key in SCORE_ARRAYS}
    except FileNotFoundError:
        return None
    except CacheDamaged:
        raise
    except Exception as exc:  # zipfile, numpy and the OS raise many types for one bad file
        raise CacheDamaged(f"BM25 cache {path}: unreadable ({type(exc).__name__}: {exc})") from exc
    if _checksum(body, arrays) != header["sha256"]:
        raise CacheDamaged(f"BM25 cache {path}: checksum mismatch (edited or damaged)")
    try:
        parts = _parts(generation, json.loads(body.tobytes()), arrays)
    except (ValueError, TypeError, KeyError) as exc:
        raise CacheDamaged(f"BM25 cache {path}: inconsistent content ({exc})") from exc
    return LexicalIndex.restore(parts)


def _read_header(raw: np.ndarray, path: Path) -> dict:
    header = json.loads(raw.tobytes())
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CacheDamaged(f"BM25 cache {path}: not a {FORMAT} archive")
    if header.get("version") != VERSION:
        raise CacheDamaged(f"BM25 cache {path}: version {header.get('version')!r}, not {VERSION}")
    if not isinstance(header.get("generation"), str) or not isinstance(header.get("sha256"), str):
        raise CacheDamaged(f"BM25 cache {path}: header lacks generation or checksum")
    return header


def _parts(generation: str, body: object, arrays: dict[str, np.ndarray]) -> SavedParts:
    """SavedParts from a parsed file, after checking every shape a search relies on: a cache
    that passes cannot make a search fail."""
    if not isinstance(body, dict):
        raise TypeError("body is not an object")
    ids, metas, docs = body["chunk_ids"], body["metadatas"], body["documents"]
    vocab, frequency = body["vocab"], body["document_frequency"]
    _expect(all(isinstance(x, list) for x in (ids, metas, docs)), "chunk lists must be lists")
    _expect(all(isinstance(x, str) for x in ids + docs), "chunk ids and texts must be strings")
    _expect(len(ids) == len(metas) == len(docs), "chunk lists differ in length")
    _expect(all(_valid_meta(m) for m in metas), "a chunk's metadata is malformed")
    for name, mapping in (("vocabulary", vocab), ("document frequency", frequency)):
        _expect(
            isinstance(mapping, dict) and all(_is_int(v) for v in mapping.values()),
            f"{name} must map words to integers",
        )
    for key, dtype in _DTYPES.items():
        _expect(arrays[key].dtype == dtype and arrays[key].ndim == 1, f"{key} has a wrong type")
    data, indices, indptr = (arrays[key] for key in SCORE_ARRAYS)
    if ids:
        # The score matrix: one column per word, indptr[i]..indptr[i+1] its rows in data.
        _expect(len(indptr) >= 1 and indptr[0] == 0, "score matrix starts wrong")
        _expect(bool(np.all(np.diff(indptr) >= 0)), "score matrix columns out of order")
        _expect(indptr[-1] == len(data) == len(indices), "score matrix sizes disagree")
        _expect(not len(indices) or 0 <= indices.min() <= indices.max() < len(ids), "bad rows")
        words = [v for token, v in vocab.items() if token]  # "" is bm25s's never-asked token
        _expect(all(0 <= v < len(indptr) - 1 for v in words), "vocabulary beyond the matrix")
    return SavedParts(
        generation=generation,
        chunk_ids=ids,
        metadatas=metas,
        documents=docs,
        scores=dict(zip(SCORE_ARRAYS, (data, indices, indptr), strict=True)),
        vocab=vocab,
        document_frequency=frequency,
    )


def _expect(condition: bool, why: str) -> None:
    if not condition:
        raise ValueError(why)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid_meta(meta: object) -> bool:
    if not isinstance(meta, dict):
        return False
    if not all(isinstance(meta.get(key), kind) for key, kind in _REQUIRED_META.items()):
        return False
    day = meta.get("published_day")
    return all(isinstance(v, str | int | float | bool) for v in meta.values()) and (
        day is None or _is_int(day)
    )
