"""Every error leaves the API as `{"error": {"status", "type", "message"}}` with its status.

The shape is OpenAI's (`error.message`), so OpenAI clients show Newsdesk's messages as-is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vectorstore.client import StoreUnavailable

log = logging.getLogger("newsdesk.api")

_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(HTTPException):
    """An error with a message meant for the caller."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message, headers)


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    kind = _TYPES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_")
    body = {"error": {"status": status, "type": kind, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


class StoreOutageGuard:
    """Turns an unexpected exception into 503 when the article store is what failed.

    Chroma's client raises many unrelated types when its server goes away; asking the store
    directly tells an outage (503: retry later, the process keeps serving) from a bug (500).
    """

    def __init__(self, app: ASGIApp, store_problem: Callable[[], str | None]) -> None:
        self.app = app
        self.store_problem = store_problem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            problem = None if started else await run_in_threadpool(self.store_problem)
            if problem is None:
                raise
            log.warning("article store unavailable: %s", problem)
            response = error_response(503, f"the article store is unavailable: {problem}")
            await response(scope, receive, send)


def install_error_handlers(api: FastAPI) -> None:
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return error_response(exc.status_code, message, exc.headers)

    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, _validation_message(exc))

    async def store_down(_: Request, exc: StoreUnavailable) -> JSONResponse:
        return error_response(503, f"the article store is unavailable: {exc}")

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Starlette logs the exception itself after this response is sent.
        return error_response(500, "internal error; the server log has the details")

    api.add_exception_handler(HTTPException, http_error)
    api.add_exception_handler(RequestValidationError, invalid)
    api.add_exception_handler(StoreUnavailable, store_down)
    api.add_exception_handler(Exception, unexpected)
