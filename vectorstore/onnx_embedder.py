"""The same all-MiniLM-L6-v2, run by onnxruntime: no torch and no sentence-transformers on the
query path, and several times the torch throughput with int8 weights.

The ONNX file is made here, from the packaged weights, the first time a backend needs it
(torch is imported for that one export only), and cached under a folder named after the
weights' SHA-256, so a changed model never meets a stale export. Tokenising uses the model's
own `tokenizer.json` through the `tokenizers` package; pooling and normalisation follow the
model's sentence-transformers config (mean of token vectors, then L2).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from vectorstore.config import EmbedderConfig

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class EmbedderUnavailable(ValueError):
    """The model cannot be used as configured; the message says which file or setting (a
    ValueError, so the CLI reports it as a settings error rather than a traceback)."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsdesk" / "onnx"


def weights_digest(model_dir: Path) -> str:
    """SHA-256 of the weights file: the key of the export cache. Hashing 90 MB on every
    start would cost a cold `ask` noticeable time, so the digest is remembered beside the
    exports, keyed by the file's path, size and modification time."""
    for name in ("model.safetensors", "pytorch_model.bin"):
        weights = model_dir / name
        if weights.is_file():
            break
    else:
        raise EmbedderUnavailable(f"no model.safetensors or pytorch_model.bin in {model_dir}")
    stat = weights.stat()
    identity = f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    memo = default_cache_dir() / "digests" / hashlib.sha256(identity.encode()).hexdigest()[:32]
    try:
        return memo.read_text(encoding="utf-8").strip()
    except OSError:
        pass
    digest = hashlib.sha256()
    with weights.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        memo.write_text(digest.hexdigest(), encoding="utf-8")
    except OSError:
        pass  # a read-only cache only costs the hashing next time
    return digest.hexdigest()


def _check_pooling(model_dir: Path) -> None:
    """Only mean pooling is implemented; refuse a model that says otherwise."""
    config_path = model_dir / "1_Pooling" / "config.json"
    if not config_path.is_file():
        return
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if not config.get("pooling_mode_mean_tokens", False) or any(
        config.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens")
    ):
        raise EmbedderUnavailable(f"{config_path}: only mean pooling is supported by onnx")


def _max_length(model_dir: Path) -> int:
    config_path = model_dir / "sentence_bert_config.json"
    if config_path.is_file():
        return int(json.loads(config_path.read_text(encoding="utf-8")).get("max_seq_length", 256))
    return 256


def export_onnx(model_dir: Path, target: Path) -> None:
    """Export the transformer (token vectors out) to `target`, atomically."""
    import torch
    from transformers import AutoModel

    # Eager attention exports as plain MatMul/Softmax, which onnxruntime's BERT optimiser
    # fuses into its Attention kernel (the SDPA export is not fused, and runs ~2x slower).
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class TokenVectors(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with torch.no_grad():
        torch.onnx.export(
            TokenVectors(), (dummy, dummy, torch.zeros_like(dummy)), str(tmp),
            input_names=list(_INPUTS), output_names=["token_vectors"],
            dynamic_axes={**axes, "token_vectors": {0: "batch", 1: "tokens"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
    os.replace(tmp, target)


def optimise(source: Path, target: Path, hidden_size: int, heads: int) -> None:
    """Fuse attention, layer norms and GELU (onnxruntime's BERT optimiser): same numbers."""
    from onnxruntime.transformers.optimizer import optimize_model

    tmp = target.with_suffix(f".tmp{os.getpid()}")
    optimize_model(
        str(source), model_type="bert", num_heads=heads, hidden_size=hidden_size
    ).save_model_to_file(str(tmp))
    os.replace(tmp, target)


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weights, one scale per output channel: a scale per
    tensor costs MiniLM ~0.05 of cosine to the float vectors, per channel under 0.01."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_suffix(f".tmp{os.getpid()}")
    quantize_dynamic(
        str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
        extra_options={"DefaultTensorType": TensorProto.FLOAT},  # fused ops lack type info
    )  # fmt: skip
    os.replace(tmp, target)


def onnx_model_file(model_dir: Path, cache_dir: Path, *, int8: bool) -> Path:
    """The cached ONNX file for this model, exported (and quantised) on first use."""
    folder = cache_dir / weights_digest(model_dir)[:16]
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / "model.onnx"
    if not fp32.is_file():
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        raw = folder / "model-unfused.onnx"
        export_onnx(model_dir, raw)
        optimise(raw, fp32, config["hidden_size"], config["num_attention_heads"])
        raw.unlink()
    if not int8:
        return fp32
    quantised = folder / "model-int8.onnx"
    if not quantised.is_file():
        quantize_int8(fp32, quantised)
    return quantised


CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def choose_providers(device: str, available: Sequence[str]) -> list[str]:
    """The onnxruntime providers for `device` (EmbedderConfig.device), given those the
    installed onnxruntime offers: CUDA first when asked for or, under "auto", when offered;
    the CPU always last, for the operators CUDA lacks. A GPU is never required unless
    "cuda" is asked for, and then its absence is an error naming the setting."""
    if device == "cpu" or (device == "auto" and CUDA not in available):
        return [CPU]
    if device in ("auto", "cuda") and CUDA in available:
        return [CUDA, CPU]
    if device == "cuda":
        raise EmbedderUnavailable(
            "NEWSDESK_EMBEDDER_DEVICE=cuda, but the installed onnxruntime offers no "
            f"{CUDA} (it offers {', '.join(available)}): install onnxruntime-gpu, or set "
            "the device to auto or cpu"
        )
    raise EmbedderUnavailable(
        f"NEWSDESK_EMBEDDER_DEVICE={device!r}: expected one of auto, cpu, cuda"
    )


class OnnxEmbedder:
    """Embeds with onnxruntime (on a GPU when `config.device` allows and one is offered);
    vectors are mean-pooled and L2-normalised."""

    def __init__(self, config: EmbedderConfig | None = None, *, int8: bool = False) -> None:
        self.config = config or EmbedderConfig()
        self.int8 = int8
        self.name = "all-MiniLM-L6-v2"
        self.model_file: Path | None = None
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        from onnxruntime import (
            GraphOptimizationLevel,
            InferenceSession,
            SessionOptions,
            get_available_providers,
        )
        from tokenizers import Tokenizer

        from vectorstore.embeddings import packaged_model_path

        model_dir = Path(self.config.model_path or packaged_model_path())
        _check_pooling(model_dir)
        cache = Path(self.config.cache_dir) if self.config.cache_dir else default_cache_dir()
        path = onnx_model_file(model_dir, cache, int8=self.int8)
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=_max_length(model_dir))
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0)
        options = SessionOptions()
        options.log_severity_level = 3  # no warnings about unused initialisers on stderr
        # The file is already optimised (fused) when it is written; redoing it costs each start.
        options.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_BASIC
        # onnxruntime's threads spin while they wait for work, between one operator and the
        # next (its default). When other threads need the cores (a sync's fetching, reading
        # and writing threads beside the encoder: bench/sync.py), a spinning thread holds a
        # core while the thread it waits for is descheduled; not spinning, it sleeps and the
        # core goes to work that is ready. docs/benchmarks.md, "Sync of sources", has the
        # figures (the sync's CPU and the query path, before and after).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if self.config.threads > 0:
            # Ingest workers split the cores between them (assistant/ingest_workers.py).
            options.intra_op_num_threads = self.config.threads
            options.inter_op_num_threads = 1
        providers = choose_providers(self.config.device, get_available_providers())
        self.model_file = path
        self._session = InferenceSession(str(path), options, providers=providers)
        self._tokenizer = tokenizer

    @property
    def providers(self) -> list[str]:
        """The providers the loaded session runs on (onnxruntime may drop CUDA when its
        libraries are missing, and says so here)."""
        self.warm_up()
        return list(self._session.get_providers())

    def warm_up(self) -> None:
        with self._lock:
            if self._session is None:
                self._load()

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        tokens = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        self.warm_up()
        # Longest first, in batches of similar length: padding is wasted work.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        size = max(1, self.config.batch_size)
        vectors = np.concatenate(
            [
                self._encode([texts[i] for i in order[start : start + size]])
                for start in range(0, len(order), size)
            ]
        )
        out = np.empty_like(vectors)
        out[np.array(order)] = vectors
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


if __name__ == "__main__":
    # `python -m vectorstore.onnx_embedder`: make both exports now (make install runs it), so
    # the first question does not pay for them.
    for int8 in (False, True):
        embedder = OnnxEmbedder(int8=int8)
        embedder.warm_up()
        print(f"ready: {embedder.model_file}")
