"""`newsdesk serve` as a user starts it: time to the first answered question, and memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PORT = 18750  # issue-7's range; the benchmark is not run in parallel with itself


def _ask(port: int, question: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process, MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def serve_session(env: dict[str, str], questions: list[str], port: int = PORT) -> dict:
    """Start the server; time until its first answer; ask the questions; read its memory."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"newsdesk serve exited with {proc.returncode}")
            try:
                _ask(port, questions[0])
                break
            except OSError:
                time.sleep(0.05)
        first = time.perf_counter() - started
        for q in questions:
            _ask(port, q)
        current, peak = rss_mb(proc.pid)
        return {"first_answer_s": first, "rss_mb": current, "peak_rss_mb": peak}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
