"""Bad input is reported with its path and reason, and never costs the rest of the batch."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter

from ingest.dates import parse_date
from ingest.loaders import load_file
from ingest.pipeline import load_paths
from ingest.types import IngestError

GOOD = "Harbour tunnel opens\n\nThe harbour tunnel opened to traffic on Saturday.\n"


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "blank.md": (b"   \n\n  ", "empty file"),
    "binary.txt": (bytes(range(256)) * 4, "binary content"),
    "image.html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
    "broken.json": (b'{"title": "x", "body": ', "malformed JSON"),
    "scanned.pdf": (blank_pdf(), "no extractable text"),
    "corrupt.pdf": (b"%PDF-1.7\nthis is not really a pdf", "not a readable PDF"),
    "letter.docx": (b"PK\x03\x04 zipped", "unsupported file type"),
    "list.json": (b"[]", "no records"),
    "number.json": (b"42", "expected an object"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_kind_of_bad_file_gets_a_clear_reason(tmp_path, name):
    data, reason = BAD_FILES[name]
    path = tmp_path / name
    path.write_bytes(data)
    result = load_paths([path])
    assert result.articles == []
    assert len(result.problems) == 1
    assert result.problems[0].path.startswith(str(path))
    assert reason in result.problems[0].reason


def test_a_batch_with_bad_files_still_loads_the_good_ones(tmp_path):
    for name, (data, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    result = load_paths([tmp_path, tmp_path / "letter.docx", tmp_path / "missing.txt"])
    assert [a.title for a in result.articles] == ["Harbour tunnel opens"]
    named = {Path(p.path.split(":")[0].split("[")[0]).name for p in result.problems}
    assert named == set(BAD_FILES) | {"missing.txt"}


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text(GOOD + "More words. " * 2000, encoding="utf-8")
    with pytest.raises(IngestError, match="over the 0.0 MB limit"):
        load_file(path, max_bytes=1000)


def test_a_missing_path_is_a_problem_not_a_crash(tmp_path):
    result = load_paths([tmp_path / "nowhere"])
    assert result.problems[0].reason == "no such file or folder"


def test_windows_1252_text_with_curly_quotes_is_decoded(tmp_path):
    path = tmp_path / "cp1252.txt"
    path.write_bytes("Mayor\u2019s plan\n\n\u201cWe will act,\u201d she said.".encode("cp1252"))
    [article], _ = load_file(path, max_bytes=10_000)
    assert article.title == "Mayor\u2019s plan"
    assert article.text == "\u201cWe will act,\u201d she said."


def test_utf16_text_with_a_bom_is_decoded(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes(GOOD.encode("utf-16"))
    [article], _ = load_file(path, max_bytes=10_000)
    assert article.title == "Harbour tunnel opens"


def test_deeply_nested_json_and_html_fail_cleanly(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (tmp_path / "deep.html").write_text(
        "<html><body>" + "<div>" * 20_000 + "text" + "</div>" * 20_000 + "</body></html>",
        encoding="utf-8",
    )
    result = load_paths([tmp_path])
    assert len(result.problems) == 2
    assert all(p.reason for p in result.problems)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Updated: December 04, 2023, 10:39 AM", "2023-12-04T10:39:00"),
        ("Published March 12, 2024", "2024-03-12"),
        ("Published on: 2024/05/02", "2024-05-02"),
        ("4 December 2023", "2023-12-04"),
        ("Mon, 04 Dec 2023 10:39:00 GMT", "2023-12-04T10:39:00+00:00"),
        ("2024-09-18T14:00:00Z", "2024-09-18T14:00:00+00:00"),
        ("2023-12-04", "2023-12-04"),
        ("Monday", None),
        ("10:39 AM", None),
        ("not a date 2023", None),
        ("", None),
    ],
)
def test_dates_are_read_from_the_shapes_news_uses_and_garbage_is_not(raw, expected):
    assert parse_date(raw) == expected
