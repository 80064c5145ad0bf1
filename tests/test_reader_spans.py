"""The reader's span head (round 21): what it is taught to point at, how its best span is
read back, and a tiny training run that exports it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.reader.model import DECISION_FILE, Reader, make_tokenizer
from assistant.reader.spans import (
    answer_chars,
    best_span,
    in_sentence,
    sentence_tokens,
    token_targets,
)
from vectorstore.embeddings import packaged_model_path

TINY = Path(__file__).parent / "data" / "reader-tiny"
TEXT = "Lakeside votes (2026-03-02) | Ines Halvor ran too. || Mara Quint won with 1,300 votes."


def test_the_answer_is_found_in_the_sentence_not_in_its_title_or_context():
    start, end = answer_chars(TEXT, "Ines Halvor / Mara Quint")
    assert TEXT[start:end] == "Mara Quint"
    assert answer_chars(TEXT, "Lakeside") is None  # in the title only
    assert answer_chars(TEXT, "1,300") == (TEXT.index("1,300"), TEXT.index("1,300") + 5)
    assert answer_chars(TEXT, "Quin") is None  # whole words only
    assert answer_chars(TEXT, "") is None


def test_span_targets_point_at_the_answers_tokens_or_at_cls_for_no_answer():
    tokenizer = make_tokenizer(Path(packaged_model_path()))
    question = "Who won the Lakeside vote?"
    enc = tokenizer.encode(question, TEXT)
    allowed = sentence_tokens(enc, TEXT)
    words = {enc.tokens[i] for i in np.flatnonzero(allowed)}
    assert "mara" in words and "ines" not in words and "lakeside" not in words
    start, end = token_targets(enc, TEXT, answer_chars(TEXT, "Mara Quint"))
    assert enc.tokens[start] == "mara" and enc.tokens[end].lstrip("#") in {"quint", "nt"}
    assert token_targets(enc, TEXT, None) == (0, 0)


def test_the_best_span_is_ordered_short_and_scored_against_no_answer():
    start = np.array([1.0, 0.0, 3.0, 0.0, 5.0])
    end = np.array([1.0, 4.0, 0.0, 2.0, -2.0])
    allowed = np.array([False, True, True, True, True])
    score, i, j = best_span(start, end, allowed)
    assert (i, j) == (2, 3) and score == pytest.approx(3.0 + 2.0 - 2.0)  # end before start: no
    assert best_span(start, end, allowed, max_tokens=1)[1:] == (1, 1)
    assert best_span(start, end, np.zeros(5, dtype=bool)) == (-30.0, -1, -1)


@pytest.mark.slow
def test_training_a_span_head_exports_spans_that_fall_inside_the_sentence(tmp_path):
    from assistant.reader.train import main

    out, work = tmp_path / "model", tmp_path / "work"
    args = ["--data", str(TINY), "--out", str(out), "--work", str(work), "--span-weight", "1"]
    assert main([*args, "--epochs", "4", "--frozen-layers", "5", "--threads", "2"]) == 0
    data = json.loads((out / DECISION_FILE).read_text())
    assert data["training"]["span_weight"] == 1.0
    assert data["training"]["loss_by_epoch"][-1] < data["training"]["loss_by_epoch"][0]
    logits, spans = Reader(out).read("Who won the Lakeside vote?", [TEXT, "No one. || It rained."])
    assert logits.shape == (2,) and len(spans) == 2
    for (score, chars), text in zip(spans, [TEXT, "No one. || It rained."], strict=True):
        assert np.isfinite(score)
        assert chars is None or chars[0] >= text.rindex(" || ") + 4


def test_a_span_is_counted_in_its_sentence_and_dropped_when_it_falls_before_it():
    sentence = "Mara Quint won with 1,300 votes."
    start = TEXT.index("1,300")
    assert in_sentence((start, start + 5), TEXT, sentence) == (20, 25)
    assert sentence[20:25] == "1,300"
    assert in_sentence((TEXT.index("Ines"), TEXT.index("Ines") + 4), TEXT, sentence) is None
    assert in_sentence(None, TEXT, sentence) is None


def test_the_shown_span_is_the_readers_where_it_points_else_the_rules_value():
    from assistant.extractive import _citation, _span
    from assistant.scored import ScoredSentence
    from assistant.types import Answer
    from vectorstore.types import Passage

    text = "Mara Quint won the Lakeside vote with 1,300 ballots."
    passage = Passage("p-0", "p", text, 0, len(text), "Lakeside", "Dock News", None, None, 1.0)
    cand = ScoredSentence(passage, 0, 0, len(text), text, set(), set())
    answer = Answer(question="q", text=text, citations=[_citation(1, cand)], passages=[passage])
    question = "How many ballots did Mara Quint win?"
    assert _span(answer, cand, question, "number").text == "1,300 ballots"
    cand.answer_chars = (text.index("1,300"), text.index("1,300") + 5)
    shown = _span(answer, cand, question, "number")
    assert (shown.n, shown.text) == (1, "1,300")
