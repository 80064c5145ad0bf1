"""Metric functions, each small enough to check by hand (docs/evaluation.md defines them)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from assistant.support import SUPPORT_SHARE, words_supported
from ingest.text import tokenize

_WORD = re.compile(r"\w+", re.UNICODE)


def content_words(text: str) -> list[str]:
    """Lower-case words and numbers without stopwords, plurals folded ("2,500" -> "2500")."""
    return tokenize(text)


_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
_UNITS += " fifteen sixteen seventeen eighteen nineteen"
_SMALL = {w: n for n, w in enumerate(_UNITS.split())}
_SMALL |= {
    w: 10 * n
    for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_MULTIPLIERS = {"hundred": 100, "dozen": 12, **_SCALES}
_NUMBER_WORD = "|".join(sorted([*_SMALL, *_MULTIPLIERS], key=len, reverse=True))
_FIGURE = r"\d+(?:,\d{3})*(?:\.\d+)?"
# A run of figures and number words: "four", "twenty-five", "3.5 million", "a dozen",
# "one hundred and five". "a"/"an" only counts before a multiplier ("a million").
_NUMBER_RUN = re.compile(
    rf"\b(?:an?\s+(?=(?:hundred|thousand|million|billion|trillion|dozen)\b))?"
    rf"(?:{_FIGURE}|(?:{_NUMBER_WORD})\b)"
    rf"(?:(?:\s+|-|\s+and\s+)(?:{_NUMBER_WORD})\b)*",
    re.IGNORECASE,
)


def _numbers(run: str) -> list[Decimal]:
    """The numbers one run states: "two million" -> [2000000]; words that cannot continue
    a number ("five six") start a new one."""
    found: list[Decimal] = []
    total = current = Decimal(0)
    started = False
    for token in re.findall(rf"{_FIGURE}|[a-z]+", run.casefold()):
        if token in ("a", "an", "and"):
            continue
        if token in _MULTIPLIERS:
            factor = _MULTIPLIERS[token]
            if token in _SCALES:
                total, current = total + (current or 1) * factor, Decimal(0)
            else:
                current = (current or 1) * factor
            started = True
            continue
        value = Decimal(token.replace(",", "")) if token[0].isdigit() else Decimal(_SMALL[token])
        # "twenty five" continues a number, "five six" or "2024 20" does not.
        follows_tens = current % 100 >= 20 and current % 10 == 0 and value < 10
        if started and not token[0].isdigit() and (current % 100 == 0 or follows_tens):
            current += value
            continue
        if started:
            found.append(total + current)
        total, current, started = Decimal(0), value, True
    if started:
        found.append(total + current)
    return found


def spell_numbers(text: str) -> str:
    """Numbers as plain figures, however written: "four" -> "4", "two million" and "2
    million" -> "2000000", "3.5 million" -> "3500000", "a dozen" -> "12", "5%" -> "5 percent"."""
    text = re.sub(r"%|\bper cent\b", " percent", text, flags=re.IGNORECASE)
    return _NUMBER_RUN.sub(
        lambda m: " ".join(format(n.normalize(), "f") for n in _numbers(m.group())), text
    )


def said_words(text: str) -> frozenset[str]:
    """The content words a text says, numbers as figures: what a gold answer's words are
    looked for in (an answer, or a whole article for answerability.py)."""
    return frozenset(content_words(spell_numbers(text)))


def gold_alternatives(gold: str) -> list[frozenset[str]]:
    """The word sets any one of which matches the gold answer (non-empty ones only)."""
    wanted = (said_words(alternative) for alternative in gold.split(" / "))
    return [words for words in wanted if words]


def answer_is_correct(gold: str, answer: str) -> bool:
    """All content words of the gold answer appear in the answer (RealTime QA style), numbers
    compared by value however written (see spell_numbers). A gold answer of alternatives
    joined by " / " (RGB writes a date's spellings so: "June 2020 / Jun 2020 / ...") is
    matched by any one of them.

    An empty gold answer cannot be matched and counts as wrong.
    """
    said = said_words(answer)
    return any(wanted <= said for wanted in gold_alternatives(gold))


def passage_matches_evidence(passage_text: str, quote: str) -> bool:
    """A passage holds the evidence when it contains at least half of the quote's content
    words (chunks may cut a long quote in two, so full containment is too strict)."""
    wanted = set(content_words(quote))
    if not wanted:
        return False
    return len(wanted & set(content_words(passage_text))) / len(wanted) >= 0.5


def evidence_rank(
    passages: Sequence[tuple[str, str]], evidence: Iterable[tuple[str, str]]
) -> int | None:
    """1-based rank of the first (article_id, text) passage that holds any gold
    (article_id, quote) evidence, or None when none does."""
    evidence = list(evidence)
    for rank, (article_id, text) in enumerate(passages, start=1):
        for gold_article, quote in evidence:
            if article_id == gold_article and passage_matches_evidence(text, quote):
                return rank
    return None


def hits_at(ranks: Sequence[int | None], k: int) -> float | None:
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mrr_at(ranks: Sequence[int | None], k: int = 10) -> float | None:
    if not ranks:
        return None
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks)


def sentence_is_supported(
    sentence: str, quotes: Sequence[str], threshold: float = SUPPORT_SHARE, question: str = ""
) -> bool:
    """A cited sentence is supported when its cited quotes contain at least `threshold` of
    the content words it adds to the question, numbers all included (a number is the fact
    most often wrong). The question's own words are its premise ("TikTok ... takes effect on
    January 19" states "January 19"); a sentence that adds no word states nothing and is not
    supported. With no question every word counts (the strict reading, also reported)."""
    given = set(content_words(question))
    words = [w for w in content_words(re.sub(r"\[\d+\]", " ", sentence)) if w not in given]
    if not words:
        return not given
    return words_supported(words, set(content_words(" ".join(quotes))), threshold)


def flags_conflict(answer: str, quotes: Sequence[str], gold: str, fake: str) -> bool:
    """The answer says the sources disagree and cites a quote with the true answer and
    another with the planted false one (RGB counterfactuals)."""
    if "disagree" not in answer.casefold():
        return False
    return any(answer_is_correct(gold, q) for q in quotes) and any(
        answer_is_correct(fake, q) for q in quotes
    )


def misled(answer: str, gold: str, fake: str) -> bool:
    """The answer states the planted false answer and not the true one, without a warning."""
    if "disagree" in answer.casefold():
        return False
    return answer_is_correct(fake, answer) and not answer_is_correct(gold, answer)


def share(values: Sequence[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[index]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def word_count(text: str) -> int:
    return len(_WORD.findall(re.sub(r"\[\d+\]", " ", text)))


def reliability_bins(scored: Sequence[tuple[float, bool]], bins: int = 10) -> list[dict]:
    """(confidence, correct) pairs sorted into `bins` equal-width confidence bins (1.0 goes in
    the last): per bin its count, mean confidence and share correct (None when empty)."""
    members: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, correct in scored:
        members[min(max(int(confidence * bins), 0), bins - 1)].append((confidence, correct))
    return [
        {
            "low": i / bins,
            "high": (i + 1) / bins,
            "count": len(m),
            "mean_confidence": mean([c for c, _ in m]),
            "share_correct": share([ok for _, ok in m]),
        }
        for i, m in enumerate(members)
    ]


def calibration_error(bins: Sequence[dict]) -> float | None:
    """Expected calibration error: the count-weighted mean gap between a bin's mean
    confidence and its share correct."""
    total = sum(b["count"] for b in bins)
    if not total:
        return None
    gaps = (b["count"] * abs(b["mean_confidence"] - b["share_correct"]) for b in bins if b["count"])
    return sum(gaps) / total


def brier_score(scored: Sequence[tuple[float, bool]]) -> float | None:
    """Mean squared gap between confidence and outcome (1 correct, 0 not): 0 is perfect."""
    return mean([(confidence - correct) ** 2 for confidence, correct in scored])


def refusal_curve(
    questions: Sequence[tuple[float | None, bool, bool]], thresholds: Sequence[float]
) -> list[dict]:
    """What refusing every answer below a confidence threshold would do, from
    (confidence, answerable, correct) per question. A question is refused when its confidence
    is under the threshold or absent (nothing scored). Per threshold: the share of unanswerable
    questions refused (rightly), of answerable ones refused (wrongly, as "abstained,
    answerable"), and of answerable ones still answered correctly (a question the run itself
    abstained on counts as not correct: its sentence is unknown)."""
    answerable = [(c, ok) for c, can, ok in questions if can]
    unanswerable = [c for c, can, _ in questions if not can]

    def refused(confidence: float | None, threshold: float) -> bool:
        return confidence is None or confidence < threshold

    return [
        {
            "threshold": t,
            "unanswerable_refused": share([refused(c, t) for c in unanswerable]),
            "answerable_refused": share([refused(c, t) for c, _ in answerable]),
            "answerable_correct": share([ok and not refused(c, t) for c, ok in answerable]),
        }
        for t in thresholds
    ]
