"""One event of a briefing from its articles: the sentences that say what happened, who
reported it and when, and the figures its reports gave differently.

Extractive: every sentence is the article's own text at its offsets. A sentence is "about
the event" by the topic's words (weighted by rarity), the names the event's articles share,
and its place (a lead says what happened); the few best by those are then ordered by meaning
(closeness to the topic and to the event's articles, from the stored vectors).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.briefing.model import CHANGE, DISAGREEMENT, BriefingEvent, Difference, Outlet
from assistant.conflicts import quantities
from assistant.settings import ConflictSettings
from assistant.stories.grouping import GroupedArticle
from assistant.types import Answer, Citation
from ingest.text import sentence_spans, tokenize
from ingest.text.names import sentence_names
from ingest.types import Article
from vectorstore.embeddings import Embedder
from vectorstore.types import Passage

# How much of an article is read for sentences: news says what happened first.
READ_CHARS = 6000
# Sentences per event ordered by meaning (embedded): the best by words and place.
SHORTLIST = 6
LEAD_BONUS = 0.3
# Two chosen sentences sharing this share of their words say the same thing twice.
SAME_SENTENCE = 0.6


@dataclass(frozen=True)
class Sentence:
    article: Article
    start: int
    end: int
    lead: bool

    @property
    def text(self) -> str:
        return self.article.text[self.start : self.end]

    def citation(self) -> Citation:
        a = self.article
        return Citation(0, a.id, a.title, a.source, a.published_at, a.url, self.text,
                        self.start, self.end)  # fmt: skip


def sentences(article: Article) -> list[Sentence]:
    """An article's sentences fit to quote: whole statements of 5 to 80 words."""
    found = []
    for s, e in sentence_spans(article.text, 0, min(len(article.text), READ_CHARS)):
        text = article.text[s:e]
        if 5 <= len(text.split()) <= 80 and not text.rstrip().endswith("?"):
            found.append(Sentence(article, s, e, lead=not found))
    return found


@dataclass
class Topic:
    """The topic as sentences are scored against it: its words by rarity, its vector."""

    words: dict[str, float]
    vector: np.ndarray

    @classmethod
    def of(cls, topic: str, idf: Callable[[str], float], embedder: Embedder) -> Topic:
        words = {t: max(idf(t), 0.1) for t in tokenize(topic)}
        return cls(words, np.asarray(embedder.embed_query(topic), dtype=np.float32))

    def share(self, text: str) -> float:
        """The share of the topic's words (weighted by rarity) the text holds."""
        total = sum(self.words.values())
        if not total:
            return 0.0
        present = set(tokenize(text))
        return sum(w for t, w in self.words.items() if t in present) / total


def _jaccard(a: str, b: str) -> float:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    return len(ta & tb) / max(1, len(ta | tb))


def _shared_names(articles: Sequence[GroupedArticle]) -> set[str]:
    """Names at least two of the event's articles hold (one article: its own)."""
    if len(articles) == 1:
        return set(articles[0].names)
    counts: dict[str, int] = defaultdict(int)
    for a in articles:
        for name in a.names:
            counts[name] += 1
    return {n for n, c in counts.items() if c >= 2}


def choose_sentences(
    candidates: Sequence[Sentence],
    grouped: Sequence[GroupedArticle],
    topic: Topic,
    embedder: Embedder,
    most: int,
) -> list[Sentence]:
    """The `most` sentences that best say what the event was, from different articles
    where it can be, never the same statement twice."""
    if not candidates:
        return []
    names = _shared_names(grouped)

    def by_words(s: Sentence) -> float:
        held = set(sentence_names(s.text)) & names
        named = len(held) / max(1, min(len(names), 3))
        return topic.share(s.text) + 0.5 * min(named, 1.0) + LEAD_BONUS * s.lead

    short = sorted(candidates, key=by_words, reverse=True)[:SHORTLIST]
    vectors = np.asarray(embedder.embed_documents([s.text for s in short]), dtype=np.float32)
    centre = np.mean([g.vector for g in grouped], axis=0)
    centre = centre / (np.linalg.norm(centre) or 1.0)
    scores = [by_words(s) + float(v @ topic.vector) + 0.5 * float(v @ centre)
              for s, v in zip(short, vectors, strict=True)]  # fmt: skip
    ranked = [s for _, s in sorted(zip(scores, short, strict=True), key=lambda x: -x[0])]
    chosen = [ranked[0]]
    # Another article's sentence first (another outlet's telling), then any other.
    for pool in ([s for s in ranked if s.article.id != ranked[0].article.id], ranked):
        for s in pool:
            if len(chosen) >= most:
                break
            if s not in chosen and all(_jaccard(s.text, c.text) < SAME_SENTENCE for c in chosen):
                chosen.append(s)
    return sorted(chosen, key=lambda s: (s.article.published_at or "~", s.start))


@dataclass(frozen=True)
class Report:
    """A figure one sentence gives for a counted thing."""

    sentence: Sentence
    value: str
    counted: str

    @property
    def day(self) -> str:
        return (self.sentence.article.published_at or "")[:10]

    @property
    def outlet(self) -> str:
        return self.sentence.article.source


def differences(
    candidates: Sequence[Sentence],
    topic: str,
    embedder: Embedder,
    policy: ConflictSettings,
    most: int = 2,
) -> list[Difference]:
    """Figures for one counted thing that differ between the event's dated reports: two
    outlets on one day are a disagreement; the first report against the last one giving
    another figure is a change (the figure moved over days)."""
    by_thing: dict[str, list[Report]] = defaultdict(list)
    for s in candidates:
        if s.article.published_at:
            for value, counted in quantities(s.text, topic):
                if counted:
                    by_thing[counted].append(Report(s, value, counted))
    pairs: list[tuple[str, Report, Report]] = []
    for reports in by_thing.values():
        if len({r.value for r in reports}) < 2:
            continue
        reports.sort(key=lambda r: (r.day, r.outlet, r.sentence.start))
        days: dict[str, list[Report]] = defaultdict(list)
        for r in reports:
            days[r.day].append(r)
        for on_day in days.values():
            rival = next(((a, b) for a in on_day for b in on_day
                          if a.outlet < b.outlet and a.value != b.value), None)  # fmt: skip
            if rival:
                pairs.append((DISAGREEMENT, *rival))
        first = reports[0]
        later = [r for r in reports if r.day > first.day and r.value != first.value]
        if later:
            pairs.append((CHANGE, first, later[-1]))
    found = []
    for kind, a, b in pairs:
        if len(found) >= most:
            break
        va, vb = embedder.embed_documents([a.sentence.text, b.sentence.text])
        if float(np.dot(va, vb)) >= policy.min_similarity:
            found.append(Difference(kind, a.sentence.citation(), b.sentence.citation()))
    return found


def outlets(articles: Sequence[Article]) -> list[Outlet]:
    """Each outlet once, with the day it first reported, earliest first (then by name)."""
    first: dict[str, str | None] = {}
    for a in sorted(articles, key=lambda a: (a.published_at or "~", a.source)):
        first.setdefault(a.source or "unknown outlet", (a.published_at or "")[:10] or None)
    return [Outlet(name, day) for name, day in first.items()]


Writer = Callable[[str, Sequence[Passage]], Answer]
# Articles of one event a language model is shown (those of the chosen sentences first).
WRITTEN_ARTICLES = 4


def _written(
    articles: Sequence[Article], chosen: Sequence[Sentence], topic: str, writer: Writer
) -> Answer | None:
    """The event as a language model tells it from its articles' openings, every sentence
    checked as a written answer's are (assistant/llm/); None when it wrote nothing that
    stands (it refused, failed, or the answerer fell back to quoting)."""
    first = list(dict.fromkeys(s.article.id for s in chosen))
    shown = sorted(articles, key=lambda a: first.index(a.id) if a.id in first else len(first))
    passages = [
        Passage(
            chunk_id=f"{a.id}:brief",
            article_id=a.id,
            text=a.text[:READ_CHARS],
            start=0,
            end=min(len(a.text), READ_CHARS),
            title=a.title,
            source=a.source,
            published_at=a.published_at,
            url=a.url,
            score=1.0,
        )  # fmt: skip
        for a in shown[:WRITTEN_ARTICLES]
    ]
    answer = writer(f"What happened with {topic}?", passages)
    written = any(n.startswith("written by") for n in answer.notes)
    texts = {a.id: a.text for a in articles}
    # Its quotes are checked again here, so that an event whose written text fails keeps
    # its quoted sentences rather than being dropped by the briefing's final check.
    exact = all(texts.get(c.article_id, "")[c.start : c.end] == c.quote
                for c in answer.citations)  # fmt: skip
    return answer if written and exact and not answer.abstained and answer.citations else None


def make_event(
    articles: Sequence[Article],
    grouped: Sequence[GroupedArticle],
    topic: Topic,
    topic_text: str,
    embedder: Embedder,
    policy: ConflictSettings,
    most: int,
    writer: Writer | None = None,
) -> BriefingEvent | None:
    """The event these articles report; None when none of them has a sentence to quote.
    With a `writer` (a language model's answerer), its checked text tells the event where
    it wrote one that stands; else the chosen sentences, quoted."""
    candidates = [s for a in articles for s in sentences(a)]
    chosen = choose_sentences(candidates, grouped, topic, embedder, most)
    if not chosen:
        return None
    dated = sorted(a.published_at for a in articles if a.published_at)
    event = BriefingEvent(
        date=dated[0][:10] if dated else None,
        citations=[s.citation() for s in chosen],
        outlets=outlets(articles),
        differences=differences(candidates, topic_text, embedder, policy),
        article_ids=[a.id for a in articles],
    )
    answer = _written(articles, chosen, topic_text, writer) if writer else None
    if answer is not None:
        event.citations, event.written = list(answer.citations), answer.text
    return event
