"""What the assistant answers with: an Answer whose claims carry Citations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Protocol

from assistant.span import AnswerSpan
from vectorstore.types import Passage

if TYPE_CHECKING:
    from ingest.text import TimeScope

ABSTAIN_LEAD = "The articles I have don't say:"
ABSTAIN_TEXT = f"{ABSTAIN_LEAD} nothing in them answers this question."


@dataclass(frozen=True)
class Citation:
    """A numbered pointer from an answer to the exact passage that supports it.

    `quote == article.text[start:end]` for the stored article: checked before an answer leaves
    the assistant (see `assistant.citations`), which also sets `sample` for a sample article.
    """

    n: int
    article_id: str
    title: str
    source: str
    published_at: str | None
    url: str | None
    quote: str
    start: int
    end: int
    sample: bool = False

    @classmethod
    def quoting(cls, n: int, passage: Passage, start: int, end: int, quote: str) -> Citation:
        """Citation `n` of `quote`, the article's text from `start` to `end`, found in
        `passage` (which carries the article's title, outlet, date and URL)."""
        p = passage
        return cls(n, p.article_id, p.title, p.source, p.published_at, p.url, quote, start, end)


@dataclass(frozen=True)
class RivalPair:
    """Two sentences the disagreement rules set against each other while answering: the
    weaker side's probability of answering, the disagreement model's probability for the
    pair (None for two counts, which it does not judge), and whether the two are one figure
    changing over time rather than a disagreement. Every such pair is kept, in the order the
    answerer tries them, so the harness can tell which answers any pair of thresholds would
    call a disagreement (assistant/reader/thresholds.py), not only the pair shown."""

    confidence: float
    disagreement: float | None
    change: bool


@dataclass
class Answer:
    """An answer to one question. `abstained` is True when the articles do not answer it;
    then `citations` is empty and `text` says so."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    passages: list[Passage] = field(default_factory=list)
    rewritten_question: str | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # The learned decision's probability that the quoted best sentence answers the question
    # (None where no sentence was read, or without the reader), and that in words.
    confidence: float | None = None
    support: str | None = None
    # When the answer sets two reports against each other (a disagreement, or a figure that
    # changed), the learned probability that the other report's sentence answers too.
    rival_confidence: float | None = None
    # For such an answer, the learned disagreement model's probability that the two
    # sentences state one thing with different values (assistant/reader/disagreement.py).
    disagreement: float | None = None
    # Every pair set against each other on the way (the shown one included); not in the API.
    rival_pairs: list[RivalPair] = field(default_factory=list)
    # Where the value asked for stands inside the best quote, when it can be pointed at.
    answer_span: AnswerSpan | None = None
    # The day (ISO) "last week" or "now" was counted from, when the question used such words
    # or the asker set the day; None otherwise.
    as_of: str | None = None

    @classmethod
    def abstain(cls, question: str, passages: list[Passage], reason: str = "") -> Answer:
        """The plain "the articles don't say" answer: cites nothing."""
        text = ABSTAIN_TEXT if not reason else f"{ABSTAIN_TEXT} {reason}"
        return cls(question=question, text=text, abstained=True, passages=list(passages))

    def to_dict(self, *, include_passages: bool = False) -> dict:
        data = {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "rewritten_question": self.rewritten_question,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "support": self.support,
            "rival_confidence": None
            if self.rival_confidence is None
            else round(self.rival_confidence, 3),
            "disagreement": None if self.disagreement is None else round(self.disagreement, 3),
            "answer_span": asdict(self.answer_span) if self.answer_span else None,
            "notes": list(self.notes),
            "as_of": self.as_of,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }
        if include_passages:
            data["passages"] = [asdict(p) for p in self.passages]
        return data


class Answerer(Protocol):
    """Turns a question and its retrieved passages into an Answer with citations.

    The extractive answerer is the default; answerers backed by a language model plug in here
    without touching retrieval, citation checking or the interfaces. `stream` yields the text
    a model writes, piece by piece, then the Answer; `rewrite` turns a follow-up ("and in
    Iraq?") into a standalone question, or None (it stands alone, or this answerer cannot
    tell: the rule in assistant/followup.py then decides). `QuotingAnswerer` gives both to
    an answerer that writes nothing.
    """

    name: str

    def answer(
        self, question: str, passages: Sequence[Passage], scope: TimeScope | None = None
    ) -> Answer: ...

    def stream(
        self, question: str, passages: Sequence[Passage], scope: TimeScope | None = None
    ) -> Iterator[str | Answer]: ...

    def rewrite(self, question: str, earlier: Sequence[str]) -> str | None: ...


class QuotingAnswerer:
    """The plain `stream` and `rewrite` of an answerer that finds its answer at once and
    writes no text: the stream is the Answer alone, and follow-ups are left to the rule."""

    def answer(
        self, question: str, passages: Sequence[Passage], scope: TimeScope | None = None
    ) -> Answer:
        raise NotImplementedError

    def stream(
        self, question: str, passages: Sequence[Passage], scope: TimeScope | None = None
    ) -> Iterator[str | Answer]:
        yield self.answer(question, passages, scope)

    def rewrite(self, question: str, earlier: Sequence[str]) -> str | None:
        return None


def last_answer(stream: Iterable[str | Answer]) -> Answer:
    """Run an answer stream (text pieces, then the Answer) to its end; return the Answer."""
    answer = None
    for item in stream:
        answer = item
    if not isinstance(answer, Answer):
        raise RuntimeError("an answer stream must end with its Answer")
    return answer
