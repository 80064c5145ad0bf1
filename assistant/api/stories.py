"""`GET /v1/stories`: the stored articles grouped into stories (assistant/stories/), each
with its outlets, first and last report, the facts its outlets share and the figures and
dates they give differently, every one a citation with exact offsets. A read route: a
read-only key may use it (assistant/api/security.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from assistant.api.deps import App, errors
from assistant.app import Newsdesk
from assistant.serving.errors import ApiError
from assistant.stories.listing import MAX_LIMIT
from assistant.stories.story import Story

router = APIRouter(prefix="/v1/stories", tags=["stories"])


class StoriesOut(BaseModel):
    # The core dataclasses are the wire format, as for answers: one definition of a story.
    stories: list[Story]
    articles_in_period: int = Field(description="stored articles published in the period")
    articles_grouped: int = Field(description="of those, the newest grouped (a setting caps it)")
    stories_found: int = Field(description="stories among them (with `source`: its stories)")
    since: str | None
    until: str | None
    source: str | None
    notes: list[str]


@router.get("", response_model=StoriesOut, responses=errors(422))
def list_stories(
    app: App,
    since: Annotated[date | None, Query(description="published on or after")] = None,
    until: Annotated[date | None, Query(description="published on or before")] = None,
    source: Annotated[
        str | None,
        Query(min_length=1, max_length=200, pattern=r"\S", description="stories it reported"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="stories, largest first")] = 20,
) -> StoriesOut:
    """The stories of a period, largest first: articles about one event across outlets and
    days, grouped by meaning, names and dates. 422 when `since` is after `until`."""
    return make_stories(app, since, until, source, limit)


def make_stories(
    app: Newsdesk, since: date | None, until: date | None, source: str | None, limit: int
) -> StoriesOut:
    """The route's answer (the MCP tool's too); ApiError 422 for a period the wrong way."""
    try:
        found = app.stories(since=since, until=until, source=source, limit=limit)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc
    return StoriesOut.model_validate(found.as_dict())
