"""Request and response bodies of the REST API (they are also its OpenAPI schema)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from assistant.types import Answer, Citation
from vectorstore.types import ArticleInfo, Passage, SearchFilters

MAX_QUESTION_CHARS = 2000
MAX_K = 50


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class Filters(BaseModel):
    """Only articles from these outlets and/or published in this date range (inclusive)."""

    outlets: list[str] = Field(default_factory=list, max_length=50)
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
    # At least one visible character: "\v" alone passes min_length but is no question.
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=r"\S")
    conversation: list[Turn] = Field(
        default_factory=list,
        max_length=100,
        description="Earlier turns, oldest first. A follow-up question ('and in Iraq?') is "
        "rewritten from the user turns into a standalone one, returned as rewritten_question.",
    )
    filters: Filters = Field(default_factory=Filters)
    k: int | None = Field(default=None, ge=1, le=MAX_K, description="passages to retrieve")


class AnswerOut(BaseModel):
    question: str
    answer: str
    abstained: bool
    # The core dataclasses are the wire format: one definition of a citation and a passage.
    citations: list[Citation]
    rewritten_question: str | None
    notes: list[str]
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


class RemovedOut(BaseModel):
    removed: list[str] = Field(description="ids of the articles deleted")


class ProblemOut(BaseModel):
    item: str = Field(description="the uploaded file or record the problem is in")
    reason: str


class IngestOut(BaseModel):
    added: list[str]
    unchanged: list[str]
    replaced: list[str]
    chunks: int
    problems: list[ProblemOut]


class ErrorBody(BaseModel):
    status: int
    type: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
