"""Cold start: `newsdesk ask "..."` from a new process to the printed answer, and
`newsdesk serve` from a new process to its first answered request.

    python -m bench.cold_start --runs 5 [--chunks 10000]

The store is a bench.synth store of --chunks chunks (kept under --root). Each run is a new
Python process, as a user's shell starts it; the first, untimed run makes the on-disk caches
(ONNX export, BM25 index) that any second use of Newsdesk finds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from assistant.settings import load_settings
from bench.common import median, print_header, questions
from bench.serve import serve_session
from bench.synth import build_store

QUESTION = "How many people were evacuated?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunks", type=int, default=10000)
    parser.add_argument("--root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--backends", default="onnx,torch")
    args = parser.parse_args(argv)
    folder = args.root / f"embedded-{args.chunks}"
    build_store(load_settings(overrides={"data_dir": folder}), args.chunks)
    backends = args.backends.split(",")
    print_header("Cold start", {"chunks": args.chunks, "runs": args.runs, "backends": backends})
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env |= {"NEWSDESK_DATA_DIR": str(folder), "NEWSDESK_SAMPLE_CORPUS": "false"}
    command = [sys.executable, "-m", "assistant.cli", "ask", QUESTION]
    asked = questions(5)
    times: dict[str, list[float]] = {}
    for run in range(args.runs + 1):
        for backend in backends:  # interleaved: machine load hits both alike
            backend_env = {**env, "NEWSDESK_EMBEDDER_BACKEND": backend}
            started = time.perf_counter()
            subprocess.run(command, env=backend_env, check=True, capture_output=True)
            took = time.perf_counter() - started
            serve = serve_session(backend_env, asked)["first_answer_s"]
            if run:  # run 0 only makes the caches
                times.setdefault(f"ask ({backend})", []).append(took)
                times.setdefault(f"serve to first answer ({backend})", []).append(serve)
        print(f"run {run}: done", flush=True)
    print("\n| command | median s | runs (s) |\n|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {median(values):.2f} | {', '.join(f'{v:.1f}' for v in values)} |")


if __name__ == "__main__":
    main()
