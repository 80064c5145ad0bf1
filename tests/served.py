"""`newsdesk serve` in a process of its own for tests that drive it from outside (the CLI
working through a running server, the scheduler's background passes, a second API process
on one Chroma server)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.load import wait_ready
from tests.chroma_server import free_port


@contextmanager
def serving(data_dir: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    """A `newsdesk serve [ARGS]` on `data_dir` with environment `env` and a free port on
    127.0.0.1, ready when this yields its URL and stopped after; its log is
    `data_dir/serve.log` (tests read it to explain a failure)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with (data_dir / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            wait_ready(url, proc)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=60)
