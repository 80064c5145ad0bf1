"""PDF articles: the text layer becomes the article; PDFs without one are refused clearly."""

from __future__ import annotations

import re

import pytest

from ingest.loaders import load_file
from ingest.types import IngestError
from tests.ingest.helpers import MB, blank_pdf, only_article, text_pdf, write

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
