"""Watched questions: asked again after each ingest and sync (assistant/watcher.py).

`GET /v1/watches` lists them with their last answer and the number of unseen changes (the
web's badge); `POST` adds one (asked at once: the baseline); `GET /v1/watches/{id}` gives its
history, each change with both answers and their citations; `POST .../seen` clears its badge;
`DELETE` removes it; `POST /v1/watches/check` asks them all again now. Keys and roles as
everywhere: reading needs a read key, everything else a read-write one.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assistant.api.deps import App, errors
from assistant.api.schemas import Text
from assistant.serving.errors import ApiError

router = APIRouter(prefix="/v1/watches", tags=["watches"])
# Constraints first, then Text's check, inside the optional type: so the schema shows them
# (pydantic leaves out a pattern given beside `Text | None`, or after the validator).
Outlet = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"\S"), *Text.__metadata__
]
Webhook = Annotated[
    str,
    StringConstraints(min_length=8, max_length=2048, pattern=r"^[hH][tT][tT][pP][sS]?://\S+$"),
    *Text.__metadata__,
]


class WatchIn(BaseModel):
    """A question to watch, optionally narrowed to an outlet and a start date, with an
    optional webhook (signed with NEWSDESK_WATCH_SECRET; its URL checked as every fetch is:
    http(s) only, no private or metadata address unless allow-listed)."""

    model_config = ConfigDict(extra="forbid")
    question: Text = Field(min_length=1, max_length=500, pattern=r"\S")
    outlet: Outlet | None = None
    since: date | None = Field(default=None, description="only articles published on or after")
    webhook: Webhook | None = None


class WatchOut(BaseModel):
    """A watch: its question, filters, last answer (text, cited value, citations with exact
    quotes and offsets), unseen changes and, from GET /v1/watches/{id}, its history."""

    id: str
    question: str
    outlet: str | None
    since: str | None
    webhook: str | None
    created_at: float
    checked_at: float | None
    unseen: int
    last: dict | None
    changes: list[dict] | None = None


class WatchList(BaseModel):
    items: list[WatchOut]


class CheckOut(BaseModel):
    changes: list[dict]


@router.get("", response_model=WatchList)
def list_watches(app: App) -> WatchList:
    """Every watch with its last answer and how many changes are unseen."""
    return WatchList(items=[WatchOut(**v.as_dict()) for v in app.watches()])


@router.post("", status_code=201, response_model=WatchOut, responses=errors(403, 422))
def add_watch(app: App, body: WatchIn) -> WatchOut:
    """Watch a question: asked now (the answer later ones are compared with), then after
    each ingest and sync. 422 names the field that cannot be used."""
    try:
        view = app.add_watch(
            body.question,
            outlet=body.outlet,
            since=body.since.isoformat() if body.since else None,
            webhook=body.webhook,
        )
    except ValueError as exc:
        raise ApiError(422, str(exc)) from exc
    return WatchOut(**view.as_dict(history=True))


@router.post("/check", response_model=CheckOut, responses=errors(403))
def check_watches(app: App) -> CheckOut:
    """Ask every watched question again now; the changes found (each also recorded and sent
    to its watch's webhook)."""
    changes = app.check_watches()
    return CheckOut(changes=[{"id": c.id, **c.to_data()} for c in changes])


def _view(app: App, watch_id: str) -> WatchOut:
    view = app.watch(watch_id)
    if view is None:
        raise ApiError(404, f"no watch {watch_id[:40]!r}")
    return WatchOut(**view.as_dict(history=True))


@router.get("/{watch_id}", response_model=WatchOut, responses=errors(404))
def get_watch(app: App, watch_id: str) -> WatchOut:
    """A watch with its history of changes, newest first: each with why, when, both answers
    and their citations, and what its webhook delivery did."""
    return _view(app, watch_id)


@router.post("/{watch_id}/seen", status_code=204, responses=errors(403, 404))
def mark_seen(app: App, watch_id: str) -> Response:
    """The watch's changes so far are seen: its unseen count (the badge) goes to 0."""
    if not app.mark_watch_seen(watch_id):
        raise ApiError(404, f"no watch {watch_id[:40]!r}")
    return Response(status_code=204)


@router.delete("/{watch_id}", status_code=204, responses=errors(403, 404))
def remove_watch(app: App, watch_id: str) -> Response:
    """Stop watching a question; its history goes with it."""
    if not app.remove_watch(watch_id):
        raise ApiError(404, f"no watch {watch_id[:40]!r}")
    return Response(status_code=204)
