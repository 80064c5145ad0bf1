"""The one model every hand-over format renders: a document of asked questions, each with its
answer split at its citation markers and every cited quote with its article's particulars.

Markdown, HTML and Word (`markdown`, `html_page`, `word`) each walk this model and nothing
else, so the three carry the same quotes, titles, outlets, dates, URLs and offsets; what
differs is only how each format writes them. A briefing becomes a document of the same
shape (`briefing_document`): each event a section, its sentences and differences the text,
its quotes the sources.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from assistant.types import Answer, Citation

if TYPE_CHECKING:
    from assistant.briefing import Briefing

MARKER = re.compile(r"\[(\d+)\]")
# C0/C1 controls (but tab and line breaks), which XML 1.0 cannot hold and no reader needs.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def plain(text: str | None) -> str:
    """Text from an article or a user, fit for every format: no control characters (a Word
    document cannot hold them), no lone surrogates, line breaks as they were."""
    text = _CONTROL.sub("", text or "")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cs")


@dataclass(frozen=True)
class Source:
    """One cited quote: `label` is its footnote name, unique in the document ("1", or "2.1"
    for the second question's first citation when there are several questions)."""

    label: str
    n: int
    quote: str
    title: str
    outlet: str
    published_at: str | None
    url: str | None
    article_id: str
    start: int
    end: int
    sample: bool = False
    # Whether the library still holds the quote at its offsets, when checked again (a saved
    # answer shown later); None when not checked.
    holds: bool | None = None

    @property
    def day(self) -> str:
        return (self.published_at or "")[:10] or "undated"


@dataclass(frozen=True)
class Piece:
    """A stretch of answer text, or (`source` set) the marker that cites one source."""

    text: str
    source: Source | None = None


@dataclass(frozen=True)
class Turn:
    """One question and its answer, as asked at `asked_at` (UTC)."""

    question: str
    asked_at: datetime
    pieces: tuple[Piece, ...]
    sources: tuple[Source, ...]
    abstained: bool = False
    rewritten_question: str | None = None
    notes: tuple[str, ...] = ()
    support: str | None = None
    # A part of a briefing: its `question` is the heading, and it was not asked on its own.
    section: bool = False


@dataclass(frozen=True)
class HandoverDocument:
    """What is handed over: a title, the turns in the order asked, when it was exported and,
    for a saved answer, its permalink."""

    title: str
    turns: tuple[Turn, ...]
    exported_at: datetime
    permalink: str | None = None
    saved_at: datetime | None = None
    checked: bool = False
    # A briefing's: when it was made, and its notes (period bounds, limits reached).
    briefed_at: datetime | None = None
    notes: tuple[str, ...] = ()

    @property
    def provenance(self) -> str:
        """Where and when the document comes from, in words every format prints."""
        saved = f", saved {stamp(self.saved_at)}" if self.saved_at else ""
        briefed = f", briefing made {stamp(self.briefed_at)}" if self.briefed_at else ""
        checked = "; every quote checked against the library on export" if self.checked else ""
        return f"Exported from Newsdesk {stamp(self.exported_at)}{briefed}{saved}{checked}"

    @property
    def sources(self) -> list[Source]:
        return [s for turn in self.turns for s in turn.sources]


def stamp(moment: datetime) -> str:
    """A time as the documents print it: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


STALE = "No longer in the library as quoted: the article was edited or removed since."


def _source(label: str, c: Citation, holds: bool | None) -> Source:
    return Source(
        label=label,
        n=c.n,
        quote=plain(c.quote),
        title=plain(c.title) or "(untitled)",
        outlet=plain(c.source),
        published_at=plain(c.published_at) or None,
        url=plain(c.url) or None,
        article_id=c.article_id,
        start=c.start,
        end=c.end,
        sample=c.sample,
        holds=holds,
    )


def turn_of(
    answer: Answer,
    asked_at: datetime,
    prefix: str = "",
    holds: Callable[[Citation], bool] | None = None,
) -> Turn:
    """An answer as a turn; its sources' labels are `prefix` + the citation number, and
    `holds` (when given) says whether the library still holds each quote."""
    sources = {
        c.n: _source(f"{prefix}{c.n}", c, holds(c) if holds else None) for c in answer.citations
    }
    text, pieces, last = plain(answer.text), [], 0
    for m in MARKER.finditer(text):
        if int(m[1]) in sources:
            pieces += [Piece(text[last : m.start()]), Piece(m[0], sources[int(m[1])])]
            last = m.end()
    pieces.append(Piece(text[last:]))
    return Turn(
        question=plain(answer.question),
        asked_at=asked_at,
        pieces=tuple(p for p in pieces if p.text),
        sources=tuple(sources.values()),
        abstained=answer.abstained,
        rewritten_question=plain(answer.rewritten_question) or None,
        notes=tuple(plain(n) for n in answer.notes),
        support=answer.support,
    )


def handover_document(
    answers: Sequence[tuple[Answer, datetime]],
    *,
    title: str | None = None,
    permalink: str | None = None,
    exported_at: datetime | None = None,
    saved_at: datetime | None = None,
    holds: Callable[[Citation], bool] | None = None,
) -> HandoverDocument:
    """The document of one answer or a conversation ((answer, asked at) pairs, oldest
    first). With several answers, footnote labels are "turn.n" so each stays unique."""
    if not answers:
        raise ValueError("nothing to hand over: no answer")
    many = len(answers) > 1
    turns = tuple(
        turn_of(answer, asked_at, f"{i}." if many else "", holds)
        for i, (answer, asked_at) in enumerate(answers, start=1)
    )
    if title is None:
        first = turns[0].question
        title = f"Conversation: {first}" if many else first
    return HandoverDocument(
        title=plain(title) or "Newsdesk answer",
        turns=turns,
        exported_at=exported_at or datetime.now(UTC),
        permalink=permalink,
        saved_at=saved_at,
        checked=holds is not None,
    )


def briefing_document(
    briefing: Briefing, briefed_at: datetime, *, exported_at: datetime | None = None
) -> HandoverDocument:
    """A briefing as a document: one section per event (its day and outlets the heading,
    its sentences and differences the text, each quote a source labelled by its number in
    the briefing); an empty briefing is one section saying so."""
    turns = []
    for event in briefing.events:
        outlets = ", ".join(f"{o.name} ({o.first or 'undated'})" for o in event.outlets)
        text = "\n".join([event.text, *(d.describe() for d in event.differences)])
        answer = Answer(question=f"{event.date or 'Undated'}: {len(event.article_ids)} "
                        f"article(s)", text=text, citations=event.all_citations)  # fmt: skip
        turn = turn_of(answer, briefed_at)
        turns.append(replace(turn, notes=(f"Reported by {plain(outlets)}",), section=True))
    if not turns:
        empty = Answer(question=briefing.topic, text=briefing.empty_text, abstained=True)
        turns.append(replace(turn_of(empty, briefed_at), section=True))
    return HandoverDocument(
        title=plain(briefing.title),
        turns=tuple(turns),
        exported_at=exported_at or datetime.now(UTC),
        briefed_at=briefed_at,
        notes=tuple(plain(n) for n in briefing.notes if n != briefing.empty_text),
    )
