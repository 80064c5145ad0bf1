"""Signing in to the web page, over real HTTP: what a session cookie gives away (nothing about
the keys), how often a key may be guessed, hostile cookies, short keys, and the Secure flag
behind a TLS proxy on another host."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.serving.login import COOKIE, SECRET_FILE, LoginThrottle
from assistant.settings import MIN_KEY_CHARS, Names, SettingsError, load_settings
from tests.api.conftest import READ_KEY, WRITE_KEY, LiveServer, with_api
from tests.chroma_server import free_port

pytestmark = pytest.mark.slow


def keyed(app: Newsdesk) -> Newsdesk:
    return with_api(app, keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))


def client_at(url: str, address: str = "127.0.0.1") -> httpx.Client:
    """A client whose connections come from `address` (any of 127.0.0.0/8 reaches the
    server): another machine, as the server sees it."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=url, transport=transport, timeout=60)


def sign_in(client: httpx.Client, key: str, **headers: str) -> httpx.Response:
    return client.post("/login", data={"key": key}, headers=headers, follow_redirects=False)


@pytest.fixture
def keyed_server(make_app: Callable[..., Newsdesk]) -> Iterator[tuple[str, Newsdesk]]:
    app = keyed(make_app())
    with LiveServer(create_app(app, warm_up=False)) as server:
        yield server.url, app


def test_a_reader_cookie_does_not_let_anyone_check_guesses_of_the_keys(
    keyed_server: tuple[str, Newsdesk], make_app: Callable[..., Newsdesk]
):
    url, app = keyed_server
    with client_at(url) as client:
        response = sign_in(client, READ_KEY)
    assert response.status_code == 303
    cookie = response.cookies[COOKIE]
    payload, _, signature = cookie.rpartition(".")
    # The attacker's best case: the guess list holds the very write key. A signing key made
    # from the keys alone (as before) would confirm it; the folder's random secret does not.
    material = "\0".join(["newsdesk-web-session", WRITE_KEY, "\1", READ_KEY])
    from_keys = hashlib.sha256(material.encode()).digest()
    assert hmac.new(from_keys, payload.encode(), hashlib.sha256).hexdigest() != signature
    secret = app.settings.data_dir / SECRET_FILE
    assert secret.stat().st_mode & 0o777 == 0o600
    # The same folder (a restart) keeps the session; another folder with the same keys does not.
    for other, kept in ((app, True), (keyed(make_app("other")), False)):
        with LiveServer(create_app(other, warm_up=False)) as server, client_at(server.url) as c:
            page = c.get("/", headers={"Cookie": f"{COOKIE}={cookie}"}, follow_redirects=False)
            assert (page.status_code == 200) is kept, page.status_code


def test_sign_in_is_rate_limited_per_client_address(keyed_server: tuple[str, Newsdesk]):
    url, _ = keyed_server
    with client_at(url) as guesser, client_at(url, "127.0.0.2") as neighbour:
        for n in range(5):
            assert sign_in(guesser, f"guess-number-{n:06d}").status_code == 401
        locked = sign_in(guesser, WRITE_KEY)  # even the right key: no oracle while locked
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        assert "Too many wrong keys" in locked.text and COOKIE not in locked.cookies
        assert sign_in(neighbour, WRITE_KEY).status_code == 303


def test_the_sign_in_limit_forgets_quiet_clients_and_holds_few():
    throttle = LoginThrottle(attempts=2, window_s=60, max_clients=10)
    throttle.failed("10.0.0.1", now=0)
    throttle.failed("10.0.0.1", now=1)
    assert throttle.wait_s("10.0.0.1", now=2) == 58  # until the first leaves the window
    assert throttle.wait_s("10.0.0.1", now=61) == 0  # the window passed
    # One IPv6 machine holds a whole /64: its addresses count as one client.
    throttle.failed("2001:db8::1", now=0)
    throttle.failed("2001:db8::ffff", now=0)
    assert throttle.wait_s("2001:db8::42", now=1) > 0
    for n in range(1000):
        throttle.failed(f"192.0.2.{n % 250}", now=n)
    assert len(throttle._failures) <= 10


def test_a_non_ascii_session_cookie_is_sent_to_sign_in_not_a_500(
    keyed_server: tuple[str, Newsdesk],
):
    url, _ = keyed_server
    hostile = f"{COOKIE}=editor.9999999999.\xe9\xff".encode("latin-1")
    with client_at(url) as client:
        page = client.get("/", headers={"Cookie": hostile}, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"
        api = client.post("/gradio_api/queue/join", headers={"Cookie": hostile}, json={})
        assert api.status_code == 401


def test_short_keys_are_refused_at_start_up_without_being_shown(tmp_path: Path):
    for name in ("NEWSDESK_API_KEYS", "NEWSDESK_API_READ_KEYS"):
        with pytest.raises(SettingsError, match=f"{name}: .*at least {MIN_KEY_CHARS}") as caught:
            load_settings(environ={name: f"{'x' * MIN_KEY_CHARS},short-key"})
        assert "short-key" not in str(caught.value)
    assert load_settings(environ={"NEWSDESK_API_KEYS": "y" * MIN_KEY_CHARS}).api.keys
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_API_KEYS": "tiny"}
    serve = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(free_port())]
    done = subprocess.run(serve, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "NEWSDESK_API_KEYS" in done.stderr
    assert "tiny" not in done.stderr


@pytest.fixture
def served_behind_proxy(tmp_path: Path) -> Iterator[str]:
    """`newsdesk serve` trusting the TLS proxy at 127.0.0.2 (and nobody else)."""
    port = free_port()
    env = {
        **os.environ,
        "NEWSDESK_DATA_DIR": str(tmp_path),
        "NEWSDESK_SAMPLE_CORPUS": "false",
        "NEWSDESK_API_KEYS": WRITE_KEY,
        "NEWSDESK_API_TRUSTED_PROXIES": "127.0.0.2",
    }
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 90
    try:
        while True:
            try:
                httpx.get(url + "/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_behind_a_trusted_proxy_on_another_host_the_cookie_is_secure(served_behind_proxy: str):
    url = served_behind_proxy
    tls = {"X-Forwarded-Proto": "https"}
    with client_at(url, "127.0.0.2") as proxy, client_at(url, "127.0.0.3") as stranger:
        signed = sign_in(proxy, WRITE_KEY, **tls, **{"X-Forwarded-For": "203.0.113.7"})
        assert signed.status_code == 303 and "secure" in signed.headers["set-cookie"].lower()
        # Anyone else's forwarded headers are ignored: no Secure flag on plain HTTP, and a
        # made-up client address does not dodge the sign-in limit.
        plain = sign_in(stranger, WRITE_KEY, **tls)
        assert plain.status_code == 303 and "secure" not in plain.headers["set-cookie"].lower()
        for n in range(5):
            spoofed = {"X-Forwarded-For": f"198.51.100.{n}"}
            assert sign_in(stranger, "not-the-key-at-all", **spoofed).status_code == 401
        assert (
            sign_in(stranger, WRITE_KEY, **{"X-Forwarded-For": "198.51.100.99"}).status_code == 429
        )
        # Through the proxy, each real client is counted on its own.
        forwarded = {"X-Forwarded-For": "203.0.113.8"}
        for _ in range(5):
            assert sign_in(proxy, "not-the-key-at-all", **forwarded).status_code == 401
        assert sign_in(proxy, WRITE_KEY, **forwarded).status_code == 429
        other = sign_in(proxy, WRITE_KEY, **{"X-Forwarded-For": "203.0.113.9"})
        assert other.status_code == 303
