"""Crash soak: SIGKILL `newsdesk ingest` at random moments, re-run it, compare with a clean run.

    python -m bench.crash_soak --rounds 20 [--seed 1] [--articles 30] [--workdir /tmp/soak]

Each round kills an ingest of a generated corpus (and the re-runs that follow it, up to
three kills in a row) either at a seeded write to Chroma (NEWSDESK_FAULT_AFTER_WRITES) or after
a seeded wall-clock delay, checks what a reader would see meanwhile (every recorded article
complete, every chunk an exact slice), then lets the ingest finish and requires the store to
equal a clean ingest of the same files: same articles, same chunks, no orphans. The corpus
replaces three articles stored earlier under the same URLs, so deletes get cut short too.
tests/test_crash_recovery.py runs a few fixed rounds of the same thing in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from vectorstore.integrity import check_store
from vectorstore.store import ArticleStore

TOPICS = [
    ("harbour", "Harbour pilots", "pilots walked out over rosters"),
    ("orchard", "Orchard growers", "a late frost hit the blossoms"),
    ("bridge", "Bridge engineers", "cracks were found in a pier"),
    ("library", "City library", "opening hours were cut"),
    ("ferry", "Ferry operators", "fuel costs rose again"),
    ("school", "School boards", "class sizes grew"),
]
REPLACED = 3  # articles whose older version is stored before the run (same URL)
BATCH = 4  # chunks per write: many writes, so many places to be killed


def write_corpus(folder: Path, count: int, version: int = 2) -> list[Path]:
    """`count` short Markdown articles with front matter (one to two chunks each)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        slug, who, what = TOPICS[i % len(TOPICS)]
        body = (
            f"{who} in district {i} said on Monday that {what}. Officials counted {100 + i * 7} "
            f"cases, up from {40 + i} a year earlier (version {version}).\n\n"
            f"The council will meet on day {i % 28 + 1} to discuss a plan worth {i + 3} million "
            "euros. Residents asked for clear answers and regular updates on progress."
        )
        path = folder / f"{i:03d}-{slug}.md"
        path.write_text(
            f"---\ntitle: {who} report {i}\nsource: Soak Wire {i % 3}\n"
            f"published_at: 2024-03-{i % 28 + 1:02d}\nurl: https://soak.example/{i}\n---\n\n{body}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def cli_env(data_dir: Path, fault_after: int | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "NEWSDESK_DATA_DIR": str(data_dir),
        "NEWSDESK_SAMPLE_CORPUS": "false",
        "NEWSDESK_INGEST_BATCH": str(BATCH),
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    env.pop("NEWSDESK_FAULT_AFTER_WRITES", None)
    if fault_after is not None:
        env["NEWSDESK_FAULT_AFTER_WRITES"] = str(fault_after)
    return env


def ingest_command(corpus: Path) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", "ingest", str(corpus), "--no-progress"]


def killed_ingest(corpus: Path, data_dir: Path, *, writes: int | None, delay: float | None) -> int:
    """Run `newsdesk ingest` and kill it: at its Nth write or after `delay` seconds.
    Returns the exit status (-9 when killed; 0 when it finished first)."""
    proc = subprocess.Popen(
        ingest_command(corpus),
        env=cli_env(data_dir, writes),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if delay is not None:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()
    _, err = proc.communicate(timeout=300)
    if proc.returncode not in (0, -9):
        raise RuntimeError(f"ingest failed ({proc.returncode}): {err.decode()[-2000:]}")
    return proc.returncode


def snapshot(store: ArticleStore) -> dict:
    """Everything a clean ingest determines (not the wall-clock ingest time)."""
    articles = {
        article.id: {**{k: v for k, v in meta.items() if k != "ingested_at"}, "text": article.text}
        for article, meta in store.article_records()
    }
    chunk_ids = []
    chunks = {}
    for cid, text, meta in store.chunk_records():
        chunk_ids.append(cid)
        chunks[cid] = {**meta, "text": text}
    duplicates = len(chunk_ids) - len(chunks)
    return {"articles": articles, "chunks": chunks, "duplicate_chunk_ids": duplicates}


def visible_problems(store: ArticleStore) -> list[str]:
    """What a reader could see that it must not: an incomplete or misplaced article."""
    report = check_store(store)
    return [f"incomplete {a}" for a in report.incomplete_articles] + [
        f"misplaced {c}" for c in report.misplaced_chunks
    ]


def open_store(data_dir: Path, embedder) -> ArticleStore:  # noqa: ANN001 - an Embedder
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    settings = load_settings(environ=cli_env(data_dir))
    return Newsdesk(settings, embedder=embedder).store


def prepare(workdir: Path, articles: int) -> tuple[Path, Path]:
    """The corpus, and an older version of its first articles to be replaced."""
    corpus = workdir / "corpus"
    older = workdir / "older"
    write_corpus(corpus, articles)
    write_corpus(older, REPLACED, version=1)
    return corpus, older


def run_round(workdir: Path, corpus: Path, older: Path, clean: dict, rng: random.Random,
              embedder, clean_seconds: float) -> dict:  # fmt: skip  # noqa: ANN001
    data_dir = workdir / f"round-{rng.randrange(10**9)}"
    subprocess.run(ingest_command(older), env=cli_env(data_dir), check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    kills = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.5:
            point = {"writes": rng.randint(1, 24), "delay": None}
        else:
            point = {"writes": None, "delay": round(rng.uniform(0.3, 1.2) * clean_seconds, 2)}
        status = killed_ingest(corpus, data_dir, **point)
        kills.append({**point, "killed": status == -9})
        problems = visible_problems(open_store(data_dir, embedder))
        if problems:
            return {"kills": kills, "ok": False, "visible": problems[:5]}
    subprocess.run(ingest_command(corpus), env=cli_env(data_dir), check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    after = snapshot(open_store(data_dir, embedder))
    same = after == clean
    shutil.rmtree(data_dir, ignore_errors=True)
    return {"kills": kills, "ok": same, "visible": []}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newsdesk-crash-soak"))
    args = parser.parse_args(argv)
    from vectorstore.embeddings import SentenceTransformerEmbedder

    shutil.rmtree(args.workdir, ignore_errors=True)
    corpus, older = prepare(args.workdir, args.articles)
    embedder = SentenceTransformerEmbedder()
    clean_dir = args.workdir / "clean"
    started = time.perf_counter()
    subprocess.run(ingest_command(older), env=cli_env(clean_dir), check=True)
    subprocess.run(ingest_command(corpus), env=cli_env(clean_dir), check=True)
    clean_seconds = (time.perf_counter() - started) / 2
    clean = snapshot(open_store(clean_dir, embedder))
    rng = random.Random(args.seed)
    failures = 0
    for n in range(1, args.rounds + 1):
        result = run_round(args.workdir, corpus, older, clean, rng, embedder, clean_seconds)
        failures += not result["ok"]
        print(json.dumps({"round": n, **result}), flush=True)
    print(json.dumps({"rounds": args.rounds, "failures": failures, "seed": args.seed}))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
