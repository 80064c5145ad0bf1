"""Follow-up questions rewritten into standalone ones, by rule (no language model needed).

"and in Iraq?" after "How many US troops are in Syria?" becomes "How many US troops are in
Iraq?": retrieval then sees a whole question, and the user sees what was really asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.text import NAME_PHRASE, follow_up_focus

_PREPOSITION = re.compile(r"^(in|at|on|for|from|to|by|during|of|with|about)\s+(.+)$", re.IGNORECASE)


def _replace_last(previous: str, pattern: str, replacement: str) -> str | None:
    matches = list(re.finditer(pattern, previous))
    if not matches:
        return None
    last = matches[-1]
    return previous[: last.start()] + replacement + previous[last.end() :]


def rewrite_followup(question: str, previous_questions: Sequence[str]) -> str | None:
    """The standalone form of `question`, or None when it already stands alone (or when no
    earlier question exists to complete it)."""
    if not previous_questions:
        return None
    previous = previous_questions[-1].strip()
    focus = follow_up_focus(question)
    if focus is None:
        return None
    if re.match(r"(?i)(what|how|who|when|where|why|which|is|are|was|were|did|does|do)\b", focus):
        # A new question on the same subject: carry over the names it leaves out.
        names = [n for n in re.findall(rf"(?<!^){NAME_PHRASE}", previous) if n not in focus]
        context = f" ({', '.join(dict.fromkeys(names))})" if names else ""
        return f"{focus[0].upper()}{focus[1:]}{context}?"
    prep = _PREPOSITION.match(focus)
    if prep:
        # Swap the phrase with the same preposition: "... in Syria?" -> "... in Iraq?"
        rewritten = _replace_last(previous, rf"\b{prep[1]}\s+{NAME_PHRASE}", focus)
        if rewritten:
            return rewritten
    if re.fullmatch(NAME_PHRASE, re.sub(r"^the\s+", "", focus)):
        # A bare name takes the place of the previous question's last name.
        rewritten = _replace_last(previous, rf"(?<!^)\b{NAME_PHRASE}", focus)
        if rewritten:
            return rewritten
    return f"{previous.rstrip('?').rstrip()} {focus}?"
