"""`newsdesk serve`: the API under uvicorn, or the MCP server on stdin/stdout."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys

from assistant.api.security import check_bind
from assistant.app import Newsdesk
from assistant.settings import Settings


def _quiet_libraries() -> None:
    # bm25s sets its own logger to DEBUG: every search would print a line.
    logging.getLogger("bm25s").setLevel(logging.WARNING)


def serve_http(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve REST, OpenAI-compatible and MCP routes until interrupted."""
    import uvicorn

    from assistant.api.factory import create_app

    api = dataclasses.replace(
        settings.api, host=host or settings.api.host, port=port or settings.api.port
    )
    check_bind(api, api.host)
    _quiet_libraries()
    app = create_app(Newsdesk(dataclasses.replace(settings, api=api)))
    # X-Forwarded-Proto (the session cookie's Secure flag) and X-Forwarded-For (the sign-in
    # rate limit's client) are believed from these addresses only.
    uvicorn.run(
        app,
        host=api.host,
        port=api.port,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=list(api.trusted_proxies),
    )


def serve_mcp_stdio(settings: Settings) -> None:
    """The MCP tools over stdin/stdout, for agents that start Newsdesk themselves."""
    from assistant.api.mcp_tools import build_mcp
    from assistant.api.runtime import Runtime

    _quiet_libraries()
    runtime = Runtime(Newsdesk(settings))
    # stdout carries the protocol: anything a library prints while loading goes to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        runtime.prepare_quietly()
    build_mcp(runtime).run("stdio")
