"""When sources disagree: two outlets state the same thing with a different fact in it.

An analyst must see both sides (each with its outlet and date) rather than the one sentence
that happened to score higher. The rule is deliberately narrow, because "the sources
disagree" is itself a claim: the two sentences come from different articles, answer about
equally well, say nearly the same words, and differ in the part the question asks for (a
figure for "how many", a date for "when", a name otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from assistant.scored import ScoredSentence
from assistant.settings import ConflictSettings
from ingest.text import (
    CALENDAR_WORD,
    FIGURE,
    MONTH_TOKEN,
    NAME,
    date_values,
    stated_quantities,
    tokenize,
)

CONFLICT_LEAD = "The sources disagree."
# Below its floors (`answer.conflicts`) the two sentences are about different things, not the
# same thing told twice.


# A figure followed by one of these counts time or a share, not the things asked about
# ("four astronauts" against "Monday, April 6"; "900 troops" against "attacked 70 times").
_OTHER_MEASURES = set(
    "time times day days week weeks month months year years hour hours minute minutes percent"
    " per cent pm am a.m p.m o'clock".split()
)


def quantities(text: str, question: str = "") -> set[tuple[str, str]]:
    """The quantities a sentence states, each with the word that follows it (what it
    counts), as plain numbers ("four" and "4", "2 million" and "2,000,000" compare equal);
    without years, days of a month, clock times, shares, measures of time or "times", and
    without numbers the question itself holds."""
    asked = {v for v, _ in stated_quantities(question)}
    counted = counted_noun(question)
    return {
        (value, following)
        for value, following in stated_quantities(text)
        if value not in asked and (following not in _OTHER_MEASURES or following in counted)
    }


def counted_noun(question: str) -> set[str]:
    """The words after "how many" ("US troops"): what a count must count."""
    m = re.search(r"\bhow (?:many|much)\s+((?:[\w'’-]+\s*){1,3})", question, re.IGNORECASE)
    return set(m[1].casefold().split()) if m else set()


def figures(text: str, question: str) -> set[str]:
    """The numbers a sentence states that could answer the question (see quantities)."""
    return {value for value, _ in quantities(text, question)}


def answer_values(text: str, question: str, kind: str) -> set[str]:
    """The part of a sentence that can answer a question of this kind, as comparable tokens:
    figures for numbers, dates for dates, names (and figures) for everything else; anything
    the question itself holds is not an answer."""
    asked = set(tokenize(question))
    if kind == "number":
        return figures(text, question)
    if kind == "date":
        return date_values(text) - date_values(question)
    # "Monday" and "March" say when, not who.
    names = (v.rstrip(".") for v in NAME.findall(text))
    found = [v for v in names if not CALENDAR_WORD.fullmatch(v)]
    found += FIGURE.findall(text)
    values = {" ".join(t for t in tokenize(v) if t not in asked) for v in found}
    return {v for v in values if v}


def slot_words(values: set[str], *texts: str) -> set[str]:
    """The words that spell `values` in `texts`: each value's tokens, and for a date
    ("sep 26") the month as the text wrote it ("september")."""
    words = {t for v in values for t in v.split()}
    months = {w for w in words if w.isalpha()}
    spelled = (t for text in texts for t in tokenize(text) if t[:3] in months)
    return words | {t for t in spelled if MONTH_TOKEN.fullmatch(t)}


def _same_words(a: str, b: str, slot: set[str], question: str) -> float:
    """Share of content words two sentences have in common, leaving out the answer slots'
    words and the question's own (any two sentences about the question share those)."""
    skip = slot | set(tokenize(question))
    ta, tb = set(tokenize(a)) - skip, set(tokenize(b)) - skip
    return len(ta & tb) / max(1, min(len(ta), len(tb)))


def rivals(
    best: ScoredSentence,
    others: Sequence[ScoredSentence],
    question: str,
    kind: str,
    *,
    likely: Callable[[ScoredSentence], bool] | None = None,
    same_thing: Callable[[str, str], bool] | None = None,
    policy: ConflictSettings | None = None,
) -> Iterator[ScoredSentence]:
    """The sentences of `others`, in order, that the rules set against `best`: from another
    article (and not the same outlet's report of the same day), close in meaning, with
    another value of the asked kind. With `likely` (the learned decision: does this sentence
    answer the question?) both sides must be likely answers; without it, the rival must
    score close to `best`. `same_thing` says whether two counted words name the same thing
    ("people", "residents"): two figures disagree only when they count the same thing.
    `policy`: the floors (the settings' `answer.conflicts`; defaults when None)."""
    policy = policy or ConflictSettings()
    if best.vector is None or (likely is not None and not likely(best)):
        return
    if not answer_values(best.text, question, kind):
        return
    for cand in others:
        if likely is None and cand.score < policy.min_relative_score * best.score:
            return
        if cand.article_id == best.article_id or cand.vector is None:
            continue
        if one_outlet(best, cand) and _same_day(best, cand):
            continue  # one outlet's two articles of one day are one source, not two
        if likely is not None and not likely(cand):
            continue
        if float(cand.vector @ best.vector) < policy.min_similarity:
            continue
        if values_differ(best.text, cand.text, question, kind, same_thing, policy.min_same_words):
            yield cand


def values_differ(
    mine: str,
    theirs: str,
    question: str,
    kind: str,
    same_thing: Callable[[str, str], bool] | None = None,
    min_same_words: float = ConflictSettings.min_same_words,
) -> bool:
    """Whether two sentences give different values of the asked kind: different counts of
    the same thing for a number question; otherwise a value each lacks that the other
    holds, in sentences that share at least `min_same_words` of their other words."""
    if kind == "number":
        return _counts_differ(quantities(mine, question), quantities(theirs, question), same_thing)
    mine_values = answer_values(mine, question, kind)
    their_values = answer_values(theirs, question, kind)
    # A value the other sentence holds anywhere (even as its capitalised first word, which
    # is not read as a name) is not one it lacks.
    mine_only = _missing_from(mine_values - their_values, theirs)
    theirs_only = _missing_from(their_values - mine_values, mine)
    if not (their_values and mine_only and theirs_only):
        return False
    slots = slot_words(mine_values ^ their_values, mine, theirs)
    return _same_words(mine, theirs, slots, question) >= min_same_words


def one_outlet(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Both sentences come from the same named outlet: one source, however many articles.
    Its two values on two days are an update (shown as a change), never "the sources
    disagree"."""
    mine, theirs = a.passage.source or "", b.passage.source or ""
    return bool(mine) and mine.casefold() == theirs.casefold()


def _same_day(a: ScoredSentence, b: ScoredSentence) -> bool:
    """Both dated, on the same day (undated sentences are not known to be one report)."""
    mine, theirs = a.passage.published_at or "", b.passage.published_at or ""
    return bool(mine) and bool(theirs) and mine[:10] == theirs[:10]


def _counts_differ(
    mine: set[tuple[str, str]],
    theirs: set[tuple[str, str]],
    same_thing: Callable[[str, str], bool] | None,
) -> bool:
    """Two sentences give different counts of one thing: no number in common, and a number
    in each that counts the same thing (a count of astronauts and a day of April, or 48
    teams and 12 groups, are not rival answers)."""
    if not mine or not theirs or {v for v, _ in mine} & {v for v, _ in theirs}:
        return False
    same = same_thing or (lambda a, b: a == b)
    return any(a and b and same(a, b) and va != vb for va, a in mine for vb, b in theirs)


def _missing_from(values: set[str], text: str) -> set[str]:
    words = set(tokenize(text))
    return {v for v in values if not set(v.split()) <= words}
