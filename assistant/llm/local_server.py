"""The bundled GGUF model served on 127.0.0.1 by xllamacpp's built-in llama.cpp HTTP server,
which speaks the OpenAI chat-completions protocol (streaming included).

The "local" backend starts one in-process; `newsdesk llm-server` runs one as its own process,
so any OpenAI-compatible client (ours included) can use it.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

_servers: dict[tuple, LocalServer] = {}
_lock = threading.Lock()


class LocalServer:
    """One xllamacpp server; it stops when this object is garbage-collected."""

    def __init__(
        self, model: Path, *, port: int = 0, threads: int = 0, context: int = 4096
    ) -> None:
        try:
            import xllamacpp
        except ImportError as exc:
            raise RuntimeError(
                "the local model needs xllamacpp: pip install 'newsdesk[local-llm]'"
            ) from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(model)
        params.hostnames = ["127.0.0.1"]  # never reachable from outside this machine
        params.port = port
        params.n_ctx = context
        params.n_parallel = 1
        threads = threads or os.cpu_count() or 2
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.verbosity = 0
        self.model = model
        self._server = xllamacpp.Server(params)
        self.address = str(self._server.listening_address).rstrip("/")
        self._wait_healthy()

    @property
    def base_url(self) -> str:
        return f"{self.address}/v1"

    def _wait_healthy(self, seconds: float = 120.0) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                with urllib.request.urlopen(f"{self.address}/health", timeout=2) as response:
                    if json.load(response).get("status") == "ok":
                        return
            except (urllib.error.URLError, OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the local model server at {self.address} did not start")
            time.sleep(0.2)


def shared_server(model: Path, *, threads: int = 0) -> LocalServer:
    """One server per model file in this process, started on first use."""
    key = (str(model), threads)
    with _lock:
        if key not in _servers:
            _servers[key] = LocalServer(model, threads=threads)
        return _servers[key]


def serve_forever(model: Path, *, port: int, threads: int = 0, ready: Any = None) -> None:
    """Run a server until interrupted (`newsdesk llm-server`)."""
    server = LocalServer(model, port=port, threads=threads)
    (ready or print)(f"serving {model.name} at {server.base_url} (OpenAI-compatible); Ctrl-C stops")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        del server
