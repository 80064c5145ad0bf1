"""ingest: files to articles to chunks."""

from ingest.chunking import ChunkingConfig, chunk_article
from ingest.pipeline import load_files, load_paths
from ingest.types import Article, Chunk, IngestError, IngestProblem, LoadResult

__all__ = [
    "Article",
    "Chunk",
    "ChunkingConfig",
    "IngestError",
    "IngestProblem",
    "LoadResult",
    "chunk_article",
    "load_files",
    "load_paths",
]
