"""Chromium with an open (keyless) Newsdesk on 127.0.0.1 and a page from another site in the
same browser: the page can neither plant an article in the store nor show Newsdesk in a frame."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from tests.api.conftest import LiveServer
from tests.api.test_hostile_browser import PLANTED, RAIL_URL
from tests.chroma_server import free_port

pytestmark = pytest.mark.slow

# Served at localhost, another site than 127.0.0.1: the attack as any page would make it. (It
# is served by a real server on this machine: Chromium refuses a page it cannot place on the
# network any request to 127.0.0.1, which would hide the attack rather than test the defence.)
ATTACK = """<!doctype html><title>Cute cats</title>
<iframe id="framed" src="{target}/" width="800" height="600"></iframe>"""
PLANT = """async ([target, record]) => {
  const form = new FormData();
  form.append('files', new Blob([record], {type: 'application/json'}), 'planted.json');
  try {
    await fetch(target + '/v1/articles', {method: 'POST', body: form, mode: 'no-cors'});
    return 'sent';
  } catch (e) { return String(e); }
}"""


@contextlib.contextmanager
def attacker_site(page: str) -> Iterator[str]:
    """A web server on 127.0.0.1 that answers every GET with `page`; its localhost URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _rail_titles(url: str) -> list[str]:
    items = httpx.get(url + "/v1/articles", params={"limit": 500}, timeout=60).json()["items"]
    return [a["title"] for a in items if a["url"] == RAIL_URL]


def test_a_page_on_another_site_can_neither_plant_an_article_nor_frame_the_page(
    browser, make_app: Callable[..., Newsdesk]
):
    app = make_app(sample_corpus=True)
    app.ensure_sample_corpus()
    with LiveServer(create_app(app, warm_up=False)) as server:
        before = _rail_titles(server.url)
        with attacker_site(ATTACK.format(target=server.url)) as site:
            context = browser.new_context()
            try:
                page = context.new_page()
                page.goto(site + "/cats", wait_until="load")
                assert page.evaluate(PLANT, [server.url, json.dumps(PLANTED)]) == "sent"
                assert _rail_titles(server.url) == before
                # A framed page that loaded would show the question box; a refused one is
                # Chromium's error page.
                page.wait_for_timeout(1500)
                assert page.frame_locator("#framed").locator("#nd-question").count() == 0
                assert not any(f.url.startswith(server.url) for f in page.frames[1:])
            finally:
                context.close()
