"""A sync of a feed of N articles from a local news site into an empty store, beside the bare
encoder floor; then the same sync again with nothing changed.

    python -m bench.sync --items 1000 --runs 3

The site is the tests' local news server (tests/news_site.py) on 127.0.0.1, serving an RSS
feed of N items and their pages: each page an article of about 3,000 characters (the
evaluation set's median; bench/common.py's synthetic records) inside the furniture real news
pages carry (navigation, a "most read" list, a consent script, JSON-LD, a footer), about
`--page-kb` in all. Fetching is under the default fetch policy except the per-host spacing,
lifted for this one local host (`host_interval_s` 0, `per_host` = `--workers`): a real site
asked once a second would make any sync of 1,000 pages last 17 minutes, politeness rather
than Newsdesk. `--workers` is 2 here (the default `sync.workers` is 4, for listings that span
several sites): a local server answers at once, so on 2 cores more fetching threads only
contend with the encoder and each other (measured: 4 threads cost 0.1x of the ratio).

Each run, on a fresh store: (1) the floor, the chunk texts of the same articles (as the sync
stores them) through the same encoder alone, no fetching, parsing or writing; (2) the first
sync, timed from `Newsdesk.sync()` to the last article stored; (3) the second sync, nothing
changed on the site (the feed answers 304); (4) a third with the feed's ETag ignored by the
server (a 200, every item compared with the state). The encoder is loaded before timing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench.common import median, print_header, synthetic_records

FURNITURE_LINK = '<li><a href="/section/{i}">Section {i}: latest news and analysis</a></li>'


def furniture(kilobytes: int) -> tuple[str, str]:
    """(what goes before the article, what goes after it): about `kilobytes` of the markup a
    real news page wraps its story in."""
    links = "".join(FURNITURE_LINK.format(i=i) for i in range(120))
    script = "window.__consent = " + '{"vendors": [' + ",".join(
        f'{{"id": {i}, "name": "vendor {i}", "purposes": [1, 2, 3, 4]}}' for i in range(300)
    ) + "]};"  # fmt: skip
    head = f"<header><nav><ul>{links}</ul></nav></header><script>{script}</script>"
    most_read = "".join(
        f'<li><a href="/story/{i}">Most read story number {i} of the day</a></li>'
        for i in range(40)
    )
    tail = f"<aside><h2>Most read</h2><ol>{most_read}</ol></aside><footer>{links}</footer>"
    pad = max(0, kilobytes * 1024 - len(head) - len(tail))
    return head, tail + f"<!-- {'x' * pad} -->"


def _serve(items: int, page_kb: int, ready) -> None:  # noqa: ANN001 - a multiprocessing Queue
    """The site, in a process of its own (as a real site is): its URL goes to `ready`."""
    import json
    import threading

    from tests.news_site import FEED_FORMATS, NewsSite, Reply, Story, article_html, etagged

    site = NewsSite()
    head, tail = furniture(page_kb)
    stories = [
        Story(f"/bench/{i}", r["title"], r["body"], day=r["published_at"])
        for i, r in enumerate(synthetic_records(items))
    ]
    sizes = []
    for story in stories:
        html = article_html(story.title, story.body, "Bench Gazette", story.day,
                            site.url(story.path))  # fmt: skip
        body = html.replace("<body>", "<body>" + head).replace("</body>", tail + "</body>")
        page = body.encode()
        sizes.append(len(page))
        site.routes[story.path] = lambda h, page=page: etagged(h, page, "text/html; charset=utf-8")
    make, content_type = FEED_FORMATS["rss"]
    feed = make(site.base, "Bench Gazette", stories).encode()
    state = {"etag": True}

    def feed_route(handler):  # noqa: ANN001, ANN202
        if state["etag"]:
            return etagged(handler, feed, content_type)
        return Reply(body=feed, headers={"Content-Type": content_type})

    def control(handler):  # noqa: ANN001, ANN202
        """?etag=on|off sets the feed's ETag; the answer: the page bodies sent so far."""
        query = handler.path.partition("?")[2]
        if query.startswith("etag="):
            state["etag"] = query == "etag=on"
        bodies = [p for p in site.bodies() if p.startswith("/bench/") and p[7:].isdigit()]
        return Reply(body=json.dumps({"bodies": len(bodies)}).encode(),
                     headers={"Content-Type": "application/json"})  # fmt: skip

    site.routes["/bench/feed.xml"] = feed_route
    site.routes["/bench/control"] = control
    with site:
        ready.put((site.url("/bench/feed.xml"), site.url("/bench/control"), sum(sizes) / items))
        threading.Event().wait()


class Site:
    """The news site with the benchmark's feed and pages, served by a child process."""

    def __init__(self, items: int, page_kb: int) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        ready = context.Queue()
        self.process = context.Process(target=_serve, args=(items, page_kb, ready), daemon=True)
        self.process.start()
        self.feed_url, self.control_url, self.page_bytes = ready.get(timeout=120)

    def bodies(self, etag: bool | None = None) -> int:
        """Page bodies the site has sent; `etag` turns the feed's ETag on or off first."""
        import httpx

        query = {} if etag is None else {"etag": "on" if etag else "off"}
        return httpx.get(self.control_url, params=query, timeout=30).json()["bodies"]

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


def _app(folder: Path, embedder, workers: int):  # noqa: ANN001, ANN202 - Embedder, Newsdesk
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    overrides = {
        "data_dir": folder,
        "sample_corpus": False,
        "ingest.fetch.allow_hosts": "127.0.0.1",
        "ingest.fetch.host_interval_s": 0,
        "ingest.fetch.per_host": workers,
        "sync.workers": workers,
    }
    return Newsdesk(load_settings(overrides=overrides, environ={}), embedder=embedder)


def _chunk_texts(app) -> list[str]:  # noqa: ANN001 - a Newsdesk
    from ingest.chunking import chunk_article
    from vectorstore.records import embedding_text

    chunking = app.settings.ingest.chunking
    return [
        embedding_text(article, chunk)
        for article, _ in app.store.article_records()
        for chunk in chunk_article(article, chunking)
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000, help="feed items [1000]")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=2, help="pages fetched at once (sync.workers) [2]"
    )
    parser.add_argument("--page-kb", type=int, default=80, help="size of a page [80]")
    args = parser.parse_args(argv)

    from vectorstore.config import EmbedderConfig
    from vectorstore.embeddings import make_embedder

    embedder = make_embedder(EmbedderConfig())
    embedder.embed_documents(["warm up the encoder before timing"])
    figures: dict[str, list[float]] = {"floor": [], "sync": [], "again": [], "again_200": []}
    # CPU seconds of this process (every thread; the site's process aside): on a machine
    # others load too, their ratio is the steadier sign of what the sync costs beyond the
    # encoder, where wall-clock ratios drift with the load.
    cpu: dict[str, list[float]] = {"floor": [], "sync": []}
    with Site(args.items, args.page_kb) as site, tempfile.TemporaryDirectory() as tmp:
        print_header(
            "Sync of a feed from a local site",
            {"items": args.items, "runs": args.runs, "workers": args.workers,
             "page_bytes": round(site.page_bytes), "backend": EmbedderConfig().backend},
        )  # fmt: skip
        for run in range(args.runs):
            site.bodies(etag=True)
            app = _app(Path(tmp) / f"run{run}", embedder, args.workers)
            app.add_source(site.feed_url)
            started, cpu_started = time.perf_counter(), time.process_time()
            (first,) = app.sync().runs
            figures["sync"].append(time.perf_counter() - started)
            cpu["sync"].append(time.process_time() - cpu_started)
            assert first.added == args.items and first.failed == 0, first

            texts = _chunk_texts(app)
            started, cpu_started = time.perf_counter(), time.process_time()
            embedder.embed_documents(texts)
            figures["floor"].append(time.perf_counter() - started)
            cpu["floor"].append(time.process_time() - cpu_started)

            before = site.bodies()
            started = time.perf_counter()
            (again,) = app.sync().runs
            figures["again"].append(time.perf_counter() - started)
            assert again.added == 0 and again.not_modified == 1, again
            assert site.bodies(etag=False) == before  # no page body downloaded

            started = time.perf_counter()  # the feed downloaded again: items compared
            (third,) = app.sync().runs
            figures["again_200"].append(time.perf_counter() - started)
            assert third.unchanged == args.items and site.bodies() == before, third
            app.close()
            print(
                f"run {run + 1} (load {os.getloadavg()[0]:.1f}): floor "
                f"{figures['floor'][-1]:.1f}s, {cpu['floor'][-1]:.1f} s CPU ({len(texts)} chunks), "
                f"sync {figures['sync'][-1]:.1f}s, {cpu['sync'][-1]:.1f} s CPU, "
                f"again (304) {figures['again'][-1]:.2f}s, "
                f"again (200, {args.items} items compared) {figures['again_200'][-1]:.2f}s, "
                "no page body downloaded by either",
                flush=True,
            )

    ratios = [f / s for f, s in zip(figures["floor"], figures["sync"], strict=True)]
    floor, sync = median(figures["floor"]), median(figures["sync"])
    print("\n| measure | median | per run |\n|---|---|---|")
    print(f"| bare encoder floor, items/s | {args.items / floor:.1f} | "
          + ", ".join(f"{args.items / s:.1f}" for s in figures["floor"]) + " |")  # fmt: skip
    print(f"| first sync, items/s | {args.items / sync:.1f} | "
          + ", ".join(f"{args.items / s:.1f}" for s in figures["sync"]) + " |")  # fmt: skip
    print(f"| first sync ÷ floor (items/s) | {median(ratios):.2f}x | "
          + ", ".join(f"{r:.2f}" for r in ratios) + " |")  # fmt: skip
    cpu_ratios = [f / s for f, s in zip(cpu["floor"], cpu["sync"], strict=True)]
    print(f"| floor CPU ÷ sync CPU (this process) | {median(cpu_ratios):.2f}x | "
          + ", ".join(f"{r:.2f}" for r in cpu_ratios) + " |")  # fmt: skip
    for key, label in (("again", "second sync, feed 304"), ("again_200", "second sync, feed 200")):
        print(f"| {label}, s | {median(figures[key]):.2f} | "
              + ", ".join(f"{s:.2f}" for s in figures[key]) + " |")  # fmt: skip


if __name__ == "__main__":
    main()
