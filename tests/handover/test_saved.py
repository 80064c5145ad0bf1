"""Saved answers live in the store: another Newsdesk on the same store (a second process, a
second server) finds them by their unguessable id, as they were when asked."""

from __future__ import annotations

from collections.abc import Callable

from assistant.app import Newsdesk
from tests.handover.conftest import ASKED_AT
from vectorstore.saved_answers import is_id


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
