"""What the learned decision reads about each candidate sentence: the signals the extractive
answerer already computes, where the sentence stands among the question's other candidates,
and the reader model's score. One function, used the same way in training and at question
time, so the two cannot drift apart."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from assistant.scored import ScoredSentence

# The learned decision weighs this many of a question's eligible sentences (best hand score
# first), in training and at question time alike.
CANDIDATES_PER_QUESTION = 30
KINDS = ("number", "date", "person", "place", "name")
FEATURES = (
    "similarity",
    "coverage",
    "context_coverage",
    "kind_match",
    "recency",
    "passage_rank",
    "finished",
    "log_days_behind",
    "entity_coverage",
    "new_words",
    "hand_score",
    "hand_score_gap",
    "similarity_gap",
    "coverage_gap",
    "length",
    "order",
    *(f"kind_{k}" for k in KINDS),
    "kind_and_match",
    "reader",
    "reader_gap",
    "reader_rank",
    # The span head's best span against no answer (spans.py), and its gap to the best
    # candidate's; 0 for a reader without one. Last, so that a decision fitted for a reader
    # without a span head reads the columns before them (WITHOUT_SPAN).
    "span",
    "span_gap",
)
WITHOUT_SPAN = len(FEATURES) - 2


def neighbour(cand: ScoredSentence, max_chars: int = 240) -> str:
    """The text just before the sentence in its passage: what "it" or "the company" in the
    sentence refers back to."""
    p = cand.passage
    before = p.text[: max(0, cand.start - p.start)].rstrip()
    return before[-max_chars:]


def reader_text(cand: ScoredSentence) -> str:
    """The second segment the reader model reads: title, date, the sentence before and the
    sentence itself (the candidate last, so truncation cuts context, not the sentence)."""
    p = cand.passage
    day = (p.published_at or "")[:10]
    return f"{p.title} ({day}) | {neighbour(cand)} || {cand.text}"


def feature_matrix(
    kind: str,
    cands: Sequence[ScoredSentence],
    reader_scores: Sequence[float] | None = None,
    span_scores: Sequence[float] | None = None,
) -> np.ndarray:
    """One row per candidate, columns as FEATURES. `cands` are one question's eligible
    sentences, best hand score first; `reader_scores` the reader's logits and `span_scores`
    its span head's (0 without)."""
    n = len(cands)
    rows = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if not n:
        return rows
    reader = np.asarray(reader_scores if reader_scores is not None else [0.0] * n, np.float32)
    best_score = max(c.score for c in cands)
    best_sim = max(c.similarity for c in cands)
    best_cov = max(c.coverage for c in cands)
    best_reader = float(reader.max())
    span = np.asarray(span_scores if span_scores is not None else [0.0] * n, np.float32)
    reader_order = np.argsort(-reader, kind="stable")
    reader_rank = np.empty(n, dtype=np.float32)
    reader_rank[reader_order] = np.arange(n, dtype=np.float32)
    kind_flags = [1.0 if kind == k else 0.0 for k in KINDS]
    for i, c in enumerate(cands):
        rows[i] = [
            c.similarity,
            c.coverage,
            c.context_coverage,
            c.kind_match,
            c.recency,
            min(c.rank, 10) / 10,
            1.0 if c.finished else 0.0,
            math.log1p(max(0, c.days_behind)) / 7,
            c.entity_coverage,
            min(c.new_words, 30) / 30,
            c.score,
            c.score - best_score,
            c.similarity - best_sim,
            c.coverage - best_cov,
            min(len(c.text.split()), 60) / 60,
            min(i, 30) / 30,
            *kind_flags,
            c.kind_match if kind != "other" else 0.0,
            reader[i],
            reader[i] - best_reader,
            min(reader_rank[i], 10) / 10,
            span[i],
            span[i] - float(span.max()),
        ]
    return rows
