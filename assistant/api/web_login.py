"""Signing in to the web page with an API key.

A browser cannot send a bearer key, so when keys are configured the page asks for one once
and keeps a signed session cookie instead. The cookie names the role (reader or editor) and
an expiry, signed with a secret derived from the configured keys: any Newsdesk process with
the same keys accepts it (several processes behind a load balancer), and changing the keys
signs everyone out. The cookie is HttpOnly and SameSite=Strict, and it is honoured only on
the web page's own paths: the REST, OpenAI and MCP routes still need the bearer header, so
another site cannot ride a signed-in browser to call them.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import time
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.settings import ApiSettings

COOKIE = "newsdesk_session"
SESSION_SECONDS = 12 * 3600
READER, EDITOR = "reader", "editor"
LOGIN_PATH, LOGOUT_PATH = "/login", "/logout"
# Paths that stay bearer-only even for a signed-in browser.
API_PREFIXES = ("/v1", "/mcp")


def is_web_path(path: str) -> bool:
    return not path.startswith(API_PREFIXES)


class SessionSigner:
    """Issues and checks session cookies for the keys in `api`."""

    def __init__(self, api: ApiSettings) -> None:
        material = "\0".join(["newsdesk-web-session", *api.keys, "\1", *api.read_keys])
        self._secret = hashlib.sha256(material.encode()).digest()

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, role: str, now: float | None = None) -> str:
        payload = f"{role}.{int((now or time.time()) + SESSION_SECONDS)}"
        return f"{payload}.{self._sign(payload)}"

    def role_of(self, cookie: str | None, now: float | None = None) -> str | None:
        """The role a cookie grants, or None when it is missing, forged or expired."""
        role, _, rest = (cookie or "").partition(".")
        expires, _, signature = rest.partition(".")
        if role not in (READER, EDITOR) or not expires.isdigit():
            return None
        if not hmac.compare_digest(signature, self._sign(f"{role}.{expires}")):
            return None
        return role if int(expires) > (now or time.time()) else None


def cookie_value(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The session cookie from raw ASGI headers."""
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == COOKIE:
                    return val
    return None


def role_dependency(api: ApiSettings, signer: SessionSigner) -> Callable[[Request], str | None]:
    """Gradio's `auth_dependency`: the signed-in role becomes `gr.Request.username`."""
    from assistant.api.security import key_role

    def role_of_request(request: Request) -> str | None:
        # A bearer key (already checked by the guard) works as well as a session cookie.
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.casefold() == "bearer" and (role := key_role(api, token.strip())):
            return EDITOR if role == "write" else READER
        return signer.role_of(request.cookies.get(COOKIE))

    return role_of_request


def _form(message: str = "") -> str:
    note = f'<p class="err" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Newsdesk: sign in</title>
<style>body{{font-family:system-ui,sans-serif;max-width:420px;margin:12vh auto;padding:0 16px;
color:#1f2937}}input,button{{font-size:1rem;padding:8px;width:100%;box-sizing:border-box;
margin:6px 0}}button{{background:#6366f1;color:#fff;border:0;border-radius:6px;cursor:pointer}}
.err{{color:#b91c1c}}small{{color:#6b7280}}</style></head><body>
<h1>Newsdesk</h1><p>This Newsdesk is protected. Sign in with the API key you were given.</p>
{note}<form method="post" action="{LOGIN_PATH}">
<label for="key">API key</label><input id="key" name="key" type="password" autocomplete="off"
autofocus required><button type="submit">Sign in</button></form>
<small>A read-only key can ask and read; a read-write key can also add and delete
articles.</small></body></html>"""


def build_router(api: ApiSettings, signer: SessionSigner) -> APIRouter:
    from assistant.api.security import key_role

    router = APIRouter(include_in_schema=False)

    @router.get(LOGIN_PATH)
    def login_page() -> HTMLResponse:
        return HTMLResponse(_form())

    @router.post(LOGIN_PATH)
    async def login(request: Request) -> Response:
        fields = parse_qs((await request.body()).decode("utf-8", "replace"))
        role = key_role(api, (fields.get("key") or [""])[0].strip())
        if role is None:
            return HTMLResponse(_form("That key is not valid."), status_code=401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            signer.issue(EDITOR if role == "write" else READER),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @router.post(LOGOUT_PATH)
    @router.get(LOGOUT_PATH)
    def logout() -> Response:
        response = RedirectResponse(LOGIN_PATH, status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return router
