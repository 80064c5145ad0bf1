"""The page's events in Gradio's queue, over its HTTP API as a second browser would call them:
reading the article list or the outlet filter, opening the page, or any other event that only
reads (a tab's list, an article, a question before a deletion, a timer's look) never waits
behind another user's."""

from __future__ import annotations

import functools
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import gradio as gr
import httpx
import pytest
from fastapi import FastAPI
from gradio.block_function import BlockFunction

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import load_settings
from assistant.web import chat, library
from tests.api.conftest import LiveServer

# Long enough for a second call to arrive on a loaded machine; reached only when they queue.
MEET_S = 20.0


def _page(api: FastAPI) -> gr.Blocks:
    [page] = [r.app.blocks for r in api.routes if hasattr(getattr(r, "app", None), "blocks")]
    return page


def _page_events(api: FastAPI) -> list[BlockFunction]:
    """The page's events, as Gradio holds them."""
    return list(_page(api).fns.values())


def _running(api: FastAPI, func: Callable) -> list[BlockFunction]:
    """The page's events that run `func` (through a partial)."""
    events = [f for f in _page_events(api) if getattr(f.fn, "func", None) is func]
    assert len(events) > 1, f"{func.__name__}: the page should run it from several events"
    return events


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
    events = _running(api, func)
    with LiveServer(api) as server:
        # Gradio sets an event's queue up when it first runs, the lowest limit of those sharing
        # one winning: every event of the function runs once before the two users' reads.
        for event in events:
            assert _ran(call_at(server.url, event, Sent(inputs))), event.api_name
        # Each read returns only once the other has begun: queued one after the other, the
        # first waits MEET_S for a second that cannot start, and both fail.
        monkeypatch.setattr(app, "list_articles", _meeting(app.list_articles))
        # Two of its events, as two users run them.
        streams = at_once(server.url, [events[0], events[-1]], Sent(inputs))
    for stream in streams:
        assert _ran(stream), stream


def _meeting(step: Callable) -> Callable:
    """`step`, returning only once a second call of it has begun. Its signature is kept:
    Gradio reads it to find what to pass (a gr.Request)."""
    both = threading.Barrier(2, timeout=MEET_S)

    @functools.wraps(step)
    def meeting(*args: object, **kwargs: object) -> object:
        both.wait()
        return step(*args, **kwargs)

    return meeting


class Sent(NamedTuple):
    """What a page sends with an event: its inputs, and the event's data (the row clicked)."""

    inputs: list
    event_data: dict | None = None


def at_once(
    url: str, events: list[BlockFunction], sent: Sent, sessions: list[str] | None = None
) -> list[str]:
    """Each event run by a user of its own (in `sessions`, else each in a new one), all at
    the same time; their streams."""
    with ThreadPoolExecutor(len(events)) as pool:
        runs = pool.map(lambda e, s: call_at(url, e, sent, s), events, sessions or [None] * 2)
        return list(runs)


def call_at(url: str, event: BlockFunction, sent: Sent, session: str | None = None) -> str:
    """One user's run of an event as the browser sends it, on a connection of its own and in
    `session` (else a new one); the stream of its messages."""
    session = session or uuid.uuid4().hex
    joined = {
        "data": sent.inputs,
        "event_data": sent.event_data,
        "fn_index": event._id,
        "trigger_id": event.targets[0][0],
        "session_hash": session,
    }
    with httpx.Client(base_url=url, timeout=120) as client:
        started = client.post("/gradio_api/queue/join", json=joined)
        assert started.status_code == 200, started.text
        return client.get("/gradio_api/queue/data", params={"session_hash": session}).text


def _ran(stream: str) -> bool:
    """The event ran to its end, and without an error."""
    return '"msg":"process_completed"' in stream and '"success":true' in stream


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


def two_users_run(
    url: str,
    events: list[BlockFunction],
    event: BlockFunction,
    monkeypatch: pytest.MonkeyPatch,
    sent: Sent,
    sessions: list[str] | None = None,
) -> list[str]:
    """`event` and the last event of its queue (itself, when alone there) run by two users at
    once (in `sessions`, else each in a new one), each returning only once the other's has
    begun: queued one after the other, the first waits MEET_S for a second that cannot
    start, and both fail. Their streams."""
    queue = [f for f in events if f.concurrency_id == event.concurrency_id]
    # Gradio sets an event's queue up when it first runs, the lowest limit of those sharing
    # one winning: every event of the queue runs once first (they run one function).
    for other in queue:
        assert _ran(call_at(url, other, sent, (sessions or [None])[0])), other.api_name
    meeting = _meeting(event.fn)
    for other in queue:
        monkeypatch.setattr(other, "fn", meeting)
    return at_once(url, [event, queue[-1]], sent, sessions)


def test_two_users_open_the_page_at_once_each_step_not_one_after_the_other(
    make_app: Callable[..., Newsdesk], monkeypatch: pytest.MonkeyPatch
):
    api = create_app(make_app(), warm_up=False)
    events = _page_events(api)
    opening = _opening(events)
    assert len(opening) > 5, [step.api_name for step in opening]
    with LiveServer(api) as server:
        for step in opening:
            streams = two_users_run(server.url, events, step, monkeypatch, Sent(_inputs(step)))
            for stream in streams:
                assert _ran(stream), (step.api_name, stream)


class InUse(NamedTuple):
    """A page served on a store with articles (the samples) and a source, and what a user
    sends to the events that need more than a fresh page holds, by their trigger."""

    url: str
    page: gr.Blocks
    sends: dict[str, Sent]


@pytest.fixture(scope="module")
def in_use(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[InUse]:
    settings = load_settings(
        overrides={
            "data_dir": tmp_path_factory.mktemp("queue"),
            "ingest.fetch.allow_hosts": "127.0.0.1",
        },
        environ={},
    )
    app = Newsdesk(settings, embedder=embedder)
    app.ensure_sample_corpus()
    article = app.list_articles()[0]
    # Never fetched (no sync runs here): asking before removing it reads what is stored.
    source = app.add_source("http://127.0.0.1:9/feed.xml")
    row = [article.title, article.source, article.published_at, article.chunk_count, article.id]
    sends = {
        "nd-articles": Sent([], {"index": [0, 4], "value": article.id, "row_value": row}),
        "nd-delete": Sent([article.id]),
        "nd-remove-feed": Sent([source.id]),
    }
    api = create_app(app, warm_up=False)
    with LiveServer(api) as server:
        yield InUse(server.url, _page(api), sends)


def _opened(url: str, events: list[BlockFunction]) -> str:
    """A user's session of the page, opened as a browser opens it (each step of its opening
    run in it, e.g. filling the pickers); its session hash."""
    session = uuid.uuid4().hex
    for step in _opening(events):
        assert _ran(call_at(url, step, Sent(_inputs(step)), session)), step.api_name
    return session


def _started_by(page: gr.Blocks, trigger: str, kind: str) -> list[BlockFunction]:
    """The events that `kind` of the component `trigger` starts: its elem_id, or its kind
    (a Timer) when it has none."""

    def name(block_id: int) -> str:
        block = page.blocks.get(block_id)
        return getattr(block, "elem_id", None) or type(block).__name__

    found = [
        f for f in page.fns.values() if (trigger, kind) in ((name(b), e) for b, e in f.targets)
    ]
    assert found, f"no {kind} of {trigger} on the page"
    return found


@pytest.mark.parametrize(
    ("trigger", "kind"),
    [
        ("nd-watch-refresh", "click"),  # and the Watches tab's timer: one function
        ("Timer", "tick"),  # the Watches tab's, and the one following a sync
        ("nd-stories-show", "click"),
        ("Tab", "select"),  # the Stories tab, listed when picked
        ("nd-articles", "select"),  # an article opened in the Library
        ("nd-delete", "click"),  # asked before deleting: the deletion itself is a write
        ("nd-remove-samples", "click"),
        ("nd-confirm-no", "click"),
        ("nd-remove-feed", "click"),
        ("nd-feed-no", "click"),
        ("nd-new", "click"),  # and clearing the chat: one function
        ("nd-example-0", "click"),  # the question put in the box; answering it is queued
    ],
)
def test_two_users_run_every_other_read_of_the_page_at_once(
    in_use: InUse, monkeypatch: pytest.MonkeyPatch, trigger: str, kind: str
):
    """Every other event that only reads (the store, who is signed in, or the page's own
    state), named by what starts it."""
    events = list(in_use.page.fns.values())
    # Two users with the page open: its opening filled their pickers (a source is picked).
    users = [_opened(in_use.url, events), _opened(in_use.url, events)]
    for event in _started_by(in_use.page, trigger, kind):
        sent = in_use.sends.get(trigger, Sent(_inputs(event)))
        streams = two_users_run(in_use.url, events, event, monkeypatch, sent, users)
        for stream in streams:
            assert _ran(stream), (event.api_name, stream)
