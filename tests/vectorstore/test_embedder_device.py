"""Where embedding runs: a GPU when the installed runtime offers one, never required, and
the CPU on this machine (whose onnxruntime and torch are CPU builds)."""

from __future__ import annotations

import pytest

from assistant.settings import SettingsError, load_settings
from vectorstore.config import EmbedderConfig
from vectorstore.embeddings import torch_device
from vectorstore.onnx_embedder import (
    CPU,
    CUDA,
    EmbedderUnavailable,
    OnnxEmbedder,
    choose_providers,
)

WITH_GPU = ["TensorrtExecutionProvider", CUDA, CPU]
WITHOUT = ["AzureExecutionProvider", CPU]


def test_auto_takes_cuda_when_onnxruntime_offers_it_and_the_cpu_otherwise():
    assert choose_providers("auto", WITH_GPU) == [CUDA, CPU]
    assert choose_providers("auto", WITHOUT) == [CPU]


def test_cpu_never_uses_a_gpu_that_is_there():
    assert choose_providers("cpu", WITH_GPU) == [CPU]


def test_cuda_without_a_gpu_runtime_is_an_error_naming_the_setting():
    assert choose_providers("cuda", WITH_GPU) == [CUDA, CPU]
    with pytest.raises(EmbedderUnavailable, match="NEWSDESK_EMBEDDER_DEVICE=cuda.*onnxruntime-gpu"):
        choose_providers("cuda", WITHOUT)


@pytest.mark.slow
def test_the_default_embedder_runs_on_the_cpu_here_with_the_threads_it_was_given():
    embedder = OnnxEmbedder(EmbedderConfig(threads=1), int8=True)
    assert embedder.config.device == "auto"
    assert embedder.providers == [CPU]
    options = embedder._session.get_session_options()
    assert options.intra_op_num_threads == 1
    # Its threads sleep rather than spin while they wait (a sync's other threads need the cores).
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert embedder.embed_documents(["The ferry ran late."]).shape == (1, 384)


def test_torch_under_auto_picks_the_cpu_on_this_cpu_build():
    assert torch_device("auto") == "cpu"
    assert torch_device("cuda") == "cuda"


def test_an_unknown_device_is_a_settings_error_naming_the_variable():
    with pytest.raises(SettingsError, match="NEWSDESK_EMBEDDER_DEVICE"):
        load_settings(environ={"NEWSDESK_EMBEDDER_DEVICE": "gpu"})
    assert load_settings(environ={"NEWSDESK_EMBEDDER_DEVICE": "cpu"}).embedder.device == "cpu"
