"""Where in a quoted sentence the answer itself stands: the figure for "how many", the date
for "when", the name for "who" and "which". Shown emphasised in the web chat and returned as
`answer_span`, so a reader's eye lands on the value before reading the whole quote."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.conflicts import counted_noun
from ingest.text import CALENDAR_WORD, DATE_VALUE, NAME, QUANTITY, tokenize


@dataclass(frozen=True)
class AnswerSpan:
    """Characters `start`-`end` of citation `n`'s quote hold the value asked for."""

    n: int
    start: int
    end: int
    text: str


def find_span(quote: str, question: str, kind: str) -> tuple[int, int] | None:
    """Offsets of the asked-for value in `quote`, or None when it cannot be pointed at."""
    asked = set(tokenize(question))
    if kind == "number":
        counted = counted_noun(question)
        matches = [m for m in QUANTITY.finditer(quote) if not set(tokenize(m[0])) <= asked]
        for m in matches:
            rest = re.match(r"\s*([\w'’-]+)", quote[m.end() :])
            if rest and set(tokenize(rest[1])) & {t for w in counted for t in tokenize(w)}:
                return m.start(), m.end() + rest.end()
        return (matches[0].start(), matches[0].end()) if matches else None
    if kind == "date":
        m = DATE_VALUE.search(quote)
        return (m.start(), m.end()) if m else None
    if kind in ("person", "place", "name"):
        for m in NAME.finditer(quote):
            value = m[0].rstrip(".")
            if CALENDAR_WORD.fullmatch(value) or set(tokenize(value)) <= asked:
                continue
            return m.start(), m.start() + len(value)
    return None
