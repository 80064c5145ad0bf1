"""Questions about a period's news, not a subject: "What happened last week?", "Anything new
today?". No sentence answers them better than another (they share no words with any), so the
extractive answerer would refuse; instead the newest articles of the period are summed up by
their first sentence (the lead, which news writes to say what happened), each cited."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.types import Answer, Citation
from ingest.text import TimeScope, sentence_spans, tokenize
from vectorstore.types import Passage

# Words (as `tokenize` leaves them) of a question that names no subject, only a time.
NEWS_WORDS = frozenset(
    "happen happened happening news new newest going anything everything latest recent "
    "recently update updates story stories headline headlines last past this week month "
    "year today yesterday now current currently".split()
)


def asks_for_the_news(question: str, scope: TimeScope) -> bool:
    """A question counted from its day ("last week", "now") that names nothing else."""
    return scope.relative and set(tokenize(question)) <= NEWS_WORDS


def _lead(passage: Passage) -> tuple[int, int] | None:
    """The article offsets of the passage's first full sentence (four words or more)."""
    for s, e in sentence_spans(passage.text):
        text = passage.text[s:e]
        if len(text.split()) >= 4 and not text.endswith("?"):
            return passage.start + s, passage.start + e
    return None


def digest(question: str, passages: Sequence[Passage], most: int) -> Answer:
    """The leads of up to `most` articles, newest first; the refusal when none has one."""
    firsts: dict[str, Passage] = {}
    for p in sorted(passages, key=lambda p: p.start):  # each article's earliest passage
        firsts.setdefault(p.article_id, p)
    newest = sorted(firsts.values(), key=lambda p: p.published_at or "", reverse=True)
    citations: list[Citation] = []
    for passage in newest:
        span = _lead(passage)
        if span is None:
            continue
        start, end = span
        quote = passage.text[start - passage.start : end - passage.start]
        citations.append(
            Citation(
                n=len(citations) + 1,
                article_id=passage.article_id,
                title=passage.title,
                source=passage.source,
                published_at=passage.published_at,
                url=passage.url,
                quote=quote,
                start=start,
                end=end,
            )
        )
        if len(citations) >= most:
            break
    if not citations:
        return Answer.abstain(question, list(passages))
    text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Answer(question=question, text=text, citations=citations, passages=list(passages))
