"""Numbers as news writes them: figures ("2,500", "5.25"), words ("four", "a dozen") and
scales ("2 million", "3bn"), read as plain values so that any two spellings compare equal."""

from __future__ import annotations

import re

from ingest.text.tokens import tokenize

# Any figure, as written.
FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d")
NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
     "ninety": 90, "dozen": 12, "hundred": 100}  # fmt: skip
SCALES = {"thousand": 10**3, "million": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9,
          "trillion": 10**12}  # fmt: skip
# Any mention of an amount: a digit, a number word, or a word for many or a share ("dozens",
# "half"): a sentence with none cannot answer "how many?".
NUMBER_MENTION = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?"
    r"|thousands?|millions?|billions?|half|third|quarter)\b",
    re.IGNORECASE,
)
# A figure or number word, with its scale when one follows.
QUANTITY = re.compile(
    r"(?P<figure>\d[\d,]*(?:\.\d+)?|\b(?:" + "|".join(NUMBER_WORDS) + r")\b)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|bn|m)\b)?",
    re.IGNORECASE,
)
_MONTH_BEFORE = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s*$", re.IGNORECASE
)


def stated_quantities(text: str) -> list[tuple[str, str]]:
    """Each quantity the text states, as a plain value ("four" and "4", "2 million" and
    "2,000,000" alike), with the word after it (what it counts, tokenised; "" when none).
    Days of a month ("April 6"), clock times ("10:30"), years and shares ("5%") are not
    quantities."""
    found = []
    for m in QUANTITY.finditer(text):
        raw = m["figure"].casefold()
        if _MONTH_BEFORE.search(text[: m.start()]) or text[m.end() : m.end() + 1] == ":":
            continue  # "April 6", "10:30"
        if raw.isalpha():
            number = float(NUMBER_WORDS[raw])
        else:
            digits = raw.replace(",", "").rstrip(".")
            if _YEAR.fullmatch(digits) and not m["scale"]:
                continue  # "2024" is a year, "2,024" is not
            try:
                number = float(digits)
            except ValueError:
                continue
        if m["scale"]:
            number *= SCALES[m["scale"].casefold()]
        rest = text[m.end() :].lstrip()
        if rest.startswith("%"):
            continue
        # What it counts: the next word, when it is a content word ("2,000 people"; not
        # "2,500 in Iraq").
        following = " ".join(tokenize((rest.split(maxsplit=1) or [""])[0]))
        found.append((f"{number:g}" if number < 1e15 else raw, following))
    return found
