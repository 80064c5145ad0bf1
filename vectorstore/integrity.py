"""A consistency check of the store: what a crash could have left behind.

An intact store has, for every article record, exactly its `chunk_count` chunks, each an exact
slice of the article text at its offsets; and no chunk without an article record (an orphan:
harmless to answers, which only cite recorded articles, but dead weight). Damage below the
records (the SQLite file, the dense index, the BM25 cache) is found by vectorstore/health.py
and listed in `problems`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vectorstore.health import StoreProblem, lexical_cache_staleness, store_problems
from vectorstore.store import ArticleStore


@dataclass
class IntegrityReport:
    articles: int = 0
    chunks: int = 0
    orphan_chunks: list[str] = field(default_factory=list)
    incomplete_articles: list[str] = field(default_factory=list)
    misplaced_chunks: list[str] = field(default_factory=list)
    problems: list[StoreProblem] = field(default_factory=list)
    # What is not damage but worth knowing (the BM25 cache behind the store, being rebuilt).
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.orphan_chunks or self.incomplete_articles or self.misplaced_chunks or self.problems
        )


def check_store(store: ArticleStore) -> IntegrityReport:
    report = IntegrityReport(problems=store_problems(store))
    if any(p.blocks_reading for p in report.problems):
        return report  # reading the records would hang or crash this process
    try:
        _check_records(store, report)
        report.notes = [note for note in [lexical_cache_staleness(store)] if note]
    except Exception as exc:  # a damaged store raises whatever Chroma raises: a finding
        why = f"cannot read every record: {type(exc).__name__}: {exc}"
        report.problems.append(StoreProblem("records", why))
    return report


def _check_records(store: ArticleStore, report: IntegrityReport) -> None:
    articles = {article.id: (article, meta) for article, meta in store.article_records()}
    report.articles = len(articles)
    per_article: Counter[str] = Counter()
    for chunk_id, text, meta in store.chunk_records():
        report.chunks += 1
        found = articles.get(meta["article_id"])
        if found is None:
            report.orphan_chunks.append(chunk_id)
            continue
        per_article[meta["article_id"]] += 1
        if found[0].text[int(meta["start"]) : int(meta["end"])] != text:
            report.misplaced_chunks.append(chunk_id)
    report.incomplete_articles = sorted(
        aid for aid, (_, meta) in articles.items() if per_article[aid] != meta["chunk_count"]
    )


def remove_orphans(store: ArticleStore, report: IntegrityReport) -> int:
    """Delete the orphan chunks a report found. Only for a store no other process is writing
    to: a concurrent ingest's chunks are orphans until its article record lands."""
    if report.orphan_chunks:
        store.delete_chunks(report.orphan_chunks)
    return len(report.orphan_chunks)
