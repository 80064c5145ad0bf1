"""One URL, one article: the stored versions a write of a URL replaces.

A new version of a page is a new article (its id comes from its content), so `ChromaStorage`
finds the older versions of each URL it writes and deletes them after the new one is whole.
The lookups go by URL through both collections, so a replacement cut short by a crash is
finished by the next write of the URL (`stale_versions`), and they end by keeping only the newest
record of each URL (`older_versions`), so writers in several processes sharing one Chroma
server agree on which version stays, whatever the interleaving.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ingest.types import Article
from vectorstore.records import SUPERSEDED

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection


def one_per_url(articles: list[Article]) -> tuple[list[Article], list[str]]:
    """One URL, one article: of several versions given together, the last one is kept; the
    ids of the others are returned as superseded."""
    last = {a.url: a.id for a in articles if a.url}
    kept = [a for a in articles if not a.url or last[a.url] == a.id]
    return kept, [a.id for a in articles if a.url and last[a.url] != a.id]


def stale_versions(
    articles: Collection,
    chunks: Collection,
    urls: set[str],
    keep: Sequence[Article],
    stored: Callable[[Sequence[str]], set[str]],
) -> tuple[list[str], list[str]]:
    """Older versions of these URLs: ids of their article records, and ids of chunks a
    removal marked but did not delete (a replacement interrupted between its deletes).
    `stored` says which articles are stored whole (ChromaStorage.existing_ids)."""
    keep_ids = {a.id for a in keep}
    records: list[str] = []
    marked: dict[str, str] = {}
    url_list = sorted(urls)
    for i in range(0, len(url_list), 500):
        where = {"url": {"$in": url_list[i : i + 500]}}
        res = articles.get(where=where, include=[])
        records.extend(aid for aid in res["ids"] if aid not in keep_ids)
        where = {"$and": [where, {SUPERSEDED: True}]}
        res = chunks.get(where=where, include=["metadatas"])
        marked.update(
            (cid, meta["article_id"])
            for cid, meta in zip(res["ids"], res["metadatas"], strict=True)
            if meta["article_id"] not in keep_ids and meta["article_id"] not in records
        )
    alive = stored(sorted(set(marked.values())))
    return records, [cid for cid, aid in marked.items() if aid not in alive]


def older_versions(articles: Collection, urls: set[str]) -> list[str]:
    """Ids of every article record of these URLs but the newest ingested of each."""
    newest: dict[str, tuple[float, str]] = {}
    older: list[str] = []
    url_list = sorted(urls)
    for i in range(0, len(url_list), 500):
        where = {"url": {"$in": url_list[i : i + 500]}}
        res = articles.get(where=where, include=["metadatas"])
        for aid, meta in zip(res["ids"], res["metadatas"], strict=True):
            key = (float(meta.get("ingested_at", 0.0)), aid)
            best = newest.setdefault(meta["url"], key)
            if key != best:
                older.append(min(key, best)[1])
                newest[meta["url"]] = max(key, best)
    return older
