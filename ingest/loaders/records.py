"""JSON and JSON Lines files of article records.

A .json file holds one record, a list of records, or {"articles": [...]}; a .jsonl file one
record a line. A bad record (a list's "path:record N", a line's "path:line N", including a
line that is not JSON) is reported with its position and reason, and the others still go in;
only a .json file that does not parse as a whole is refused whole. A lone surrogate escaped in
a string ("\\ud800") becomes U+FFFD: one broken character does not cost the record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ingest.dates import parse_date
from ingest.loaders.decode import decode_text
from ingest.text import clean_text, valid_unicode
from ingest.types import Article, IngestError, IngestProblem

_BODY_KEYS = ("body", "text", "content", "article", "description")
_TITLE_KEYS = ("title", "headline")
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
    if not isinstance(value, str | int | float):
        return None
    return valid_unicode(str(value)).strip() or None


def record_to_article(record: object, origin: str) -> Article:
    """One record as an Article. Its own "id" and any other fields are ignored on purpose:
    ids come from content, so the same article from two feeds is one article."""
    if not isinstance(record, dict):
        raise IngestError(f"expected an object with title and body, got {type(record).__name__}")
    title = _text(_first(record, _TITLE_KEYS))
    if not title:
        raise IngestError("record has no title (expected one of: " + ", ".join(_TITLE_KEYS) + ")")
    text = clean_text(_text(_first(record, _BODY_KEYS)) or "")
    if not text:
        raise IngestError("record has no body (expected one of: " + ", ".join(_BODY_KEYS) + ")")
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


def _parse(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from exc
    except ValueError as exc:  # a number too long to convert (Python's 4,300-digit limit)
        raise IngestError(f"malformed JSON ({exc})") from exc
    except RecursionError as exc:
        raise IngestError("JSON nested too deeply") from exc


def _parse_line(line: str) -> object:
    try:
        return _parse(line)
    except IngestError as exc:
        return exc  # one malformed line is one problem, reported with its line number


def _records(path: Path, data: bytes) -> list[tuple[str, object]]:
    """(origin, record) for every record in the file; a JSON Lines line that does not parse
    comes paired with its IngestError. A .json file must parse as a whole."""
    text = decode_text(data)
    if path.suffix.casefold() in (".jsonl", ".ndjson"):
        records = [
            (f"{path}:line {n}", _parse_line(line))
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
        if not records:
            raise IngestError("no records (the file has only blank lines)")
        return records
    document = _parse(text)
    if isinstance(document, dict) and isinstance(document.get("articles"), list):
        document = document["articles"]
    if not isinstance(document, list):
        return [(str(path), document)]
    if not document:
        raise IngestError("no records (an empty list)")
    return [(f"{path}:record {n}", record) for n, record in enumerate(document, 1)]


def to_articles(
    records: Iterable[tuple[str, object]],
) -> tuple[list[Article], list[IngestProblem]]:
    """Every good (origin, record) as an article, and a problem naming the origin of each bad
    one (an IngestError in place of a record is that record's problem)."""
    articles: list[Article] = []
    problems: list[IngestProblem] = []
    for origin, record in records:
        try:
            if isinstance(record, IngestError):
                raise record
            articles.append(record_to_article(record, origin))
        except IngestError as exc:
            problems.append(IngestProblem(origin, str(exc)))
        except Exception as exc:  # a bug met by one record must cost that record, not the batch
            problems.append(IngestProblem(origin, f"unexpected {type(exc).__name__}: {exc}"))
    return articles, problems


def load_with_problems(path: Path, data: bytes) -> tuple[list[Article], list[IngestProblem]]:
    """Every good record as an article, and a problem ("path:line N: reason") for each bad one.

    Raises IngestError only when the file as a whole is unusable (not JSON, no records).
    """
    return to_articles(_records(path, data))


def load(path: Path, data: bytes) -> list[Article]:
    """All records as articles, or IngestError naming the first bad record."""
    articles, problems = load_with_problems(path, data)
    if problems:
        first = problems[0]
        raise IngestError(f"{first.path.removeprefix(str(path) + ':')}: {first.reason}")
    return articles
