"""Small helpers shared by the ingest tests: writing fixture files and building PDFs by hand."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

from pypdf import PdfWriter

from ingest.loaders import load_file
from ingest.types import Article

MB = 1024 * 1024


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def only_article(path: Path) -> Article:
    """The single article a file gives, asserting it gave exactly one and no problems."""
    articles, problems = load_file(path, max_bytes=MB)
    assert problems == [], problems
    assert len(articles) == 1, articles
    return articles[0]


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def assemble_pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF of `objects` (numbered from 1, the first the catalog) with its cross-reference
    table: pypdf cannot lay out text, so tests write the objects themselves."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def text_pdf(lines: list[str], info: dict[str, str] | None = None) -> bytes:
    """A minimal valid one-page PDF whose text layer holds `lines` (Helvetica, ASCII only)."""
    shown = " T* ".join(f"{_pdf_string(line)} Tj" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 72 720 Td {shown} ET".encode("latin-1")
    info_entries = " ".join(f"/{k} {_pdf_string(v)}" for k, v in (info or {}).items())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        _HELVETICA,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        f"<< {info_entries} >>".encode("latin-1"),
    ]
    return assemble_pdf(objects, b"/Info 6 0 R ")


def repeated_page_pdf(levels: int, content: bytes) -> bytes:
    """A PDF of 2**levels pages that all show one compressed content stream: each level of
    the page tree lists the next level twice, so the file stays a few hundred bytes long."""
    stream = zlib.compress(content, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(levels):
        kid = 3 + level
        objects.append(
            b"<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count %d >>"
            % (kid, kid, 2 ** (levels - level))
        )
    page = len(objects) + 1
    objects += [
        b"<< /Type /Page /MediaBox [0 0 612 792] /Contents %d 0 R"
        b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (page + 1, page + 2),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        _HELVETICA,
    ]
    return assemble_pdf(objects)


def shown_lines(lines: list[str]) -> bytes:
    """A content stream showing `lines` one under another."""
    return (
        b"BT /F1 11 Tf 14 TL 72 720 Td "
        + b" T* ".join(b"(%s) Tj" % line.encode("latin-1") for line in lines)
        + b" ET"
    )


def blank_pdf(password: str | None = None) -> bytes:
    """A PDF with one empty page (no text layer), optionally encrypted with `password`."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
