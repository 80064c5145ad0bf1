"""API keys, the bind rule, CORS, JSON errors, health, and a store that cannot be reached."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.api.security import check_bind
from assistant.app import Newsdesk
from assistant.cli import main
from assistant.settings import ApiSettings, Names, SettingsError
from tests.api.conftest import READ_KEY, WRITE_KEY, local_client, with_api
from tests.chroma_server import free_port

ASK = {"question": "How many US troops are in Syria?"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_with_keys_configured_a_request_without_a_valid_key_is_401(keyed_client: TestClient):
    missing = keyed_client.post("/v1/ask", json=ASK)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert "API key is required" in missing.json()["error"]["message"]
    wrong = keyed_client.get("/v1/articles", headers=bearer("not-a-key"))
    assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "unauthorized"
    assert keyed_client.post("/mcp", json={}, headers=bearer("not-a-key")).status_code == 401


def test_health_and_the_api_docs_need_no_key(keyed_client: TestClient):
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json"):
        assert keyed_client.get(path).status_code == 200, path


def test_the_api_docs_page_loads_its_assets_from_this_server_only(keyed_client: TestClient):
    html = keyed_client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) == 3 and all(a.startswith("/docs/") for a in assets), assets
    assert "//" not in "".join(assets) and "cdn" not in html
    for asset in assets:  # no key needed, like the page itself
        response = keyed_client.get(asset)
        assert response.status_code == 200 and len(response.content) > 1000, asset
    assert "SwaggerUIBundle" in keyed_client.get("/docs/swagger-ui-bundle.js").text


def test_a_read_only_key_may_ask_and_read_but_not_add_or_delete(keyed_client: TestClient):
    assert keyed_client.post("/v1/ask", json=ASK, headers=bearer(READ_KEY)).status_code == 200
    assert keyed_client.get("/v1/articles", headers=bearer(READ_KEY)).status_code == 200
    added = keyed_client.post("/v1/articles", json=[{"title": "t"}], headers=bearer(READ_KEY))
    assert added.status_code == 403 and "read-only" in added.json()["error"]["message"]
    deleted = keyed_client.delete("/v1/articles/a0", headers=bearer(READ_KEY))
    assert deleted.status_code == 403


def test_a_read_write_key_may_delete(keyed_client: TestClient):
    # An id that is not stored: the key is accepted and the store answers 404, nothing changes.
    response = keyed_client.delete("/v1/articles/a000", headers=bearer(WRITE_KEY))
    assert response.status_code == 404


def test_without_keys_the_server_refuses_any_address_but_loopback(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
):
    for name in ("NEWSDESK_API_KEYS", "NEWSDESK_API_READ_KEYS", "NEWSDESK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)]) == 2
    assert "refusing to serve on 0.0.0.0 without API keys" in capsys.readouterr().err
    open_api = ApiSettings()
    check_bind(open_api, "127.0.0.1")
    with pytest.raises(SettingsError, match="without API keys"):
        check_bind(open_api, "0.0.0.0")
    check_bind(ApiSettings(read_keys=Names(["k"])), "0.0.0.0")


def test_cors_is_closed_by_default_and_open_to_configured_origins(
    client: TestClient, sample_app: Newsdesk
):
    origin = {"Origin": "https://dash.example.org"}
    assert "access-control-allow-origin" not in client.get("/v1/articles", headers=origin).headers
    app = with_api(sample_app, cors_origins=Names(["https://dash.example.org"]))
    with local_client(create_app(app, warm_up=False)) as c:
        preflight = c.options(
            "/v1/ask", headers={**origin, "Access-Control-Request-Method": "POST"}
        )
        assert preflight.headers["access-control-allow-origin"] == "https://dash.example.org"


def test_errors_are_json_with_a_message_and_the_right_status(client: TestClient):
    cases = [
        (client.get("/v1/nothing-here"), 404),
        (client.get("/v1/articles/a-missing-id"), 404),
        (client.post("/v1/ask", json={"question": "   "}), 422),
        (
            client.post(
                "/v1/articles", content=b"{not json", headers={"Content-Type": "application/json"}
            ),
            400,
        ),
        (client.post("/v1/ask", json={"question": "x", "k": 0}), 422),
        (client.get("/v1/search"), 422),
        (client.get("/v1/articles", params={"limit": "many"}), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["status"] == status and error["message"]


def test_an_unreachable_chroma_server_is_503_with_the_reason_and_health_still_answers(
    make_app: Callable[..., Newsdesk],
):
    app = make_app(**{"store.host": "127.0.0.1", "store.port": free_port()})
    with local_client(create_app(app, warm_up=False)) as client:
        response = client.post("/v1/ask", json=ASK)
        assert response.status_code == 503
        assert "Chroma store at 127.0.0.1" in response.json()["error"]["message"]
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503 and "not ready" in ready.json()["error"]["message"]
