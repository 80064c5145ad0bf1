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

import contextlib
import hashlib
import hmac
import html
import ipaddress
import logging
import os
import re
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.settings import ApiSettings, SettingsError

COOKIE = "newsdesk_session"
SESSION_SECONDS = 12 * 3600
READER, EDITOR = "reader", "editor"
LOGIN_PATH, LOGOUT_PATH = "/login", "/logout"
# Paths that stay bearer-only even for a signed-in browser.
API_PREFIXES = ("/v1", "/mcp")
SECRET_FILE = "session-secret"
# A saved answer's page (assistant/api/handover.py): where signing in may lead back to.
PERMALINK = re.compile(r"/a/[A-Za-z0-9_-]{24}")
log = logging.getLogger("newsdesk.api")


def is_web_path(path: str) -> bool:
    return not path.startswith(API_PREFIXES)


def next_path(value: str | None) -> str | None:
    """Where to go after signing in, when it is a permalink of this server (`/a/{id}`); None
    for anything else, so the sign-in form cannot send a browser to another site."""
    return value if value and PERMALINK.fullmatch(value) else None


def session_secret(data_dir: Path) -> bytes:
    """The random secret of this data folder, created (mode 0600) on first use.

    Why not a hash or KDF of the keys: anything computed from the keys alone can be checked
    offline against one cookie, so a reader holding its own key and cookie could guess the
    write key at leisure, however slow the KDF. 32 random bytes cannot be guessed. A folder
    that cannot be written gets a secret for this process only (sessions end at restart)."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        try:
            _create_secret(path)
        except OSError as exc:
            log.warning(
                "cannot keep the session secret in %s (%s): sessions end at restart", path, exc
            )
            return secrets.token_bytes(32)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # copied in with looser rights: this user's alone again
    try:
        secret = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (UnicodeDecodeError, ValueError):
        secret = b""
    if len(secret) < 32:
        raise SettingsError(f"{path}: not a session secret (delete it: a new one is made)")
    return secret


def _create_secret(path: Path) -> None:
    # Written whole under a temporary name, then linked into place: a process starting at the
    # same moment finds either no file or a complete one, and the first link wins.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{SECRET_FILE}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_bytes(32).hex() + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class SessionSigner:
    """Issues and checks session cookies for the keys in `api`, under the folder's `secret`."""

    def __init__(self, api: ApiSettings, secret: bytes) -> None:
        material = "\0".join(["newsdesk-web-session", *api.keys, "\1", *api.read_keys])
        self._secret = hmac.new(secret, material.encode(), hashlib.sha256).digest()

    def _sign(self, payload: str) -> bytes:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest().encode()

    def issue(self, role: str, now: float | None = None) -> str:
        payload = f"{role}.{int((now or time.time()) + SESSION_SECONDS)}"
        return f"{payload}.{self._sign(payload).decode()}"

    def role_of(self, cookie: str | None, now: float | None = None) -> str | None:
        """The role a cookie grants, or None when it is missing, forged or expired."""
        role, _, rest = (cookie or "").partition(".")
        expires, _, signature = rest.partition(".")
        # ASCII digits only ("١٢" is a digit too), and bytes to compare: compare_digest
        # refuses a str with non-ASCII characters, which a hostile cookie may hold.
        if role not in (READER, EDITOR) or not (expires.isascii() and expires.isdigit()):
            return None
        expected = self._sign(f"{role}.{expires}")
        if not hmac.compare_digest(signature.encode("utf-8", "replace"), expected):
            return None
        return role if int(expires) > (now or time.time()) else None


class LoginThrottle:
    """At most `attempts` failed sign-ins per client per `window_s`, after which every
    sign-in from it (right key or not) waits: keys cannot be guessed online. Memory is
    bounded: past `max_clients` addresses the longest-quiet is forgotten. An IPv6 client
    counts by its /64 network, which one machine usually holds whole."""

    def __init__(self, attempts: int = 5, window_s: float = 60.0, max_clients: int = 10_000):
        self.attempts, self.window_s, self.max_clients = attempts, window_s, max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    @staticmethod
    def client(address: str | None) -> str:
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return address or ""
        return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)

    def wait_s(self, address: str | None, now: float | None = None) -> float:
        """Seconds until this client may try again; 0 when it may now."""
        now = time.monotonic() if now is None else now
        failures = self._failures.get(self.client(address))
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if failures is None or len(failures) < self.attempts:
            return 0.0
        return failures[0] + self.window_s - now

    def failed(self, address: str | None, now: float | None = None) -> None:
        key = self.client(address)
        failures = self._failures.pop(key, None) or deque(maxlen=self.attempts)
        failures.append(time.monotonic() if now is None else now)
        self._failures[key] = failures
        while len(self._failures) > self.max_clients:
            self._failures.popitem(last=False)


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

    def role_of_request(request: Request) -> str | None:
        # A bearer key (already checked by the guard) works as well as a session cookie.
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.casefold() == "bearer" and (role := key_role(api, token.strip())):
            return EDITOR if role == "write" else READER
        return signer.role_of(request.cookies.get(COOKIE))

    return role_of_request


def _form(message: str = "", back: str | None = None) -> str:
    note = f'<p class="err" role="alert">{html.escape(message)}</p>' if message else ""
    hidden = f'<input type="hidden" name="next" value="{html.escape(back)}">' if back else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Newsdesk: sign in</title>
<style>body{{font-family:system-ui,sans-serif;max-width:420px;margin:12vh auto;padding:0 16px;
color:#1f2937}}input,button{{font-size:1rem;padding:8px;width:100%;box-sizing:border-box;
margin:6px 0}}button{{background:#6366f1;color:#fff;border:0;border-radius:6px;cursor:pointer}}
.err{{color:#b91c1c}}small{{color:#6b7280}}</style></head><body>
<h1>Newsdesk</h1><p>This Newsdesk is protected. Sign in with the API key you were given.</p>
{note}<form method="post" action="{LOGIN_PATH}">{hidden}
<label for="key">API key</label><input id="key" name="key" type="password" autocomplete="off"
autofocus required><button type="submit">Sign in</button></form>
<small>A read-only key can ask and read; a read-write key can also add and delete
articles.</small></body></html>"""


def build_router(api: ApiSettings, signer: SessionSigner) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    throttle = LoginThrottle()

    @router.get(LOGIN_PATH)
    def login_page(request: Request) -> HTMLResponse:
        return HTMLResponse(_form(back=next_path(request.query_params.get("next"))))

    @router.post(LOGIN_PATH)
    async def login(request: Request) -> Response:
        address = request.client.host if request.client else None
        if wait := throttle.wait_s(address):
            message = f"Too many wrong keys: try again in {wait:.0f} s."
            headers = {"Retry-After": str(int(wait) + 1)}
            return HTMLResponse(_form(message), status_code=429, headers=headers)
        fields = parse_qs((await request.body()).decode("utf-8", "replace"))
        role = key_role(api, (fields.get("key") or [""])[0].strip())
        back = next_path((fields.get("next") or [""])[0])
        if role is None:
            throttle.failed(address)
            return HTMLResponse(_form("That key is not valid.", back), status_code=401)
        response = RedirectResponse(back or "/", status_code=303)
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


def matches_key(token: str, keys: tuple[str, ...]) -> bool:
    # Compare against every key, in constant time each: no early exit reveals which matched.
    return any([hmac.compare_digest(token.encode(), key.encode()) for key in keys])


def key_role(api: ApiSettings, token: str) -> str | None:
    """ "write", "read", or None for a key that is not configured."""
    if token and matches_key(token, tuple(api.keys)):
        return "write"
    if token and matches_key(token, tuple(api.read_keys)):
        return "read"
    return None
