"""Time in questions: "as of March 2024", "in 2023", "last week", "latest".

A news answer is only true as of a date. A question that names a time becomes a publication
date range for retrieval; one that asks for the latest state prefers the newest articles.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ingest.text.calendar import MONTH_WORD, month_number

_MONTH = f"({MONTH_WORD})"

_AS_OF = re.compile(
    rf"\b(?:as of|by|before|until|up to)\s+(?:(\d{{1,2}})\s+)?{_MONTH}\.?"
    rf"\s*(\d{{1,2}})?,?\s*(\d{{4}})",
    re.IGNORECASE,
)
_AS_OF_ISO = re.compile(r"\b(?:as of|by|before|until)\s+(\d{4})-(\d{2})-(\d{2})", re.IGNORECASE)
_AS_OF_YEAR = re.compile(r"\b(?:as of|by the end of|before|until)\s+(\d{4})\b", re.IGNORECASE)
_IN_MONTH = re.compile(rf"\b(?:in|during|on)\s+{_MONTH}\.?\s+(\d{{4}})\b", re.IGNORECASE)
_IN_YEAR = re.compile(r"\b(?:in|during)\s+((?:19|20)\d{2})\b", re.IGNORECASE)
_RELATIVE = {
    "today": 0,
    "yesterday": 1,
    "this week": 7,
    "last week": 14,
    "past week": 7,
    "this month": 31,
    "last month": 62,
    "past month": 31,
    "this year": 366,
    "last year": 731,
    "past year": 366,
}
_LATEST = re.compile(
    r"\b(latest|currently|current|now|most recent|recently|so far|still|newest)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class TimeScope:
    """Publication-date bounds implied by a question, and whether newer news should win."""

    after: date | None = None
    before: date | None = None
    prefer_recent: bool = False
    label: str | None = None
    # Counted from the day the question is asked as of ("last week", "now"), not a date it
    # names: such an answer is only true as of that day, and says which day it was.
    relative: bool = False

    @property
    def bounded(self) -> bool:
        return self.after is not None or self.before is not None

    def describe(self) -> str:
        """The publication window in words, for notes and refusals."""
        if self.after and self.before:
            return f"published between {self.after.isoformat()} and {self.before.isoformat()}"
        if self.before:
            return f"published on or before {self.before.isoformat()}"
        if self.after:
            return f"published on or after {self.after.isoformat()}"
        return ""


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# "since the war began in 2022" dates an event inside the question, not the news it asks about.
_EVENT_VERB = re.compile(
    r"\b(?:since|began|begun|started|starting|founded|born|launched|built|established|created"
    r"|opened|elected|introduced|first|last|back)\b[\w\s,']{0,30}$",
    re.IGNORECASE,
)


def _dates_an_event(question: str, at: int) -> bool:
    return bool(_EVENT_VERB.search(question[:at]))


def parse_time_scope(question: str, today: date | None = None) -> TimeScope:
    """Read the time a question is about. Unknown or absent time gives an empty scope."""
    today = today or date.today()
    try:
        if m := _AS_OF_ISO.search(question):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            return TimeScope(before=day, prefer_recent=True, label=f"as of {day.isoformat()}")
        if m := _AS_OF.search(question):
            month = month_number(m[2])
            year = int(m[4])
            day_num = m[1] or m[3]
            day = date(year, month, int(day_num)) if day_num else _month_end(year, month)
            return TimeScope(before=day, prefer_recent=True, label=f"as of {day.isoformat()}")
        if m := _AS_OF_YEAR.search(question):
            day = date(int(m[1]), 12, 31)
            return TimeScope(before=day, prefer_recent=True, label=f"as of {day.isoformat()}")
        if (m := _IN_MONTH.search(question)) and not _dates_an_event(question, m.start()):
            month = month_number(m[1])
            year = int(m[2])
            start, end = date(year, month, 1), _month_end(year, month)
            return TimeScope(after=start, before=end, label=f"{calendar.month_name[month]} {year}")
        if (m := _IN_YEAR.search(question)) and not _dates_an_event(question, m.start()):
            year = int(m[1])
            return TimeScope(after=date(year, 1, 1), before=date(year, 12, 31), label=str(year))
    except ValueError:  # "February 30, 2024": treat as no date rather than fail the question
        return TimeScope()
    lowered = question.casefold()
    for phrase, days in _RELATIVE.items():
        if re.search(rf"\b{phrase}\b", lowered):
            return TimeScope(
                after=today - timedelta(days=days),
                before=today,
                prefer_recent=True,
                label=phrase,
                relative=True,
            )
    if m := _LATEST.search(question):
        return TimeScope(prefer_recent=True, label=m[1].casefold(), relative=True)
    return TimeScope()
