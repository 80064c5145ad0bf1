"""Labelled candidate sentences for training, written as JSON Lines so a long build can
resume where it stopped and later stages (reader, decision) read the same examples."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from assistant.evaluation.metrics import answer_is_correct
from assistant.extractive import ExtractiveAnswerer
from assistant.reader.features import CANDIDATES_PER_QUESTION, feature_matrix, reader_text
from assistant.reader.pools import PoolQuestion
from ingest.text import question_kind


def _holds_wrong_choice(text: str, answer: str, choices: list[str]) -> bool:
    """The sentence names one of the quiz's wrong options: the hardest kind of negative."""
    return any(
        answer_is_correct(choice, text) for choice in choices if choice.strip() != answer.strip()
    )


def question_examples(answerer: ExtractiveAnswerer, pool: PoolQuestion) -> dict:
    """One question's candidates with features (reader columns left at 0) and labels."""
    kind = question_kind(pool.question)
    eligible = answerer.rank(pool.question, pool.passages)[:CANDIDATES_PER_QUESTION]
    rows = feature_matrix(kind, eligible)
    return {
        "id": pool.id,
        "question": pool.question,
        "answer": pool.answer,
        "kind": kind,
        "answerable": pool.answerable,
        "with_explanation": pool.with_explanation,
        "choices": pool.choices,
        "candidates": [
            {
                "text": c.text,
                "reader_text": reader_text(c),
                "article_id": c.article_id,
                "label": answer_is_correct(pool.answer, c.text),
                "wrong_choice": _holds_wrong_choice(c.text, pool.answer, pool.choices),
                "features": [round(float(x), 5) for x in row],
            }
            for c, row in zip(eligible, rows, strict=True)
        ],
    }


def build(
    answerer: ExtractiveAnswerer, pools: list[PoolQuestion], out: Path, limit: int | None = None
) -> None:
    """Append the examples of the pools not yet in `out` (resumable), until `out` holds
    `limit` questions."""
    done = {q["id"] for q in read(out)} if out.exists() else set()
    with out.open("a", encoding="utf-8") as handle:
        for pool in pools:
            if limit is not None and len(done) >= limit:
                break
            if pool.id in done:
                continue
            handle.write(json.dumps(question_examples(answerer, pool)) + "\n")
            handle.flush()
            done.add(pool.id)


def read(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
