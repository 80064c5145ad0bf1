"""Search and answer latency at 10k and 100k chunks, embedded Chroma and a Chroma server.

    python -m bench.query --chunks 10000,100000 --questions 40 [--server] [--reader on,off]

Stores are made by bench.synth (real base articles, noisy copies) under --root and kept, so
a second run starts at once. Latencies are per question, warm (one question is asked first),
query embedding included: `search` is `ArticleStore.search(q, k=8)`, `ask` is the default
answerer end to end (retrieval, extractive answer, citation check). `--reader on,off` times
the answerer with the learned reader and without it (`answer.reader`), taking turns on every
question, so that the ratio between them is measured under the same load.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.app import Newsdesk
from assistant.settings import load_settings
from bench.common import percentile, print_header, questions, reader_modes, taking_turns
from bench.synth import build_store


def measure(apps: dict[str, Newsdesk], asked: list[str]) -> dict[str, dict[str, float]]:
    """p50 and p95 per reader mode; the modes take turns on every question."""
    for app in apps.values():
        app.ask("How many people were evacuated?")  # loads the models and the BM25 index
    took: dict[str, dict[str, list[float]]] = {mode: {"search": [], "ask": []} for mode in apps}
    for i, q in enumerate(asked):
        for mode, app in taking_turns(list(apps.items()), i):
            started = time.perf_counter()
            app.store.search(q, k=app.settings.answer.top_k)
            took[mode]["search"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            app.ask(q)
            took[mode]["ask"].append((time.perf_counter() - started) * 1000)
    return {
        mode: {
            f"{kind}_p{pct}_ms": percentile(ms, pct)
            for kind, ms in by_kind.items()
            for pct in (50, 95)
        }
        for mode, by_kind in took.items()
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", default="10000,100000", help="store sizes, comma-separated")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--server", action="store_true", help="also behind a `chroma run`")
    parser.add_argument("--root", type=Path, default=Path("/tmp/newsdesk-bench"))
    parser.add_argument("--backend", default=None, help="embedder backend [settings]")
    parser.add_argument("--reader", type=reader_modes, default="on,off", help="on, off [on,off]")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.chunks.split(",")]
    asked = questions(args.questions)
    overrides = {"embedder.backend": args.backend} if args.backend else {}
    print_header(
        "Query latency",
        {"chunks": sizes, "questions": len(asked), "server": args.server,
         "backend": load_settings(overrides=overrides).embedder.backend, "reader": args.reader},
    )  # fmt: skip
    print("\n| store | reader | chunks | search p50 | search p95 | ask p50 | ask p95 |")
    print("|---|---|---|---|---|---|---|")
    ratios = []
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
                apps = {  # fresh apps: nothing cached from building
                    mode: Newsdesk(
                        load_settings(overrides={**settings_overrides, "answer.reader": mode})
                    )
                    for mode in args.reader
                }
                results = measure(apps, asked)
                for mode, r in results.items():
                    print(
                        f"| {kind} | {mode} | {apps[mode].store.count_chunks()} | "
                        f"{r['search_p50_ms']:.0f} ms | {r['search_p95_ms']:.0f} ms | "
                        f"{r['ask_p50_ms']:.0f} ms | {r['ask_p95_ms']:.0f} ms |",
                        flush=True,
                    )
                if {"on", "off"} <= results.keys():
                    on, off = results["on"], results["off"]
                    ratios.append(
                        f"{kind} {size}: ask p50 {on['ask_p50_ms'] / off['ask_p50_ms']:.2f}x, "
                        f"p95 {on['ask_p95_ms'] / off['ask_p95_ms']:.2f}x"
                    )
            finally:
                if server is not None:
                    server.stop()
    if ratios:
        print("\nreader on / off:", "; ".join(ratios))


if __name__ == "__main__":
    main()
