"""Request and response bodies of the REST API (they are also its OpenAPI schema)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from assistant.span import AnswerSpan
from assistant.types import Answer, Citation
from ingest.text import surrogate_at
from ingest.types import MetadataEdit
from vectorstore.sync_state import ItemError, SyncRun
from vectorstore.types import ArticleInfo, Passage, SearchFilters

MAX_QUESTION_CHARS = 2000
MAX_K = 50


def _valid_unicode(value: object) -> object:
    """Refuse a lone surrogate (JSON can escape one: "\\ud800"): it is no text, no model can
    read it and Chroma cannot be asked about it. Unchecked, some fields passed it to a 500."""
    if isinstance(value, str) and (at := surrogate_at(value)) is not None:
        raise PydanticCustomError(
            "invalid_unicode",
            "not valid Unicode text (a lone surrogate at character {at})",
            {"at": at},
        )
    return value


def not_blank(what: str) -> Callable[[object], object]:
    """A check that text has a visible character, failing with "the {what} is empty" (for
    "\\v" too, which would pass a length check)."""

    def check(value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise PydanticCustomError("empty", "the {what} is empty", {"what": what})
        return _valid_unicode(value)

    return check


# Text from a request: valid Unicode, so it can be searched, answered and stored.
Text = Annotated[str, BeforeValidator(_valid_unicode)]
Question = Annotated[str, BeforeValidator(not_blank("question"))]


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: Text = Field(max_length=20_000)


class Filters(BaseModel):
    """Only articles from these outlets and/or published in this date range (inclusive)."""

    outlets: list[Text] = Field(default_factory=list, max_length=50)
    published_after: date | None = None
    published_before: date | None = None
    include_samples: bool = Field(
        default=False,
        description="let the bundled sample articles (invented demo news) answer too; by "
        "default they take part only in a store that holds nothing else",
    )

    def to_search(self) -> SearchFilters:
        return SearchFilters(
            sources=tuple(self.outlets),
            published_after=self.published_after,
            published_before=self.published_before,
        )


class AskRequest(BaseModel):
    question: Question = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=r"\S")
    conversation: list[Turn] = Field(
        default_factory=list,
        max_length=100,
        description="Earlier turns, oldest first. A follow-up question ('and in Iraq?') is "
        "rewritten from the user turns into a standalone one, returned as rewritten_question.",
    )
    filters: Filters = Field(default_factory=Filters)
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="passages to retrieve")
    as_of: date | None = Field(
        default=None,
        description="The day the question is asked on: 'last week' and 'now' count from it "
        "and nothing published later is used. Unset: today, or the newest article's date "
        "when the articles end earlier. The answer's `as_of` says which day was used.",
    )


class AnswerOut(BaseModel):
    question: str
    answer: str
    abstained: bool
    # The core dataclasses are the wire format: one definition of a citation and a passage.
    citations: list[Citation]
    rewritten_question: str | None
    notes: list[str]
    as_of: str | None = Field(
        default=None, description="the day relative time was counted from (YYYY-MM-DD)"
    )
    confidence: float | None = Field(
        default=None,
        description="the learned reader's probability that the best quoted sentence answers "
        "the question (on refusals too: how close the best sentence came)",
    )
    support: str | None = Field(
        default=None, description="the confidence in words: 'well supported' or 'weak support'"
    )
    rival_confidence: float | None = Field(
        default=None,
        description="when the answer sets two reports against each other (the sources "
        "disagree, or a figure changed): the probability that the other report answers too",
    )
    disagreement: float | None = Field(
        default=None,
        description="for such an answer, the learned probability that the two reports state "
        "one thing with different values (shown as a disagreement at or above the model's "
        "threshold)",
    )
    answer_span: AnswerSpan | None = Field(
        default=None,
        description="where the value asked for stands in citation n's quote (characters "
        "start-end of the quote)",
    )
    timings: dict[str, float]

    @classmethod
    def of(cls, answer: Answer) -> AnswerOut:
        return cls.model_validate(answer.to_dict())


class SearchOut(BaseModel):
    query: str
    passages: list[Passage]


@dataclass(frozen=True, kw_only=True)
class ArticleOut(ArticleInfo):
    """An article's metadata with its full text (the text citation offsets refer to)."""

    text: str


class ArticlePage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[ArticleInfo]


class RecordsIn(BaseModel):
    """Articles as JSON records: title, body (or text/content), source, published_at, url."""

    records: list[dict] = Field(min_length=1, max_length=10_000)


MAX_URLS = 20
URL_KEYS = ("url", "urls")


def _exactly_one_key(schema: dict[str, Any]) -> None:
    # The schema says what the route checks: one of the two keys, never null.
    for field in schema["properties"].values():
        kinds = [kind for kind in field.pop("anyOf", []) if kind.get("type") != "null"]
        field.update(kinds[0] if kinds else {})
        field.pop("default", None)
    schema["oneOf"] = [{"required": [key]} for key in URL_KEYS]


class UrlsIn(BaseModel):
    """Web pages to fetch and add: `{"url": ...}` or `{"urls": [...]}`. Each page is fetched
    under the server's limits (NEWSDESK_FETCH_*): only http(s), no private or metadata
    address unless allow-listed, robots.txt obeyed; a page that fails is one problem."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_exactly_one_key)
    url: Text | None = Field(default=None, min_length=1, max_length=2048)
    urls: list[Annotated[Text, Field(min_length=1, max_length=2048)]] | None = Field(
        default=None, min_length=1, max_length=MAX_URLS
    )

    @model_validator(mode="after")
    def _one_of_them(self) -> UrlsIn:
        given = self.model_fields_set & set(URL_KEYS)
        if len(given) != 1 or getattr(self, given.pop()) is None:
            raise ValueError("send either url or urls")
        return self

    def all(self) -> list[str]:
        return [self.url] if self.url is not None else list(self.urls or [])


class RemovedOut(BaseModel):
    removed: list[str] = Field(description="ids of the articles deleted")


def _some_field_to_change(schema: dict[str, Any]) -> None:
    # The route answers 400 to an edit that changes nothing ({} or only nulls): the schema
    # says so, so clients (and the schema fuzzer) know such a body is not a valid edit.
    schema["minProperties"] = 1
    for field in schema["properties"].values():
        kinds = [kind for kind in field.pop("anyOf", []) if kind.get("type") != "null"]
        field.update(kinds[0] if len(kinds) == 1 else {"anyOf": kinds} if kinds else {})


class ArticleEdit(BaseModel):
    """PATCH /v1/articles/{id}: the fields to change; the id stays (see MetadataEdit)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_some_field_to_change)
    title: str | None = Field(default=None, min_length=1, max_length=1000, pattern=r"\S")
    source: str | None = Field(
        default=None, min_length=1, max_length=200, pattern=r"\S", description="the outlet"
    )
    published_at: date | None = None

    def to_edit(self) -> MetadataEdit:
        clean = {
            k: " ".join(v.split()) for k, v in (("title", self.title), ("source", self.source)) if v
        }
        day = self.published_at.isoformat() if self.published_at else None
        return MetadataEdit(**clean, published_at=day)


class ProblemOut(BaseModel):
    item: str = Field(description="the uploaded file or record the problem is in")
    reason: str


class IngestOut(BaseModel):
    added: list[str]
    unchanged: list[str]
    replaced: list[str]
    chunks: int
    problems: list[ProblemOut]


class SourceIn(BaseModel):
    """A feed (RSS, Atom, JSON Feed) or sitemap to keep in sync. The URL is checked as every
    fetch is: http(s) only, no private or metadata address unless allow-listed."""

    model_config = ConfigDict(extra="forbid")
    url: Text = Field(min_length=8, max_length=2048, pattern=r"^[hH][tT][tT][pP][sS]?://\S+$")
    every: str | None = Field(
        default=None,
        max_length=20,
        pattern=r"^\s*\d+(\.\d+)?\s*[smhdSMHD]?\s*$",
        description="how often: 30m, 2h, 1d (at least 1m; default NEWSDESK_SYNC_EVERY)",
    )
    outlet: str | None = Field(
        default=None, min_length=1, max_length=200, pattern=r"\S",
        description="the outlet its articles get (default: each page's own)",
    )  # fmt: skip


class SourceOut(BaseModel):
    """A source, its sync status (times are Unix seconds), its last run with the errors per
    item, the items failing now, and when it next runs."""

    id: str
    url: str
    every: str
    every_s: int
    outlet: str | None
    added_at: float
    kind: str | None = Field(description="rss, atom, json-feed, sitemap or sitemap-index")
    title: str | None
    last_run_at: float | None
    last_success_at: float | None
    last_error: str | None = Field(description="why the listing could not be read last time")
    failures: int = Field(description="passes in a row that could not read the listing")
    next_run_at: float
    sync_requested: bool
    running: bool = Field(description="a pass over it is running in the server now")
    running_since: float | None
    last_run: SyncRun | None
    problems: list[ItemError]


class SourceList(BaseModel):
    items: list[SourceOut]


class SyncOut(BaseModel):
    """The runs made (`?wait=true`), or (202) the passes started in the background
    (`started`; poll each source's URL in `poll` until `running` is false, then read its
    `last_run`), or (202) the sources left to the process that runs this store's syncs
    (`queued`, `holder`), which it syncs within seconds."""

    runs: list[SyncRun]
    queued: list[str]
    holder: str | None
    started: list[str] = []
    poll: list[str] = []


class SaveRequest(AskRequest):
    """A question to answer and keep (the body of POST /v1/ask, and a title)."""

    title: Text | None = Field(default=None, min_length=1, max_length=300, pattern=r"\S")


class ConversationIn(BaseModel):
    """Saved answers, oldest first, kept together as one conversation."""

    model_config = ConfigDict(extra="forbid")
    answers: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{24}$")]] = Field(
        min_length=1, max_length=100, description="ids of saved answers (POST /v1/answers)"
    )
    title: Text | None = Field(default=None, min_length=1, max_length=300, pattern=r"\S")


class SavedTurnOut(BaseModel):
    asked_at: datetime
    answer: AnswerOut


class SavedOut(BaseModel):
    """A saved answer (one turn) or conversation, as it was when asked. `permalink` shows it
    read-only as a page; `exports` are its Markdown, HTML and Word files."""

    id: str
    kind: Literal["answer", "conversation"]
    title: str | None
    saved_at: datetime
    permalink: str
    exports: dict[str, str]
    turns: list[SavedTurnOut]


class ErrorBody(BaseModel):
    status: int
    type: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
