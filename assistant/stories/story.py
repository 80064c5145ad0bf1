"""A story: its articles, outlets, first and last report, and what its outlets agree and
differ on, each a sentence cited with its exact offsets in the stored article.

"Facts they share": a sentence whose figures and names are also in another outlet's article
of the story (the same content told twice is the nearest an extractive reader gets to
"agreed"). "Details they differ on": two outlets' sentences that count the same thing with
different figures, or give different dates, in otherwise alike words: the rules of
assistant/conflicts.py (`values_differ`), applied across a story instead of an answer. A
difference between reports of different days may be an update rather than a disagreement;
each side shows its date, and `same_day` says which it is.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from itertools import combinations

from assistant.citations import quote_is_exact
from assistant.conflicts import quantities, values_differ
from assistant.settings import ConflictSettings
from assistant.types import Citation
from ingest.text import date_values, sentence_spans, tokenize
from ingest.text.names import sentence_names
from ingest.types import Article

# What is read of a story for its facts: the first characters of at most this many of its
# articles (spread over its outlets); a story's leads say what its outlets report.
READ_CHARS = 4000
READ_ARTICLES = 12
SHARED_FACTS = 3
DIFFERENCES = 4
# A sentence shorter or longer than this (words) is not shown as a fact.
MIN_WORDS, MAX_WORDS = 6, 60
# Two sentences that give one thing differently must otherwise say alike things: at least
# this share of their content words (figures aside) in common, as for an answer's
# disagreement (assistant/settings.py, ConflictSettings.min_same_words).
MIN_ALIKE = ConflictSettings.min_same_words


@dataclass(frozen=True)
class StoryFact:
    """A sentence stating what several outlets report; `outlets` are those whose articles
    hold its figures and names."""

    citation: Citation
    outlets: tuple[str, ...]


@dataclass(frozen=True)
class StoryDifference:
    """Two outlets giving one thing differently (`what`: the counted word, or "date"),
    the earlier report first."""

    what: str
    sides: tuple[Citation, Citation]
    same_day: bool


@dataclass(frozen=True)
class Story:
    """One event across outlets and days. `id` is derived from its article ids."""

    id: str
    headline: str
    article_ids: tuple[str, ...]
    outlets: tuple[str, ...]
    first_report: str | None
    last_report: str | None
    shared: tuple[StoryFact, ...]
    differing: tuple[StoryDifference, ...]

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def of(cls, data: dict) -> Story:
        """A story from `as_dict` (JSON), e.g. from GET /v1/stories."""
        shared = tuple(StoryFact(Citation(**f["citation"]), tuple(f["outlets"]))
                       for f in data["shared"])  # fmt: skip
        differing = []
        for d in data["differing"]:
            first, second = (Citation(**c) for c in d["sides"])
            differing.append(StoryDifference(d["what"], (first, second), d["same_day"]))
        fields = {k: data[k] for k in ("id", "headline", "first_report", "last_report")}
        ids, outlets = tuple(data["article_ids"]), tuple(data["outlets"])
        return cls(**fields, article_ids=ids, outlets=outlets, shared=shared,
                   differing=tuple(differing))  # fmt: skip

    def citations(self) -> list[Citation]:
        return [f.citation for f in self.shared] + [c for d in self.differing for c in d.sides]


def story_id(article_ids: Sequence[str]) -> str:
    """The same articles, the same id (in any order)."""
    digest = hashlib.sha256("\n".join(sorted(article_ids)).encode()).hexdigest()
    return "s" + digest[:15]


@dataclass(frozen=True)
class _Sentence:
    article: Article
    start: int
    end: int
    outlet: str

    @property
    def text(self) -> str:
        return self.article.text[self.start : self.end]

    # Each read once: a story's sentences are compared with many others.
    @cached_property
    def quantities(self) -> set[tuple[str, str]]:
        return quantities(self.text)

    @cached_property
    def figures(self) -> set[str]:
        return {value for value, _ in self.quantities}

    @cached_property
    def names(self) -> set[str]:
        return {n.casefold() for n in sentence_names(self.text)}

    @cached_property
    def dates(self) -> set[str]:
        return date_values(self.text)

    @cached_property
    def words(self) -> set[str]:
        """Its content words, without its figures (what two tellings of one thing share)."""
        return set(tokenize(self.text)) - self.figures


def _outlet(article: Article) -> str:
    # An article without an outlet is a source of its own, never one with another.
    return article.source.strip() or f"({article.id})"


def _names(text: str) -> set[str]:
    return {n.casefold() for n in sentence_names(text)}


def _content(article: Article, sentences: list[_Sentence]) -> tuple[set[str], ...]:
    """The figures, names and dates an article's read sentences state (and its headline's
    names)."""
    mine = [s for s in sentences if s.article.id == article.id]
    figures = set().union(*(s.figures for s in mine))
    names = set().union(*(s.names for s in mine)) | _names(article.title)
    return figures, names, set().union(*(s.dates for s in mine))


def _read(articles: Sequence[Article]) -> list[Article]:
    """At most READ_ARTICLES articles, taking each outlet's in turn (oldest first)."""
    by_outlet: dict[str, list[Article]] = {}
    for article in articles:
        by_outlet.setdefault(_outlet(article), []).append(article)
    chosen: list[Article] = []
    while len(chosen) < READ_ARTICLES and any(by_outlet.values()):
        for queue in by_outlet.values():
            if queue and len(chosen) < READ_ARTICLES:
                chosen.append(queue.pop(0))
    return chosen


def _sentences(article: Article) -> list[_Sentence]:
    end = min(len(article.text), READ_CHARS)
    return [
        _Sentence(article, s, e, _outlet(article)) for s, e in sentence_spans(article.text, 0, end)
    ]


def _cite(n: int, sentence: _Sentence) -> Citation:
    a = sentence.article
    return Citation(n, a.id, a.title, a.source, a.published_at, a.url, sentence.text,
                    sentence.start, sentence.end)  # fmt: skip


def _shared(
    sentences: list[_Sentence], read: list[Article]
) -> list[tuple[_Sentence, tuple[str, ...]]]:
    """Sentences whose figures and names other outlets' articles hold too, the most widely
    reported first, no two about the same figures and names."""
    content = {a.id: _content(a, sentences) for a in read}
    ranked = []
    for s in sentences:
        words = len(s.text.split())
        figures, names, dates = s.figures, s.names, s.dates
        if not MIN_WORDS <= words <= MAX_WORDS or not names or not (figures or len(names) >= 2):
            continue
        need = math.ceil(len(names) / 2) if figures else max(2, math.ceil(2 * len(names) / 3))
        outlets = {s.outlet}
        for other in read:
            their_figures, their_names, their_dates = content[other.id]
            if (
                _outlet(other) != s.outlet
                and figures <= their_figures
                and dates <= their_dates
                and len(names & their_names) >= need
            ):
                outlets.add(_outlet(other))
        if len(outlets) > 1:
            keys = figures | names | dates
            size = len(figures) + len(names)
            ranked.append((-len(outlets), -size, s, tuple(sorted(outlets)), keys))
    ranked.sort(key=lambda r: (r[0], r[1], r[2].article.published_at or "~", r[2].start))
    chosen: list[tuple[_Sentence, tuple[str, ...]]] = []
    said: list[set[str]] = []
    for *_, s, outlets, keys in ranked:
        if any(len(keys & k) / len(keys | k) >= 0.5 for k in said):
            continue
        chosen.append((s, outlets))
        said.append(keys)
        if len(chosen) == SHARED_FACTS:
            break
    return chosen


def _alike(a: _Sentence, b: _Sentence) -> bool:
    """Two sentences that tell one thing: most of their content words in common."""
    return len(a.words & b.words) / max(1, min(len(a.words), len(b.words))) >= MIN_ALIKE


def _day(s: _Sentence) -> str:
    return (s.article.published_at or "")[:10]


def _differences(sentences: list[_Sentence]) -> list[tuple[str, _Sentence, _Sentence]]:
    """Pairs of outlets' sentences that count one thing with different figures, or give
    different dates: one pair per thing, same-day pairs (disagreements) first."""
    counted: dict[str, list[_Sentence]] = {}
    dated: list[_Sentence] = []
    for s in sentences:
        for _, noun in s.quantities:
            if noun:
                counted.setdefault(noun, []).append(s)
        if s.dates:
            dated.append(s)
    found: dict[str, tuple[str, _Sentence, _Sentence]] = {}
    candidates = [(noun, group, "number") for noun, group in counted.items()]
    candidates.append(("date", dated, "date"))
    for what, group, kind in candidates:
        pairs = []
        for a, b in combinations(dict.fromkeys(group), 2):
            if a.outlet == b.outlet or not _alike(a, b):
                continue
            if values_differ(a.text, b.text, "", kind):
                first, second = sorted((a, b), key=lambda s: (_day(s) or "~", s.article.id))
                pairs.append((_day(first) != _day(second), first, second))
        if pairs:
            _, first, second = min(pairs, key=lambda p: (p[0], _day(p[1]), p[1].start))
            found[what] = (what, first, second)
    ordered = sorted(found.values(), key=lambda d: (_day(d[1]) != _day(d[2]), _day(d[1])))
    return ordered[:DIFFERENCES]


def build_story(article_ids: Sequence[str], articles: Mapping[str, Article]) -> Story:
    """The story of these articles (ids in report order, as `group_articles` gives them);
    every quote is checked against `articles` (the stored text), and one that is not exact
    is left out."""
    stored = [articles[i] for i in article_ids if i in articles]
    read = _read(stored)
    sentences = [s for a in read for s in _sentences(a)]
    n = 0
    shared = []
    for sentence, outlets in _shared(sentences, read):
        n += 1
        shared.append(StoryFact(_cite(n, sentence), outlets))
    differing = []
    for what, first, second in _differences(sentences):
        sides = (_cite(n + 1, first), _cite(n + 2, second))
        n += 2
        differing.append(StoryDifference(what, sides, _day(first) == _day(second) != ""))
    # The check every answer passes: no quote leaves unless it is the stored text.
    shared = [f for f in shared if quote_is_exact(f.citation, articles)]
    differing = [d for d in differing if all(quote_is_exact(c, articles) for c in d.sides)]
    dates = sorted(a.published_at for a in stored if a.published_at)
    outlets = tuple(dict.fromkeys(a.source for a in stored if a.source.strip()))
    headline = stored[0].title if stored else ""
    return Story(
        id=story_id([a.id for a in stored]),
        headline=headline,
        article_ids=tuple(a.id for a in stored),
        outlets=outlets,
        first_report=dates[0] if dates else None,
        last_report=dates[-1] if dates else None,
        shared=tuple(shared),
        differing=tuple(differing),
    )
