"""What a web browser may make this server do: the Host it names, where a write comes from,
and who may frame the page.

An open server (no keys, loopback only) trusts whoever reaches it, and every web page the
user visits can reach it: a cross-site form or `no-cors` fetch can POST to it, and DNS
rebinding points an attacker's name at 127.0.0.1 so the attacker's page can read the answers.
So every request must name a host this server serves (else 421, as the MCP transport does),
a state-changing request sent by a browser must come from this server's own page or from an
origin listed in NEWSDESK_API_CORS_ORIGINS (else 403), and no other site may frame the page.
Clients that are not browsers send neither Origin nor Sec-Fetch-Site and are not affected.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.serving.errors import error_response
from assistant.settings import ApiSettings

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# MCP's transport checks Origin on every method (a GET would open its event stream), so this
# layer does too, before the key check can answer 401 to another site's page.
MCP_PATH = "/mcp"
# The browser's own word that a request is not cross-site ("none": the user typed the URL).
OWN_SITE = frozenset({"same-origin", "none"})
# FastAPI's docs pages load Swagger UI and ReDoc from a CDN: the page's policy would break them.
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
# Gradio's page needs inline scripts and styles (its config is an inline script), eval (its
# Blocks build event handlers with new Function) and blob: workers; everything else stays on
# this server, so a script injected into an answer could
# neither load more code nor send what it reads anywhere but here.
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def hostname(netloc: str) -> str:
    """The host name of a Host header or URL authority, lower-case, without port or brackets."""
    netloc = netloc.strip().casefold()
    if netloc.startswith("["):
        return netloc[1:].partition("]")[0]
    if netloc.count(":") == 1:
        netloc = netloc.partition(":")[0]
    return netloc.rstrip(".")


def served_hosts(api: ApiSettings) -> frozenset[str] | None:
    """The host names requests may name, or None when any will do: a keyed server listening
    on every interface with no NEWSDESK_API_ALLOWED_HOSTS cannot know its public names, and
    its keys (security.check_bind) already stop a page that rebinds a name to it."""
    extra = {hostname(name) for name in api.allowed_hosts}
    if "*" in extra or (api.host in ANY_ADDRESS and not extra):
        return None
    own = set() if api.host in ANY_ADDRESS else {hostname(api.host)}
    return LOOPBACK_NAMES | own | extra


class BrowserGuard:
    """The outermost layer: Host check, cross-site write check, and the page's headers."""

    def __init__(self, app: ASGIApp, api: ApiSettings) -> None:
        self.app = app
        self.hosts = served_hosts(api)
        self.extra_hosts = frozenset(hostname(name) for name in api.allowed_hosts)
        self.cors_origins = frozenset(api.cors_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.hosts is not None and hostname(host) not in self.hosts:
            message = (
                f"this server does not serve the host name {hostname(host)!r}: "
                "add it to NEWSDESK_API_ALLOWED_HOSTS if it is yours"
            )
            await error_response(421, message)(scope, receive, send)
            return
        checked = scope["method"] not in SAFE_METHODS or scope["path"] == MCP_PATH
        if checked and (why := self._foreign(headers, host)):
            message = (
                f"{why} may not change anything here; list the site's origin in "
                "NEWSDESK_API_CORS_ORIGINS to let its pages call this server"
            )
            await error_response(403, message)(scope, receive, send)
            return
        await self.app(scope, receive, self._with_headers(scope["path"], send))

    def _foreign(self, headers: Headers, host: str) -> str | None:
        """Why a state-changing request is refused as another site's, or None."""
        origin = headers.get("origin")
        if origin in self.cors_origins:
            return None
        site = headers.get("sec-fetch-site")
        if site is not None:
            return None if site in OWN_SITE else f"a {site} request from {origin or 'a page'}"
        if origin is None:
            return None  # not sent by a web page
        # A browser without Sec-Fetch-Site: compare the origin with the name it asked for,
        # or with a configured name (a proxy may rewrite Host).
        netloc = urlsplit(origin).netloc
        if netloc and (
            netloc.casefold() == host.casefold() or hostname(netloc) in self.extra_hosts
        ):
            return None
        return f"a request from {origin}"

    @staticmethod
    def _with_headers(path: str, send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if path not in DOCS_PATHS:
                    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
            await send(message)

        return send_with_headers
