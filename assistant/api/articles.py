"""Articles: add (multipart files or JSON records), list, show, edit, delete."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assistant.api.deps import App, errors
from assistant.api.schemas import (
    URL_KEYS,
    ArticleEdit,
    ArticleOut,
    ArticlePage,
    IngestOut,
    ProblemOut,
    RecordsIn,
    RemovedOut,
    UrlsIn,
)
from assistant.app import IngestOutcome, Newsdesk
from assistant.serving.errors import ApiError
from ingest.types import MetadataEdit
from vectorstore.types import ArticleQuery

router = APIRouter(prefix="/v1/articles", tags=["articles"])

MAX_FILES = 1000

# Two request bodies for one operation: FastAPI cannot infer that from parameters.
_ADD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "minItems": 1,
                        }
                    },
                    "required": ["files"],
                }
            },
            "application/json": {
                "schema": {
                    "oneOf": [
                        {
                            **RecordsIn.model_json_schema(),
                            # A body with url or urls is read as pages (below).
                            "not": {"anyOf": [{"required": [key]} for key in URL_KEYS]},
                        },
                        UrlsIn.model_json_schema(),
                    ]
                }
            },
        },
    }
}


def _report(outcome: IngestOutcome) -> IngestOut:
    r = outcome.report
    return IngestOut(
        added=r.added,
        unchanged=r.unchanged,
        replaced=r.replaced,
        chunks=r.chunks_written,
        problems=[ProblemOut(item=p.path, reason=p.reason) for p in outcome.problems],
    )


async def _uploads(request: Request) -> list[tuple[str, bytes]]:
    form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES)
    files = [
        (value.filename or key, await value.read())
        for key, value in form.multi_items()
        if isinstance(value, UploadFile)
    ]
    if not files:
        raise ApiError(400, "no files in the form: send them as multipart field 'files'")
    return files


async def _json_body(request: Request) -> RecordsIn | UrlsIn:
    """Records (`{"records": [...]}` or a bare list), or pages (`{"url"}`, `{"urls"}`)."""
    try:
        body = json.loads(await request.body())
    except (ValueError, RecursionError) as exc:  # ValueError: also a 5,000-digit number
        raise ApiError(400, f"malformed JSON: {exc}") from exc
    pages = isinstance(body, dict) and any(key in body for key in URL_KEYS)
    try:
        if pages:
            return UrlsIn.model_validate(body)
        return RecordsIn.model_validate({"records": body} if isinstance(body, list) else body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ApiError(422, f"invalid request: {where}: {first['msg']}") from exc


@router.post(
    "",
    response_model=IngestOut,
    openapi_extra=_ADD_BODY,
    responses=errors(400, 403, 413, 415, 422),
)
async def add_articles(app: App, request: Request) -> IngestOut:
    """Add articles from uploaded files (multipart field `files`: text, Markdown, HTML, JSON,
    JSON Lines, PDF), JSON records (`{"records": [...]}` or a bare list), or web pages
    (`{"url": "https://..."}` or `{"urls": [...]}`, at most 20, fetched by the server under
    its NEWSDESK_FETCH_* limits; private and metadata addresses are refused unless
    allow-listed). A bad file, record or page is reported in `problems`; the others still
    go in."""
    kind = request.headers.get("content-type", "").partition(";")[0].strip().casefold()
    if kind == "multipart/form-data":
        outcome = await run_in_threadpool(app.ingest_uploads, await _uploads(request))
    elif kind == "application/json":
        body = await _json_body(request)
        if isinstance(body, UrlsIn):
            outcome = await run_in_threadpool(app.ingest_urls, body.all())
        else:
            outcome = await run_in_threadpool(app.ingest_records, body.records)
    else:
        raise ApiError(
            415, "send files as multipart/form-data, records or URLs as application/json"
        )
    return _report(outcome)


@router.get("", response_model=ArticlePage, responses=errors(422))
def list_articles(
    app: App,
    outlet: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006 - FastAPI copies it
    title: Annotated[str | None, Query(max_length=500, description="title contains")] = None,
    q: Annotated[
        str | None, Query(max_length=500, description="title, outlet, URL or text contains")
    ] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ArticlePage:
    """Stored articles, newest first, a page at a time; sample articles say `sample: true`."""
    infos = app.list_articles(ArticleQuery(tuple(outlet), title, q))
    page = infos[offset : offset + limit]
    return ArticlePage(total=len(infos), offset=offset, limit=limit, items=page)


def find_article(app: Newsdesk, article_id: str) -> ArticleOut | None:
    shown = app.article(article_id)
    return None if shown is None else ArticleOut(**shown.as_dict())


@router.delete("/samples", response_model=RemovedOut, responses=errors(403))
def remove_samples(app: App) -> RemovedOut:
    """Remove every sample article (the bundled demo articles); they are not loaded again."""
    return RemovedOut(removed=app.remove_samples())


@router.get("/{article_id}", response_model=ArticleOut, responses=errors(404))
def get_article(app: App, article_id: str) -> ArticleOut:
    """One article: metadata, chunk count and the full text citations point into."""
    found = find_article(app, article_id)
    if found is None:
        raise ApiError(404, f"no article with id {article_id!r}")
    return found


@router.patch("/{article_id}", response_model=ArticleOut, responses=errors(400, 403, 404, 422))
def edit_article(app: App, article_id: str, body: ArticleEdit) -> ArticleOut:
    """Change an article's title, outlet (`source`) or date (`published_at`, YYYY-MM-DD):
    searches and citations show the new values at once. The id stays the same."""
    edit = body.to_edit()
    if edit == MetadataEdit():
        raise ApiError(400, "nothing to change: send title, source or published_at")
    edited = app.edit_article(article_id, edit)  # None: none, or deleted meanwhile
    if edited is None:
        raise ApiError(404, f"no article with id {article_id!r}")
    return ArticleOut(**edited.as_dict())


@router.delete("/{article_id}", status_code=204, responses=errors(403, 404))
def delete_article(app: App, article_id: str) -> Response:
    """Remove an article and its chunks; other processes stop citing it at once."""
    if not app.remove_article(article_id):
        raise ApiError(404, f"no article with id {article_id!r}")
    return Response(status_code=204)
