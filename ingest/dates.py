"""Publication dates in the shapes news uses, turned into ISO 8601 strings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

_PREFIX = re.compile(
    r"^\s*(?:last\s+)?(?:updated|published|posted|first published|date)(?:\s+on)?\s*[:\-–]?\s*",
    re.IGNORECASE,
)
_MONTH_WORD = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_NUMERIC = re.compile(r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}$")
_DATE_LINE = re.compile(
    r"^\s*(?:last\s+)?(?:updated|published|posted|first published)\b", re.IGNORECASE
)


def parse_date(value: str | None) -> str | None:
    """ISO 8601 for a date-like string, or None when it is not clearly a date.

    A year and a month must be present (as digits in an ISO form or as a month word): dateutil
    alone would turn "Monday" or "10:39" into today's date.
    """
    if not value:
        return None
    text = _PREFIX.sub("", str(value).strip())
    text = re.sub(r"\s+", " ", text).strip().rstrip(".")
    if not text or len(text) > 80:
        return None
    if _ISO.match(text):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.date().isoformat() if len(text) == 10 else parsed.isoformat()
    if not (_YEAR.search(text) and (_MONTH_WORD.search(text) or _NUMERIC.match(text))):
        return None
    from dateutil import parser as dateutil_parser

    try:
        parsed = dateutil_parser.parse(text, fuzzy=True, default=datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    if parsed.year == 1900:
        return None
    has_time = bool(re.search(r"\d{1,2}:\d{2}", text))
    return parsed.isoformat() if has_time else parsed.date().isoformat()


def find_date_line(lines: Sequence[str]) -> tuple[int, str] | None:
    """The first "Updated: ..." / "Published ..." line that holds a date: (index, ISO date)."""
    for index, line in enumerate(lines):
        if _DATE_LINE.match(line):
            parsed = parse_date(line)
            if parsed:
                return index, parsed
    return None
