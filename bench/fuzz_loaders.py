"""Fuzz every loader: hostile files must give articles or the documented IngestError, never a
crash, a hang or runaway memory.

    python -m bench.fuzz_loaders --minutes 10 [--seed N]

Runs hypothesis with random (not derandomized) data for the given time, in a child process
with an address-space limit (NEWSDESK_FUZZ_MEMORY_MB, default 2048) and a CPU-time limit,
then runs the hand-made hostile files below. tests/ingest/test_fuzz_loaders.py runs the same
checks with fewer, fixed examples.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from ingest.loaders import LOADERS, load_file
from ingest.types import IngestError

MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = sorted(LOADERS)


def load_or_refuse(suffix: str, data: bytes, folder: Path) -> str:
    """'ok', or 'refused: reason' for an IngestError; anything else propagates (a bug)."""
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        articles, _ = load_file(path, max_bytes=MAX_BYTES)
    except IngestError as exc:
        return f"refused: {exc}"
    for article in articles:  # what a loader returns must be usable downstream
        assert article.title.strip() and article.text.strip(), article
    return "ok"


def _pdf(objects: list[bytes], *, xref: bool = True, trailer_size: int | None = None) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    size = trailer_size if trailer_size is not None else len(objects) + 1
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, start)
    return bytes(out)


def _page_pdf(count: int, content: bytes, *, flate: bool = False) -> bytes:
    stream = zlib.compress(content) if flate else content
    extra = b" /Filter /FlateDecode" if flate else b""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d%s >>\nstream\n" % (len(stream), extra) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def _repeated_page_pdf(levels: int, content: bytes) -> bytes:
    """2**levels pages, one compressed stream: each tree level lists the next one twice."""
    stream = zlib.compress(content)
    node = b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count %d >>"
    kids = [node % (n + 3, n + 3, 2 ** (levels - n)) for n in range(levels)]
    page = levels + 2
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            *kids,
            b"<< /Type /Page /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (page + 1, page + 2),
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )  # fmt: skip


def hostile_files() -> dict[str, bytes]:
    """Named hostile inputs: deep nesting, huge lines, odd encodings, PDFs that lie."""
    text = b"BT /F1 12 Tf 72 720 Td (Harbour pilots strike over rosters.) Tj ET"
    good_pdf = _page_pdf(1, text)
    return {
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
        "deep-object.json": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "deep-line.jsonl": b'{"title": "t", "body": ' + b"[" * 100_000 + b"\n",
        "truncated.json": b'{"title": "Harbour", "body": "Pilots walked out on Tues',
        "deep.html": b"<html><body>" + b"<div>" * 100_000 + b"text" + b"</div>" * 10 + b"",
        "unclosed.html": b"<html><head><title>Strike</title></head><body><p>" + b"<b><i>" * 50_000,
        "huge-line.txt": b"Headline\n\n" + b"word " * 2_000_000,
        "huge-line.md": b"# Headline\n\n" + b"x" * 15_000_000,
        "huge-tag.html": b"<html><body><p " + b"a=1 " * 2_000_000 + b">text</p></body></html>",
        "utf16-no-bom.txt": "Harbour pilots strike\n\nPilots walked out.".encode("utf-16-le"),
        "utf16-no-bom.html": "<html><title>x</title><p>Pilots</p></html>".encode("utf-16-be"),
        "mixed-encodings.txt": "Headline ‘quoted’\n\n".encode("cp1252") + "Zürich é".encode(),
        "utf32-bom.md": "\ufeff# Headline\n\nBody text here.".encode("utf-32"),
        "bad-bom.txt": b"\xff\xfe" + b"\x00\xd8" * 10,  # UTF-16 BOM, lone surrogates
        "truncated.pdf": good_pdf[: len(good_pdf) // 2],
        "wrong-xref.pdf": good_pdf.replace(b"startxref\n", b"startxref\n9").replace(
            b"0000000", b"9999999"
        ),
        "huge-page-count.pdf": _page_pdf(2_000_000_000, text),
        "self-parent.pdf": _page_pdf(1, text).replace(b"/Kids [3 0 R]", b"/Kids [2 0 R]"),
        "flate-bomb.pdf": _page_pdf(1, b"BT (" + b"A" * 300_000_000 + b") Tj ET", flate=True),
        "shared-page-bomb.pdf": _repeated_page_pdf(12, text.replace(b" Tj", b" Tj T*") * 50),
        "no-trailer.pdf": b"%PDF-1.7\n" + b"1 0 obj << >> endobj\n" * 1000,
        "not-a.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 100,
    }


def limit_resources(memory_mb: int, cpu_s: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))


def run_hostile(folder: Path, report: Callable[[dict], None]) -> int:
    """Load each hostile file; returns how many did something other than load or refuse."""
    bad = 0
    for name, data in hostile_files().items():
        started = time.perf_counter()
        try:
            outcome = load_or_refuse(Path(name).suffix, data, folder)
        except BaseException as exc:  # noqa: BLE001 - any escape is the finding
            outcome, bad = f"CRASH {type(exc).__name__}: {str(exc)[:200]}", bad + 1
        seconds = round(time.perf_counter() - started, 2)
        report({"file": name, "bytes": len(data), "seconds": seconds, "outcome": outcome[:160]})
    return bad


def _check_format(suffix: str, folder: Path, seed: int | None) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hyp_seed
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(data=st.one_of(st.binary(max_size=4096), text_like(suffix)))
    def check(data: bytes) -> None:
        load_or_refuse(suffix, data, folder)

    (hyp_seed(seed)(check) if seed is not None else check)()


def fuzz_for(minutes: float, seed: int | None) -> None:
    deadline = time.monotonic() + minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(10**6):
            for suffix in SUFFIXES:
                if time.monotonic() > deadline:
                    return
                _check_format(suffix, Path(tmp), None if seed is None else seed + round_)
            print(json.dumps({"round": round_ + 1, "formats": len(SUFFIXES)}), flush=True)


def text_like(suffix: str):  # noqa: ANN201 - a hypothesis strategy of bytes
    """Data shaped like the format: structure fragments, odd characters, odd encodings."""
    from hypothesis import strategies as st

    fragments = {
        ".json": ['{"title": ', '"body": ', "[", "]", "{", "}", ",", '"x"', "1e999", "null"],
        ".jsonl": ['{"title": "t", "body": "b"}\n', "{", "\n", '"', "[", "1"],
        ".ndjson": ['{"title": "t", "body": "b"}\n', "{", "\n"],
        ".html": ["<html>", "<p>", "</p>", "<div>", "<script>", "<!--", "<title>", "&amp;", "<"],
        ".htm": ["<p>", "</div>", "<meta property='og:title' content='", "'>", "<time>"],
        ".pdf": ["%PDF-1.4\n", "obj", "<<", ">>", "stream\n", "xref", "trailer", "%%EOF", "/Pages"],
        ".md": ["---\n", "title: ", "# ", "\n\n", "*", "[x](y)", "published_at: 2024-01-01\n"],
        ".markdown": ["---\n", "# ", "\n"],
        ".txt": ["Headline\n", "\n\n", "Published: ", "Updated: December 04, 2023", "\r"],
        ".text": ["Headline\n", "\n"],
    }.get(suffix, ["x"])
    encodings = st.sampled_from(["utf-8", "utf-16-le", "utf-16", "cp1252", "latin-1", "utf-32"])
    pieces = st.lists(st.one_of(st.sampled_from(fragments), st.text(max_size=40)), max_size=60)
    return st.tuples(pieces, encodings).map(
        lambda pe: "".join(pe[0]).encode(pe[1], errors="replace")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--hostile-only", action="store_true")
    args = parser.parse_args(argv)
    limit_resources(args.memory_mb, int(args.minutes * 60) + 600)
    with tempfile.TemporaryDirectory() as tmp:
        bad = run_hostile(Path(tmp), lambda row: print(json.dumps(row), flush=True))
    if not args.hostile_only:
        fuzz_for(args.minutes, args.seed)
    print(json.dumps({"hostile_failures": bad, "fuzz_minutes": args.minutes}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
