"""An open server (no keys, as `make start` gives) against the web pages its user visits: a
cross-site write, a page on a name rebound to 127.0.0.1, and a page that frames it. Real HTTP
to uvicorn, with the headers Chromium sends (tests/web/test_hostile_pages.py drives Chromium
itself)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import Names
from tests.api.conftest import LiveServer, with_api

RAIL_URL = "https://northfieldcourier.example/local/light-rail-approved"
STATIONS = "How many stations will the Northfield light-rail line have?"
PLANTED = {
    "title": "Council scraps Northfield light-rail plan",
    "body": "Northfield city council scrapped the light-rail line on Tuesday night. "
    "The light-rail line will have 0 stations, the council said.",
    "source": "Northfield Courier",
    "published_at": "2024-06-01",
    "url": RAIL_URL,  # the sample article's URL: a successful upload replaces it
}
FOREIGN = {"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}


@pytest.fixture
def open_server(make_app: Callable[..., Newsdesk]) -> Iterator[httpx.Client]:
    """A keyless server on a store of its own with the sample articles, and a client."""
    app = make_app(sample_corpus=True)
    app.ensure_sample_corpus()
    with (
        LiveServer(create_app(app, warm_up=False)) as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        yield client


def _plant(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    """What `fetch(url, {method: "POST", body: formData, mode: "no-cors"})` sends."""
    files = {"files": ("planted.json", json.dumps(PLANTED), "application/json")}
    return client.post("/v1/articles", files=files, headers=headers)


def _rail_titles(client: httpx.Client) -> list[str]:
    items = client.get("/v1/articles", params={"limit": 500}).json()["items"]
    return [a["title"] for a in items if a["url"] == RAIL_URL]


def test_a_foreign_origin_cannot_write_to_the_store(open_server: httpx.Client):
    client = open_server
    before = _rail_titles(client)
    assert before == ["Council approves 14-station light-rail line across Northfield"]
    for headers in (
        FOREIGN,  # what Chromium sends from another site
        {"Origin": "https://attacker.example"},  # a browser without Sec-Fetch-Site
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},  # a sandboxed frame
        {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"},  # another port
    ):
        refused = _plant(client, headers)
        assert refused.status_code == 403, (headers, refused.text)
        assert "NEWSDESK_API_CORS_ORIGINS" in refused.json()["error"]["message"]
    listed = client.get("/v1/articles", params={"limit": 1}).json()["items"][0]["id"]
    deleted = client.delete(f"/v1/articles/{listed}", headers=FOREIGN)
    assert deleted.status_code == 403
    assert _rail_titles(client) == before
    answer = client.post("/v1/ask", json={"question": STATIONS}).json()["answer"]
    assert "14" in answer and "0 stations" not in answer
    # The server's own page and clients that are not browsers still write.
    own = {"Origin": str(client.base_url).rstrip("/"), "Sec-Fetch-Site": "same-origin"}
    assert _plant(client, own).status_code == 200
    assert _rail_titles(client) == [PLANTED["title"]]


def test_a_listed_cors_origin_may_write(make_app: Callable[..., Newsdesk]):
    dashboard = "https://dash.example.org"
    app = with_api(make_app(), cors_origins=Names([dashboard]))
    with LiveServer(create_app(app, warm_up=False)) as server:
        headers = {"Origin": dashboard, "Sec-Fetch-Site": "cross-site"}
        response = httpx.post(
            server.url + "/v1/articles", json=[PLANTED], headers=headers, timeout=60
        )
        assert response.status_code == 200 and len(response.json()["added"]) == 1
        assert response.headers["access-control-allow-origin"] == dashboard


def test_a_name_rebound_to_this_machine_can_neither_read_nor_delete(open_server: httpx.Client):
    client = open_server
    article = client.get("/v1/articles", params={"limit": 1}).json()["items"][0]["id"]
    rebound = {"Host": "rebind.attacker.example:8000"}
    for method, path in [
        ("DELETE", f"/v1/articles/{article}"),
        ("GET", f"/v1/articles/{article}"),
        ("GET", "/v1/articles"),
        ("POST", "/v1/ask"),
        ("GET", "/"),
        ("POST", "/mcp"),
    ]:
        response = client.request(method, path, headers=rebound, json={"question": STATIONS})
        assert response.status_code == 421, (method, path, response.text)
        assert "NEWSDESK_API_ALLOWED_HOSTS" in response.json()["error"]["message"]
    assert client.get(f"/v1/articles/{article}").status_code == 200
    port = client.base_url.port
    for host in (f"localhost:{port}", f"[::1]:{port}", "127.0.0.1", "LOCALHOST."):
        assert client.get("/v1/articles", headers={"Host": host}).status_code == 200, host


def test_an_allowed_host_name_is_served(make_app: Callable[..., Newsdesk]):
    # A proxy passes its public name on; the server answers to it once it is listed.
    app = with_api(make_app(), allowed_hosts=Names(["news.example.org"]))
    with LiveServer(create_app(app, warm_up=False)) as server:
        proxied = httpx.get(
            server.url + "/v1/articles", headers={"Host": "news.example.org"}, timeout=60
        )
        assert proxied.status_code == 200
        other = httpx.get(server.url + "/v1/articles", headers={"Host": "other.example.org"})
        assert other.status_code == 421


def test_the_page_and_the_api_tell_browsers_not_to_frame_them(open_server: httpx.Client):
    for path in ("/", "/v1/articles"):
        headers = open_server.get(path).headers
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
