"""Saved answers: an answer, or a conversation of them, kept with the store under an
unguessable id (vectorstore/saved_answers.py), so a permalink (`/a/{id}`) and the exports
show it as it was when asked, whatever the library holds later.

This module alone knows the shape of a saved record: each turn is the answer's JSON (the
shape `POST /v1/ask` returns, less timings) and the time it was asked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime

from assistant.handover.document import HandoverDocument, handover_document
from assistant.span import AnswerSpan
from assistant.types import Answer, Citation

ANSWER, CONVERSATION = "answer", "conversation"
MAX_TURNS = 100
_ANSWER_FIELDS = ("confidence", "support", "rival_confidence", "disagreement", "as_of")


@dataclass(frozen=True)
class SavedAnswer:
    """One saved answer (`kind` "answer") or conversation, its turns oldest first."""

    id: str
    kind: str
    saved_at: datetime
    title: str | None
    turns: tuple[tuple[Answer, datetime], ...]

    def document(
        self, permalink: str | None = None, holds: Callable[[Citation], bool] | None = None
    ) -> HandoverDocument:
        """Its hand-over document; `holds` checks each quote against the library now."""
        return handover_document(
            list(self.turns),
            title=self.title,
            permalink=permalink,
            saved_at=self.saved_at,
            holds=holds,
        )

    def to_data(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "saved_at": self.saved_at.timestamp(),
            "title": self.title,
            "turns": [
                {"asked_at": asked.isoformat(), "answer": answer_data(answer)}
                for answer, asked in self.turns
            ],
        }


def answer_data(answer: Answer) -> dict:
    """An answer's JSON as it is kept (`answer_of` reads it back)."""
    data = answer.to_dict()
    data.pop("timings", None)  # how long it took then says nothing to the reader now
    return data


def _citation(data: dict) -> Citation:
    known = {f.name for f in fields(Citation)}
    return Citation(**{k: v for k, v in data.items() if k in known})


def answer_of(data: dict) -> Answer:
    """An Answer from its JSON (`Answer.to_dict`); ValueError naming what is wrong."""
    try:
        span = data.get("answer_span")
        answer = Answer(
            question=str(data["question"]),
            text=str(data["answer"]),
            citations=[_citation(c) for c in data.get("citations") or []],
            abstained=bool(data.get("abstained", False)),
            rewritten_question=data.get("rewritten_question"),
            notes=[str(n) for n in data.get("notes") or []],
            answer_span=AnswerSpan(**span) if span else None,
            **{k: data.get(k) for k in _ANSWER_FIELDS},
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a saved answer: {type(exc).__name__}: {exc}") from exc
    for c in answer.citations:
        if not (isinstance(c.quote, str) and isinstance(c.start, int) and isinstance(c.end, int)):
            raise ValueError(f"not a saved answer: citation {c.n} has no quote and offsets")
    return answer


def saved_of(data: dict) -> SavedAnswer:
    """A SavedAnswer from its record; ValueError naming what is wrong (an import's line)."""
    if not isinstance(data, dict) or data.get("kind") not in (ANSWER, CONVERSATION):
        raise ValueError("not a saved answer: kind must be 'answer' or 'conversation'")
    turns = data.get("turns")
    if not isinstance(turns, list) or not 1 <= len(turns) <= MAX_TURNS:
        raise ValueError(f"not a saved answer: 1 to {MAX_TURNS} turns expected")
    try:
        parsed = tuple(
            (answer_of(t["answer"]), datetime.fromisoformat(t["asked_at"])) for t in turns
        )
        saved_at = datetime.fromtimestamp(float(data["saved_at"]), UTC)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a saved answer: {exc}") from exc
    title = data.get("title")
    return SavedAnswer(str(data.get("id", "")), data["kind"], saved_at,
                       title if isinstance(title, str) else None, parsed)  # fmt: skip


def new_saved(
    record_id: str, turns: Sequence[tuple[Answer, datetime]], title: str | None = None
) -> SavedAnswer:
    """A saved answer (one turn) or conversation (several) to be stored under `record_id`."""
    if not 1 <= len(turns) <= MAX_TURNS:
        raise ValueError(f"a saved conversation holds 1 to {MAX_TURNS} answers")
    kind = ANSWER if len(turns) == 1 else CONVERSATION
    # As it is kept: without the passages read or the time taken, which are not handed over.
    kept = tuple((replace(a, passages=[], timings={}), asked) for a, asked in turns)
    return SavedAnswer(record_id, kind, datetime.now(UTC), title, kept)
