"""A briefing, built: the period's articles about the topic gathered (the store's filtered
search), grouped into events (assistant/stories/grouping.py), each event told by its own
sentences (`events`), then every quote checked against the stored text.

Bounded: at most `brief.max_articles` articles are read, and after `brief.max_seconds` the
events made so far are returned with a note saying so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from assistant.briefing.events import Topic, Writer, make_event
from assistant.briefing.model import Briefing, verified
from assistant.settings import Settings
from assistant.stories.grouping import GroupedArticle, group_articles
from ingest.types import Article
from vectorstore.embeddings import Embedder
from vectorstore.types import Passage, SearchFilters

MAX_TOPIC_CHARS = 300
# A passage found by the topic's words counts when it holds this share of them (by rarity).
MIN_WORD_SHARE = 0.5

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Library:
    """What a briefing reads, as the application hands it over (assistant/app.py): the
    filtered search, the stored articles, their stored vectors, the embedder and the idf."""

    search: Callable[[str, int, SearchFilters], list[Passage]]
    articles: Callable[[Sequence[str]], dict[str, Article]]
    grouped: Callable[[Sequence[str]], list[GroupedArticle]]
    embedder: Embedder
    idf: Callable[[str], float]
    # A language model's answerer, when one is configured: it writes each event's text.
    writer: Writer | None = None


def _now() -> float:
    # Looked up when a briefing starts, so a test can stand in a clock it moves itself.
    return time.perf_counter()


def check_request(topic: str, since: date | None, until: date | None) -> str:
    """The topic, whitespace folded; ValueError naming the field that cannot be used."""
    topic = " ".join((topic or "").split())
    if not topic:
        raise ValueError("topic: empty; say what the briefing is about")
    if len(topic) > MAX_TOPIC_CHARS:
        raise ValueError(f"topic: {len(topic)} characters; at most {MAX_TOPIC_CHARS}")
    if since and until and since > until:
        raise ValueError(f"since ({since.isoformat()}) is after until ({until.isoformat()})")
    return topic


def relevant_articles(passages: Sequence[Passage], topic: Topic, settings: Settings) -> list[str]:
    """The articles of the passages that are about the topic, best first, at most
    `brief.max_articles`: a passage counts when its meaning is close to the topic
    (`brief.min_similarity`) or the search found it by enough of the topic's words."""
    ids: list[str] = []
    for p in passages:
        close = (p.dense_similarity or 0.0) >= settings.brief.min_similarity
        worded = p.lexical_rank is not None and topic.share(p.text) >= MIN_WORD_SHARE
        if (close or worded) and p.article_id not in ids:
            ids.append(p.article_id)
    return ids[: settings.brief.max_articles]


def brief(
    topic: str,
    since: date | None,
    until: date | None,
    source: str | None,
    *,
    library: Library,
    settings: Settings,
    progress: Progress | None = None,
    clock: Callable[[], float] | None = None,
) -> Briefing:
    """The briefing on `topic` for the period (both ends inclusive; None: open), from one
    outlet when `source` is given. ValueError names a field that cannot be used."""
    say = progress or (lambda _: None)
    clock = clock or _now
    topic = check_request(topic, since, until)
    source = " ".join((source or "").split()) or None
    started = clock()
    deadline = started + settings.brief.max_seconds
    result = Briefing(topic, since, until, source)
    say("searching")
    filters = SearchFilters(sources=(source,) if source else (), published_after=since,
                            published_before=until)  # fmt: skip
    wanted = Topic.of(topic, library.idf, library.embedder)
    # Several passages of one article come back: ask for more than the articles wanted.
    passages = library.search(topic, 3 * settings.brief.max_articles, filters)
    ids = relevant_articles(passages, wanted, settings)
    searched = clock()
    result.articles_read = len(ids)
    if not ids:
        result.notes.append(result.empty_text)
        result.timings = {"search_s": searched - started, "total_s": searched - started}
        return result
    say(f"grouping {len(ids)} articles")
    grouped = {g.article_id: g for g in library.grouped(ids)}
    groups = group_articles(list(grouped.values()), settings.stories)
    articles = library.articles([i for g in groups for i in g])
    grouped_at = clock()
    shown = groups[: settings.brief.max_events]
    if len(groups) > len(shown):
        result.notes.append(
            f"{len(groups)} events found; the {len(shown)} reported by the most articles are "
            "shown (brief.max_events)"
        )
    for i, group in enumerate(shown, start=1):
        if clock() > deadline:
            result.notes.append(
                f"stopped after {settings.brief.max_seconds:g} s (brief.max_seconds): "
                f"{i - 1} of {len(shown)} events made"
            )
            break
        say(f"event {i} of {len(shown)}")
        members = [articles[a] for a in group if a in articles]
        event = make_event(members, [grouped[a] for a in group if a in articles], wanted,
                           topic, library.embedder, settings.answer.conflicts,
                           settings.brief.sentences, library.writer)  # fmt: skip
        if event is not None:
            result.events.append(event)
    if any(e.written is not None for e in result.events):
        result.notes.append(
            "events written by the language model, every sentence checked against the "
            "articles; the others quote them"
        )
    result.events.sort(key=lambda e: (e.date or "~", e.article_ids[0]))
    result = verified(result, articles)
    done = clock()
    result.timings = {
        "search_s": searched - started,
        "group_s": grouped_at - searched,
        "events_s": done - grouped_at,
        "total_s": done - started,
    }
    return result
