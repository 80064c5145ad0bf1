"""The request size limit (NEWSDESK_API_MAX_REQUEST_MB), answered as a JSON 413.

A declared Content-Length over the limit is refused before the body is read; a body sent
without one (chunked) is counted as it arrives and refused when it passes the limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import ApiError, error_response


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        limit = f"{self.max_bytes / 1024 / 1024:g} MB"
        return f"the request is larger than {limit} (NEWSDESK_API_MAX_REQUEST_MB)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
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
