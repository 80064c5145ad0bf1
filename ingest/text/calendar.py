"""Month names, one spelling for every reader of dates (publication dates in `ingest.dates`,
time scopes in questions, dates set against each other in answers)."""

from __future__ import annotations

import calendar
import re

# A month's name or abbreviation ("Sept" too), as a regular-expression alternation without a
# group: match it case-insensitively; a trailing "." is the caller's to allow.
MONTH_WORD = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)

_NUMBERS = {name.casefold()[:3]: i for i, name in enumerate(calendar.month_abbr) if name}
_WHOLE_MONTH = re.compile(rf"(?:{MONTH_WORD})\.?", re.IGNORECASE)


def month_number(word: str) -> int:
    """1-12 for a month's name or abbreviation ("September", "sept.", "Sep"); KeyError
    for anything else ("Mayor" is not May)."""
    if not _WHOLE_MONTH.fullmatch(word):
        raise KeyError(word)
    return _NUMBERS[word.casefold()[:3]]


_MONTH = rf"({MONTH_WORD})\.?"
# A whole word that is a month's name or abbreviation (match it against a lower-case token).
MONTH_TOKEN = re.compile(MONTH_WORD)
# "September 26", "26 September" (one date either way round) or a year.
DATE_VALUE = re.compile(
    rf"\b{_MONTH}\s+(\d{{1,2}})\b|\b(\d{{1,2}})\s+{_MONTH}(?![a-z])|\b((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# A word that says when, in any case: a year, a month, a weekday, or "today", "week",
# "year" (a sentence that has one can answer "when?"; a name that is one names no one).
TIME_WORD = re.compile(
    r"\b(?:1[89]\d\d|20\d\d|jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|yesterday|today|tomorrow|week|month|year)\b",
    re.IGNORECASE,
)
# A capitalised word that says when, not who ("Monday", "March", "Sept"): match it whole.
CALENDAR_WORD = re.compile(
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|jan\w*|feb\w*|march|april|may|june|july|aug\w*"
    r"|sept?\w*|oct\w*|nov\w*|dec\w*",
    re.IGNORECASE,
)


def date_values(text: str) -> set[str]:
    """Days and years in a text, one spelling each: "26 September 2023" and "Sept. 26, 2023"
    both give {"sep 26", "2023"}, so one date told two ways is never two values."""
    out = set()
    for month, day, day_first, month_after, year in DATE_VALUE.findall(text):
        if year:
            out.add(year)
        else:
            out.add(f"{(month or month_after)[:3].lower()} {int(day or day_first)}")
    return out
