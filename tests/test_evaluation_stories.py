"""The stories evaluation end to end on a folder in the shared layout that the project wrote
(tests/stories_corpus.py): questions whose search results are one story each are grouped
back perfectly, and `--pick` scores the whole grid. Real embedder, real embedded store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.stories import THRESHOLDS, evaluate, main
from tests.stories_corpus import GARRISON, SANCTIONS, UNRELATED


def _write(folder: Path) -> Path:
    folder.mkdir()
    articles = [*GARRISON, *SANCTIONS, UNRELATED]
    rows = [{"id": f"r{i}", "title": a.title, "body": a.text, "source": a.source,
             "published_at": a.published_at, "url": a.url} for i, a in enumerate(articles)]  # fmt: skip
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    questions = [
        {"id": "q1", "question": "How many troops are at Camp Ardent?", "answer": "900",
         "search_result_ids": ["r0", "r1", "r2", "r3"]},
        {"id": "q2", "question": "Whose accounts were frozen?", "answer": "money changers",
         # The explanation passage is no search result: it is not part of the story.
         "search_result_ids": ["r4", "r5"], "explanation_article_id": "r6"},
    ]  # fmt: skip
    (folder / "questions.jsonl").write_text("\n".join(json.dumps(q) for q in questions))
    return folder


def test_stories_written_as_one_each_are_grouped_back(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(tmp_path / "data"))
    folder = _write(tmp_path / "set")
    result = evaluate(folder, None, 0, pick=False)
    assert (result["questions"], result["articles"]) == (2, 6)
    for proxy in ("search_results", "same_week"):
        figures = result["best"][proxy]
        assert figures["purity"] == figures["recall"] == figures["pair_f1"] == 1.0, proxy
    assert main([str(folder), "--pick", "--out", str(tmp_path / "out")]) == 0
    saved = json.loads((tmp_path / "out" / "stories.json").read_text())
    assert len(saved["rows"]) == 4 * len(THRESHOLDS)
    assert "best (same-week pair F1)" in capsys.readouterr().out


def test_a_folder_without_questions_is_named(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="questions.jsonl"):
        evaluate(tmp_path / "empty", None, 0, pick=False)
