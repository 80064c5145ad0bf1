"""Batches: folders are walked, each file stands alone, and duplicates are kept once."""

from __future__ import annotations

import json
from pathlib import Path

from ingest import load_paths
from ingest.pipeline import discover
from tests.ingest.helpers import blank_pdf, write

GOOD = "Harbour tunnel opens\n\nThe harbour tunnel opened to traffic on Saturday.\n"


def test_a_folder_is_walked_recursively_in_order_skipping_hidden_and_unsupported_files(tmp_path):
    write(tmp_path, "b.txt", "Headline B\n\nBody of article B.")
    write(tmp_path, "a/z.md", "# Headline Z\n\nBody of article Z.")
    write(tmp_path, "a/notes.docx", b"PK\x03\x04")
    write(tmp_path, ".git/c.txt", "Hidden\n\nInside a hidden folder.")
    write(tmp_path, ".hidden.txt", "Hidden\n\nA hidden file.")
    assert discover([tmp_path]) == [tmp_path / "a" / "z.md", tmp_path / "b.txt"]
    result = load_paths([tmp_path])
    assert [a.title for a in result.articles] == ["Headline Z", "Headline B"]
    assert result.problems == [] and result.files_seen == 2


def test_an_unsupported_file_named_explicitly_is_a_problem_not_skipped(tmp_path):
    path = write(tmp_path, "notes.docx", b"PK\x03\x04")
    [problem] = load_paths([path]).problems
    assert problem.path == str(path) and "unsupported file type" in problem.reason


def test_a_missing_path_is_a_problem_and_the_batch_goes_on(tmp_path):
    good = write(tmp_path, "good.txt", GOOD)
    result = load_paths([tmp_path / "nowhere", good])
    assert [a.title for a in result.articles] == ["Harbour tunnel opens"]
    assert [(p.path, p.reason) for p in result.problems] == [
        (str(tmp_path / "nowhere"), "no such file or folder")
    ]


def test_bad_files_beside_good_ones_give_one_problem_each_and_the_good_articles(tmp_path):
    bad = {
        "empty.txt": b"",
        "binary.txt": bytes(range(256)) * 4,
        "broken.json": b"{",
        "scanned.pdf": blank_pdf(),
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
    }
    for name, data in bad.items():
        write(tmp_path, name, data)
    write(tmp_path, "good.txt", GOOD)
    write(tmp_path, "feed.jsonl", json.dumps({"title": "Feed item", "body": "Feed body."}))
    result = load_paths([tmp_path], max_bytes=1024 * 1024)
    assert sorted(a.title for a in result.articles) == ["Feed item", "Harbour tunnel opens"]
    assert sorted(Path(p.path).name for p in result.problems) == sorted(bad)
    assert all(p.reason for p in result.problems)


def test_the_same_content_gets_the_same_id_and_is_kept_once_per_batch(tmp_path):
    one = write(tmp_path, "one.txt", "Same story\n\nIdentical   body text.")
    two = write(tmp_path, "two.md", "# Same story\n\nIdentical body text.")
    three = write(tmp_path, "three.json", json.dumps({"title": "Same story", "body": "Other."}))
    first, second = load_paths([one]).articles, load_paths([two]).articles
    assert first[0].id == second[0].id
    result = load_paths([one, two, three])
    assert [a.origin for a in result.articles] == [str(one), str(three)]


def test_a_progress_bar_goes_to_stderr_only(tmp_path, capsys):
    for n in range(5):
        write(tmp_path, f"{n}.txt", f"Headline {n}\n\nBody number {n}.")
    result = load_paths([tmp_path], progress=True)
    assert len(result.articles) == 5
    assert capsys.readouterr().out == ""
