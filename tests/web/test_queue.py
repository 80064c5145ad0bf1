"""The page's events in Gradio's queue, over its HTTP API as a second browser would call them:
reading the article list or the outlet filter never waits behind another user's read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.web import chat, library
from tests.api.conftest import LiveServer
from tests.web.test_upload_guard import call

# Long enough for a second call to arrive on a loaded machine; reached only when they queue.
MEET_S = 20.0


def _endpoints(api: FastAPI, func: Callable) -> list[str]:
    """The API names of the page's events that run `func` (through a partial)."""
    [page] = [r.app.blocks for r in api.routes if hasattr(getattr(r, "app", None), "blocks")]
    names = [f"/{f.api_name}" for f in page.fns.values() if getattr(f.fn, "func", None) is func]
    assert len(names) > 1, f"{func.__name__}: the page should run it from several events"
    return names


@pytest.mark.parametrize(
    ("func", "inputs"),
    [(library.article_rows, [""]), (chat.outlet_filter, [])],
    ids=["article-list", "outlet-filter"],
)
def test_two_users_read_the_article_list_at_once_not_one_after_the_other(
    make_app: Callable[..., Newsdesk],
    monkeypatch: pytest.MonkeyPatch,
    func: Callable,
    inputs: list,
):
    app = make_app()
    api = create_app(app, warm_up=False)
    endpoints = _endpoints(api, func)
    with LiveServer(api) as server:
        read = app.list_articles
        # Gradio sets an event's queue up when it first runs, the lowest limit of those sharing
        # one winning: every event of the function runs once before the two users' reads.
        for endpoint in endpoints:
            assert "event: complete" in call_at(server.url, endpoint, inputs), endpoint
        # Each read returns only once the other has begun: queued one after the other, the
        # first waits MEET_S for a second that cannot start, and both fail.
        both = threading.Barrier(2, timeout=MEET_S)

        def meeting(*args: object, **kwargs: object) -> object:
            both.wait()
            return read(*args, **kwargs)

        monkeypatch.setattr(app, "list_articles", meeting)
        pair = [endpoints[0], endpoints[-1]]  # two of its events, as two users run them
        with ThreadPoolExecutor(2) as pool:
            streams = list(pool.map(lambda e: call_at(server.url, e, inputs), pair))
    for stream in streams:
        assert "event: complete" in stream and "event: error" not in stream, stream


def call_at(url: str, endpoint: str, inputs: list) -> str:
    """One user's call of an event, on a connection of its own."""
    with httpx.Client(base_url=url, timeout=120) as client:
        return call(client, endpoint, inputs)
