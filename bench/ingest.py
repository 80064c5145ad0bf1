"""Ingest throughput beside its floor and beside a plain LangChain pipeline, in one process.

    python -m bench.ingest --limit 60 --runs 3

Each run, interleaved so machine load hits every contender alike: (1) the floor, the same
chunk texts through a bare `SentenceTransformer.encode`; (2) Newsdesk's `add_articles` into a
fresh embedded Chroma with each embedder backend (chunking, embedding, writing); (3) LangChain
`Chroma.from_documents` with `HuggingFaceEmbeddings` and a RecursiveCharacterTextSplitter of
the same size and overlap. Models are loaded before timing starts, for everyone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import article_records, median, print_header
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=60, help="articles [60]")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="torch,onnx,onnx-int8")
    parser.add_argument("--no-langchain", action="store_true")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
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
