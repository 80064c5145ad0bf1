"""A question, read once: what shape of answer it asks for, the names it is about, the time
it is about, and whether it only makes sense after an earlier question.

Retrieval, answering, checking a written answer and the evaluation all read questions;
they read them through `parse_question` (or the functions it is made of), so that "which
Japanese city" means the same thing on every path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest.text.calendar import TIME_WORD
from ingest.text.names import CAPITALISED
from ingest.text.timescope import TimeScope, parse_time_scope
from ingest.text.tokens import tokenize

KINDS = ("number", "date", "person", "place", "name", "other")

_QUESTION_WORDS = {"how", "what", "who", "whom", "whose", "when", "where", "which", "why", "is"}
# "What was Tesla's revenue ...": a quantity noun asked with "what" wants a number.
_QUANTITY_NOUN = re.compile(
    r"^what (?:is|was|were|are) (?:the |an? |[\w.’'-]+(?:'s|’s) )?(?:\w+ ){0,2}?"
    r"(?:revenue|population|price|cost|budget|toll|salary|turnout|deficit|debt|valuation|score"
    r"|temperature|rate)s?\b"
)
_NOT_A_THING = r"(?:is|are|was|were|do|does|did|has|have|had|happened|will|can)"
_NAMED_THING = (
    r"company|country|city|app|film|movie|show|team|party|agency|group|firm|brand"
    r"|organi[sz]ation|state|nation|newspaper|network|chain|airline|bank"
)


def question_kind(question: str) -> str:
    """What shape of answer the question wants: one of `KINDS`."""
    q = question.casefold()
    if (
        re.search(r"\bhow (many|much|long|far|old|big|large|high|often)\b", q)
        or re.search(r"\bwhat (percentage|share|number|proportion|rate)\b", q)
        or re.search(_QUANTITY_NOUN, q)
    ):
        return "number"
    if re.search(
        r"\bwhen\b|\bwhat (year|date|day|month|time)\b|\bwhich (year|date|day|month)\b", q
    ) or re.search(r"\b(?:what|which)\b.*(?<![\w-])dates?\b", q):
        # "What is the release date of ...?" asks for a date too.
        return "date"
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b", q):
        return "person"
    if re.search(r"\bwhere\b|\bwhich (country|city|state|region|town)\b", q):
        return "place"
    # "Which company ...", "What app ...": the answer is a name the question does not hold.
    if re.search(rf"^(?:which|what)\s+(?!{_NOT_A_THING}\b)\w+", q) or re.search(
        rf"\b(?:which|what)\s+(?:{_NAMED_THING})\b", q
    ):
        return "name"
    return "other"


# "Which Japanese city ...", "in which South American city": names right after "which" or
# "what" (an adjective like "major" may stand between) describe the thing asked for, and the
# passage that names it need not repeat them (a report of Osaka's smoking ban need not say
# "Japanese").
_AUXILIARY = r"(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could|should|may|might)"
_DESCRIBES_ANSWER = re.compile(
    rf"\b(?i:which|what)\s+(?:(?!{_AUXILIARY}\b)[a-z][\w'’-]*\s+)?((?:[A-Z][\w'’.-]*\s+)+)(?=[a-z])"
)


def question_entities(question: str) -> set[str]:
    """Tokens of the names a question is about ("US", "Syria"): an answer about other
    names answers a different question. Names that describe the answer itself are left out."""
    words = CAPITALISED.findall(question)
    first = question.split(maxsplit=1)[0] if question.split() else ""
    names = [w for w in words if w != first and w.casefold() not in _QUESTION_WORDS]
    describing = {t for m in _DESCRIBES_ANSWER.finditer(question) for t in tokenize(m[1])}
    # Months and weekdays say when, not what: the time scope handles them.
    return {t for t in tokenize(" ".join(names)) if not TIME_WORD.fullmatch(t)} - describing


# "and in Iraq?", "what about Iraq?", "how about in 2022?", "same for Iraq?"
_FOLLOW_UP = re.compile(
    r"^\s*(?:and|but|also|what about|how about|and what about|same for|what of)\b"
    r"[\s,]*(.+?)\s*\??\s*$",
    re.IGNORECASE,
)


def follow_up_focus(question: str) -> str | None:
    """What a follow-up cue asks about instead ("and in Iraq?" -> "in Iraq"), or None when
    the question has no such cue and stands alone."""
    match = _FOLLOW_UP.match(question)
    focus = match[1].strip().rstrip("?").strip() if match else ""
    return focus or None


@dataclass(frozen=True)
class Question:
    """A question as every part of Newsdesk reads it."""

    text: str
    kind: str  # one of KINDS
    names: frozenset[str]  # tokens of the names it is about (question_entities)
    words: frozenset[str]  # its content words, as search and answering compare them
    scope: TimeScope  # the publication dates it is about
    follow_up: str | None  # the focus of a follow-up cue ("in Iraq"), None if it stands alone


def parse_question(text: str, today: date | None = None) -> Question:
    """Read `text` once; `today` anchors "last week" and "now" (default: today)."""
    return Question(
        text=text,
        kind=question_kind(text),
        names=frozenset(question_entities(text)),
        words=frozenset(tokenize(text)),
        scope=parse_time_scope(text, today),
        follow_up=follow_up_focus(text),
    )
