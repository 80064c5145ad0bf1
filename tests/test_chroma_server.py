"""The same store code against a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_store import HARBOUR, ORCHARD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("chroma run exited during start-up")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not answer within 60 s")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_articles_stored_through_a_chroma_server_are_searchable_by_another_process(
    chroma_server, make_app
):
    first = make_app("a", **{"store.host": "127.0.0.1", "store.port": chroma_server})
    second = make_app("b", **{"store.host": "127.0.0.1", "store.port": chroma_server})
    first.store.add_articles([HARBOUR, ORCHARD])
    answer = second.ask("How many jobs did dock workers say automation would cut?")
    assert "300 jobs" in answer.text
    assert answer.citations[0].article_id == HARBOUR.id
    assert first.store.delete_article(HARBOUR.id)
    assert all(p.article_id != HARBOUR.id for p in second.store.search("container terminal"))
