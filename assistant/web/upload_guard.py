"""The door in front of Gradio's routes that take a body (`POST /gradio_api/...`).

Gradio's upload route writes what it receives into its temp folder as the body streams in,
for anyone who may open the page, and its other multipart route (`component_server`) into
the system temp folder; a body cut short (a size limit hit, a client that hangs up) leaves
its partial file there for good. So this guard, between the key check and the body limit:

- lets only the roles that may add articles upload (any visitor of an open server, a
  read-write key or session when keys are set): a read-only key cannot fill the disk;
- reads each body into a spool of its own first, counting it, and answers 413 the moment it
  passes NEWSDESK_API_MAX_REQUEST_MB (a declared Content-Length before reading anything):
  Gradio only ever sees a complete body within the limit, and a refused or abandoned one
  leaves nothing behind (the spool is an anonymous temporary file);
- refuses Gradio's screen-recording route, which the page does not use and which leaves
  each posted video in the system temp folder.

Files Gradio stored are checked and removed by the page (see assistant.web.files).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.serving.errors import error_response
from assistant.serving.limits import declared_length, too_large
from assistant.serving.login import EDITOR, SessionSigner, role_dependency
from assistant.settings import ApiSettings

GRADIO_API = "/gradio_api/"
UPLOAD_PATH = "/gradio_api/upload"
RECORDING_PATH = "/gradio_api/process_recording"
SPOOL_IN_MEMORY = 1024 * 1024  # larger bodies spill to an unnamed temporary file
REPLAY_CHUNK = 64 * 1024
READ_ONLY = "this key is read-only: uploading files to add articles needs a read-write one"


class UploadGuard:
    def __init__(self, app: ASGIApp, api: ApiSettings, signer: SessionSigner | None) -> None:
        """`signer` checks session cookies where the server has keys (None: an open one)."""
        self.app = app
        self.max_bytes = int(api.max_request_mb * 1024 * 1024)
        self.role_of: Callable[[Request], str | None] | None = None
        if signer is not None:
            self.role_of = role_dependency(api, signer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "").rstrip("/") if scope["type"] == "http" else ""
        if path == RECORDING_PATH:
            await error_response(404, "the page does not take recordings")(scope, receive, send)
        elif path.startswith(GRADIO_API) and scope["method"] == "POST":
            if path == UPLOAD_PATH and not self._may_upload(scope):
                await error_response(403, READ_ONLY)(scope, receive, send)
            else:
                await self._spooled(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _may_upload(self, scope: Scope) -> bool:
        # The key guard in front has already refused anyone without a valid key or session.
        return self.role_of is None or self.role_of(Request(scope)) == EDITOR

    async def _spooled(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (declared_length(scope) or 0) > self.max_bytes:
            await error_response(413, too_large(self.max_bytes))(scope, receive, send)
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            seen = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client hung up: nothing was stored
                body = message.get("body", b"")
                seen += len(body)
                if seen > self.max_bytes:
                    await error_response(413, too_large(self.max_bytes))(scope, receive, send)
                    return
                spool.write(body)
                if not message.get("more_body", False):
                    break
            spool.seek(0)
            await self.app(scope, _replay(spool, seen, receive), send)


def _replay(spool: tempfile.SpooledTemporaryFile, size: int, receive: Receive) -> Receive:
    """The spooled body again, in chunks; then the client's own messages (a disconnect)."""
    finished = False

    async def replayed() -> Message:
        nonlocal finished
        if finished:
            return await receive()
        chunk = spool.read(REPLAY_CHUNK)
        finished = spool.tell() >= size
        return {"type": "http.request", "body": chunk, "more_body": not finished}

    return replayed
