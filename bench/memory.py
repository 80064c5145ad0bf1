"""Resident memory of `newsdesk serve` at 10k and 100k chunks, after answering questions.

    python -m bench.memory --chunks 10000,100000 --questions 20

Stores come from bench.synth under --root (the same ones bench.query uses). The figure is
the server's RSS after the questions, and its peak (VmHWM), read from /proc.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from assistant.settings import load_settings
from bench.common import print_header, questions
from bench.serve import serve_session
from bench.synth import build_store


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", default="10000,100000")
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--backend", default="onnx")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.chunks.split(",")]
    asked = questions(args.questions)
    print_header(
        "Server memory", {"chunks": sizes, "questions": len(asked), "backend": args.backend}
    )
    print("\n| chunks | RSS after questions | peak RSS | first answer |\n|---|---|---|---|")
    for size in sizes:
        folder = args.root / f"embedded-{size}"
        build_store(load_settings(overrides={"data_dir": folder}), size)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        env |= {
            "NEWSDESK_DATA_DIR": str(folder),
            "NEWSDESK_SAMPLE_CORPUS": "false",
            "NEWSDESK_EMBEDDER_BACKEND": args.backend,
        }
        r = serve_session(env, asked)
        print(
            f"| {size} | {r['rss_mb']:.0f} MB | {r['peak_rss_mb']:.0f} MB | "
            f"{r['first_answer_s']:.1f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
