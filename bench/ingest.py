"""Ingest throughput beside its floor and beside a plain LangChain pipeline, in one process;
or, with `--workers`, `newsdesk ingest` with 1, 2, ... worker processes side by side.

    python -m bench.ingest --limit 60 --runs 3
    python -m bench.ingest --workers 1,2 --limit 200 --runs 3

Each run, interleaved so machine load hits every contender alike: (1) the floor, the same
chunk texts through a bare `SentenceTransformer.encode`; (2) Newsdesk's `add_articles` into a
fresh embedded Chroma with each embedder backend (chunking, embedding, writing); (3) LangChain
`Chroma.from_documents` with `HuggingFaceEmbeddings` and a RecursiveCharacterTextSplitter of
the same size and overlap. Models are loaded before timing starts, for everyone.

`--workers` times the whole of `Newsdesk.ingest` on a folder of one Markdown file per article
(reading, chunking, embedding, writing a fresh embedded store), as `newsdesk ingest --workers
N` runs it, each worker count in turn within a run; the workers' start (spawning, loading
their encoders) is inside the time, as a user waits for it.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from assistant.ingest_workers import cores
from bench.common import article_records, median, print_header, taking_turns
from ingest.chunking import ChunkingConfig, chunk_article
from ingest.loaders.records import record_to_article
from vectorstore.client import make_client
from vectorstore.config import EmbedderConfig, StoreConfig
from vectorstore.embeddings import SentenceTransformerEmbedder, make_embedder, packaged_model_path
from vectorstore.records import embedding_text
from vectorstore.store import ArticleStore


def _newsdesk(articles, embedder, chunking: ChunkingConfig, folder: Path) -> tuple[float, int]:
    client = make_client(StoreConfig(path=folder / uuid.uuid4().hex))
    store = ArticleStore(client, embedder, collection="bench", chunking=chunking)
    started = time.perf_counter()
    report = store.add_articles(articles)
    return time.perf_counter() - started, report.chunks_written


def _langchain(articles, embeddings, chunking: ChunkingConfig, folder: Path) -> tuple[float, int]:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    started = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunking.chunk_size, chunk_overlap=chunking.chunk_overlap
    )
    docs = splitter.split_documents(
        [Document(page_content=a.text, metadata={"title": a.title}) for a in articles]
    )
    Chroma.from_documents(
        docs, embeddings, collection_name="bench", persist_directory=str(folder / uuid.uuid4().hex)
    )
    return time.perf_counter() - started, len(docs)


def _write_files(articles, folder: Path) -> Path:  # noqa: ANN001 - Articles
    """One Markdown file per article with its metadata in front matter, as archives come."""
    folder.mkdir(parents=True)
    for i, a in enumerate(articles):
        head = {"title": a.title, "source": a.source, "published_at": a.published_at, "url": a.url}
        front = "".join(f"{k}: {json.dumps(v)}\n" for k, v in head.items() if v)
        (folder / f"{i:05d}.md").write_text(f"---\n{front}---\n\n{a.text}\n", encoding="utf-8")
    return folder


def _ingest_with(
    workers: int, files: Path, data_dir: Path, backend: str, min_kb: int | None
) -> tuple[float, int]:
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    overrides = {"data_dir": data_dir, "sample_corpus": False, "ingest.workers": workers,
                 "embedder.backend": backend, "ingest.workers_min_kb": min_kb}  # fmt: skip
    with Newsdesk(load_settings(overrides=overrides, environ={})) as app:
        app.store.count_chunks()  # the store opened before timing, as for every contender
        started = time.perf_counter()
        outcome = app.ingest([files])
        took = time.perf_counter() - started
    if outcome.problems:
        raise SystemExit(f"ingest skipped files: {outcome.problems[:3]}")
    return took, outcome.report.chunks_written


def _writes_only(articles, data_dir: Path) -> float:  # noqa: ANN001 - Articles
    """The one writer's ceiling: the same articles chunked and written with vectors given
    (random unit vectors), so that workers embedding faster would wait on this."""
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    rng = np.random.default_rng(0)

    def given(batches: Iterable[list[str]]) -> Iterator[np.ndarray]:
        for texts in batches:
            vectors = rng.standard_normal((len(texts), 384)).astype(np.float32)
            yield vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    overrides = {"data_dir": data_dir, "sample_corpus": False}
    with Newsdesk(load_settings(overrides=overrides, environ={})) as app:
        app.store.count_chunks()
        started = time.perf_counter()
        app.store.add_articles(articles, embed=given)
        return time.perf_counter() - started


def workers_main(args: argparse.Namespace) -> None:
    counts = [int(n) for n in args.workers.split(",") if n]
    # One backend named with --backends is the one timed; else the default, onnx.
    named = [b for b in args.backends.split(",") if b]
    backend = named[0] if len(named) == 1 else "onnx"
    articles = [record_to_article(r, "bench") for r in article_records(args.limit)]
    print_header(
        "Ingest with worker processes",
        {"articles": len(articles), "runs": args.runs, "workers": counts, "backend": backend,
         "cores": cores(), "measured": "Newsdesk.ingest of a folder, workers' start included",
         "input_kb": round(sum(len(a.text.encode()) for a in articles) / 1024),
         "workers_min_kb": "default" if args.workers_min_kb is None else args.workers_min_kb},
    )  # fmt: skip
    seconds: dict[int, list[float]] = {n: [] for n in counts}
    writes: list[float] = []
    chunks = 0
    with tempfile.TemporaryDirectory(prefix="bench-ingest-workers-") as tmp:
        files = _write_files(articles, Path(tmp, "files"))
        for run in range(args.runs):
            for n in taking_turns(counts, run):
                store = Path(tmp, f"store-{run}-{n}")
                took, chunks = _ingest_with(n, files, store, backend, args.workers_min_kb)
                seconds[n].append(took)
            writes.append(_writes_only(articles, Path(tmp, f"store-{run}-writes")))
            print(f"run {run + 1}: " + ", ".join(f"{n} {v[-1]:.1f}s" for n, v in seconds.items())
                  + f", writes only {writes[-1]:.1f}s")  # fmt: skip
    base = counts[0]
    print(f"\n| workers | median s | articles/s | chunks/s | x {base} worker(s) |")
    print("|---|---|---|---|---|")
    for n, values in seconds.items():
        s = median(values)
        # Per-run ratios, then their median: load changes between runs.
        ratio = median([b / o for b, o in zip(seconds[base], values, strict=True)])
        print(f"| {n} | {s:.1f} | {len(articles) / s:.2f} | {chunks / s:.1f} | {ratio:.2f} |")
    s = median(writes)
    print(f"| writes only (the writer's ceiling) | {s:.1f} | {len(articles) / s:.2f} | "
          f"{chunks / s:.1f} | - |")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=60, help="articles [60]")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="torch,onnx,onnx-int8")
    parser.add_argument("--no-langchain", action="store_true")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", help="worker counts to compare, e.g. 1,2,4 (see above)")
    parser.add_argument(
        "--workers-min-kb",
        type=int,
        help="input below which workers are not started [the setting's default; 0: always]",
    )
    args = parser.parse_args(argv)
    if args.workers:
        workers_main(args)
        return
    chunking = ChunkingConfig()
    articles = [record_to_article(r, "bench") for r in article_records(args.limit)]
    texts = [embedding_text(a, c) for a in articles for c in chunk_article(a, chunking)]
    backends = [b for b in args.backends.split(",") if b]
    print_header(
        "Ingest throughput",
        {"articles": len(articles), "chunks": len(texts), "runs": args.runs,
         "batch_size": args.batch_size, "chunking": chunking, "backends": backends},
    )  # fmt: skip

    floor_model = SentenceTransformerEmbedder(EmbedderConfig(batch_size=args.batch_size)).model
    embedders = {
        b: make_embedder(EmbedderConfig(backend=b, batch_size=args.batch_size)) for b in backends
    }
    for embedder in embedders.values():
        embedder.embed_documents(texts[:4])  # load and warm every model before timing
    langchain = None
    if not args.no_langchain:
        from langchain_huggingface import HuggingFaceEmbeddings

        langchain = HuggingFaceEmbeddings(
            model_name=packaged_model_path(),
            encode_kwargs={"normalize_embeddings": True, "batch_size": args.batch_size},
        )
        langchain.embed_documents(["warm up"])

    seconds: dict[str, list[float]] = {"floor": []}
    chunks: dict[str, int] = {"floor": len(texts)}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        for run in range(args.runs):
            started = time.perf_counter()
            floor_model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True)
            seconds["floor"].append(time.perf_counter() - started)
            for name, embedder in embedders.items():
                took, n = _newsdesk(articles, embedder, chunking, Path(tmp))
                seconds.setdefault(f"newsdesk-{name}", []).append(took)
                chunks[f"newsdesk-{name}"] = n
            if langchain is not None:
                took, n = _langchain(articles, langchain, chunking, Path(tmp))
                seconds.setdefault("langchain", []).append(took)
                chunks["langchain"] = n
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in seconds.items()))

    def ratio(name: str, reference: str) -> float:
        # Per-run ratios of articles/s, then their median: load changes between runs.
        pairs = zip(seconds[reference], seconds[name], strict=True)
        return median([ref / own for ref, own in pairs])

    print(
        "\n| pipeline | median s | articles/s | chunks/s | x floor | x LangChain |\n"
        "|---|---|---|---|---|---|"
    )
    for name, values in seconds.items():
        s = median(values)
        vs_lc = f"{ratio(name, 'langchain'):.2f}" if "langchain" in seconds else "-"
        print(
            f"| {name} | {s:.1f} | {len(articles) / s:.2f} | {chunks[name] / s:.1f} | "
            f"{ratio(name, 'floor'):.2f} | {vs_lc} |"
        )


if __name__ == "__main__":
    main()
