"""POST /v1/brief: what happened with a topic over a period, as a dated timeline of events,
each sentence an exact, checked quote (assistant/briefing/). Reading: any key may ask.

Bounded as the server's settings say (`brief.max_articles`, `brief.max_seconds`): a broad
topic over a long period answers with the events made in time, and a note saying so.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from assistant.api.deps import App, errors
from assistant.api.schemas import Text
from assistant.api.watches import Outlet
from assistant.app import Newsdesk
from assistant.briefing.build import MAX_TOPIC_CHARS
from assistant.serving.errors import ApiError

router = APIRouter(prefix="/v1", tags=["briefing"])


class BriefRequest(BaseModel):
    """A topic and a period (both ends inclusive; neither: the week up to the newest
    article), optionally one outlet."""

    model_config = ConfigDict(extra="forbid")
    topic: Text = Field(min_length=1, max_length=MAX_TOPIC_CHARS, pattern=r"\S")
    since: date | None = Field(default=None, description="published on or after")
    until: date | None = Field(default=None, description="published on or before")
    source: Outlet | None = Field(default=None, description="only this outlet's reports")


class BriefingOut(BaseModel):
    """The briefing: its events in date order, each with its date (first report), text
    (sentences with [n] markers), citations (exact quotes with offsets), outlets (with the
    day each first reported) and differences (a `disagreement` between outlets on one day,
    or a `change` of a figure over days, both sides cited); notes say what bounded it."""

    topic: str
    since: str | None
    until: str | None
    source: str | None
    title: str
    events: list[dict]
    notes: list[str]
    articles_read: int
    timings: dict[str, float]


def make_briefing(app: Newsdesk, body: BriefRequest) -> BriefingOut:
    """The one way the API briefs (REST and MCP)."""
    try:
        briefing = app.brief(body.topic, since=body.since, until=body.until, source=body.source)
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc
    return BriefingOut(**briefing.to_dict())


@router.post("/brief", response_model=BriefingOut, responses=errors(422))
def brief(app: App, body: BriefRequest) -> BriefingOut:
    """What happened with a topic over a period: the period's articles about it grouped
    into events, each told by one or two cited sentences, with its outlets and the figures
    they gave differently. A period without articles on the topic says so in `notes`."""
    return make_briefing(app, body)
