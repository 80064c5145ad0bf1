"""The typed core of ingestion: articles, their chunks, and what went wrong on the way in.

Every other package speaks in these objects. Offsets in a Chunk always index `Article.text`,
so any quote can be checked against the stored article with a plain slice.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field, replace

# The largest file read when no limit is given (the settings' NEWSDESK_MAX_FILE_MB default).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def normalise_for_identity(text: str) -> str:
    """Case- and whitespace-insensitive form used to decide whether two articles are the same."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_id(title: str, text: str) -> str:
    """Stable id from normalised content: the same article ingested twice gets the same id."""
    digest = hashlib.sha256()
    digest.update(normalise_for_identity(title).encode("utf-8"))
    digest.update(b"\x00")
    digest.update(normalise_for_identity(text).encode("utf-8"))
    return "a" + digest.hexdigest()[:15]


@dataclass(frozen=True)
class Article:
    """One news article, as it will be stored and cited.

    `text` is the body (standfirst included) after clean-up; chunk and citation offsets refer to it.
    `published_at` is an ISO 8601 string (a date, or a date and time) or None when unknown.
    """

    title: str
    text: str
    source: str = ""
    published_at: str | None = None
    url: str | None = None
    author: str | None = None
    origin: str = ""
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", content_id(self.title, self.text))


@dataclass(frozen=True)
class MetadataEdit:
    """New values for an article's title, outlet or publication date (None: keep).

    The id stays: it names the content as first stored, so citations and links to it keep
    working, and ingesting the same file again finds it unchanged and keeps the edit."""

    title: str | None = None
    source: str | None = None
    published_at: str | None = None

    def apply(self, article: Article) -> Article:
        changes = {k: v for k, v in vars(self).items() if v is not None}
        return replace(article, **changes)


@dataclass(frozen=True)
class Chunk:
    """A stretch of an article's text, with its exact character offsets in `Article.text`."""

    article_id: str
    index: int
    text: str
    start: int
    end: int

    @property
    def id(self) -> str:
        return f"{self.article_id}-{self.index:04d}"


@dataclass(frozen=True)
class IngestProblem:
    """A file (or record inside a file) that could not be ingested, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class IngestError(Exception):
    """Raised by a loader for input it cannot turn into articles; the message says why."""


@dataclass
class LoadResult:
    """What a batch of paths turned into: the articles found and the problems met."""

    articles: list[Article] = field(default_factory=list)
    problems: list[IngestProblem] = field(default_factory=list)
    files_seen: int = 0

    def extend(self, other: LoadResult) -> None:
        self.articles.extend(other.articles)
        self.problems.extend(other.problems)
        self.files_seen += other.files_seen
