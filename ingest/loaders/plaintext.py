"""Plain-text articles in the shape people paste (see `pasted`)."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders.decode import decode_text
from ingest.loaders.pasted import parse_pasted
from ingest.types import Article, IngestError


def load(path: Path, data: bytes) -> list[Article]:
    pasted = parse_pasted(decode_text(data))
    if not pasted.title or not pasted.text:
        raise IngestError("no article text (a headline line followed by the body is expected)")
    article = Article(
        title=pasted.title,
        text=pasted.text,
        source=pasted.source,
        published_at=pasted.published_at,
        url=pasted.url,
        author=pasted.author,
        origin=str(path),
    )
    return [article]
