"""Publication dates in the shapes news uses, turned into ISO 8601 strings."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from datetime import datetime

from ingest.text.calendar import MONTH_WORD

_PREFIX = re.compile(
    r"^\s*(?:last\s+|first\s+)?(?:updated|published|posted|date)(?:\s+on)?\b\s*[:\-–—|]?\s*",
    re.IGNORECASE,
)
# A line that announces a date; `find_date_line` still requires the rest to be only a date.
_DATE_LINE = re.compile(r"^\s*(?:last\s+|first\s+)?(?:updated|published|posted)\b", re.IGNORECASE)
_MONTH = re.compile(rf"\b(?:{MONTH_WORD})\b\.?", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_NUMERIC = re.compile(r"^\d{4}[/.]\d{1,2}[/.]\d{1,2}\b")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?!\d)")
# "GMT+4": dateutil follows POSIX and reads this as UTC-4, the opposite of what news means.
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b")
# "09.15 GMT" and "10.39 a.m." are times written with a dot.
_DOT_TIME = re.compile(
    r"\b(\d{1,2})\.(\d{2})(?=\s*(?:[ap]m\b|GMT|UTC|BST|CET|CEST|[ECMP][SD]?T)\b)"
)
# Words a dateline may hold beside the date itself; any other word means this is prose.
_ALLOWED_WORDS = frozenset(
    "at on of the am pm gmt utc bst cet cest et est edt ct cst cdt mt mst mdt pt pst pdt".split()
)
_DEFAULTS = (datetime(1900, 1, 1), datetime(1904, 2, 2))


def _normalise(value: str) -> str:
    text = _PREFIX.sub("", " ".join(value.split()))
    text = re.sub(r"\b([ap])\.m\.?(?=\s|$|,)", r"\1m", text, flags=re.IGNORECASE)
    text = _DOT_TIME.sub(r"\1:\2", text)
    text = _GMT_OFFSET.sub(lambda m: f"{m[1]}{int(m[2]):02d}:{m[3] or '00'}", text)
    return text.strip(" .,|-–—")


def _parse_words(text: str) -> datetime | None:
    """dateutil, but only when it used a year and a month from the text and skipped no prose."""
    from dateutil import parser as dateutil_parser

    results = []
    for default in _DEFAULTS:
        try:
            with warnings.catch_warnings():  # "ET" and friends: kept naive, no need to warn
                warnings.simplefilter("ignore")
                parsed, skipped = dateutil_parser.parse(
                    text, default=default, fuzzy_with_tokens=True
                )
        except (ValueError, OverflowError):
            return None
        words = re.findall(r"[a-z]+", " ".join(skipped).casefold())
        if any(word not in _ALLOWED_WORDS for word in words):
            return None
        results.append(parsed)
    first, second = results
    # A year or month that changes with the default was invented by dateutil, not read.
    if (first.year, first.month) != (second.year, second.month):
        return None
    return first


def parse_date(value: str | None) -> str | None:
    """ISO 8601 for a date-like string ("2023-12-04" or "2023-12-04T10:39:00[+00:00]"), or
    None when it is not clearly a date.

    A year and a month must be present and nothing but the date (and words like "at", "GMT")
    may be around it: dateutil alone turns "Monday" or "market crash 2023" into a date.
    A month without a day ("May 2023") gives its first day, as stores need a full date.
    """
    if not value:
        return None
    text = _normalise(str(value))
    if not text or len(text) > 60:
        return None
    if _ISO.match(text):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.date().isoformat() if len(text) == 10 else parsed.isoformat()
    if not (_YEAR.search(text) and (_MONTH.search(text) or _NUMERIC.match(text))):
        return None
    parsed = _parse_words(text)
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    return parsed.isoformat() if _TIME.search(text) else parsed.date().isoformat()


def find_date_line(lines: Sequence[str]) -> tuple[int, str] | None:
    """The first "Updated: ..." / "Published ..." line that is only a date: (index, ISO date).

    A sentence such as "Published figures for December 2023 show..." is prose, not a dateline.
    """
    for index, line in enumerate(lines):
        if _DATE_LINE.match(line):
            parsed = parse_date(line)
            if parsed:
                return index, parsed
    return None
