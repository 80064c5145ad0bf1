"""The onnxruntime backends: same vectors as torch, selectable in the settings, and a query
path that loads neither torch nor sentence-transformers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import SettingsError, load_settings
from ingest.types import Article
from vectorstore.config import EmbedderConfig
from vectorstore.embeddings import SentenceTransformerEmbedder, make_embedder, packaged_model_path
from vectorstore.onnx_embedder import OnnxEmbedder, default_cache_dir, weights_digest

SENTENCES = [
    "The ferry operator cancelled 14 crossings after the storm damaged the northern pier.",
    "Council members voted 7 to 2 to extend the night bus trial until March.",
    "Short.",
    "A drought has lowered the reservoir to 31 percent of capacity, the lowest level since "
    "records began, and the water board asked residents to halve garden watering. " * 4,
]


@pytest.fixture(scope="module")
def onnx_fp32() -> OnnxEmbedder:
    return OnnxEmbedder()


@pytest.fixture(scope="module")
def onnx_int8() -> OnnxEmbedder:
    return OnnxEmbedder(int8=True)


@pytest.mark.slow
def test_fp32_onnx_vectors_match_the_torch_model(embedder, onnx_fp32):
    torch_vectors = embedder.embed_documents(SENTENCES)
    onnx_vectors = onnx_fp32.embed_documents(SENTENCES)
    assert onnx_vectors.shape == torch_vectors.shape == (len(SENTENCES), 384)
    cosines = (torch_vectors * onnx_vectors).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_int8_onnx_vectors_stay_close_to_the_torch_model(embedder, onnx_int8):
    cosines = (embedder.embed_documents(SENTENCES) * onnx_int8.embed_documents(SENTENCES)).sum(1)
    assert cosines.min() >= 0.98, cosines


@pytest.mark.slow
def test_batching_and_length_sorting_keep_each_vector_with_its_text(onnx_fp32):
    alone = np.stack([onnx_fp32.embed_query(s) for s in SENTENCES])
    together = OnnxEmbedder(EmbedderConfig(batch_size=2)).embed_documents(SENTENCES)
    assert np.allclose(alone, together, atol=1e-4)
    assert onnx_fp32.embed_documents([]).shape == (0, 384)


@pytest.mark.slow
def test_exports_are_cached_under_the_weights_digest(onnx_fp32, onnx_int8):
    onnx_fp32.warm_up()
    onnx_int8.warm_up()
    folder = default_cache_dir() / weights_digest(Path(packaged_model_path()))[:16]
    assert onnx_fp32.model_file == folder / "model.onnx"
    assert onnx_int8.model_file == folder / "model-int8.onnx"
    # Quantised weights are about a quarter of the float ones.
    assert onnx_int8.model_file.stat().st_size < onnx_fp32.model_file.stat().st_size / 2


def test_the_backend_is_chosen_by_setting_and_bad_names_are_refused(tmp_path):
    for name, expected in (("torch", SentenceTransformerEmbedder), ("onnx-int8", OnnxEmbedder)):
        settings = load_settings(environ={"NEWSDESK_EMBEDDER_BACKEND": name})
        assert isinstance(make_embedder(settings.embedder), expected)
    assert load_settings(environ={}).embedder.backend == "onnx"
    assert make_embedder(load_settings(environ={}).embedder).int8 is False
    config = tmp_path / "newsdesk.toml"
    config.write_text('[embedder]\nbackend = "onnx-int8"\n')
    assert make_embedder(load_settings(config, environ={}).embedder).int8 is True
    with pytest.raises(SettingsError, match="'tensorflow'"):
        load_settings(environ={"NEWSDESK_EMBEDDER_BACKEND": "tensorflow"})


@pytest.mark.slow
def test_asking_with_onnx_imports_no_torch_and_reads_a_store_built_with_torch(make_app):
    app = make_app()
    app.store.add_articles(
        [
            Article(
                title="Ferry crossings cancelled after storm",
                text="The ferry operator cancelled 14 crossings after the storm damaged the "
                "northern pier. Repairs will take two weeks, the harbour master said.",
                source="Island Courier",
                published_at="2024-11-02",
            )
        ]
    )
    app.close()  # one process per embedded store: the child process opens it next
    script = textwrap.dedent(
        f"""
        import sys
        from assistant.app import Newsdesk
        from assistant.settings import load_settings
        settings = load_settings(overrides={{"data_dir": {str(app.settings.data_dir)!r}}})
        answer = Newsdesk(settings).ask("How many ferry crossings were cancelled?")
        heavy = [m for m in ("torch", "sentence_transformers", "transformers", "gradio",
                             "fastapi", "langchain") if m in sys.modules]
        print(heavy)
        print(answer.text)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    env.update(NEWSDESK_SAMPLE_CORPUS="false", NEWSDESK_EMBEDDER_BACKEND="onnx")
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    imported, answer = proc.stdout.split("\n", 1)
    assert imported == "[]", proc.stdout
    assert "14" in answer


def test_a_model_folder_without_weights_is_refused_by_name(tmp_path):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    embedder = OnnxEmbedder(EmbedderConfig(model_path=str(tmp_path), cache_dir=str(tmp_path)))
    with pytest.raises(ValueError, match="no model.safetensors"):
        embedder.embed_query("anything")


def test_a_model_with_other_pooling_is_refused(tmp_path):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    with pytest.raises(ValueError, match="only mean pooling"):
        OnnxEmbedder(EmbedderConfig(model_path=str(tmp_path))).embed_query("anything")
