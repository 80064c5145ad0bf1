"""Articles grouped into stories: the same event across outlets and days.

Average-linkage agglomerative clustering on the articles' stored vectors: two groups join
while the mean similarity of their article pairs reaches `StorySettings.similarity`. A
pair's similarity is its cosine plus a bonus for the names the two share (the same people
and places are evidence of the same event), and a pair further apart in time than the date
window cannot be linked at all (a story of this week is not last year's story of the same
place). The threshold and bonus are picked on data, not by hand: articles a search engine
returned for one RealTime QA question stand in for "one story" (assistant/evaluation/
stories.py; figures in docs/evaluation.md).

Near-duplicate wire copies have a cosine near 1 and so always land in one story, shown
once with all their outlets. The work is quadratic in the number of articles, so callers
cap it (`StorySettings.max_articles`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.settings import StorySettings
from ingest.text.names import sentence_names
from ingest.text.sentences import sentence_spans
from ingest.types import Article

# A pair that may never be linked (out of the date window); average linkage lets a group
# that holds one never join, since any mean including it stays below any threshold.
_APART = -1e6


@dataclass(frozen=True)
class GroupedArticle:
    """What grouping needs of one stored article."""

    article_id: str
    title: str
    source: str  # outlet
    published_at: str | None  # ISO date or date and time
    vector: np.ndarray  # unit vector (mean of its stored chunk vectors, renormalised)
    names: frozenset[str]  # its capitalised names (ingest/text/names.py)


def day_number(published_at: str | None) -> int | None:
    if not published_at:
        return None
    try:
        return date.fromisoformat(published_at[:10]).toordinal()
    except ValueError:
        return None


def pair_similarity(articles: Sequence[GroupedArticle], settings: StorySettings) -> np.ndarray:
    """The n x n similarity grouping works on: cosine, plus `names_weight` times the share
    of names in common (of the shorter list), `_APART` beyond the date window."""
    n = len(articles)
    vectors = np.stack([a.vector for a in articles]).astype(np.float32)
    sim = vectors @ vectors.T
    if settings.names_weight:
        for i in range(n):
            ni = articles[i].names
            for j in range(i + 1, n):
                nj = articles[j].names
                if ni and nj:
                    share = len(ni & nj) / min(len(ni), len(nj))
                    sim[i, j] += settings.names_weight * share
                    sim[j, i] = sim[i, j]
    days = np.array([day_number(a.published_at) or -1 for a in articles])
    dated = days >= 0
    apart = np.abs(days[:, None] - days[None, :]) > settings.window_days
    sim[apart & dated[:, None] & dated[None, :]] = _APART
    return sim


def average_linkage(sim: np.ndarray, floor: float) -> list[tuple[int, int, float]]:
    """The merges of average linkage, in order, down to `floor`: each (i, j, mean) joins
    the group that holds index i with the one that holds j at their mean pair similarity.
    The means only fall from one merge to the next (average linkage has no inversions), so
    the groups at any threshold above `floor` are the merges down to it (`cut`)."""
    n = sim.shape[0]
    sizes = np.ones(n)
    link = sim.astype(np.float64).copy()
    np.fill_diagonal(link, -np.inf)
    done: list[tuple[int, int, float]] = []
    while len(done) < n - 1:
        i, j = divmod(int(np.argmax(link)), n)
        if link[i, j] < floor:
            break
        done.append((i, j, float(link[i, j])))
        # Lance-Williams for average linkage: the joined group's mean similarity to every
        # other group is the size-weighted mean of its two parts'.
        merged = (sizes[i] * link[i] + sizes[j] * link[j]) / (sizes[i] + sizes[j])
        link[i], link[:, i] = merged, merged
        link[i, i] = -np.inf
        link[j], link[:, j] = -np.inf, -np.inf
        sizes[i] += sizes[j]
    return done


def cut(n: int, merges: Sequence[tuple[int, int, float]], threshold: float) -> list[list[int]]:
    """The groups of indices 0..n-1 once the merges that reach `threshold` are made."""
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, j, mean in merges:
        if mean < threshold:
            break
        parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def _newest(articles: list[GroupedArticle], limit: int) -> list[GroupedArticle]:
    dated = sorted((a for a in articles if a.published_at), key=lambda a: a.published_at or "")
    undated = [a for a in articles if not a.published_at]
    return (dated[::-1] + undated)[:limit]


def group_articles(articles: Sequence[GroupedArticle], settings: StorySettings) -> list[list[str]]:
    """Groups of article ids, each one story (same event across outlets and days), largest
    first; within a group, oldest report first. At most `settings.max_articles` articles
    are grouped: the newest; the rest are left out (callers narrow the period)."""
    unique = list({a.article_id: a for a in articles}.values())
    if len(unique) > settings.max_articles:
        unique = _newest(unique, settings.max_articles)
    if not unique:
        return []
    sim = pair_similarity(unique, settings)
    groups = cut(len(unique), average_linkage(sim, settings.similarity), settings.similarity)
    ordered = [
        sorted((unique[i] for i in group), key=lambda a: (a.published_at or "~", a.article_id))
        for group in groups
    ]
    ordered.sort(key=lambda g: (-len(g), g[0].published_at or "~", g[0].article_id))
    return [[a.article_id for a in group] for group in ordered]


# How much of an article is read for its names: the headline and the lead say who and where.
LEAD_CHARS = 2000


def article_names(title: str, text: str) -> frozenset[str]:
    """The names of an article's headline and lead (ingest/text/names.py's reading)."""
    lead = text[:LEAD_CHARS]
    names = set(sentence_names(title))
    for start, end in sentence_spans(lead):
        names.update(sentence_names(lead[start:end]))
    return frozenset(names)


def grouped_article(article: Article, vector: np.ndarray) -> GroupedArticle:
    """A stored article and its stored vector, as grouping reads them."""
    return GroupedArticle(
        article_id=article.id,
        title=article.title,
        source=article.source,
        published_at=article.published_at,
        vector=vector,
        names=article_names(article.title, article.text),
    )
