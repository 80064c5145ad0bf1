"""What every route needs: the prepared Newsdesk, and the error responses it documents."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from assistant.api.schemas import ErrorOut
from assistant.app import Newsdesk


def newsdesk(request: Request) -> Newsdesk:
    """The application, prepared on first use (a sync dependency: runs in the thread pool)."""
    return request.app.state.runtime.prepare()


App = Annotated[Newsdesk, Depends(newsdesk)]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can return (all share one body)."""
    return {status: {"model": ErrorOut} for status in (*statuses, 401, 503)}


def sse(data: Any, event: str | None = None) -> str:
    """One server-sent event; `data` is sent as JSON unless it is already a string."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return (f"event: {event}\n" if event else "") + f"data: {payload}\n\n"
