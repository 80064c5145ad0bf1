"""JSON and JSON Lines files of article records.

A .json file holds one record, a list of records, or {"articles": [...]}; a .jsonl file one
record a line. A bad record is reported with its position and the others still go in.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingest.dates import parse_date
from ingest.loaders.decode import decode_text
from ingest.text import clean_text
from ingest.types import Article, IngestError, IngestProblem

_BODY_KEYS = ("body", "text", "content", "article", "description")
_TITLE_KEYS = ("title", "headline", "name")
_SOURCE_KEYS = ("source", "outlet", "publisher", "site_name", "site")
_DATE_KEYS = ("published_at", "published", "date", "pubDate", "datePublished", "created_at")


def _first(record: dict, keys: tuple[str, ...]) -> object:
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: object) -> str | None:
    if isinstance(value, dict):  # {"name": "Reuters"}
        value = value.get("name") or value.get("title")
    if isinstance(value, list):  # paragraphs
        value = "\n\n".join(str(v) for v in value if isinstance(v, str | int | float))
    return (
        str(value).strip() if isinstance(value, str | int | float) and str(value).strip() else None
    )


def record_to_article(record: object, origin: str) -> Article:
    if not isinstance(record, dict):
        raise IngestError(f"expected an object with title and body, got {type(record).__name__}")
    body = _text(_first(record, _BODY_KEYS))
    if not body:
        raise IngestError("record has no body (expected one of: " + ", ".join(_BODY_KEYS) + ")")
    text = clean_text(body)
    title = _text(_first(record, _TITLE_KEYS))
    if not title:
        # Records without a headline still deserve a readable label: their first line.
        title = text.split("\n", 1)[0][:120]
    date_value = _text(_first(record, _DATE_KEYS))
    return Article(
        title=" ".join(title.split()),
        text=text,
        source=_text(_first(record, _SOURCE_KEYS)) or "",
        published_at=parse_date(date_value),
        url=_text(record.get("url") or record.get("link")),
        author=_text(record.get("author") or record.get("byline")),
        origin=origin,
    )


def _parse(text: str, where: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"{where}malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise IngestError(f"{where}JSON nested too deeply") from exc


def load(path: Path, data: bytes) -> tuple[list[Article], list[IngestProblem]]:
    text = decode_text(data)
    articles: list[Article] = []
    problems: list[IngestProblem] = []
    if path.suffix.casefold() in (".jsonl", ".ndjson"):
        entries = [
            (f"{path}:line {n}", line)
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
        if not entries:
            raise IngestError("no records (the file has only blank lines)")
        for origin, line in entries:
            try:
                articles.append(record_to_article(_parse(line, ""), origin))
            except IngestError as exc:
                problems.append(IngestProblem(origin, str(exc)))
        return articles, problems
    document = _parse(text, "")
    if isinstance(document, dict) and isinstance(document.get("articles"), list):
        document = document["articles"]
    records = document if isinstance(document, list) else [document]
    if not records:
        raise IngestError("no records (an empty list)")
    for n, record in enumerate(records):
        origin = f"{path}[{n}]" if isinstance(document, list) else str(path)
        try:
            articles.append(record_to_article(record, origin))
        except IngestError as exc:
            problems.append(IngestProblem(origin, str(exc)))
    return articles, problems
