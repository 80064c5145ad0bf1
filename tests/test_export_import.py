"""`newsdesk export` / `newsdesk import`: a round trip is exact; bad files change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.app import Newsdesk
from assistant.cli import main
from bench.crash_soak import snapshot
from vectorstore.records import SCHEMA_VERSION

pytestmark = pytest.mark.slow


def _cli(*args: str) -> int:
    return main([*args, "--no-sample"])


def test_export_then_import_into_an_empty_store_then_export_gives_the_same_bytes(
    sample_app: Newsdesk, make_app, tmp_path: Path
):
    first = tmp_path / "first.jsonl"
    assert _cli("export", str(first), "--data-dir", str(sample_app.settings.data_dir)) == 0
    lines = first.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["schema_version"] == SCHEMA_VERSION
    assert header["articles"] == len(lines) - 1 == sample_app.store.count_articles() >= 8
    record = json.loads(lines[1])
    assert {"id", "title", "text", "source", "published_at", "url", "author", "origin"} <= set(
        record
    ) and record["ingested_at"] > 0
    assert record["sample"] is True  # a sample stays marked as one in the restored store

    restored_dir = tmp_path / "restored"
    assert _cli("import", str(first), "--data-dir", str(restored_dir)) == 0
    second = tmp_path / "second.jsonl"
    assert _cli("export", str(second), "--data-dir", str(restored_dir)) == 0
    assert second.read_bytes() == first.read_bytes()

    restored = make_app("restored")
    # Same article ids and metadata, same chunk ids, texts and offsets, nothing else.
    assert snapshot(restored.store) == snapshot(sample_app.store)
    # And the restored store answers as the original does.
    answer = restored.ask("How many US troops are in Syria?")
    assert "900" in answer.text and answer.citations


def _write(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


HEADER = {"format": "newsdesk-export", "schema_version": SCHEMA_VERSION, "articles": 2}
GOOD = {"id": "a1", "title": "Ferry fares rise", "text": "Ferry fares rose by 4 percent."}


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ((HEADER, GOOD, {"id": "a2", "title": "No text"}), "bad.jsonl:3: field 'text'"),
        ((HEADER, GOOD), "announces 2 articles but the file holds 1"),
        (({**HEADER, "schema_version": SCHEMA_VERSION + 1}, GOOD), "newer than this Newsdesk"),
        (({"title": "x"}, GOOD), "bad.jsonl:1: not a Newsdesk export"),
    ],
)
def test_a_bad_export_file_is_refused_naming_file_and_line_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], records: tuple, message: str, make_app
):
    bad = _write(tmp_path / "bad.jsonl", *records)
    assert _cli("import", str(bad), "--data-dir", str(tmp_path / "store")) == 2
    assert message in capsys.readouterr().err
    assert make_app("store").store.count_articles() == 0


def test_a_line_that_is_not_json_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(HEADER) + "\n" + json.dumps(GOOD) + "\n{not json\n")
    assert _cli("import", str(bad), "--data-dir", str(tmp_path / "store")) == 2
    assert f"{bad}:3: malformed JSON" in capsys.readouterr().err


def test_check_reports_orphan_chunks_and_repair_removes_them(
    make_app, capsys: pytest.CaptureFixture[str]
):
    app = make_app("damaged")
    app.ingest_records([{"title": GOOD["title"], "body": GOOD["text"]}])
    [(article, _)] = app.store.article_records()
    _, articles = app.store.collections()
    articles.delete(ids=[article.id])  # a crash between chunks and record
    data_dir = str(app.settings.data_dir)
    assert _cli("check", "--data-dir", data_dir) == 1
    assert "1 orphan chunk(s)" in capsys.readouterr().out
    assert _cli("check", "--repair", "--data-dir", data_dir) == 0
    assert _cli("check", "--data-dir", data_dir) == 0
    assert "0 article(s), 0 chunk(s): 0 orphan" in capsys.readouterr().out
