"""Watched questions: what a watch is, what of its answer is kept, and when it "changed".

A watch is a saved question (with an optional outlet and start date, and an optional webhook)
asked again after each ingest and sync (assistant/watcher.py). Of each answer it keeps a
`Reading`: the text, the value it cites, the values every citation states, and the citations
themselves (article id, offsets, exact quote).

The rule for "changed" (`change_between`) reads the cited values, not the text, because the
text of an unchanged answer moves: another article repeating the same figure may be quoted,
a re-ingest reorders nothing but a new day can shift the recency of the ranking. So:

- an answer where there was none, or none where there was one, is a change;
- the answer's value (the `answer_span`, read as comparable values by
  `assistant.conflicts.answer_values`: "four" = "4", "2,500" = "2500") differing from the
  last one is a change (a new figure);
- a value no earlier citation stated, in a citation of an article not cited before, is a
  change (a new source that disagrees), even when the answer's own value stays;
- anything else (the same value quoted from another article, the same articles stored
  again) is no change, and nothing is recorded or sent.

Where no value can be pointed at (a question of no kind, a quote without one), the value is
the words of the best quote, so the answer changes when its best sentence does.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import date

from assistant.conflicts import answer_values
from assistant.types import Answer
from ingest.text import question_kind, tokenize
from vectorstore.types import SearchFilters

MAX_QUESTION_CHARS = 500


def shown_url(url: str | None) -> str | None:
    """A webhook as lists show it: scheme and host only. Its path often holds the receiver's
    own token (chat webhooks do), and anyone with a read key may list watches."""
    if not url:
        return None
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].rpartition('@')[2]}/…"


def new_watch_id() -> str:
    """A fresh watch id: "w" and 12 hex digits."""
    return "w" + secrets.token_hex(6)


@dataclass(frozen=True)
class Reading:
    """What a watch keeps of one answer."""

    text: str
    abstained: bool
    value: tuple[str, ...]
    values: tuple[str, ...]
    span: str | None
    citations: tuple[dict, ...]
    asked_at: float

    @property
    def cited_articles(self) -> set[str]:
        return {c["article_id"] for c in self.citations}

    def key(self) -> str:
        """What two answers must share to be the same answer (the rule above)."""
        return json.dumps([self.abstained, self.value, self.values])

    def to_data(self) -> dict:
        return asdict(self)

    @classmethod
    def of_data(cls, data: dict) -> Reading:
        """ValueError for a record that is not a reading."""
        try:
            return cls(
                text=str(data["text"]),
                abstained=bool(data["abstained"]),
                value=tuple(str(v) for v in data["value"]),
                values=tuple(str(v) for v in data["values"]),
                span=None if data.get("span") is None else str(data["span"]),
                citations=tuple(dict(c) for c in data["citations"]),
                asked_at=float(data["asked_at"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a watched answer: {exc}") from exc


def _values(text: str, question: str, kind: str) -> set[str]:
    return answer_values(text, question, kind)


def reading_of(answer: Answer, question: str) -> Reading:
    """The reading of a checked answer to the watched `question`."""
    now = time.time()
    if answer.abstained or not answer.citations:
        return Reading(answer.text, True, (), (), None, (), now)
    kind = question_kind(question)
    span = answer.answer_span.text if answer.answer_span else None
    best = next((c for c in answer.citations if answer.answer_span and
                 c.n == answer.answer_span.n), answer.citations[0])  # fmt: skip
    value = _values(span, question, kind) if span else set()
    value = value or _values(best.quote, question, kind)
    if not value:  # nothing to point at: the best quote's words are the value
        value = {"quote: " + " ".join(tokenize(best.quote))}
    values = set().union(*(_values(c.quote, question, kind) for c in answer.citations)) | value
    citations = tuple(asdict(c) for c in answer.citations)
    return Reading(answer.text, False, tuple(sorted(value)), tuple(sorted(values)), span,
                   citations, now)  # fmt: skip


def change_between(before: Reading | None, after: Reading) -> str | None:
    """Why `after` is a change from `before` (the rule in the module's docstring), or None.
    A first reading is the watch's baseline: no change."""
    if before is None or before.key() == after.key():
        return None
    if before.abstained != after.abstained:
        return "no answer any more" if after.abstained else "an answer where there was none"
    if before.value != after.value:
        return f"the answer changed: {', '.join(before.value)} -> {', '.join(after.value)}"
    new_values = set(after.values) - set(before.values)
    newly_cited = after.cited_articles - before.cited_articles
    if new_values and newly_cited:
        sources = sorted({c["source"] or c["title"] for c in after.citations
                          if c["article_id"] in newly_cited})  # fmt: skip
        return f"a new source ({', '.join(sources)}) states {', '.join(sorted(new_values))}"
    return None


@dataclass(frozen=True)
class Watch:
    """A watched question and what narrows it."""

    id: str
    question: str
    outlet: str | None = None
    since: str | None = None  # ISO date: only articles published on or after it
    webhook: str | None = None
    created_at: float = 0.0

    @classmethod
    def new(
        cls, question: str, outlet: str | None, since: str | None, webhook: str | None
    ) -> Watch:
        """ValueError naming the field for a question, outlet or date that cannot be used."""
        question = " ".join(str(question).split())
        if not question:
            raise ValueError("question: a watch needs a question")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"question: at most {MAX_QUESTION_CHARS} characters")
        if since:
            try:
                since = date.fromisoformat(since).isoformat()
            except ValueError as exc:
                raise ValueError(f"since: {since!r} is not a date (YYYY-MM-DD)") from exc
        outlet = " ".join(outlet.split()) if outlet else None
        return cls(new_watch_id(), question, outlet or None, since or None, webhook or None,
                   time.time())  # fmt: skip

    def filters(self) -> SearchFilters:
        return SearchFilters(
            sources=(self.outlet,) if self.outlet else (),
            published_after=date.fromisoformat(self.since) if self.since else None,
        )

    def to_data(self) -> dict:
        return {**asdict(self), "watch_id": self.id, "at": self.created_at}

    @classmethod
    def of_data(cls, data: dict) -> Watch:
        return cls(
            id=data["watch_id"],
            question=data["question"],
            outlet=data.get("outlet"),
            since=data.get("since"),
            webhook=data.get("webhook"),
            created_at=float(data.get("at", 0.0)),
        )


@dataclass(frozen=True)
class WatchChange:
    """One change of a watched answer: both readings, why, and what its webhook did."""

    watch_id: str
    at: float
    why: str
    before: Reading
    after: Reading
    delivery: str | None = None  # "sent", "failed: ...", or None (no webhook)

    @property
    def id(self) -> str:
        """One change, one id: from the two answers, so a change recorded twice (two
        processes checking one store) is one record."""
        digest = hashlib.sha256(f"{self.before.key()}\n{self.after.key()}".encode())
        return f"{self.watch_id}:{digest.hexdigest()[:16]}"

    def to_data(self) -> dict:
        return {
            "watch_id": self.watch_id,
            "at": self.at,
            "why": self.why,
            "before": self.before.to_data(),
            "after": self.after.to_data(),
            "delivery": self.delivery,
        }

    @classmethod
    def of_data(cls, data: dict) -> WatchChange:
        return cls(
            data["watch_id"],
            float(data["at"]),
            str(data.get("why", "")),
            Reading.of_data(data["before"]),
            Reading.of_data(data["after"]),
            data.get("delivery"),
        )


@dataclass
class WatchView:
    """A watch as the interfaces show it: the question, its last answer, unseen changes."""

    watch: Watch
    last: Reading | None = None
    checked_at: float | None = None
    unseen: int = 0
    changes: list[WatchChange] = field(default_factory=list)

    @classmethod
    def of_dict(cls, data: dict) -> WatchView:
        """A view from `as_dict`'s JSON (the CLI through a server)."""
        watch = Watch(data["id"], data["question"], data.get("outlet"), data.get("since"),
                      data.get("webhook"), float(data.get("created_at") or 0.0))  # fmt: skip
        last = Reading.of_data(data["last"]) if data.get("last") else None
        changes = [WatchChange.of_data(c) for c in data.get("changes") or []]
        return cls(watch, last, data.get("checked_at"), int(data.get("unseen", 0)), changes)

    def as_dict(self, *, history: bool = False) -> dict:
        data = {
            "id": self.watch.id,
            "question": self.watch.question,
            "outlet": self.watch.outlet,
            "since": self.watch.since,
            "webhook": shown_url(self.watch.webhook),
            "created_at": self.watch.created_at,
            "checked_at": self.checked_at,
            "unseen": self.unseen,
            "last": self.last.to_data() if self.last else None,
        }
        if history:
            data["changes"] = [{"id": c.id, **c.to_data()} for c in self.changes]
        return data
