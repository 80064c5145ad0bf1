"""Keys and roles on EVERY route the server has (read from the app itself, so a new route is
checked the day it is added), CORS closed by default on each, another site's writes and
foreign Host names refused on each, and no secret in any log line or error body."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.api.browser import SAFE_METHODS
from assistant.api.security import PUBLIC_PATHS, needs_write
from assistant.app import Newsdesk
from assistant.serving.login import LOGIN_PATH, LOGOUT_PATH
from assistant.settings import ApiSettings, Names
from tests.api.conftest import READ_KEY, WRITE_KEY, local_client
from tests.chroma_server import free_port

WRONG_KEY = "wrong-key-0123456789"
ORIGIN = {"Origin": "https://evil.example"}


def _routes(routes: list) -> Iterator:
    """Every route, also those of included routers (FastAPI keeps a router included as one
    entry whose own routes hold the paths: undocumented ones would otherwise go unseen)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        yield from _routes(inner.routes) if inner is not None else [route]


def every_operation(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) for each documented operation and each undocumented route (MCP, the
    catch-all, the docs pages, the sign-in form, permalinks), path parameters filled in."""
    ops: set[tuple[str, str]] = set()
    for path, item in client.app.openapi()["paths"].items():
        for method in item:
            ops.add((method.upper(), path))
    for route in _routes(client.app.routes):
        path = getattr(route, "path", None)
        if path is None or path in client.app.openapi()["paths"]:
            continue
        methods = getattr(route, "methods", None) or {"GET", "POST"}
        ops.update((m, path) for m in methods if m not in ("HEAD", "OPTIONS"))
    filled = {(m, re.sub(r"\{[^}]+\}", "a000", p)) for m, p in ops}
    return sorted(filled)


def call(
    client: TestClient, method: str, path: str, key: str | None, origin: dict[str, str] = ORIGIN
) -> int:
    # Another site's write (and any MCP request: the SDK checks Origin on every method) is
    # refused before the key is looked at; see the test below.
    origin = origin if method in SAFE_METHODS and not path.startswith("/mcp") else {}
    headers = {**origin, **({"Authorization": f"Bearer {key}"} if key else {})}
    response = client.request(method, path, headers=headers, follow_redirects=False)
    # CORS is closed by default: no route grants an unlisted origin anything.
    assert "access-control-allow-origin" not in response.headers, (method, path)
    if key:
        assert key not in response.text, (method, path)  # errors never echo the key
    return response.status_code


def test_the_route_list_covers_the_whole_api(keyed_client: TestClient):
    ops = every_operation(keyed_client)
    for expected in [
        ("POST", "/v1/ask"),
        ("POST", "/v1/ask/stream"),
        ("GET", "/v1/search"),
        ("POST", "/v1/articles"),
        ("GET", "/v1/articles/a000"),
        ("DELETE", "/v1/articles/a000"),
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/models"),
        ("POST", "/mcp"),
        ("GET", "/healthz"),
        ("POST", "/v1/answers"),
        ("POST", "/v1/conversations"),
        ("GET", "/v1/answers/a000"),
        ("GET", "/v1/answers/a000/export"),
        ("GET", "/a/a000"),
        ("GET", "/v1/watches"),
        ("POST", "/v1/watches"),
        ("GET", "/v1/watches/a000"),
        ("DELETE", "/v1/watches/a000"),
        ("POST", "/v1/watches/a000/seen"),
        ("POST", "/v1/watches/check"),
        ("GET", "/v1/stories"),
        ("POST", "/v1/brief"),
    ]:
        assert expected in ops
    assert len(ops) >= 15


def test_every_route_needs_a_valid_key_and_writes_need_a_read_write_one(
    keyed_client: TestClient,
):
    for method, path in every_operation(keyed_client):
        if path in (LOGIN_PATH, LOGOUT_PATH):
            continue  # public, and the form checks keys itself: tests/api/test_sessions.py
        public = path in PUBLIC_PATHS
        statuses = {key: call(keyed_client, method, path, key) for key in (None, WRONG_KEY)}
        if public:
            assert 401 not in statuses.values(), (method, path, statuses)
            continue
        if method == "GET" and path in ("", "/"):
            # The web page sends a browser without a session to the sign-in form instead.
            assert statuses == {None: 303, WRONG_KEY: 401}, (method, path, statuses)
            assert keyed_client.get(path, follow_redirects=False).headers["location"] == "/login"
        else:
            assert statuses == {None: 401, WRONG_KEY: 401}, (method, path, statuses)
        read = call(keyed_client, method, path, READ_KEY)
        if needs_write(method, path):
            assert read == 403, (method, path, read)
        else:
            assert read not in (401, 403), (method, path, read)
        if (method, path) == ("DELETE", "/v1/articles/samples"):
            continue  # it would empty the shared sample store; tests/test_samples.py calls it
        bodiless = path.startswith(
            ("/v1/articles", "/v1/answers", "/v1/conversations", "/v1/watches")
        )
        if method == "DELETE" or not needs_write(method, path) or bodiless:
            # A write key passes the guard (the route then answers 404/415/422 for the
            # empty request: nothing in the shared sample store changes).
            assert call(keyed_client, method, path, WRITE_KEY) not in (401, 403), (method, path)


def test_every_route_refuses_writes_from_another_site_whatever_the_key(
    client: TestClient, keyed_client: TestClient
):
    for c, keys in ((client, [None]), (keyed_client, [None, READ_KEY, WRITE_KEY])):
        for method, path in every_operation(c):
            if method in SAFE_METHODS and not path.startswith("/mcp"):
                continue
            for key in keys:
                headers = {**ORIGIN, "Sec-Fetch-Site": "cross-site"}
                if key:
                    headers["Authorization"] = f"Bearer {key}"
                response = c.request(method, path, headers=headers, follow_redirects=False)
                assert response.status_code == 403, (method, path, key, response.text)


def test_every_route_refuses_a_host_name_it_does_not_serve(
    client: TestClient, keyed_client: TestClient
):
    for c in (client, keyed_client):
        for method, path in every_operation(c):
            headers = {"Host": "rebind.attacker.example", "Authorization": f"Bearer {WRITE_KEY}"}
            response = c.request(method, path, headers=headers, follow_redirects=False)
            assert response.status_code == 421, (method, path, response.text)


def test_no_key_or_chroma_token_appears_in_logs_or_error_bodies(
    make_app, caplog: pytest.LogCaptureFixture
):
    token = "chroma-token-SECRET-42"
    app = make_app(**{"store.host": "127.0.0.1", "store.port": free_port(), "store.token": token})
    settings = dataclasses.replace(
        app.settings, api=ApiSettings(keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))
    )
    newsdesk = Newsdesk(settings, embedder=app.embedder)
    bodies: list[str] = []
    with caplog.at_level(logging.DEBUG), local_client(create_app(newsdesk, warm_up=False)) as c:
        for key in (None, WRONG_KEY, READ_KEY, WRITE_KEY):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            for method, path, body in [
                ("POST", "/v1/ask", {"question": "How many troops?"}),  # store down: 503
                ("GET", "/v1/articles", None),
                ("POST", "/v1/articles", [{"title": "t", "body": "b"}]),
                ("GET", "/readyz", None),
            ]:
                response = c.request(method, path, headers=headers, json=body)
                bodies.append(response.text)
    assert any('"status":503' in b for b in bodies)  # the Chroma error path was exercised
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for secret in (token, READ_KEY, WRITE_KEY, WRONG_KEY):
        assert secret not in logged
        assert all(secret not in b for b in bodies)
