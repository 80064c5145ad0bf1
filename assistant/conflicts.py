"""When sources disagree: two outlets state the same thing with a different fact in it.

An analyst must see both sides (each with its outlet and date) rather than the one sentence
that happened to score higher. The rule is deliberately narrow, because "the sources
disagree" is itself a claim: the two sentences come from different articles, answer about
equally well, say nearly the same words, and differ in the part the question asks for (a
figure for "how many", a date for "when", a name otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from vectorstore.lexical import tokenize

CONFLICT_LEAD = "The sources disagree."
_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")
_MONTH_DAY = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_CALENDAR = re.compile(
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|jan\w*|feb\w*|march|april|may|june|july|aug\w*"
    r"|sept?\w*|oct\w*|nov\w*|dec\w*",
    re.IGNORECASE,
)
# Below these the two sentences are about different things, not the same thing told twice.
_MIN_SAME_WORDS = 0.5
_MIN_SIMILARITY = 0.5
_MIN_RELATIVE_SCORE = 0.45


class Sentence(Protocol):
    text: str
    score: float
    vector: np.ndarray | None

    @property
    def article_id(self) -> str: ...


def figures(text: str, question: str) -> set[str]:
    """The numbers a sentence states, without years and without numbers the question holds."""
    asked = {f.replace(",", "") for f in _FIGURE.findall(question)}
    found = {f.rstrip(".,") for f in _FIGURE.findall(text)}
    found = {f for f in found if not _YEAR.fullmatch(f)}  # "2024" is a year, "2,000" is not
    return {f.replace(",", "") for f in found} - asked


def answer_values(text: str, question: str, kind: str) -> set[str]:
    """The part of a sentence that can answer a question of this kind, as comparable tokens:
    figures for numbers, dates for dates, names (and figures) for everything else; anything
    the question itself holds is not an answer."""
    asked = set(tokenize(question))
    if kind == "number":
        return figures(text, question)
    if kind == "date":
        found = _MONTH_DAY.findall(text)
    else:
        # "Monday" and "March" say when, not who.
        names = (v.rstrip(".") for v in _NAME.findall(text))
        found = [v for v in names if not _CALENDAR.fullmatch(v)]
        found += _FIGURE.findall(text)
    values = {" ".join(t for t in tokenize(v) if t not in asked) for v in found}
    return {v for v in values if v}


def _same_words(a: str, b: str, slot: set[str], question: str) -> float:
    """Share of content words two sentences have in common, leaving out the answer slots and
    the question's own words (any two sentences about the question share those)."""
    skip = {t for v in slot for t in v.split()} | set(tokenize(question))
    ta, tb = set(tokenize(a)) - skip, set(tokenize(b)) - skip
    return len(ta & tb) / max(1, min(len(ta), len(tb)))


def disagreeing(
    best: Sentence, others: Sequence[Sentence], question: str, kind: str
) -> Sentence | None:
    """Another article's sentence that answers as well as `best` but with another value of
    the asked kind, or None."""
    mine = answer_values(best.text, question, kind)
    if not mine or best.vector is None:
        return None
    for cand in others:
        if cand.score < _MIN_RELATIVE_SCORE * best.score:
            return None
        if cand.article_id == best.article_id or cand.vector is None:
            continue
        theirs = answer_values(cand.text, question, kind)
        if not theirs or float(cand.vector @ best.vector) < _MIN_SIMILARITY:
            continue
        # Figures: no figure in common. Names and dates: each side states one the other lacks,
        # in a sentence that otherwise says the same thing.
        if kind == "number":
            differs = not theirs & mine
        else:
            # A value the other sentence holds anywhere (even as its capitalised first word,
            # which is not read as a name) is not one it lacks.
            mine_only = _missing_from(mine - theirs, cand.text)
            theirs_only = _missing_from(theirs - mine, best.text)
            differs = bool(mine_only) and bool(theirs_only)
            differs = differs and _same_words(best.text, cand.text, mine ^ theirs, question) >= (
                _MIN_SAME_WORDS
            )
        if differs:
            return cand
    return None


def _missing_from(values: set[str], text: str) -> set[str]:
    words = set(tokenize(text))
    return {v for v in values if not set(v.split()) <= words}
