"""`newsdesk export` / `newsdesk import`: the whole collection as JSON Lines.

Line 1 is a header (format, schema version, article count, chunking); then one article per
line, in id order, with its id, metadata, ingest time and full text. Chunks and embeddings are
not written: they follow from the text, the chunking and the embedder, and importing makes
them again. Then, in id order, the records of the sync of sources (vectorstore/sync_state.py:
sources, their status and ETags, items, runs; not the lease), one a line as
`{"sync": KIND, "id": ..., "data": {...}}`, and the header counts them (`sync_records`, left
out when there are none, so an export without sources reads as before). Then the saved
answers behind permalinks (vectorstore/saved_answers.py), as `{"saved": KIND, "id": ...,
"data": {...}}`, counted by `saved_answers` in the same way; then the watched questions
(vectorstore/watches.py: questions, last answers, changes) as `{"watch": KIND, ...}`, counted
by `watch_records`. Importing an export into an empty store and exporting again gives the
same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from ingest.types import Article
from vectorstore.records import SCHEMA_VERSION
from vectorstore.saved_answers import check_saved
from vectorstore.store import ArticleStore
from vectorstore.sync_state import check_record
from vectorstore.watches import check_record as check_watch

FORMAT = "newsdesk-export"
_TEXT_FIELDS = ("id", "title", "text")
_OPTIONAL_FIELDS = ("source", "published_at", "url", "author", "origin")
# The store's other records after the articles: (line key, header count, record check).
_TABLES = (
    ("sync", "sync_records", check_record),
    ("saved", "saved_answers", check_saved),
    ("watch", "watch_records", check_watch),
)


class ExportFormatError(ValueError):
    """An export file that cannot be imported; the message names file and line."""


@dataclass
class ImportReport:
    articles: int
    added: int
    unchanged: int
    note: str | None = None
    sources: int = 0
    saved_answers: int = 0
    watches: int = 0


def _dumps(value: dict, *, sort_keys: bool = False) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)


def export_store(store: ArticleStore, out: IO[str]) -> int:
    """Write every article to `out`; returns how many."""
    rows = list(store.article_records())
    tables = {
        "sync": store.sync_state.exported(),
        "saved": store.saved_answers.exported(),
        "watch": store.watches.exported(),
    }
    header = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "articles": len(rows),
        "chunking": asdict(store.chunking),
    }
    for table, count, _ in _TABLES:
        if tables[table]:  # left out when there are none: older exports read the same
            header[count] = len(tables[table])
    out.write(_dumps(header) + "\n")
    for article, meta in rows:
        record = {key: getattr(article, key) for key in (*_TEXT_FIELDS, *_OPTIONAL_FIELDS)}
        record["ingested_at"] = meta.get("ingested_at")
        if article.sample:  # only samples carry it: other articles' lines are unchanged
            record["sample"] = True
        out.write(_dumps(record) + "\n")
    for table, _, _ in _TABLES:
        for record_id, kind, data in tables[table]:
            record = {table: kind, "id": record_id, "data": data}
            out.write(_dumps(record, sort_keys=True) + "\n")
    return len(rows)


def _parse_header(line: str, where: str) -> dict:
    try:
        header = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ExportFormatError(f"{where}: not a Newsdesk export header ({exc.msg})") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ExportFormatError(f"{where}: not a Newsdesk export (no {FORMAT!r} header)")
    version = header.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ExportFormatError(
            f"{where}: export has schema version {version!r}, newer than this Newsdesk "
            f"understands ({SCHEMA_VERSION}); upgrade Newsdesk to import it"
        )
    return header


def _parse_article(line: str, where: str) -> tuple[Article, float | None]:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ExportFormatError(f"{where}: malformed JSON ({exc})") from exc
    if not isinstance(record, dict):
        raise ExportFormatError(f"{where}: expected an article object")
    for key in _TEXT_FIELDS:
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise ExportFormatError(f"{where}: field {key!r} must be a non-empty string")
    for key in _OPTIONAL_FIELDS:
        if record.get(key) is not None and not isinstance(record[key], str):
            raise ExportFormatError(f"{where}: field {key!r} must be a string or null")
    stamp = record.get("ingested_at")
    if stamp is not None and (isinstance(stamp, bool) or not isinstance(stamp, int | float)):
        raise ExportFormatError(f"{where}: field 'ingested_at' must be a number or null")
    if not isinstance(record.get("sample", False), bool):
        raise ExportFormatError(f"{where}: field 'sample' must be true or false")
    fields = {key: record.get(key) for key in (*_TEXT_FIELDS, *_OPTIONAL_FIELDS)}
    fields["sample"] = record.get("sample", False)
    fields["source"] = fields["source"] or ""
    fields["origin"] = fields["origin"] or ""
    return Article(**fields), stamp


def _parse_record(line: str, where: str) -> tuple[str, tuple[str, str, dict]] | None:
    """A sync record's, saved answer's or watch record's line as (its table, (id, kind,
    data)); None for a line that is none of them (an article's)."""
    if not line.startswith('{"data"') and '"sync":' not in line[:200]:
        return None
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ExportFormatError(f"{where}: malformed JSON ({exc})") from exc
    found = [t for t in _TABLES if isinstance(record, dict) and t[0] in record]
    if not found:
        return None
    table, _, check = found[0]
    try:
        check(record.get("id"), record[table], record.get("data"))
    except ValueError as exc:
        raise ExportFormatError(f"{where}: {exc}") from exc
    return table, (record["id"], record[table], record["data"])


def read_export(
    path: Path, lines: Iterable[str]
) -> tuple[dict, list[Article], dict[str, float], dict[str, list[tuple[str, str, dict]]]]:
    """Parse a whole export before anything is written: a bad line changes nothing. The
    last item holds the "sync", "saved" and "watch" records."""
    header: dict | None = None
    articles: list[Article] = []
    stamps: dict[str, float] = {}
    extra: dict[str, list[tuple[str, str, dict]]] = {t: [] for t, _, _ in _TABLES}
    for number, line in enumerate(lines, start=1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        if header is None:
            header = _parse_header(line, where)
            continue
        record = _parse_record(line, where)
        if record is not None:
            extra[record[0]].append(record[1])
            continue
        article, stamp = _parse_article(line, where)
        articles.append(article)
        if stamp is not None:
            stamps[article.id] = stamp
    if header is None:
        raise ExportFormatError(f"{path}: empty file, not a Newsdesk export")
    if header.get("articles") not in (None, len(articles)):
        raise ExportFormatError(
            f"{path}: header announces {header['articles']} articles but the file holds "
            f"{len(articles)} (truncated?)"
        )
    for table, count, _ in _TABLES:
        if header.get(count, 0) != len(extra[table]):
            raise ExportFormatError(
                f"{path}: header announces {header.get(count, 0)} {count.replace('_', ' ')} "
                f"but the file holds {len(extra[table])} (truncated?)"
            )
    return header, articles, stamps, extra


def import_file(store: ArticleStore, path: Path) -> ImportReport:
    """Restore an export into `store`, keeping ids and ingest times."""
    try:
        with path.open(encoding="utf-8") as handle:
            header, articles, stamps, extra = read_export(path, handle)
    except UnicodeDecodeError as exc:
        raise ExportFormatError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ExportFormatError(f"{path}: {exc.strerror or exc}") from exc
    added = store.add_articles(articles, ingested_at=stamps)
    sync = extra["sync"]
    store.sync_state.restore(sync)
    store.saved_answers.restore(extra["saved"])
    store.watches.restore(extra["watch"])
    note = None
    if header.get("chunking") not in (None, asdict(store.chunking)):
        note = (
            f"the export was chunked with {header['chunking']}, this store uses "
            f"{asdict(store.chunking)}: chunks were made with this store's setting"
        )
    sources = sum(kind == "source" for _, kind, _ in sync)
    watches = sum(kind == "watch" for _, kind, _ in extra["watch"])
    return ImportReport(
        len(articles), len(added.added), len(added.unchanged), note, sources,
        len(extra["saved"]), watches,
    )  # fmt: skip
