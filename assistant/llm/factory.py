"""One factory for the chat model, per backend kind. Both kinds end in LangChain's ChatOpenAI:
"openai" talks to the configured endpoint, "local" to the bundled model's own server on
127.0.0.1, so streaming, timeouts and errors behave the same way for both."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from assistant.extractive import ExtractiveAnswerer
from assistant.llm.answerer import LlmAnswerer
from assistant.llm.verify import SupportChecker
from assistant.settings import LlmSettings, Settings
from vectorstore.embeddings import Embedder


def _chat_openai(base_url: str, model: str, api_key: str, llm: LlmSettings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url,
        model=model,
        # Local servers need no key, but the client insists on one.
        api_key=api_key or "not-needed",
        timeout=llm.timeout_s,
        max_retries=0,  # a dead endpoint falls back at once instead of retrying
        max_tokens=llm.max_tokens,
        temperature=0.0,
        streaming=True,
    )


def _openai(settings: Settings) -> BaseChatModel:
    llm = settings.llm
    return _chat_openai(llm.base_url, llm.model, llm.api_key, llm)


def _local(settings: Settings) -> BaseChatModel:
    from assistant.llm.local_server import shared_server
    from assistant.llm.model_files import model_path

    llm = settings.llm
    model = model_path(llm.local_model, local_model_cache(settings))
    server = shared_server(model, threads=llm.threads)
    return _chat_openai(server.base_url, model.name, "", llm)


def local_model_cache(settings: Settings) -> Path:
    return settings.data_dir / "models"


BACKENDS: dict[str, Callable[[Settings], BaseChatModel]] = {"openai": _openai, "local": _local}


def make_answerer(
    settings: Settings, extractive: ExtractiveAnswerer, embedder: Embedder
) -> LlmAnswerer:
    """The written answerer for `settings.llm`; the chat model is built on its first use, so
    a missing model or dead endpoint is a fallback with a note, not a start-up failure."""
    llm = settings.llm
    label = f"the local {llm.local_model} model" if llm.backend == "local" else llm.model
    checker = SupportChecker(embedder, policy=llm.check, unsupported=llm.unsupported)
    return LlmAnswerer(
        lambda: make_chat_model(settings),
        extractive,
        checker,
        label=label,
        timeout_s=llm.timeout_s,
        max_passages=llm.passages,
        excerpt_policy=llm.excerpts,
    )


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model for `settings.llm.backend` ("openai" or "local")."""
    try:
        build = BACKENDS[settings.llm.backend]
    except KeyError:
        raise ValueError(f"no language model for backend {settings.llm.backend!r}") from None
    return build(settings)
