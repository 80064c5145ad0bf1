"""PDF articles: the text layer becomes the article; PDFs without one are refused clearly."""

from __future__ import annotations

import re
import time
import zlib

import pytest

from ingest.loaders import load_file
from ingest.loaders.pdf import PdfLimits
from ingest.types import IngestError
from tests.ingest.helpers import (
    MB,
    assemble_pdf,
    blank_pdf,
    only_article,
    repeated_page_pdf,
    shown_lines,
    text_pdf,
    write,
)

LINES = [
    "Storm closes coastal roads",
    "Heavy rain closed three coastal roads on Tuesday, the highways agency said.",
    "Crews expect to reopen them by Thursday (weather permitting).",
]


def test_pdf_text_is_extracted_with_title_author_and_creation_date_from_metadata(tmp_path):
    info = {"Title": "Storm closes coastal roads", "Author": "Rui Costa"}
    info["CreationDate"] = "D:20240306090000Z"
    article = only_article(write(tmp_path, "storm.pdf", text_pdf(LINES, info)))
    assert article.title == "Storm closes coastal roads"
    assert (article.author, article.published_at) == ("Rui Costa", "2024-03-06")
    assert article.text == "\n\n".join(LINES[1:])


def test_pdf_without_metadata_takes_its_first_line_as_title_and_a_date_line(tmp_path):
    lines = [LINES[0], "Published: March 5, 2024", *LINES[1:]]
    article = only_article(write(tmp_path, "storm.PDF", text_pdf(lines)))
    assert (article.title, article.published_at) == ("Storm closes coastal roads", "2024-03-05")
    assert article.text.startswith("Heavy rain closed three coastal roads")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (blank_pdf(), "PDF has no extractable text (scanned?)"),
        (blank_pdf(password="secret"), "encrypted"),
        (b"%PDF-1.7\nthis is not really a pdf", "not a readable PDF"),
    ],
    ids=["no-text", "encrypted", "corrupt"],
)
def test_pdfs_without_usable_text_are_refused_with_a_reason(tmp_path, data, reason):
    with pytest.raises(IngestError, match=re.escape(reason)):
        load_file(write(tmp_path, "doc.pdf", data), max_bytes=MB)


def _one_page_pdf(content: bytes) -> bytes:
    """One page showing `content`, compressed: a few KB that may inflate to megabytes."""
    stream = zlib.compress(content, 9)
    return assemble_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def test_a_tiny_pdf_showing_one_page_a_thousand_times_is_refused_as_a_compression_bomb(tmp_path):
    lines = [f"Line {n} of the harbour pilots' strike report, repeated." for n in range(20)]
    data = repeated_page_pdf(10, shown_lines(lines))  # 1,024 pages, about 1.5 KB
    assert len(data) < 2048
    with pytest.raises(
        IngestError, match=r"100 times the file's [\d,]+ bytes .*NEWSDESK_PDF_MAX_EXPANSION"
    ):
        load_file(write(tmp_path, "bomb.pdf", data), max_bytes=MB)


def test_a_page_with_more_text_than_any_real_page_is_refused_naming_the_page(tmp_path):
    data = _one_page_pdf(b"BT /F1 11 Tf " + (b"(" + b"A" * 1000 + b") Tj ") * 300 + b"ET")
    with pytest.raises(IngestError, match=r"page 1 has over 100,000 characters"):
        load_file(write(tmp_path, "page.pdf", data), max_bytes=MB)


def test_one_stream_inflating_past_the_largest_file_size_is_refused_before_it_is_read(tmp_path):
    data = _one_page_pdf(b"BT /F1 11 Tf (" + b"A" * (3 * MB) + b") Tj ET")
    started = time.perf_counter()
    with pytest.raises(IngestError, match="PDF goes past a safety limit"):
        load_file(write(tmp_path, "inflate.pdf", data), max_bytes=MB)
    assert time.perf_counter() - started < 5


def test_pdf_extraction_stops_at_its_time_budget_naming_the_page(tmp_path):
    # 16,384 small pages: reading them all takes far longer than the budget allows.
    data = repeated_page_pdf(14, shown_lines(["Pilots strike."] * 5))
    limits = PdfLimits(max_expansion=1e9, max_seconds=0.5)
    started = time.perf_counter()
    with pytest.raises(IngestError, match=r"took over 0.5 seconds .* page \d+ .*PDF_SECONDS"):
        load_file(write(tmp_path, "slow.pdf", data), max_bytes=MB, pdf_limits=limits)
    assert time.perf_counter() - started < 10


def test_the_pdf_text_limit_comes_from_the_settings_and_other_files_still_go_in(tmp_path, make_app):
    app = make_app(**{"ingest.pdf.max_chars": 100})
    pdf = write(tmp_path, "in/storm.pdf", text_pdf(LINES))  # about 190 characters
    write(tmp_path, "in/note.txt", "Harbour note\n\nPilots returned to work on Friday.")
    outcome = app.ingest([tmp_path / "in"])
    assert [(p.path, p.reason) for p in outcome.problems] == [
        (str(pdf), "PDF text is over 100 characters (limit NEWSDESK_PDF_MAX_CHARS)")
    ]
    assert outcome.report.added and app.store.count_articles() == 1
