"""Every loader under random and hostile input: articles or the documented IngestError, never
another exception, a hang or runaway memory. The longer random run is
`python -m bench.fuzz_loaders --minutes 10`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz_loaders import SUFFIXES, load_or_refuse, text_like

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_random_bytes_and_format_shaped_noise_give_articles_or_an_ingest_error(
    suffix: str, tmp_path_factory: pytest.TempPathFactory
):
    folder = tmp_path_factory.mktemp("fuzz")

    # derandomize: CI runs the same examples every time.
    @settings(max_examples=40, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(data=st.one_of(st.binary(max_size=2048), text_like(suffix)))
    def check(data: bytes) -> None:
        load_or_refuse(suffix, data, folder)

    check()


def test_hostile_files_are_refused_or_loaded_within_memory_and_time_limits():
    # A child process with a 2 GB address-space cap and a CPU-time cap: a loader that blows
    # up memory dies there (MemoryError is reported as a crash), and a hang hits the timeout.
    proc = subprocess.run(
        [sys.executable, "-m", "bench.fuzz_loaders", "--hostile-only", "--memory-mb", "2048",
         "--minutes", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    crashes = [r for r in rows if r.get("outcome", "").startswith("CRASH")]
    assert proc.returncode == 0 and not crashes, crashes or proc.stderr[-2000:]
    outcomes = {r["file"]: r["outcome"] for r in rows if "file" in r}
    assert outcomes["deep.json"] == "refused: JSON nested too deeply"
    assert outcomes["deep.html"].startswith("refused: HTML nested more than")
    assert outcomes["flate-bomb.pdf"].startswith("refused: PDF goes past a safety limit")
    assert "compression bomb" in outcomes["shared-page-bomb.pdf"]
    assert outcomes["utf16-no-bom.txt"].startswith("refused: binary content")
    assert len(outcomes) >= 20
