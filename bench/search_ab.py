"""`ArticleStore.search` per filter through the public API only, so the same file runs in an
older checkout: the before/after comparison of a change to search.

    python -m bench.search_ab --data-dir DIR --after 2021-02-07 --before 2021-03-09 \
        --outlet cnn.com --label new

To compare with an older tree: `git worktree add /tmp/old COMMIT`, copy this file into its
bench/, and run it there and here in turns on the same store (one process at a time: an
embedded store admits one). Filters take turns on every question; one warm-up search each.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

from assistant.app import Newsdesk
from assistant.settings import load_settings
from bench.common import percentile, questions, taking_turns
from vectorstore.types import SearchFilters


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--after", type=date.fromisoformat, required=True)
    parser.add_argument("--before", type=date.fromisoformat, required=True)
    parser.add_argument("--outlet", required=True)
    parser.add_argument("--label", default="this tree")
    parser.add_argument("--questions", type=int, default=30)
    args = parser.parse_args(argv)
    settings = load_settings(overrides={"data_dir": args.data_dir, "sample_corpus": False})
    app = Newsdesk(settings)
    filters = {
        "none": SearchFilters(),
        "date range": SearchFilters(published_after=args.after, published_before=args.before),
        "outlet": SearchFilters(sources=(args.outlet,)),
    }
    asked = questions(args.questions)
    for f in filters.values():
        app.store.search(asked[0], k=8, filters=f)
    took: dict[str, list[float]] = {name: [] for name in filters}
    for i, q in enumerate(asked):
        for name, f in taking_turns(list(filters.items()), i):
            started = time.perf_counter()
            app.store.search(q, k=8, filters=f)
            took[name].append((time.perf_counter() - started) * 1000)
    shown = {
        name: [round(percentile(ms, 50)), round(percentile(ms, 95))] for name, ms in took.items()
    }
    print(args.label, "search p50, p95 ms:", json.dumps(shown), flush=True)


if __name__ == "__main__":
    main()
