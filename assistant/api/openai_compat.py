"""OpenAI-compatible chat: POST /v1/chat/completions (with `stream`) and GET /v1/models.

The last user message is the question. Citations come twice: as Markdown footnotes in the
content (what a chat front-end shows) and as a structured `citations` list beside `choices`
(what a program reads). Filters may be sent as an extra `filters` field, and the day the
question is asked on as `as_of` (YYYY-MM-DD).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from assistant.api.ask import answer_events, answer_question
from assistant.api.deps import App, errors, sse
from assistant.api.schemas import MAX_QUESTION_CHARS, AnswerOut, AskRequest, Filters
from assistant.serving.answer_text import footnoted, md_chunk, pieces
from assistant.serving.errors import ApiError

router = APIRouter(prefix="/v1", tags=["openai"])

MODEL = "newsdesk"
_CREATED = int(time.time())


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.type == "text" and p.text)
        return self.content or ""


class ChatRequest(BaseModel):
    """OpenAI's request body; sampling options (temperature, ...) are accepted and unused."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False
    filters: Filters = Field(default_factory=Filters)
    as_of: date | None = None  # as in POST /v1/ask


def _ask_request(body: ChatRequest) -> AskRequest:
    if body.model != MODEL:
        raise ApiError(404, f"the model {body.model!r} does not exist; use {MODEL!r}")
    turns = [m for m in body.messages if m.role in ("user", "assistant") and m.text().strip()]
    if not turns or turns[-1].role != "user":
        raise ApiError(400, "the last message must be a user message with text: the question")
    question = turns[-1].text()
    if len(question) > MAX_QUESTION_CHARS:
        raise ApiError(400, f"the question is longer than {MAX_QUESTION_CHARS} characters")
    history = [{"role": t.role, "content": t.text()} for t in turns[:-1]]
    try:
        return AskRequest(
            question=question, conversation=history, filters=body.filters, as_of=body.as_of
        )
    except ValidationError as exc:
        raise ApiError(400, f"cannot use these messages: {exc.errors()[0]['msg']}") from exc


def with_footnotes(answer: AnswerOut) -> str:
    return footnoted(answer.answer, answer.citations, answer.notes)


def _extras(answer: AnswerOut) -> dict[str, Any]:
    return {
        "citations": [asdict(c) for c in answer.citations],
        "newsdesk": {
            "abstained": answer.abstained,
            "notes": answer.notes,
            "timings": answer.timings,
        },
    }


@router.get("/models")
def list_models() -> dict[str, Any]:
    model = {"id": MODEL, "object": "model", "created": _CREATED, "owned_by": "newsdesk"}
    return {"object": "list", "data": [model]}


@router.post(
    "/chat/completions",
    response_model=None,
    responses={200: {"content": {"text/event-stream": {}}}, **errors(400, 404, 422)},
)
async def chat_completions(app: App, body: ChatRequest) -> JSONResponse | StreamingResponse:
    """Answer the last user message as an OpenAI chat completion.

    Streamed with a language model, the content deltas are its draft as generated; the last
    delta adds the footnotes and, when the check changed the draft, the checked answer."""
    ask = _ask_request(body)
    head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": MODEL}
    if not body.stream:
        answer = AnswerOut.of(await run_in_threadpool(answer_question, app, ask))
        message = {"role": "assistant", "content": with_footnotes(answer)}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        return JSONResponse(
            {**head, "object": "chat.completion", "choices": [choice], **_extras(answer)}
        )

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return sse({**head, "object": "chat.completion.chunk", "choices": [choice], **extra})

    async def events() -> AsyncIterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        draft = []
        async for item in answer_events(app, ask):
            if isinstance(item, str):
                draft.append(item)
                yield chunk({"content": md_chunk(item)})
            else:
                answer = item
        if not draft:  # the extractive answer arrives whole: send it in word pieces
            for piece in pieces(with_footnotes(answer)):
                yield chunk({"content": piece})
        else:
            yield chunk({"content": _after_draft("".join(draft), answer)})
        yield chunk({}, "stop", **_extras(answer))
        yield sse("[DONE]")

    return StreamingResponse(events(), media_type="text/event-stream")


def _after_draft(draft: str, answer: AnswerOut) -> str:
    """What follows a streamed draft: the checked answer when it differs, and the sources."""
    checked = with_footnotes(answer)
    if answer.answer.strip() == draft.strip():
        _, _, footnotes = checked.partition("\n\n")  # the draft stands: add its sources
        return f"\n\n{footnotes}" if footnotes else ""
    return f"\n\n**Checked against the articles:** {checked}"
