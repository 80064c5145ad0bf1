"""The same store code against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import subprocess
import sys
import threading
import uuid

import pytest

from tests.chroma_server import free_port
from tests.concurrent_versions import version
from tests.vectorstore.test_store import HARBOUR, ORCHARD
from vectorstore import faults
from vectorstore.client import StoreUnavailable
from vectorstore.integrity import check_store


def test_articles_stored_through_a_chroma_server_are_searchable_by_another_process(
    chroma_port, make_app
):
    first = make_app("a", **{"store.host": "127.0.0.1", "store.port": chroma_port})
    second = make_app("b", **{"store.host": "127.0.0.1", "store.port": chroma_port})
    first.store.add_articles([HARBOUR, ORCHARD])
    answer = second.ask("How many jobs did dock workers say automation would cut?")
    assert "300 jobs" in answer.text
    assert answer.citations[0].article_id == HARBOUR.id
    assert first.store.delete_article(HARBOUR.id)
    assert all(p.article_id != HARBOUR.id for p in second.store.search("container terminal"))


TOKEN = "chroma-token-for-tests"


class _TokenProxy(http.server.BaseHTTPRequestHandler):
    """Chroma behind an auth proxy, as deployments put it: requests without the bearer token
    are refused, the others are passed to the real server."""

    upstream_port = 0

    def _forward(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            body = b'{"error": "unauthorized"}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else None
        hop = {"host", "content-length", "transfer-encoding", "connection"}
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in hop}
        upstream.request(self.command, self.path, body=payload, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in hop:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

    def log_message(self, *args: object) -> None:
        pass


def test_the_chroma_token_setting_reaches_a_server_that_requires_it(chroma_port, make_app):
    handler = type("Proxy", (_TokenProxy,), {"upstream_port": chroma_port})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    server = {"store.host": "127.0.0.1", "store.port": proxy.server_address[1]}
    try:
        app = make_app("token", **server, **{"store.token": TOKEN, "store.collection": "tok"})
        app.store.add_articles([ORCHARD])
        assert app.store.search("apple blossoms", k=1)[0].article_id == ORCHARD.id
        with pytest.raises(StoreUnavailable):
            _ = make_app("no-token", **server, **{"store.collection": "tok"}).store
    finally:
        proxy.shutdown()


def test_an_ingest_in_another_process_leaves_an_article_still_being_written_whole(
    chroma_port, make_app, tmp_path, monkeypatch
):
    """Process A has written its chunks of version 1 but not yet its record when process B
    (a real `newsdesk ingest`) stores version 2 of the same URL. B must not take A's chunks
    for the leftovers of a crash; when A's record lands, one whole article is left."""
    collection = f"t{uuid.uuid4().hex[:12]}"
    server = {"store.host": "127.0.0.1", "store.port": chroma_port, "store.collection": collection}
    app = make_app("a", **server)
    paused, resume = threading.Event(), threading.Event()

    def after_write() -> None:
        if not paused.is_set():  # A's first write: the chunks of version 1
            paused.set()
            resume.wait(timeout=300)

    monkeypatch.setattr(faults, "after_write", after_write)
    writer = threading.Thread(target=app.ingest_records, args=([version(1, 1)],))
    writer.start()
    try:
        assert paused.wait(timeout=120)
        (tmp_path / "v2.json").write_text(json.dumps(version(1, 2)), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        env |= {"NEWSDESK_DATA_DIR": str(tmp_path / "b"), "NEWSDESK_SAMPLE_CORPUS": "false"}
        env |= {"NEWSDESK_CHROMA_HOST": "127.0.0.1", "NEWSDESK_CHROMA_PORT": str(chroma_port)}
        env["NEWSDESK_COLLECTION"] = collection
        command = [sys.executable, "-m", "assistant.cli", "ingest", str(tmp_path / "v2.json")]
        other = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert other.returncode == 0, other.stderr
    finally:
        resume.set()
        writer.join(timeout=120)
    assert check_store(app.store).ok
    assert [a.url for a in app.store.list_articles()] == [version(1, 1)["url"]]
