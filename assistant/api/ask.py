"""POST /v1/ask and its server-sent-events twin POST /v1/ask/stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from assistant.api.deps import App, errors, pieces, sse
from assistant.api.errors import ApiError
from assistant.api.schemas import AnswerOut, AskRequest
from assistant.app import Newsdesk
from assistant.types import Answer

router = APIRouter(prefix="/v1", tags=["ask"])


def answer_question(app: Newsdesk, body: AskRequest) -> Answer:
    """The one way every API route asks (REST, stream, OpenAI and MCP share it)."""
    try:
        earlier = [turn.content for turn in body.conversation if turn.role == "user"]
        return app.ask(
            body.question, filters=body.filters.to_search(), k=body.k, conversation=earlier
        )
    except ValueError as exc:  # a question that is only whitespace
        raise ApiError(400, str(exc)) from exc


@router.post("/ask", response_model=AnswerOut, responses=errors(400, 422))
def ask(app: App, body: AskRequest) -> AnswerOut:
    """Answer a question from the stored articles; every claim cites an exact passage."""
    return AnswerOut.of(answer_question(app, body))


@router.post(
    "/ask/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **errors(400, 422)},
)
async def ask_stream(app: App, body: AskRequest) -> StreamingResponse:
    """The answer as server-sent events: `delta` events with text, then `citations`, then
    `done` with the whole answer (the body of POST /v1/ask), or `error`."""

    async def events() -> AsyncIterator[str]:
        try:
            answer = AnswerOut.of(await run_in_threadpool(answer_question, app, body))
        except ApiError as exc:
            yield sse({"status": exc.status_code, "message": exc.detail}, "error")
            return
        for piece in pieces(answer.answer):
            yield sse({"text": piece}, "delta")
        yield sse({"citations": [asdict(c) for c in answer.citations]}, "citations")
        yield sse(answer.model_dump(), "done")

    return StreamingResponse(events(), media_type="text/event-stream")
