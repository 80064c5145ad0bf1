"""Hand-over: answers saved under a permalink, and exported as Markdown, HTML or Word.

`POST /v1/answers` asks and keeps the answer (the server's own, checked answer: a client
cannot make a permalink show words Newsdesk did not say); `POST /v1/conversations` keeps
saved answers together; `GET /v1/answers/{id}` and `.../export` read either, `DELETE` takes
it away; `GET /a/{id}` is the read-only page. Keys and roles as everywhere: saving and
taking away need a read-write key, reading a read key (assistant/api/security.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from assistant.api.ask import answer_question
from assistant.api.deps import App, errors
from assistant.api.schemas import (
    AnswerOut,
    ConversationIn,
    SavedOut,
    SavedTurnOut,
    SaveRequest,
)
from assistant.app import Newsdesk
from assistant.handover import FORMATS
from assistant.handover.html_page import esc
from assistant.handover.saved import SavedAnswer
from assistant.serving.errors import ApiError

router = APIRouter(tags=["hand-over"])
PERMALINK = "/a/{saved_id}"


def permalink(request: Request, saved_id: str) -> str:
    return str(request.base_url).rstrip("/") + PERMALINK.format(saved_id=saved_id)


def _out(request: Request, saved: SavedAnswer) -> SavedOut:
    base = str(request.base_url).rstrip("/")
    return SavedOut(
        id=saved.id,
        kind=saved.kind,
        title=saved.title,
        saved_at=saved.saved_at,
        permalink=permalink(request, saved.id),
        exports={f: f"{base}/v1/answers/{saved.id}/export?format={f}" for f in FORMATS},
        turns=[SavedTurnOut(asked_at=at, answer=AnswerOut.of(a)) for a, at in saved.turns],
    )


def _saved(app: Newsdesk, saved_id: str) -> SavedAnswer:
    found = app.saved_answer(saved_id)
    if found is None:
        raise ApiError(404, f"no saved answer {saved_id!r}")
    return found


@router.post("/v1/answers", status_code=201, response_model=SavedOut, responses=errors(400, 403))
def save_answer(app: App, body: SaveRequest, request: Request) -> SavedOut:
    """Answer a question (as POST /v1/ask) and keep the answer with its citations under an
    unguessable id: its permalink shows it read-only, as it was when asked."""
    asked_at = datetime.now(UTC)
    answer = answer_question(app, body)
    return _out(request, app.save_answers([(answer, asked_at)], body.title))


@router.post(
    "/v1/conversations", status_code=201, response_model=SavedOut, responses=errors(403, 404)
)
def save_conversation(app: App, body: ConversationIn, request: Request) -> SavedOut:
    """Keep saved answers together, in the order given, as one conversation with its own
    permalink and exports (read with GET /v1/answers/{id})."""
    turns = [turn for saved_id in body.answers for turn in _saved(app, saved_id).turns]
    if len(turns) > 100:
        raise ApiError(422, "a conversation holds at most 100 answers")
    return _out(request, app.save_answers(turns, body.title))


@router.get("/v1/answers/{saved_id}", response_model=SavedOut, responses=errors(404))
def get_saved(app: App, saved_id: str, request: Request) -> SavedOut:
    """A saved answer or conversation, with its permalink and export links."""
    return _out(request, _saved(app, saved_id))


@router.delete("/v1/answers/{saved_id}", status_code=204, responses=errors(403, 404))
def remove_saved(app: App, saved_id: str) -> Response:
    """Take a saved answer or conversation away: its permalink and exports answer 404 from
    now on (a conversation made from a saved answer keeps its own copy). Read-write keys."""
    if not app.remove_saved_answer(saved_id):
        raise ApiError(404, f"no saved answer {saved_id!r}")
    return Response(status_code=204)


@router.get(
    "/v1/answers/{saved_id}/export",
    response_class=Response,
    responses={
        200: {"content": {f.media_type.split(";")[0]: {} for f in FORMATS.values()}},
        **errors(404, 422),
    },
)
def export_saved(
    app: App,
    saved_id: str,
    request: Request,
    format: Literal["md", "html", "docx"] = Query("md", description="md, html or docx"),  # noqa: A002
) -> Response:
    """The saved answer or conversation as a file: Markdown with footnotes, a self-contained
    HTML page or a Word document, each with every quote, title, outlet, date, URL and
    offsets, and when each question was asked."""
    chosen = FORMATS[format]
    doc = app.saved_document(saved_id, permalink(request, saved_id))
    if doc is None:
        raise ApiError(404, f"no saved answer {saved_id!r}")
    name = f"newsdesk-{saved_id}{chosen.suffix}"
    return Response(
        chosen.render(doc),
        media_type=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _missing_page(saved_id: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><title>Not found</title><p>No saved answer {esc(saved_id[:100])}.</p>",
        status_code=404,
    )


@router.get(PERMALINK, response_class=HTMLResponse, include_in_schema=False)
def permalink_page(app: App, saved_id: str, request: Request) -> HTMLResponse:
    """The saved answer, read-only, as the self-contained HTML page of its export."""
    doc = app.saved_document(saved_id, permalink(request, saved_id))
    if doc is None:
        return _missing_page(saved_id)
    html = FORMATS["html"].render(doc)
    return HTMLResponse(html.decode("utf-8"))
