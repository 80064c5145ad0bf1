"""Watched questions: what a round of asking them again costs, and that an ingest does not wait
for it (assistant/watcher.py).

    python -m bench.watches --articles 300 --watches 20

A fresh store of `--articles` realtimeqa-dev articles (the benchmark's own where shared/ is
absent), `--watches` of its questions watched; then rounds asked in this thread (p50 of
`--rounds`), and an ingest of `--more` further articles: how long the ingest took to return
(the round it starts runs in the background) and how long that round took after it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import article_records, median, print_header, questions


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--watches", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--more", type=int, default=20, help="articles ingested afterwards")
    args = parser.parse_args(argv)

    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    print_header("watched questions", vars(args))
    records = article_records(args.articles + args.more)
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-watches-") as tmp:
        overrides = {"data_dir": Path(tmp), "sample_corpus": False}
        app = Newsdesk(load_settings(overrides=overrides, environ={}))
        try:
            app.ingest_records(records[: args.articles])
            app.watcher.wait_idle(600)
            started = time.perf_counter()
            for question in questions(args.watches):
                app.add_watch(question)
            added = time.perf_counter() - started
            rounds = []
            for _ in range(args.rounds):
                started = time.perf_counter()
                app.check_watches()
                rounds.append(time.perf_counter() - started)
            started = time.perf_counter()
            app.ingest_records(records[args.articles :])
            returned = time.perf_counter() - started
            app.watcher.wait_idle(600)
            background = time.perf_counter() - started - returned
        finally:
            app.close()
    n = args.watches
    print(f"| articles | watches | add (each) | round p50 | per watch | ingest of {args.more} "
          "returned in | its background round |")  # fmt: skip
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {args.articles} | {n} | {added / n:.2f} s | {median(rounds):.2f} s | "
          f"{median(rounds) / n:.3f} s | {returned:.2f} s | {background:.2f} s |")  # fmt: skip


if __name__ == "__main__":
    main()
