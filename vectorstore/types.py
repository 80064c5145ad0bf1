"""What the store hands back: passages found by a search, and article summaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date


@dataclass(frozen=True)
class SearchFilters:
    """Restrict a search to some outlets and/or a publication date range (both ends inclusive).

    An article with no known date is excluded as soon as a date bound is given.
    `exclude_articles` leaves some articles out (the evaluation's no-explanations setting
    searches the same collection without its explanation passages).
    """

    sources: tuple[str, ...] = ()
    published_after: date | None = None
    published_before: date | None = None
    exclude_articles: frozenset[str] = frozenset()

    def is_empty(self) -> bool:
        return (
            not self.sources
            and self.published_after is None
            and self.published_before is None
            and not self.exclude_articles
        )


@dataclass(frozen=True)
class Passage:
    """A chunk returned by a search, with the article metadata needed to cite it.

    `start`/`end` are offsets of `text` in the article's text. `score` is the fused score;
    the ranks say which retriever found it (None: not in that retriever's candidates).
    """

    chunk_id: str
    article_id: str
    text: str
    start: int
    end: int
    title: str
    source: str
    published_at: str | None
    url: str | None
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_similarity: float | None = None
    sample: bool = False


@dataclass(frozen=True)
class ArticleInfo:
    """An article's metadata and chunk count, as listed by the store."""

    id: str
    title: str
    source: str
    published_at: str | None
    url: str | None
    author: str | None
    origin: str
    chunk_count: int
    length: int
    sample: bool = False


@dataclass(frozen=True)
class ArticleQuery:
    """Which stored articles to list: by outlet (any of `sources`), by a piece of the title,
    or by a piece of title, outlet, URL or text (`matching`); case is ignored. Empty: all."""

    sources: tuple[str, ...] = ()
    title_contains: str | None = None
    matching: str | None = None


ALL_ARTICLES = ArticleQuery()


@dataclass(frozen=True)
class StoredArticle:
    """One stored article as every interface shows it: its listing and its full text (which
    citation offsets point into)."""

    info: ArticleInfo
    text: str

    def as_dict(self) -> dict:
        return {**asdict(self.info), "text": self.text}


@dataclass
class AddReport:
    """What `ArticleStore.add_articles` did."""

    added: list[str]
    unchanged: list[str]
    replaced: list[str]
    chunks_written: int = 0
    seconds: float = 0.0
