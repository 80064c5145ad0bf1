"""Bad input is refused with a reason naming the file; odd but valid encodings are read."""

from __future__ import annotations

import pytest

from ingest.loaders import load_file
from ingest.pipeline import load_paths
from ingest.types import IngestError
from tests.ingest.helpers import MB, only_article, write

GOOD = "Harbour tunnel opens\n\nThe harbour tunnel opened to traffic on Saturday.\n"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n\t\n", "empty file"),
        ("binary.txt", bytes(range(256)) * 8, "binary content"),
        ("controls.txt", b"Title\n\n" + b"\x01\x02\x03\x04" * 50, "binary content"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        ("undecodable.txt", b"Title\n\nBad bytes \x81\x8d\x8f here.", "not valid UTF-8"),
        ("broken.json", b'{"title": "x", "body": ', "malformed JSON"),
        ("empty-list.json", b"[]", "no records"),
        ("number.json", b"42", "expected an object"),
        ("blank-lines.jsonl", b"\n \n", "empty file"),
        ("headline-only.txt", b"Just a headline\n", "no article text"),
        ("letter.docx", b"PK\x03\x04 zipped", "unsupported file type '.docx'"),
        ("README", b"no extension at all", "unsupported file type '(none)'"),
    ],
)
def test_each_kind_of_bad_file_is_one_problem_with_a_clear_reason(tmp_path, name, data, reason):
    path = write(tmp_path, name, data)
    result = load_paths([path])
    assert result.articles == []
    assert [p.path for p in result.problems] == [str(path)]
    assert reason in result.problems[0].reason


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(tmp_path):
    path = write(tmp_path, "huge.txt", GOOD + "More words. " * 200)
    with pytest.raises(IngestError, match=r"over the 1000 bytes limit"):
        load_file(path, max_bytes=1000)
    with pytest.raises(IngestError, match=r"over the 1\.0 KB limit"):
        load_file(path, max_bytes=1024)


def test_a_missing_file_is_refused_not_crashed_on(tmp_path):
    with pytest.raises(IngestError, match="no such file or folder"):
        load_file(tmp_path / "missing.txt", max_bytes=MB)


def test_windows_1252_text_with_curly_quotes_is_decoded(tmp_path):
    text = "Mayor\u2019s plan\n\n\u201cWe will act,\u201d she said \u2013 today."
    article = only_article(write(tmp_path, "cp1252.txt", text.encode("cp1252")))
    assert article.title == "Mayor\u2019s plan"
    assert article.text == "\u201cWe will act,\u201d she said \u2013 today."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_text_with_a_byte_order_mark_is_decoded(tmp_path, encoding):
    data = GOOD.replace("opens", "opens \u2014 at last").encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # the -be codec writes no BOM itself
    article = only_article(write(tmp_path, "bom.txt", data))
    assert article.title == "Harbour tunnel opens \u2014 at last"
    assert article.text == "The harbour tunnel opened to traffic on Saturday."


def test_utf16_html_with_a_bom_is_decoded(tmp_path):
    page = "<html><head><title>Caf\u00e9 closes</title></head><body><p>It shut.</p></body></html>"
    article = only_article(write(tmp_path, "page.html", page.encode("utf-16")))
    assert (article.title, article.text) == ("Caf\u00e9 closes", "It shut.")
