"""The request size limit (NEWSDESK_API_MAX_REQUEST_MB), answered as a JSON 413.

A declared Content-Length over the limit is refused before the body is read; a body sent
without one (chunked) is counted as it arrives and refused when it passes the limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.serving.errors import ApiError, error_response


def too_large(max_bytes: int) -> str:
    """The 413 message, shared with the web page's upload guard."""
    return (
        f"the request is larger than {max_bytes / 1024 / 1024:g} MB (NEWSDESK_API_MAX_REQUEST_MB)"
    )


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, or None when it sent none (chunked) or a bad one."""
    declared = dict(scope.get("headers", ())).get(b"content-length", b"")
    return int(declared) if declared.isdigit() else None


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return too_large(self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if (declared_length(scope) or 0) > self.max_bytes:
            await error_response(413, self._message())(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Raised inside the route that reads the body: the error handlers answer.
                    raise ApiError(413, self._message())
            return message

        await self.app(scope, counted, send)
