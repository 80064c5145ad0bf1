"""The first search after a write, with the BM25 index rebuilt first or beside the searches.

    python -m bench.after_write --data-dir /tmp/bench-10k --searches 10

On a bench.synth store (any size), warmed up as a server is: one article is added, then
`searches` searches run one after another and each one's time is printed, twice: with
`search.lexical_background_chunks` above the store's size (the first search rebuilds the
index, as a small store does) and at 1 (searches go on with the earlier index while one
thread rebuilds it: vectorstore/lexical_keeper.py). Also printed: how long the rebuild took,
and whether the added article's rare word was found by BM25 on the search after it landed.

    python -m bench.after_write --data-dir DIR --searches 20 --background-only --filters

`--background-only` skips the rebuild-first run (~14 minutes at 1M chunks); `--filters`
times each search with no filter, a date range and an outlet (bench.scale's), in turns, while
the rebuild runs: the filtered dense lists of an index behind the store (`behind_dense`).
"""

from __future__ import annotations

import argparse
import random
import string
import time
from pathlib import Path

from assistant.app import Newsdesk
from assistant.settings import load_settings
from bench.common import percentile, print_header, questions, taking_turns
from bench.scale import pick_filters
from ingest.types import Article

QUESTIONS = ("harbour ships", "election results", "storm damage", "council budget")


def run_filtered(data_dir: Path, searches: int) -> None:
    """Searches under each filter while the index is behind the store and being rebuilt."""
    overrides = {"data_dir": data_dir, "search.lexical_background_chunks": 1}
    app = Newsdesk(load_settings(overrides={**overrides, "sample_corpus": False}, environ={}))
    try:
        app.warm_up()
        filters = pick_filters(app.store.last_lexical_index())
        asked = questions(searches)
        app.store.search(asked[0])  # warm
        probe = "A bench probe article about the harbour registry after the storm."
        app.store.add_articles([Article(title="Bench probe", text=probe, source="Bench")])
        took: dict[str, list[float]] = {name: [] for name in filters}
        behind, storage = 0, app.store.storage
        where = storage.dense_query
        fallbacks: list[object] = []

        def counted(vector, n, f, total):  # noqa: ANN001, ANN202 - the storage's own
            fallbacks.extend([f] if not f.is_empty() else [])
            return where(vector, n, f, total)

        storage.dense_query = counted  # type: ignore[method-assign] - counts Chroma's where
        for i, q in enumerate(asked):
            for name, f in taking_turns(list(filters.items()), i):
                t = time.perf_counter()
                app.store.search(q, filters=f)
                took[name].append((time.perf_counter() - t) * 1000)
            refresh = app.search_index_status().refresh or ""
            behind += refresh.startswith("BM25 index rebuilding")
        print(f"\nsearches while the index was behind: {behind} of {len(asked)} rounds")
        print(f"filtered dense lists that fell back to Chroma's where: {len(fallbacks)}")
        print("\n| filter | search p50 | p95 |\n|---|---|---|")
        for name, values in took.items():
            print(f"| {name} | {percentile(values, 50):.0f} ms | {percentile(values, 95):.0f} ms |")
    finally:
        app.close()


def run(data_dir: Path, threshold: int, searches: int) -> None:
    overrides = {"data_dir": data_dir, "search.lexical_background_chunks": threshold}
    app = Newsdesk(load_settings(overrides={**overrides, "sample_corpus": False}, environ={}))
    try:
        app.warm_up()
        word = "zq" + "".join(random.choices(string.ascii_lowercase, k=10))  # in no article
        probe = f"The {word} probe was found in the harbour registry after the storm."
        article = Article(title=f"{word} registry", text=probe, source="Bench")
        app.store.add_articles([article])
        started = time.perf_counter()
        took = []
        for i in range(searches):
            t = time.perf_counter()
            app.store.search(QUESTIONS[i % len(QUESTIONS)])
            took.append(time.perf_counter() - t)
        while (app.search_index_status().refresh or "").startswith("BM25 index rebuilding"):
            time.sleep(0.1)
        landed = time.perf_counter() - started
        found = app.store.search(word)
        by_bm25 = any(p.article_id == article.id and p.lexical_rank == 1 for p in found)
        mode = "at once" if threshold > app.store.count_chunks() else "beside"
        print(
            f"{mode:8} chunks={app.store.count_chunks()} first={took[0] * 1000:.0f} ms "
            f"p50={percentile(took, 50) * 1000:.0f} ms max={max(took) * 1000:.0f} ms "
            f"index current after {landed:.1f} s; new word found by BM25: {by_bm25}"
        )
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--searches", type=int, default=10)
    parser.add_argument("--background-only", action="store_true")
    parser.add_argument("--filters", action="store_true")
    args = parser.parse_args()
    print_header("The first searches after a write", vars(args))
    if args.filters:
        run_filtered(args.data_dir, args.searches)
        return
    for threshold in (1,) if args.background_only else (10**12, 1):
        run(args.data_dir, threshold, args.searches)


if __name__ == "__main__":
    main()
