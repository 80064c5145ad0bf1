"""The FastAPI application: REST, OpenAI-compatible and MCP routes on one Newsdesk.

The web page (issue 5) mounts on this same app, so `newsdesk serve` serves everything.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api import (
    articles,
    ask,
    brief,
    handover,
    health,
    openai_compat,
    search,
    sources,
    stories,
    watches,
)
from assistant.api.browser import MCP_PATH, BrowserGuard, served_hosts
from assistant.api.docs_page import install_docs
from assistant.api.mcp_tools import build_mcp
from assistant.api.security import ApiKeyGuard
from assistant.app import Newsdesk
from assistant.serving import login
from assistant.serving.errors import (
    ApiError,
    StoreOutageGuard,
    error_response,
    install_error_handlers,
)
from assistant.serving.limits import BodyLimit
from assistant.serving.login import SessionSigner, session_secret
from assistant.serving.runtime import Runtime
from assistant.settings import ApiSettings

sync_log = logging.getLogger("newsdesk.sync")
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _mcp_security(api: ApiSettings) -> TransportSecuritySettings:
    # The same host names as BrowserGuard checks for every route (it answers first), and
    # pages from those hosts or the CORS origins: the SDK also checks Origin on every method.
    hosts = served_hosts(api)
    if hosts is None:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    authorities = [f"[{h}]" if ":" in h else h for h in sorted(hosts)]
    return TransportSecuritySettings(
        allowed_hosts=[n for a in authorities for n in (a, f"{a}:*")],
        allowed_origins=[
            *api.cors_origins,
            *(
                f"{scheme}://{n}"
                for a in authorities
                for n in (a, f"{a}:*")
                for scheme in ("http", "https")
            ),
        ],
    )


class NoStandaloneStream:
    """The MCP endpoint, answering GET with 405 as the MCP spec allows. Stateless, the SDK
    would open a server-to-client event stream on GET that never carries a message and never
    ends: each such request held a connection and a task until the client gave up. Host and
    Origin are checked first, as the SDK does for every method."""

    def __init__(self, app: ASGIApp, security: TransportSecuritySettings) -> None:
        self.app = app
        self.security = TransportSecurityMiddleware(security)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        refused = await self.security.validate_request(Request(scope, receive))
        response = refused or error_response(
            405, "MCP here is stateless: POST requests only", headers={"Allow": "POST, DELETE"}
        )
        await response(scope, receive, send)


def _mcp_routes(routes: list[BaseRoute], security: TransportSecuritySettings) -> list[BaseRoute]:
    def guarded(route: BaseRoute) -> BaseRoute:
        if not isinstance(route, Route) or route.path != MCP_PATH:
            return route
        return Route(MCP_PATH, NoStandaloneStream(route.endpoint, security))

    return [guarded(route) for route in routes]


def create_app(
    newsdesk: Newsdesk, *, warm_up: bool = True, web: bool = True, sync: bool = False
) -> FastAPI:
    """The API for one Newsdesk. `warm_up` loads the model and opens the store in the
    background at start-up, so the first request does not pay for it. `web` mounts the web
    chat at "/"; with API keys a browser signs in with its key first (see
    assistant/serving/login.py), and a read-only key cannot add or delete articles there
    either. `sync` runs the due syncs of sources in the background while the app runs
    (`newsdesk serve`; assistant/sync.py), under the store's sync lease."""
    settings = newsdesk.settings.api
    runtime = Runtime(newsdesk)
    mcp = build_mcp(runtime)
    mcp_security = _mcp_security(settings)
    mcp_app = mcp.streamable_http_app(
        streamable_http_path=MCP_PATH,
        # Stateless: any of N processes behind a load balancer can answer any MCP request.
        stateless_http=True,
        json_response=True,
        transport_security=mcp_security,
        max_request_body_size=int(settings.max_request_mb * 1024 * 1024),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            threading.Thread(target=runtime.prepare_quietly, daemon=True).start()
        scheduler = newsdesk.scheduler(sync_log.info) if sync else None
        if scheduler is not None:
            scheduler.start()
        try:
            async with mcp.session_manager.run():
                yield
        finally:
            if scheduler is not None:
                scheduler.stop()

    api = FastAPI(
        title="Newsdesk API",
        version="1",
        summary="Answers from news articles, every claim cited to an exact passage.",
        lifespan=lifespan,
        docs_url=None,  # our own /docs, with local assets (docs_page)
        redoc_url=None,  # ReDoc would load from a CDN: not served
    )
    api.state.runtime = runtime
    install_docs(api)
    routers = (ask, search, articles, sources, stories, brief, watches, handover, openai_compat,
               health)  # fmt: skip
    for module in routers:
        api.include_router(module.router)
    api.router.routes.extend(_mcp_routes(mcp_app.routes, mcp_security))

    @api.api_route("/v1/{rest:path}", methods=_ALL_METHODS, include_in_schema=False)
    def unknown_api_path(request: Request) -> None:
        # Unknown API paths stay JSON 404s rather than falling through to the web page.
        raise ApiError(404, f"no such path: {request.url.path}")

    install_error_handlers(api)
    # With keys, a browser signs in once with its key and keeps a signed cookie.
    keyed = bool(settings.keys or settings.read_keys)
    signer = SessionSigner(settings, session_secret(newsdesk.settings.data_dir)) if keyed else None
    # Added innermost first: CORS answers preflights before the key check sees them, and the
    # Host and cross-site checks come before everything.
    api.add_middleware(StoreOutageGuard, store_problem=runtime.store_problem)
    api.add_middleware(BodyLimit, max_bytes=int(settings.max_request_mb * 1024 * 1024))
    if web:
        from assistant.web.upload_guard import UploadGuard

        # After the key check, before the body limit: it answers its own 413s before
        # Gradio has stored anything (see upload_guard).
        api.add_middleware(UploadGuard, api=settings, signer=signer)
    api.add_middleware(ApiKeyGuard, api=settings, signer=signer)
    # Always present, empty (closed) unless origins are listed: the web page's own CORS layer
    # (Gradio's) stands aside when the parent app has one, and would otherwise answer any
    # origin with credentials on a server that is not on localhost.
    api.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )
    api.add_middleware(BrowserGuard, api=settings)
    if web:
        from assistant.web import mount_web

        signed_in = None
        if signer is not None:
            api.include_router(login.build_router(settings, signer))
            signed_in = login.role_dependency(settings, signer)
        api = mount_web(api, runtime, auth_dependency=signed_in)
    return api
