"""Search and answer latency at 10k and 100k chunks, embedded Chroma and a Chroma server.

    python -m bench.query --chunks 10000,100000 --questions 40 [--server]

Stores are made by bench.synth (real base articles, noisy copies) under --root and kept, so
a second run starts at once. Latencies are per question, warm (one question is asked first),
query embedding included: `search` is `ArticleStore.search(q, k=8)`, `ask` is the default
answerer end to end (retrieval, extractive answer, citation check).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.app import Newsdesk
from assistant.settings import load_settings
from bench.common import percentile, print_header, questions
from bench.synth import build_store


def measure(app: Newsdesk, asked: list[str]) -> dict[str, float]:
    app.ask("How many people were evacuated?")  # loads the model and the BM25 index
    search_ms, ask_ms = [], []
    for q in asked:
        started = time.perf_counter()
        app.store.search(q, k=app.settings.answer.top_k)
        search_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        app.ask(q)
        ask_ms.append((time.perf_counter() - started) * 1000)
    return {
        "search_p50_ms": percentile(search_ms, 50),
        "search_p95_ms": percentile(search_ms, 95),
        "ask_p50_ms": percentile(ask_ms, 50),
        "ask_p95_ms": percentile(ask_ms, 95),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", default="10000,100000", help="store sizes, comma-separated")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--server", action="store_true", help="also behind a `chroma run`")
    parser.add_argument("--root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--backend", default=None, help="embedder backend [settings]")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.chunks.split(",")]
    asked = questions(args.questions)
    overrides = {"embedder.backend": args.backend} if args.backend else {}
    print_header(
        "Query latency",
        {"chunks": sizes, "questions": len(asked), "server": args.server,
         "backend": load_settings(overrides=overrides).embedder.backend},
    )  # fmt: skip
    print("\n| store | chunks | search p50 | search p95 | ask p50 | ask p95 |")
    print("|---|---|---|---|---|---|")
    for size in sizes:
        kinds = ["embedded", "server"] if args.server else ["embedded"]
        for kind in kinds:
            folder = args.root / f"{kind}-{size}"
            server = None
            settings_overrides = {**overrides, "data_dir": folder, "sample_corpus": False}
            if kind == "server":
                from tests.chroma_server import ChromaServer

                folder.mkdir(parents=True, exist_ok=True)
                server = ChromaServer(folder / "chroma-server")
                server.start()
                settings_overrides |= {"store.host": "127.0.0.1", "store.port": server.port}
            try:
                settings = load_settings(overrides=settings_overrides)
                build_store(settings, size, log=lambda m: print(f"  ({m})", flush=True))
                app = Newsdesk(settings)  # a fresh app: nothing cached from building
                r = measure(app, asked)
                print(
                    f"| {kind} | {app.store.count_chunks()} | {r['search_p50_ms']:.0f} ms | "
                    f"{r['search_p95_ms']:.0f} ms | {r['ask_p50_ms']:.0f} ms | "
                    f"{r['ask_p95_ms']:.0f} ms |",
                    flush=True,
                )
            finally:
                if server is not None:
                    server.stop()


if __name__ == "__main__":
    main()
