"""POST /v1/ask and its server-sent-events twin POST /v1/ask/stream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool

from assistant.api.deps import App, errors, sse
from assistant.api.schemas import AnswerOut, AskRequest
from assistant.app import Newsdesk
from assistant.serving.answer_text import pieces
from assistant.serving.errors import ApiError
from assistant.types import Answer, last_answer

router = APIRouter(prefix="/v1", tags=["ask"])


def answer_stream(app: Newsdesk, body: AskRequest) -> Iterator[str | Answer]:
    """The one way every API route asks (REST, stream, OpenAI and MCP share it): generated
    text as it comes (from a language model only), then the checked Answer."""
    try:
        earlier = [turn.content for turn in body.conversation if turn.role == "user"]
        yield from app.ask_stream(
            body.question,
            filters=body.filters.to_search(),
            k=body.k,
            as_of=body.as_of,
            conversation=earlier,
            include_samples=body.filters.include_samples,
        )
    except ValueError as exc:  # a question that is only whitespace
        raise ApiError(400, str(exc)) from exc


def answer_question(app: Newsdesk, body: AskRequest) -> Answer:
    return last_answer(answer_stream(app, body))


async def answer_events(app: Newsdesk, body: AskRequest) -> AsyncIterator[str | AnswerOut]:
    """`answer_stream` for async routes: each piece as soon as the model writes it."""
    async for item in iterate_in_threadpool(answer_stream(app, body)):
        yield AnswerOut.of(item) if isinstance(item, Answer) else item


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
    `done` with the whole answer (the body of POST /v1/ask), or `error`.

    With a language model the deltas are its draft, token by token, as generated; the checked
    answer in `done` replaces the draft (unsupported sentences removed, markers renumbered)."""

    async def events() -> AsyncIterator[str]:
        streamed = False
        try:
            async for item in answer_events(app, body):
                if isinstance(item, str):
                    streamed = True
                    yield sse({"text": item}, "delta")
                else:
                    answer = item
        except ApiError as exc:
            yield sse({"status": exc.status_code, "message": exc.detail}, "error")
            return
        if not streamed:  # the extractive answer arrives whole: send it in word pieces
            for piece in pieces(answer.answer):
                yield sse({"text": piece}, "delta")
        yield sse({"citations": [asdict(c) for c in answer.citations]}, "citations")
        yield sse(answer.model_dump(), "done")

    return StreamingResponse(events(), media_type="text/event-stream")
