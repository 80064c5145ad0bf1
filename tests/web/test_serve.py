"""`newsdesk serve` serves the web page at "/" beside the API, with nothing beyond this machine."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.chroma_server import free_port

pytestmark = pytest.mark.slow


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_newsdesk_serve_serves_the_page_and_the_api(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_SAMPLE_CORPUS": "false"}
    newsdesk = Path(sys.executable).with_name("newsdesk")
    proc = subprocess.Popen(
        [str(newsdesk), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while True:
            try:
                status, page = _get(base + "/")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.3)
        assert status == 200 and "gradio_config" in page and "Ask about the news articles" in page
        assert _get(base + "/healthz")[0] == 200
        assert '"openapi"' in _get(base + "/openapi.json")[1]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
