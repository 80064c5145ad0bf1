"""The stories of a period: the stored articles of the period (and outlet) grouped, and the
largest stories built with their shared facts and differences (what `Newsdesk.stories`
returns to every interface)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from assistant.settings import StorySettings
from assistant.stories.grouping import GroupedArticle, group_articles
from assistant.stories.story import Story, build_story
from ingest.types import Article
from vectorstore.types import ArticleInfo

MAX_LIMIT = 100


@dataclass
class StoryList:
    """The stories found, largest first, and what was grouped to find them."""

    stories: list[Story]
    articles_in_period: int
    articles_grouped: int
    stories_found: int
    since: str | None = None
    until: str | None = None
    source: str | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "stories": [s.as_dict() for s in self.stories],
            "articles_in_period": self.articles_in_period,
            "articles_grouped": self.articles_grouped,
            "stories_found": self.stories_found,
            "since": self.since,
            "until": self.until,
            "source": self.source,
            "notes": self.notes,
        }


def story_list_of(data: dict) -> StoryList:
    """A StoryList from `as_dict` (JSON): the remote CLI reads GET /v1/stories with it."""
    rest = {k: v for k, v in data.items() if k != "stories"}
    return StoryList(stories=[Story.of(s) for s in data["stories"]], **rest)


def in_period(info: ArticleInfo, since: date | None, until: date | None) -> bool:
    """Published on a day from `since` to `until` (both included); an undated article is
    in no bounded period."""
    if since is None and until is None:
        return True
    day = (info.published_at or "")[:10]
    if not day:
        return False
    return (since is None or day >= since.isoformat()) and (
        until is None or day <= until.isoformat()
    )


def list_stories(
    infos: Sequence[ArticleInfo],
    grouped: Callable[[Sequence[str]], list[GroupedArticle]],
    stored: Callable[[Sequence[str]], Mapping[str, Article]],
    settings: StorySettings,
    *,
    since: date | None = None,
    until: date | None = None,
    source: str | None = None,
    limit: int = 20,
) -> StoryList:
    """`infos`: the stored articles, newest first (samples already left out where they must
    be); `grouped` and `stored` read articles from the store. With `source`, the stories that
    outlet reported (with every outlet's articles of them)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit: from 1 to {MAX_LIMIT}, not {limit}")
    if since and until and since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    period = [i for i in infos if in_period(i, since, until)]
    # The newest first (undated last), cut before anything is read: the grouping is
    # quadratic, and reading vectors and names costs as much as grouping.
    newest = sorted(period, key=lambda i: i.published_at or "", reverse=True)
    groups = group_articles(grouped([i.id for i in newest[: settings.max_articles]]), settings)
    notes = []
    grouped_count = sum(len(g) for g in groups)
    if len(period) > settings.max_articles:
        notes.append(
            f"only the newest {settings.max_articles} of the period's {len(period)} articles "
            "were grouped (NEWSDESK_STORIES_MAX_ARTICLES); narrow the period for the rest"
        )
    if source:
        outlet_of = {i.id: i.source.casefold() for i in period}
        wanted = source.strip().casefold()
        groups = [g for g in groups if any(outlet_of.get(a) == wanted for a in g)]
    if not period:
        notes.append("no stored article falls in this period")
    elif not groups:
        notes.append(f"no story in this period was reported by {source}")
    chosen = groups[:limit]
    articles = stored(sorted({a for g in chosen for a in g}))
    return StoryList(
        stories=[build_story(g, articles) for g in chosen],
        articles_in_period=len(period),
        articles_grouped=grouped_count,
        stories_found=len(groups),
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        source=source,
        notes=notes,
    )
