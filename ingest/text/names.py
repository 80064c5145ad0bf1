"""Names in running text: every reader of "a name" in the project, in one place.

A name is a capitalised word. Three things make that rule go wrong, and each is settled
here once: any word that opens a sentence is capitalised (so it is a name only when
something else says so: a possessive "Denny's has ..."); a nationality is capitalised but
names no one ("the popular US retailer", "the famed Italian destination"); a month or
weekday is capitalised but says when. The readers below differ only in what their callers
need back (a word, a run of words, a phrase with "of" inside) and are built from the same
word pattern.
"""

from __future__ import annotations

import re

from ingest.text.calendar import TIME_WORD

_WORD_CHARS = r"[\w'’.-]"
# Any capitalised word, the first of a sentence included ("Syria", "U.S.", "G7").
CAPITALISED = re.compile(rf"\b[A-Z]{_WORD_CHARS}*")
# Not at the start of the text or of a sentence, where any word is capitalised.
_NOT_OPENING = r"(?<!^)(?<![.!?]\s)"
# A run of capitalised words that does not open a sentence ("Joe Biden", "New York").
NAME = re.compile(rf"{_NOT_OPENING}\b[A-Z]{_WORD_CHARS}*(?:\s+[A-Z]{_WORD_CHARS}*)*")
# One such word, letters only and two or more of them (no initials, figures or "I"): what
# a sentence must hold to name the person, place or thing a question asks for.
NAME_WORD = re.compile(rf"{_NOT_OPENING}\b[A-Z][a-zA-Z'’-]+")
# A name, year or date phrase a follow-up question swaps in: capitalised words or figures,
# with "of", "the", "de" and "and" inside ("Bank of England", "2022"). A pattern string, to
# be placed inside other patterns.
NAME_PHRASE = r"(?:[A-Z0-9][\w'’.-]*(?:\s+(?:of|the|de|and|[A-Z0-9][\w'’.-]*))*)"
# A nationality or other demonym: capitalised, but no name of the thing asked about.
NATIONALITY = re.compile(r"[A-Z][a-z]{2,}(?:ian|ean|ese|ish|ican)")
# A country's initials name a place only when a place is asked for ("Which country ...?"
# "The US ..."); for a person or a company they are context.
COUNTRY_INITIALS = frozenset({"US", "USA", "UK", "EU", "UAE"})
# A possessive first word is a name even though it opens the sentence ("Denny's has ...").
_POSSESSIVE_OPENING = re.compile(r"^([A-Z][a-zA-Z'’-]+?)(?:'s|’s)\b")


def sentence_names(sentence: str) -> list[str]:
    """The words of a sentence that name someone or something: capitalised words that do
    not open it (unless possessive), without months, weekdays and nationalities."""
    words = _POSSESSIVE_OPENING.findall(sentence) + NAME_WORD.findall(sentence)
    return [w for w in words if not TIME_WORD.fullmatch(w) and not NATIONALITY.fullmatch(w)]
