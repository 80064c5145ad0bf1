"""`newsdesk serve`: the API under uvicorn, or the MCP server on stdin/stdout."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sys

from assistant.api.security import check_bind
from assistant.app import Newsdesk
from assistant.settings import Settings
from vectorstore.lock import Holder, StoreLease, hold_store, this_process


def _quiet_libraries() -> None:
    # bm25s sets its own logger to DEBUG: every search would print a line.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    # The scheduler's lines (lease taken or waited for, each run) go to stderr.
    sync = logging.getLogger("newsdesk.sync")
    if not sync.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s sync: %(message)s", "%H:%M:%S"))
        sync.addHandler(handler)
        sync.setLevel(logging.INFO)


def serve_http(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Serve REST, OpenAI-compatible and MCP routes until interrupted."""
    import uvicorn

    from assistant.api.factory import create_app

    api = dataclasses.replace(
        settings.api, host=host or settings.api.host, port=port or settings.api.port
    )
    check_bind(api, api.host)
    _quiet_libraries()
    # Taken before anything loads: a second server on the same embedded store stops here,
    # and CLI commands find this server's address in the lock file and go through it.
    holder = this_process("newsdesk serve", role="server", url=local_url(api.host, api.port))
    lease = _hold(settings, holder)
    try:
        newsdesk = Newsdesk(dataclasses.replace(settings, api=api), holder=holder)
        app = create_app(newsdesk, sync=settings.sync.in_server)
        # X-Forwarded-Proto (the session cookie's Secure flag) and X-Forwarded-For (the
        # sign-in rate limit's client) are believed from these addresses only.
        uvicorn.run(
            app,
            host=api.host,
            port=api.port,
            log_level="info",
            proxy_headers=True,
            forwarded_allow_ips=list(api.trusted_proxies),
        )
    finally:
        if lease is not None:
            lease.release()


def local_url(host: str, port: int) -> str:
    """Where a process on this machine reaches a server listening on `host`."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _hold(settings: Settings, holder: Holder) -> StoreLease | None:
    """This process's hold on an embedded store; None for a Chroma server (shared)."""
    return None if settings.store.host else hold_store(settings.store.path, holder)


def serve_mcp_stdio(settings: Settings) -> None:
    """The MCP tools over stdin/stdout, for agents that start Newsdesk themselves. Due syncs
    of sources run here too (unless `--no-sync`), as in `newsdesk serve`: this process holds
    an embedded store to itself, so while it runs no `newsdesk sync --watch` could; its
    lines go to stderr, and a pass cut short when the agent ends the process is resumed by
    the next (docs/sources.md)."""
    from assistant.api.mcp_tools import build_mcp
    from assistant.serving.runtime import Runtime

    _quiet_libraries()
    holder = this_process("newsdesk serve --mcp-stdio")
    _hold(settings, holder)  # held until the process ends
    newsdesk = Newsdesk(settings, holder=holder)
    runtime = Runtime(newsdesk)
    # stdout carries the protocol: anything a library prints while loading goes to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        runtime.prepare_quietly()
    sync_log = logging.getLogger("newsdesk.sync")
    scheduler = newsdesk.scheduler(sync_log.info) if settings.sync.in_server else None
    if scheduler is not None:
        scheduler.start()
    try:
        build_mcp(runtime).run("stdio")
    finally:
        if scheduler is not None:
            scheduler.stop()
