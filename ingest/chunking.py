"""Sentence-aware chunking with overlap; every chunk is an exact slice of the article text."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.text import sentence_spans
from ingest.types import Article, Chunk


@dataclass(frozen=True)
class ChunkingConfig:
    """Sizes in characters. ~800 characters is ~170 tokens: under MiniLM's 256-token window
    with the title prepended, and small enough that a citation points at a short passage."""

    chunk_size: int = 800
    chunk_overlap: int = 160


def _split_long_span(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Cut a sentence longer than a chunk at word boundaries (tables, run-on PDF lines)."""
    pieces = []
    while end - start > size:
        cut = text.rfind(" ", start + size // 2, start + size)
        cut = cut if cut > start else start + size
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def chunk_spans(text: str, config: ChunkingConfig) -> list[tuple[int, int]]:
    """Group whole sentences into chunks of at most `chunk_size` characters; each chunk starts
    with the trailing sentences of the previous one, up to `chunk_overlap` characters."""
    sentences: list[tuple[int, int]] = []
    for s, e in sentence_spans(text):
        sentences.extend(_split_long_span(text, s, e, config.chunk_size))
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        start = sentences[i][0]
        j = i
        while j + 1 < len(sentences) and sentences[j + 1][1] - start <= config.chunk_size:
            j += 1
        chunks.append((start, sentences[j][1]))
        if j + 1 >= len(sentences):
            break
        # Step back over sentences that fit in the overlap, but always move forward.
        k = j + 1
        while k - 1 > i and sentences[j][1] - sentences[k - 1][0] <= config.chunk_overlap:
            k -= 1
        i = k
    return chunks


def chunk_article(article: Article, config: ChunkingConfig | None = None) -> list[Chunk]:
    config = config or ChunkingConfig()
    return [
        Chunk(article_id=article.id, index=n, text=article.text[s:e], start=s, end=e)
        for n, (s, e) in enumerate(chunk_spans(article.text, config))
    ]
