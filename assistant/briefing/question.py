"""When a chat question asks for a briefing: "What happened with X this week?", "What has
been going on with X in March 2025?" — a subject and a period. The question without a
subject ("What happened last week?") is assistant/digest.py's; one without a period is a
plain question, answered as any other."""

from __future__ import annotations

import re

from assistant.digest import NEWS_WORDS
from ingest.text import TimeScope, tokenize

_ASKS = re.compile(
    r"^\s*what(?:'s|’s|\s+is|\s+has|\s+have)?\s+(?:been\s+)?"
    r"(?:happened|happening|going\s+on|new|the\s+latest)\s+"
    r"(?:with|to|in|on|about|around|regarding|for)\s+(?P<subject>.+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# Words left between the subject and the period ("... with X in March 2025").
_TRAILING = re.compile(r"(?:\s+(?:in|during|over|since|from|for|of|the|so\s+far))+\s*$", re.I)


def briefing_subject(question: str, scope: TimeScope) -> str | None:
    """The subject a question asks a briefing about, or None when it asks for none (no
    "what happened with ...", no period named, or nothing named but the time)."""
    if not scope.bounded or not scope.label:
        return None
    found = _ASKS.match(question)
    if found is None:
        return None
    subject = found["subject"]
    at = subject.casefold().rfind(scope.label.casefold())
    if at < 0:
        return None
    subject = _TRAILING.sub("", subject[:at]).strip(" ,;:")
    if not set(tokenize(subject)) - NEWS_WORDS:
        return None
    return subject
