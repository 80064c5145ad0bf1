"""Saved answers live in the store: another Newsdesk on the same store (a second process, a
second server) finds them by their unguessable id, as they were when asked."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.app import Newsdesk
from tests.handover.conftest import ARTICLES, ASKED_AT
from vectorstore.saved_answers import is_id
from vectorstore.transfer import ExportFormatError


def test_a_saved_conversation_is_found_by_another_newsdesk_on_the_same_store(
    make_app: Callable[..., Newsdesk], harbour_app: Newsdesk, answers
):
    saved = harbour_app.save_answers([(a, ASKED_AT) for a in answers], title="Harbour")
    one = harbour_app.save_answers([(answers[0], ASKED_AT)])
    assert is_id(saved.id) and saved.id != one.id
    assert (saved.kind, one.kind) == ("conversation", "answer")
    harbour_app.close()
    other = make_app()  # the same data folder: the same embedded store
    found = other.saved_answer(saved.id)
    assert found is not None and found.title == "Harbour"
    assert [asked for _, asked in found.turns] == [ASKED_AT, ASKED_AT]
    for (kept, _), asked in zip(found.turns, answers, strict=True):
        assert kept.text == asked.text and kept.citations == asked.citations
    assert other.saved_answer(one.id).turns[0][0].question == answers[0].question


def test_an_unknown_or_malformed_id_finds_nothing(harbour_app: Newsdesk, answers):
    harbour_app.save_answers([(answers[0], ASKED_AT)])
    for ref in ("A" * 24, "../../etc/passwd", "", "x" * 5000, "' OR 1=1 --"):
        assert harbour_app.saved_answer(ref) is None


def test_export_and_import_carry_saved_answers_and_refuse_a_forged_one(
    make_app: Callable[..., Newsdesk], harbour_app: Newsdesk, answers, tmp_path: Path
):
    saved = harbour_app.save_answers([(answers[0], ASKED_AT)], title="Ferries")
    exported = tmp_path / "export.jsonl"
    with exported.open("w", encoding="utf-8") as out:
        harbour_app.export(out)
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["saved_answers"] == 1
    restored = make_app("restored")
    report = restored.import_file(exported)
    assert report.saved_answers == 1 and report.articles == len(ARTICLES)
    found = restored.saved_answer(saved.id)
    assert found is not None and found.title == "Ferries"
    assert found.turns[0][0].citations == answers[0].citations

    forged = json.loads(lines[-1])
    forged["id"] = "../../not-an-id"
    bad = tmp_path / "forged.jsonl"
    bad.write_text("\n".join([*lines[:-1], json.dumps(forged)]) + "\n", encoding="utf-8")
    with pytest.raises(ExportFormatError, match=rf"forged\.jsonl:{len(lines)}: not a saved"):
        make_app("other").import_file(bad)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ExportFormatError, match="announces 1 saved answers but the file holds 0"):
        make_app("third").import_file(cut)
