"""Adding articles to a large library: the seconds to add ~2,000 chunks into a store of N.

Adds copies of the base articles (bench/synth.py: real text, jittered vectors, so no encoder
time) through `ArticleStore.add_articles`, the path every ingest takes, and times each add.
What it measures is the store's write cost alone, which must not grow with the store.
Run it on a copy of a store: the chunks it adds stay.

    python -m bench.ingest_large --data-dir /tmp/copy-of-300k --chunks 2000
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

from assistant.app import Newsdesk
from assistant.settings import load_settings
from bench.common import print_header
from bench.synth import Copier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--chunks", type=int, default=2000, help="chunks to add (default 2000)")
    args = parser.parse_args()
    settings = load_settings(overrides={"data_dir": args.data_dir})
    settings = dataclasses.replace(settings, sample_corpus=False)
    print_header("adds into a large store", {"store": settings.store, "data_dir": args.data_dir})
    app = Newsdesk(settings)
    before = app.store.count_chunks()
    copier = Copier(settings, app)
    added, seconds = 0, 0.0
    while added < args.chunks:
        load, wrote, cpu = os.getloadavg()[0], _written(), time.process_time()
        started = time.perf_counter()
        report = copier.add(args.chunks - added)
        took = time.perf_counter() - started
        added, seconds = added + report.chunks_written, seconds + took
        into, mb = before + added - report.chunks_written, (_written() - wrote) / 2**20
        print(
            f"add of {report.chunks_written} chunks into {into}: {took:.2f}s"
            f" ({report.chunks_written / took:.0f} chunks/s), load {load:.2f},"
            f" {time.process_time() - cpu:.1f} CPU s, {mb:.0f} MB written, RSS {_rss_mb():.0f} MB"
        )
    print(f"store of {before} chunks: {added} added in {seconds:.1f}s, {added / seconds:.0f}/s")
    # Changes Chroma has not yet written to the index files are applied again from its log by
    # the next process to open the store, on its first read: that process pays for them.
    copier.writer.close()
    app.close()
    started = time.perf_counter()
    again = Newsdesk(settings)
    again.store.count_chunks()
    print(f"opened again and counted in {time.perf_counter() - started:.1f}s")
    again.close()


def _written() -> int:
    # What this process wrote to disk: the store's write cost apart from the machine's load.
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    main()
