"""Briefing time on a week of real news: the realtimeqa-dev store (about 1,900 articles).

    python -m bench.brief [--store /tmp/rd-full] [--topics 6] [--runs 3]

`--store` is a data folder the evaluation harness made for realtimeqa-dev (its embedded
store under eval-cache/); it is copied once to `--root` (the copy is reused) and opened
there, so the original is never written. The week is the seven days that hold the most
articles; the topics are the names its headlines hold most often (picked programmatically,
outlets left out). Each topic is briefed `--runs` times, warm (one briefing first); the
figure is the p50 over topics of each topic's median. Side by side, as a baseline, a plain
ask about the same topic over the same week, and the machine's load before and after.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from bench.common import median, percentile, print_header

SKIP_TITLES = ("news quiz notes",)  # the dataset's own quiz pages: headlines of no story


def _copy(store: Path, root: Path) -> Path:
    target = root / "rd-store"
    if not target.exists():
        shutil.copytree(store, target)
        (target / "eval-cache" / "newsdesk.lock").unlink(missing_ok=True)
    return target


def _collection(folder: Path) -> str:
    # Read from Chroma's own SQLite file: a second Chroma client in this process, opened
    # with other settings than the store's, would keep the store from opening.
    import sqlite3

    with sqlite3.connect(folder / "chroma.sqlite3") as db:
        names = [row[0] for row in db.execute("SELECT name FROM collections")]
    prefixes = sorted({n.rsplit("_", 1)[0] for n in names if n.endswith("_chunks")})
    if len(prefixes) != 1:
        raise SystemExit(f"{folder}: expected one Newsdesk collection, found {prefixes}")
    return prefixes[0]


def _busiest_week(infos: list) -> tuple[date, date]:
    """The seven days (ending on an article's day) that hold the most dated articles."""
    days = Counter(date.fromisoformat(i.published_at[:10]) for i in infos if i.published_at)

    def held(end: date) -> int:
        return sum(days[end - timedelta(days=k)] for k in range(7))

    end = max(days, key=lambda d: (held(d), d))
    return end - timedelta(days=6), end


def _topics(infos: list, how_many: int) -> list[str]:
    """The names the headlines hold most often ("Donald Trump's" counted as "Donald
    Trump"; a name inside a longer one counted once), outlets and question words ("What")
    left out."""
    from ingest.text import tokenize
    from ingest.text.names import NAME

    outlets = {i.source.casefold() for i in infos}
    counts: Counter[str] = Counter()
    for info in infos:
        if any(skip in info.title.casefold() for skip in SKIP_TITLES):
            continue
        found = {re.sub(r"['’]s$", "", n).strip(" .,:") for n in NAME.findall(f"a {info.title}")}
        counts.update(n for n in found if len(n) > 3 and n.casefold() not in outlets
                      and tokenize(n) and not re.search(r"['’]", n))  # fmt: skip
    ranked = [name for name, _ in counts.most_common()]
    picked: list[str] = []
    for name in ranked:
        if not any(name in other or other in name for other in picked):
            picked.append(name)
    return picked[:how_many]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=Path("/tmp/rd-full"))
    parser.add_argument("--root", type=Path, default=Path("/tmp/newsdesk-bench/brief"))
    parser.add_argument("--topics", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from assistant.app import Newsdesk
    from assistant.settings import load_settings
    from vectorstore.types import SearchFilters

    folder = _copy(args.store, args.root)
    overrides = {"data_dir": folder, "store.path": folder / "eval-cache",
                 "store.collection": _collection(folder / "eval-cache"),
                 "sample_corpus": False}  # fmt: skip
    app = Newsdesk(load_settings(overrides=overrides, environ={}))
    try:
        infos = app.list_articles()
        since, until = _busiest_week(infos)
        week = [i for i in infos if i.published_at
                and since.isoformat() <= i.published_at[:10] <= until.isoformat()]  # fmt: skip
        topics = _topics(week, args.topics)
        print_header("Briefing time", {**vars(args), "articles": app.count_articles(),
                     "week": f"{since}..{until}", "week_articles": len(week),
                     "topics": topics, "brief": app.settings.brief})  # fmt: skip
        app.brief(topics[0], since=since, until=until)  # models, BM25 index, caches
        load_before = os.getloadavg()
        filters = SearchFilters(published_after=since, published_before=until)
        rows = []
        for topic in topics:
            took, asked = [], []
            for _ in range(args.runs):
                started = time.perf_counter()
                briefing = app.brief(topic, since=since, until=until)
                took.append(time.perf_counter() - started)
                started = time.perf_counter()
                app.ask(f"What is the latest on {topic}?", filters=filters)
                asked.append(time.perf_counter() - started)
            rows.append((topic, median(took), median(asked), briefing))
        load_after = os.getloadavg()
    finally:
        app.close()
    print("\n| topic | articles read | events | brief (median) | plain ask (median) |")
    print("|---|---|---|---|---|")
    for topic, brief_s, ask_s, b in rows:
        print(f"| {topic} | {b.articles_read} | {len(b.events)} | {brief_s:.2f} s | "
              f"{ask_s:.2f} s |")  # fmt: skip
    briefs = [r[1] for r in rows]
    asks = [r[2] for r in rows]
    print(f"\nbrief p50 over topics: {percentile(briefs, 50):.2f} s (max {max(briefs):.2f} s); "
          f"plain ask p50: {percentile(asks, 50):.2f} s")  # fmt: skip
    print(f"load average (1, 5, 15 min) before: {load_before}, after: {load_after}")


if __name__ == "__main__":
    main()
