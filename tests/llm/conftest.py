"""Language-model fixtures: the real bundled 0.5B model, served by `newsdesk llm-server` as its
own process on a free 127.0.0.1 port (started once per run), and Newsdesks that use it."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.app import Newsdesk
from assistant.settings import LlmSettings
from tests.chroma_server import free_port

pytest.importorskip(
    "xllamacpp", reason="needs the local-llm extra: pip install newsdesk[local-llm]"
)

# Short answers keep the suite quick on a CPU; the prompt is the slow part anyway.
MAX_TOKENS = 48


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return json.load(response).get("status") == "ok"
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """One data folder whose models/ holds the assembled, verified GGUF for the whole run."""
    return tmp_path_factory.mktemp("llm-data")


@pytest.fixture(scope="session")
def llm_server(model_cache: Path) -> Iterator[str]:
    """`newsdesk llm-server` as a real process; yields its OpenAI base URL."""
    port = free_port()
    log = (model_cache / "llm-server.log").open("wb")
    command = [sys.executable, "-m", "assistant.cli", "llm-server", "--port", str(port)]
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(model_cache)}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while not _healthy(address):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"llm-server did not start: {(model_cache / 'llm-server.log').read_text()}")
        time.sleep(0.5)
    yield f"{address}/v1"
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def with_llm(model_cache: Path) -> Callable[..., Newsdesk]:
    """The same store and embedder as `app`, answering with a language model."""

    def factory(app: Newsdesk, **llm: object) -> Newsdesk:
        llm = {"max_tokens": MAX_TOKENS, "timeout_s": 300.0, **llm}
        settings = dataclasses.replace(
            app.settings, data_dir=model_cache, store=app.settings.store, llm=LlmSettings(**llm)
        )
        return Newsdesk(settings, embedder=app.embedder)

    return factory


@pytest.fixture(scope="session")
def llm_app(sample_app: Newsdesk, llm_server: str, with_llm) -> Newsdesk:
    """The sample corpus, answered through the OpenAI-compatible backend by the real server."""
    return with_llm(sample_app, backend="openai", base_url=llm_server, model="local-0.5b")
