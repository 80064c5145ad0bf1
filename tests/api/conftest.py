"""API fixtures: in-process clients on the shared sample store, throw-away stores for writes,
and a real uvicorn server on a free 127.0.0.1 port for the protocol clients."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import ApiSettings, Names
from tests.chroma_server import free_port

READ_KEY = "read-key-for-tests"
WRITE_KEY = "write-key-for-tests"


def local_client(app: FastAPI) -> TestClient:
    """A TestClient naming 127.0.0.1 as its host, as a browser on this machine does: the
    server answers 421 to host names it does not serve, TestClient's "testserver" among them."""
    return TestClient(app, base_url="http://127.0.0.1")


def with_api(app: Newsdesk, **api: object) -> Newsdesk:
    """The same store and embedder, with other API settings (keys, limits, CORS)."""
    settings = dataclasses.replace(app.settings, api=ApiSettings(**api))
    return Newsdesk(settings, embedder=app.embedder)


@pytest.fixture(scope="session")
def client(sample_app: Newsdesk) -> Iterator[TestClient]:
    """No keys, the sample corpus: for everything that only reads."""
    with local_client(create_app(sample_app, warm_up=False)) as c:
        yield c


@pytest.fixture(scope="session")
def keyed_client(sample_app: Newsdesk) -> Iterator[TestClient]:
    """The sample corpus behind one read-only and one read-write key."""
    app = with_api(sample_app, keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))
    with local_client(create_app(app, warm_up=False)) as c:
        yield c


@pytest.fixture
def fresh_client(make_app: Callable[..., Newsdesk], backend: dict) -> Iterator[TestClient]:
    """An empty store of this test's own, for adding and deleting; once on embedded Chroma
    and once on the Chroma server."""
    with local_client(create_app(make_app(**backend), warm_up=False)) as c:
        yield c


class LiveServer:
    """uvicorn in a thread of this process, on a free port of 127.0.0.1."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start within 30 s")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture(scope="session")
def live_url(sample_app: Newsdesk) -> Iterator[str]:
    with LiveServer(create_app(sample_app, warm_up=False)) as server:
        yield server.url
