"""The baseline every report shows beside Newsdesk: plain dense top-k retrieval through
LangChain's Chroma retriever, answered with the top passage's best-matching sentence.

It reads the very chunks collection the evaluation ingested (same chunks, same embedder), so
the difference measured is retrieval and answering, not ingestion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from ingest.text import sentence_spans
from vectorstore.embeddings import Embedder


class _LangChainEmbeddings(Embeddings):
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()


@dataclass
class BaselineResult:
    passages: list[tuple[str, str]]  # (article_id, text), best first
    answer: str


class DenseBaseline:
    def __init__(self, client, collection_name: str, embedder: Embedder, k: int = 10) -> None:  # noqa: ANN001
        self.embedder = embedder
        store = Chroma(
            client=client,
            collection_name=collection_name,
            embedding_function=_LangChainEmbeddings(embedder),
        )
        self.chroma, self.k = store, k

    def run(self, question: str, exclude: frozenset[str] = frozenset()) -> BaselineResult:
        search: dict = {"k": self.k}
        if exclude:
            search["filter"] = {"article_id": {"$nin": sorted(exclude)}}
        documents = self.chroma.as_retriever(search_kwargs=search).invoke(question)
        passages = [(d.metadata.get("article_id", ""), d.page_content) for d in documents]
        if not documents:
            return BaselineResult(passages, "")
        text = documents[0].page_content
        sentences = [text[s:e] for s, e in sentence_spans(text)] or [text]
        vectors = self.embedder.embed_documents([question, *sentences])
        best = int(np.argmax(vectors[1:] @ vectors[0]))
        return BaselineResult(passages, sentences[best])
