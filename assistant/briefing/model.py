"""What a briefing is: a topic, a period, and its events in date order, every sentence a
`Citation` whose quote is the stored article's text at its offsets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from assistant.citations import quote_is_exact
from assistant.types import Answer, Citation
from ingest.types import Article

DISAGREEMENT, CHANGE = "disagreement", "change"
_MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Difference:
    """Two reports of one event giving different figures for the same thing: a
    `disagreement` (two outlets on the same day) or a `change` (a later report: the figure
    moved, which is news, not a dispute). `earlier` is the first report (or, on one day,
    either)."""

    kind: str
    earlier: Citation
    later: Citation

    def describe(self) -> str:
        a, b = self.earlier, self.later
        if self.kind == DISAGREEMENT:
            return (
                f"{a.source} ({_day(a)}) [{a.n}] and {b.source} ({_day(b)}) [{b.n}] "
                "give different figures."
            )
        return (
            f"The figure changed: {a.source} ({_day(a)}) [{a.n}], then {b.source} "
            f"({_day(b)}) [{b.n}]."
        )

    def to_dict(self) -> dict:
        return {"kind": self.kind, "earlier": asdict(self.earlier), "later": asdict(self.later)}


def _day(c: Citation) -> str:
    return (c.published_at or "")[:10] or "undated"


@dataclass(frozen=True)
class Outlet:
    """An outlet that reported an event, and the day it first did."""

    name: str
    first: str | None


@dataclass
class BriefingEvent:
    """One event: its first report's day, the sentences that say what happened (cited), who
    reported it, and where they differ."""

    date: str | None
    citations: list[Citation]
    outlets: list[Outlet]
    differences: list[Difference] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    # What a language model wrote of it (markers [n] naming `citations`, each sentence
    # checked as a written answer's are); None: the event is told by its quotes alone.
    written: str | None = None

    @property
    def text(self) -> str:
        """The event's sentences, each followed by its citation marker."""
        if self.written is not None:
            return self.written
        return " ".join(f"{c.quote.strip()} [{c.n}]" for c in self.citations)

    @property
    def all_citations(self) -> list[Citation]:
        sides = [c for d in self.differences for c in (d.earlier, d.later)]
        return [*self.citations, *sides]

    def to_dict(self) -> dict:
        return {
            "date": self.date,
            "text": self.text,
            "citations": [asdict(c) for c in self.citations],
            "outlets": [asdict(o) for o in self.outlets],
            "differences": [d.to_dict() for d in self.differences],
            "article_ids": list(self.article_ids),
            "written": self.written is not None,
        }


@dataclass
class Briefing:
    """A topic's news of a period (`since`, `until` inclusive; None: open), from one outlet
    when `source` is set. `notes` say what bounded it (no articles, a time budget reached)."""

    topic: str
    since: date | None
    until: date | None
    source: str | None
    events: list[BriefingEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    articles_read: int = 0

    @property
    def period(self) -> str:
        """The period in words ("between 2023-11-01 and 2023-11-07")."""
        a, b = self.since, self.until
        if a and b:
            return f"between {a.isoformat()} and {b.isoformat()}"
        if a:
            return f"since {a.isoformat()}"
        if b:
            return f"up to {b.isoformat()}"
        return "in the library"

    @property
    def title(self) -> str:
        return f"Briefing: {self.topic}, {self.period}"

    @property
    def empty_text(self) -> str:
        outlet = f" from {self.source}" if self.source else ""
        return f"No articles about {self.topic}{outlet} {self.period}."

    @property
    def citations(self) -> list[Citation]:
        return [c for e in self.events for c in e.all_citations]

    def to_dict(self) -> dict:
        return {
            "topic": self.topic,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "source": self.source,
            "title": self.title,
            "events": [e.to_dict() for e in self.events],
            "notes": list(self.notes),
            "articles_read": self.articles_read,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Briefing:
        """A briefing from its `to_dict` (a server's answer, read by the remote CLI)."""

        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        def diff(d: dict) -> Difference:
            return Difference(d["kind"], Citation(**d["earlier"]), Citation(**d["later"]))

        events = [
            BriefingEvent(
                date=e["date"],
                citations=[Citation(**c) for c in e["citations"]],
                outlets=[Outlet(**o) for o in e["outlets"]],
                differences=[diff(d) for d in e["differences"]],
                article_ids=list(e["article_ids"]),
                written=e["text"] if e.get("written") else None,
            )
            for e in data["events"]
        ]
        return cls(data["topic"], day(data["since"]), day(data["until"]), data["source"],
                   events, list(data["notes"]), dict(data["timings"]),
                   data["articles_read"])  # fmt: skip

    def as_answer(self, question: str) -> Answer:
        """The briefing as a chat answer: one paragraph per event, dated, its outlets named,
        its differences after it; the citations numbered as in the briefing."""
        if not self.events:
            return Answer(question=question, text=self.empty_text, abstained=True,
                          notes=list(self.notes))  # fmt: skip
        lines = []
        for e in self.events:
            outlets = ", ".join(o.name for o in e.outlets)
            lines.append(f"{e.date or 'Undated'} ({outlets}): {e.text}")
            lines += [d.describe() for d in e.differences]
        return Answer(question=question, text="\n\n".join(lines), citations=self.citations,
                      notes=[self.title, *self.notes])  # fmt: skip


def _renumber(text: str, numbers: Mapping[int, int]) -> str:
    """A written text's markers renumbered; a marker that names no citation goes."""

    def marker(m: re.Match) -> str:
        n = numbers.get(int(m[1]))
        return f"[{n}]" if n is not None else ""

    return _MARKER.sub(marker, text)


def verified(briefing: Briefing, articles: Mapping[str, Article]) -> Briefing:
    """Only exact quotes stay (quote == stored text at its offsets): a sentence that fails
    is dropped, a difference with a side that fails is dropped, an event left without a
    sentence is dropped; the citations are numbered 1..n in reading order."""
    events, n, dropped = [], 0, 0

    def number(c: Citation) -> Citation:
        nonlocal n
        n += 1
        return replace(c, n=n, sample=articles[c.article_id].sample)

    for event in briefing.events:
        good = [c for c in event.citations if quote_is_exact(c, articles)]
        sides_ok = [
            d
            for d in event.differences
            if quote_is_exact(d.earlier, articles) and quote_is_exact(d.later, articles)
        ]
        dropped += len(event.all_citations) - len(good) - 2 * len(sides_ok)
        if not good or (event.written is not None and len(good) < len(event.citations)):
            continue  # a written event stands only with every quote it cites
        cites = [number(c) for c in good]
        diffs = [replace(d, earlier=number(d.earlier), later=number(d.later)) for d in sides_ok]
        written = event.written
        if written is not None:
            written = _renumber(written, {a.n: b.n for a, b in zip(good, cites, strict=True)})
        events.append(replace(event, citations=cites, differences=diffs, written=written))
    notes = list(briefing.notes)
    if dropped:
        notes.append(f"{dropped} quote(s) did not match the stored article and were removed")
    return replace(briefing, events=events, notes=notes)
