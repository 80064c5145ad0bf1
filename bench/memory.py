"""Resident memory of `newsdesk serve` at 10k and 100k chunks, after answering questions.

    python -m bench.memory --chunks 10000,100000 --questions 20 [--server]

Stores come from bench.synth under --root (the same ones bench.query uses). The figure is
the server's RSS after the questions, and its peak (VmHWM), read from /proc. With
`--server`, the same store folder is served by a `chroma run` and `newsdesk serve` talks to
it over HTTP (the layout docs/deploy.md gives large stores): Chroma's HNSW index then lives
in the Chroma process, whose RSS is reported too. The BM25 index is opened (built if
missing) before the server starts, so "first answer" is a start on an existing store.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from assistant.app import Newsdesk
from assistant.settings import load_settings
from bench.common import print_header, questions
from bench.serve import rss_mb, serve_session
from bench.synth import build_store


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", default="10000,100000")
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--backend", default="onnx")
    parser.add_argument("--server", action="store_true", help="the store behind `chroma run`")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.chunks.split(",")]
    asked = questions(args.questions)
    print_header(
        "Server memory", {"chunks": sizes, "questions": len(asked), "backend": args.backend}
    )
    print("\n| chunks | RSS after questions | peak RSS | first answer | Chroma server RSS |")
    print("|---|---|---|---|---|")
    for size in sizes:
        folder = args.root / f"embedded-{size}"
        build_store(load_settings(overrides={"data_dir": folder}), size)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        env |= {
            "NEWSDESK_DATA_DIR": str(folder),
            "NEWSDESK_SAMPLE_CORPUS": "false",
            "NEWSDESK_EMBEDDER_BACKEND": args.backend,
        }
        chroma = None
        if args.server:
            from tests.chroma_server import ChromaServer

            chroma = ChromaServer(folder / "chroma")
            chroma.start()
            env |= {"NEWSDESK_CHROMA_HOST": "127.0.0.1", "NEWSDESK_CHROMA_PORT": str(chroma.port)}
        try:
            overrides = {"data_dir": folder, "sample_corpus": False}
            if chroma is not None:
                overrides |= {"store.host": "127.0.0.1", "store.port": chroma.port}
            with Newsdesk(load_settings(overrides=overrides)) as app:
                app.store.lexical_index()  # built here if missing: not part of the start
            r = serve_session(env, asked)
            server_rss = f"{rss_mb(chroma.proc.pid)[0]:.0f} MB" if chroma else "in process"
        finally:
            if chroma is not None:
                chroma.stop()
        print(
            f"| {size} | {r['rss_mb']:.0f} MB | {r['peak_rss_mb']:.0f} MB | "
            f"{r['first_answer_s']:.1f} s | {server_rss} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
