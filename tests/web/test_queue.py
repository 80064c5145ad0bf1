"""The page's events in Gradio's queue, over its HTTP API as a second browser would call them:
reading the article list or the outlet filter, or opening the page, never waits behind another
user's read."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from gradio.block_function import BlockFunction

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.web import chat, library
from tests.api.conftest import LiveServer
from tests.web.test_upload_guard import call

# Long enough for a second call to arrive on a loaded machine; reached only when they queue.
MEET_S = 20.0


def _page_events(api: FastAPI) -> list[BlockFunction]:
    """The page's events, as Gradio holds them."""
    [page] = [r.app.blocks for r in api.routes if hasattr(getattr(r, "app", None), "blocks")]
    return list(page.fns.values())


def _endpoints(api: FastAPI, func: Callable) -> list[str]:
    """The API names of the page's events that run `func` (through a partial)."""
    events = _page_events(api)
    names = [f"/{f.api_name}" for f in events if getattr(f.fn, "func", None) is func]
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
        # Gradio sets an event's queue up when it first runs, the lowest limit of those sharing
        # one winning: every event of the function runs once before the two users' reads.
        for endpoint in endpoints:
            assert "event: complete" in call_at(server.url, endpoint, inputs), endpoint
        # Each read returns only once the other has begun: queued one after the other, the
        # first waits MEET_S for a second that cannot start, and both fail.
        monkeypatch.setattr(app, "list_articles", _meeting(app.list_articles))
        # Two of its events, as two users run them.
        streams = at_once(server.url, [endpoints[0], endpoints[-1]], inputs)
    for stream in streams:
        assert "event: complete" in stream and "event: error" not in stream, stream


def _meeting(step: Callable) -> Callable:
    """`step`, returning only once a second call of it has begun. Its signature is kept:
    Gradio reads it to find what to pass (a gr.Request)."""
    both = threading.Barrier(2, timeout=MEET_S)

    @functools.wraps(step)
    def meeting(*args: object, **kwargs: object) -> object:
        both.wait()
        return step(*args, **kwargs)

    return meeting


def at_once(url: str, endpoints: list[str], inputs: list) -> list[str]:
    """Each endpoint called by a user of its own, all at the same time; their streams."""
    with ThreadPoolExecutor(len(endpoints)) as pool:
        return list(pool.map(lambda e: call_at(url, e, inputs), endpoints))


def call_at(url: str, endpoint: str, inputs: list) -> str:
    """One user's call of an event, on a connection of its own."""
    with httpx.Client(base_url=url, timeout=120) as client:
        return call(client, endpoint, inputs)


def _opening(events: list[BlockFunction]) -> list[BlockFunction]:
    """The steps run when a page opens: its load event and each step after it, in order."""
    [step] = [f for f in events if any(event == "load" for _, event in f.targets)]
    steps = [step]
    while after := [f for f in events if f.trigger_after == steps[-1]._id]:
        [step] = after
        steps.append(step)
    return steps


def _inputs(event: BlockFunction) -> list:
    """What a freshly opened page sends to `event`: its inputs as they start."""
    return [getattr(component, "value", None) for component in event.inputs]


def test_two_users_open_the_page_at_once_each_step_not_one_after_the_other(
    make_app: Callable[..., Newsdesk], monkeypatch: pytest.MonkeyPatch
):
    api = create_app(make_app(), warm_up=False)
    events = _page_events(api)
    opening = _opening(events)
    assert len(opening) > 5, [step.api_name for step in opening]
    with LiveServer(api) as server:
        for step in opening:
            # As above: every event sharing the step's queue runs once, setting its limit.
            for event in (f for f in events if f.concurrency_id == step.concurrency_id):
                assert "event: complete" in call_at(
                    server.url, f"/{event.api_name}", _inputs(event)
                ), event.api_name
            # The step returns only once the other user's has begun (as above).
            monkeypatch.setattr(step, "fn", _meeting(step.fn))
            endpoint = f"/{step.api_name}"
            for stream in at_once(server.url, [endpoint, endpoint], _inputs(step)):
                assert "event: complete" in stream and "event: error" not in stream, (
                    endpoint,
                    stream,
                )
