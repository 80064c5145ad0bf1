"""Cold start: `newsdesk ask "..."` from a new process to the printed answer, and
`newsdesk serve` from a new process to its first answered request.

    python -m bench.cold_start --runs 5 [--chunks 10000] [--reader on,off]

The store is a bench.synth store of --chunks chunks (kept under --root). Each run is a new
Python process, as a user's shell starts it; the first, untimed run makes the on-disk caches
(ONNX export, BM25 index) that any second use of Newsdesk finds. Every backend is timed with
the learned reader on and off (NEWSDESK_READER), interleaved within each run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from assistant.settings import load_settings
from bench.common import median, print_header, questions, reader_modes, taking_turns
from bench.serve import serve_session
from bench.synth import build_store

QUESTION = "How many people were evacuated?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunks", type=int, default=10000)
    parser.add_argument("--root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--backends", default="onnx,torch")
    parser.add_argument("--reader", type=reader_modes, default="on,off", help="on, off [on,off]")
    args = parser.parse_args(argv)
    folder = args.root / f"embedded-{args.chunks}"
    build_store(load_settings(overrides={"data_dir": folder}), args.chunks)
    backends = args.backends.split(",")
    print_header(
        "Cold start",
        {"chunks": args.chunks, "runs": args.runs, "backends": backends, "reader": args.reader},
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env |= {"NEWSDESK_DATA_DIR": str(folder), "NEWSDESK_SAMPLE_CORPUS": "false"}
    command = [sys.executable, "-m", "assistant.cli", "ask", QUESTION]
    asked = questions(5)
    runs = [(backend, mode) for backend in backends for mode in args.reader]
    # (command, backend, reader) -> seconds per run, keyed up front so the table keeps this order
    times: dict[tuple[str, str, str], list[float]] = {
        (name, backend, mode): []
        for name in ("ask", "serve to first answer")
        for backend, mode in runs
    }
    for run in range(args.runs + 1):
        for backend, mode in taking_turns(runs, run):  # interleaved: load hits all alike
            run_env = {**env, "NEWSDESK_EMBEDDER_BACKEND": backend, "NEWSDESK_READER": mode}
            started = time.perf_counter()
            subprocess.run(command, env=run_env, check=True, capture_output=True)
            took = time.perf_counter() - started
            serve = serve_session(run_env, asked)["first_answer_s"]
            if run:  # run 0 only makes the caches
                times["ask", backend, mode].append(took)
                times["serve to first answer", backend, mode].append(serve)
        print(f"run {run}: done", flush=True)
    print("\n| command | backend | reader | median s | runs (s) |\n|---|---|---|---|---|")
    for (name, backend, mode), values in times.items():
        runs_s = ", ".join(f"{v:.1f}" for v in values)
        print(f"| {name} | {backend} | {mode} | {median(values):.2f} | {runs_s} |")
    ratios = [
        f"{name} ({backend}) {median(values) / median(times[name, backend, 'off']):.2f}x"
        for (name, backend, mode), values in times.items()
        if mode == "on" and (name, backend, "off") in times
    ]
    if ratios:
        print("\nreader on / off, medians:", "; ".join(ratios))


if __name__ == "__main__":
    main()
