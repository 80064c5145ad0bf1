"""Search at scale, with and without the filters time-scoped questions carry.

    python -m bench.scale --data-dir /tmp/newsdesk-bench/embedded-100000 --questions 30

On a bench.synth store (any size): opening (or building) the BM25 index and its bytes on
disk a chunk, then, per question, `ArticleStore.search(q, k=8)` with no filter, a date range
(the 31 days ending at the median chunk's day) and an outlet (the second most common), and
each part on its own: the dense list as search makes it (vectorstore/filtered.py), Chroma's
dense query with the same `where` (what search did before), and the BM25 ranking under the
same mask. Filters take turns on every question (bench.common.taking_turns). The share of
chunks each filter keeps is printed with it: a filter's cost depends on how much it keeps.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import numpy as np

from assistant.app import Newsdesk
from assistant.settings import load_settings
from bench.common import percentile, print_header, questions, taking_turns
from vectorstore.filtered import filtered_dense
from vectorstore.lexical import LexicalIndex
from vectorstore.recency import from_day_number
from vectorstore.types import SearchFilters


def pick_filters(index: LexicalIndex) -> dict[str, SearchFilters]:
    """A month of news and one outlet, chosen from the index's own chunks."""
    days = np.sort(index.arrays["days"][index.arrays["days"] > 0])
    last = from_day_number(int(days[len(days) // 2]))
    common = Counter(index.arrays["outlets"].tolist()).most_common(2)
    return {
        "none": SearchFilters(),
        "date range": SearchFilters(
            published_after=last - timedelta(days=30), published_before=last
        ),
        "outlet": SearchFilters(sources=(index.outlets[common[-1][0]],)),
    }


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def measure(app: Newsdesk, asked: list[str], filters: dict[str, SearchFilters]) -> dict:
    store, k = app.store, app.settings.answer.top_k
    n = store.searcher.config.candidates
    took: dict[str, dict[str, list[float]]] = {
        f: {"search": [], "where": [], "dense": [], "bm25": []} for f in filters
    }
    store.search(asked[0], k=k)  # warm: models, index, Chroma's segments
    for i, q in enumerate(asked):
        vector = app.embedder.embed_query(q)
        for name, f in taking_turns(list(filters.items()), i):
            started = time.perf_counter()
            store.search(q, k=k, filters=f)
            took[name]["search"].append(_ms(started))
            generation, total = store.storage.stamp()
            started = time.perf_counter()
            store.storage.dense_query(vector, n, f, total)
            took[name]["where"].append(_ms(started))
            index = store.lexical_index(generation)
            started = time.perf_counter()
            allowed = index.allowed(f)
            index.top(q, n, allowed)
            took[name]["bm25"].append(_ms(started))
            started = time.perf_counter()
            filtered_dense(store.storage, index, vector, n, f, allowed, total)
            took[name]["dense"].append(_ms(started))
    return took


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a bench.synth store")
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--server-port", type=int, default=0, help="a Chroma server's port")
    args = parser.parse_args(argv)
    overrides = {"data_dir": args.data_dir, "sample_corpus": False}
    if args.server_port:
        overrides |= {"store.host": "127.0.0.1", "store.port": args.server_port}
    app = Newsdesk(load_settings(overrides=overrides))
    chunks = app.store.count_chunks()
    asked = questions(args.questions)
    shown = {"data_dir": args.data_dir, "chunks": chunks, "questions": len(asked)}
    print_header("Search at scale", shown | {"server": bool(args.server_port)})
    started = time.perf_counter()
    index = app.store.lexical_index()
    opened = time.perf_counter() - started
    size = app.store.lexical_cache_file.stat().st_size
    print(f"\nBM25 index: opened (or built) in {opened:.1f} s; {size / 1e6:.0f} MB on disk, "
          f"{size / max(chunks, 1):.0f} bytes a chunk")  # fmt: skip
    filters = pick_filters(index)
    print(
        "\n| filter | keeps | search p50 | p95 | dense (filtered.py) p50 | p95 "
        "| dense (Chroma where) p50 | p95 | BM25 p50 | p95 |"
    )
    print("|---" * 10 + "|")
    for name, ms in measure(app, asked, filters).items():
        mask = index.allowed(filters[name])
        keeps = 1.0 if mask is None else mask.mean()
        cells = [
            f"{percentile(ms[part], p):.0f} ms"
            for part in ("search", "dense", "where", "bm25")
            for p in (50, 95)
        ]
        print(f"| {name} | {keeps:.1%} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
