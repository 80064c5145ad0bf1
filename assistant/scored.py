"""A sentence of the retrieved passages, scored as an answer to a question: the one shape
every part of answering reads. The extractive answerer makes and ranks them, the reader's
features and the disagreement check read them, and the language-model answerer takes its
excerpts in their order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vectorstore.types import Passage


@dataclass
class ScoredSentence:
    """A sentence of a retrieved passage and the signals it is scored by."""

    passage: Passage
    rank: int
    start: int
    end: int
    text: str
    tokens: set[str]
    context: set[str]
    score: float = 0.0
    similarity: float = 0.0
    coverage: float = 0.0
    # Days between this sentence's article and the newest article retrieved with it.
    days_behind: int = 0
    vector: np.ndarray | None = None
    # The signals the score is made of, kept for the learned reader (assistant/reader).
    context_coverage: float = 0.0
    kind_match: float = 0.0
    recency: float = 0.0
    finished: bool = True
    # Share of the question's names its passage mentions, and words it says that the question
    # does not: whether it may answer at all (`ExtractiveAnswerer.eligible`).
    entity_coverage: float = 1.0
    new_words: int = 0
    # The learned decision's confidence that quoting this sentence answers the question
    # (calibrated: what users see and thresholds compare), and the probability before
    # calibration (what the relative rules between sentences compare).
    probability: float | None = None
    raw_probability: float | None = None
    # Where in `text` the reader's span head points (its answer), with a span head.
    answer_chars: tuple[int, int] | None = None

    @property
    def article_id(self) -> str:
        return self.passage.article_id
