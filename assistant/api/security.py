"""API keys and where the server may listen.

With keys configured every path but health and the API docs needs `Authorization: Bearer
KEY`; read-only keys may ask, search and read (saved answers too), read-write keys may also
add and delete articles and sources, sync them, and save answers. Without keys the server is
open, so it may only listen on the loopback interface.
"""

from __future__ import annotations

import ipaddress

from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api.docs_page import ASSETS, DOCS_PATH
from assistant.serving.errors import error_response
from assistant.serving.login import (
    LOGIN_PATH,
    LOGOUT_PATH,
    SessionSigner,
    cookie_value,
    is_web_path,
    matches_key,
    next_path,
)
from assistant.settings import ApiSettings, SettingsError

# Health for load balancers; the schema and docs pages describe the API and hold no data.
PUBLIC_PATHS = frozenset(
    {
        "/healthz",
        "/readyz",
        "/openapi.json",
        DOCS_PATH,
        *ASSETS,
        LOGIN_PATH,
        LOGOUT_PATH,
    }
)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Adding, editing and deleting articles; adding, removing and syncing sources; saving
# answers and conversations (assistant/api/handover.py); adding, checking, marking seen and
# removing watches (assistant/api/watches.py).
WRITE_PREFIXES = (
    "/v1/articles",
    "/v1/sources",
    "/v1/answers",
    "/v1/conversations",
    "/v1/watches",
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(api: ApiSettings, host: str) -> None:
    """Refuse an open server (no keys) on any interface other machines can reach."""
    if not (api.keys or api.read_keys) and not is_loopback(host):
        raise SettingsError(
            f"refusing to serve on {host} without API keys: set NEWSDESK_API_KEYS "
            "(and optionally NEWSDESK_API_READ_KEYS), or serve on 127.0.0.1"
        )


def needs_write(method: str, path: str) -> bool:
    return method in WRITE_METHODS and path.startswith(WRITE_PREFIXES)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.casefold() == "bearer" else None
    return None


class ApiKeyGuard:
    """Checks the bearer key of every HTTP request before it reaches a route (MCP included)."""

    def __init__(self, app: ASGIApp, api: ApiSettings, signer: SessionSigner | None) -> None:
        self.app = app
        self.write_keys = tuple(api.keys)
        self.read_keys = tuple(api.read_keys)
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not (self.write_keys or self.read_keys)
            or scope["path"] in PUBLIC_PATHS
        ):
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        if not token and is_web_path(scope["path"]):
            await self._web(scope, receive, send)
            return
        challenge = {"WWW-Authenticate": 'Bearer realm="newsdesk"'}
        if not token:
            message = "an API key is required: send the header 'Authorization: Bearer KEY'"
            await error_response(401, message, challenge)(scope, receive, send)
            return
        can_write = matches_key(token, self.write_keys)
        if not can_write and not matches_key(token, self.read_keys):
            await error_response(401, "the API key is not valid", challenge)(scope, receive, send)
            return
        if not can_write and needs_write(scope["method"], scope["path"]):
            message = (
                "this API key is read-only: adding or deleting articles and sources, "
                "syncing, and saving answers need a read-write one"
            )
            await error_response(403, message)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _web(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The web page's paths: a signed-in browser passes; the page itself sends a browser
        without a session to the sign-in form; anything else gets a JSON 401."""
        if self.signer and self.signer.role_of(cookie_value(scope.get("headers", []))):
            await self.app(scope, receive, send)
        elif scope["method"] == "GET" and scope["path"] == "/":
            await RedirectResponse(LOGIN_PATH, status_code=303)(scope, receive, send)
        elif scope["method"] == "GET" and (back := next_path(scope["path"])):
            # A permalink opened before signing in: sign in, then back to it.
            await RedirectResponse(f"{LOGIN_PATH}?next={back}", 303)(scope, receive, send)
        else:
            message = f"sign in at {LOGIN_PATH} first, or send 'Authorization: Bearer KEY'"
            await error_response(401, message)(scope, receive, send)
