"""Chat handlers: ask with filters and the conversation so far, stream the answer in, and
render the sources of every answer. Only `Newsdesk.ask` and the store are called."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import gradio as gr

from assistant.api.deps import pieces
from assistant.api.runtime import Runtime
from assistant.app import SAMPLE_MARKER, Newsdesk
from assistant.web import render
from vectorstore.client import StoreUnavailable
from vectorstore.types import SearchFilters

SAMPLE_QUESTIONS = (
    "How many US troops are in Syria?",
    "What was the policy rate as of August 2023?",
    "Who was evacuated?",
)
STREAM_STEPS = 12


def _day(value: str | None, label: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise gr.Error(f"{label}: write the date as YYYY-MM-DD, e.g. 2024-01-31") from None


def filters_of(outlets: list[str] | None, after: str | None, before: str | None) -> SearchFilters:
    return SearchFilters(
        sources=tuple(outlets or ()),
        published_after=_day(after, "Published after"),
        published_before=_day(before, "Published before"),
    )


def _user(question: str) -> dict:
    return {"role": "user", "content": f'<div class="nd-question">{render.esc(question)}</div>'}


def _bot(content: str) -> dict:
    return {"role": "assistant", "content": content}


def ask_stream(
    runtime: Runtime,
    question: str,
    history: list[dict],
    asked: list[str],
    sections: list[str],
    outlets: list[str] | None,
    after: str | None,
    before: str | None,
    as_of: str | None = None,
) -> Iterator[tuple]:
    """Yields (textbox, chat, sources panel, markdown, asked, sections) as the answer arrives."""
    question = " ".join((question or "").split())
    if not question:
        raise gr.Error("Type a question first.")
    filters = filters_of(outlets, after, before)
    day = _day(as_of, "As of")
    history = [*(history or []), _user(question)]
    panel = render.sources_panel(sections)
    yield "", [*history, _bot("<em>Searching the articles…</em>")], panel, "", asked, sections
    try:
        app = runtime.prepare()
        draft = ""
        for item in app.ask_stream(question, filters=filters, as_of=day, conversation=list(asked)):
            if isinstance(item, str):  # a language model's draft, as it writes it
                draft += item
                yield "", [*history, _bot(render.draft_html(draft))], panel, "", asked, sections
            else:
                answer = item
        articles = app.store.get_articles(sorted({c.article_id for c in answer.citations}))
    except StoreUnavailable as exc:
        raise gr.Error(f"The article store is unavailable: {exc}") from exc
    turn = len(sections)
    # The extractive answer arrives whole: reveal it in steps (a draft was shown already).
    words = [] if draft else pieces(answer.text)
    step = max(1, len(words) // STREAM_STEPS)
    shown = 0
    for i in range(0, len(words) - step, step):
        shown += sum(len(w) for w in words[i : i + step])
        partial = _bot(render.answer_html(answer, turn, upto=shown))
        yield "", [*history, partial], panel, "", asked, sections
        time.sleep(0.02)
    sections = [*sections, render.sources_section(answer, articles, turn)]
    asked = [*asked, question]
    final = [*history, _bot(render.answer_html(answer, turn))]
    markdown = render.answer_markdown(answer)
    yield "", final, render.sources_panel(sections), markdown, asked, sections


def new_conversation() -> tuple:
    return "", [], render.sources_panel([]), "", [], []


def example_questions(app: Newsdesk) -> list[str]:
    """Questions the loaded articles answer: the sample ones, or built from the newest titles."""
    if app.store.marker(SAMPLE_MARKER) == "loaded":
        return list(SAMPLE_QUESTIONS)
    return [f"What does “{i.title}” report?" for i in app.store.list_articles()[:3]]


def outlets_of(app: Newsdesk) -> list[str]:
    return sorted({i.source for i in app.store.list_articles() if i.source})


def on_load(runtime: Runtime) -> list:
    """Fill the example buttons and the outlet filter from the store."""
    app = runtime.prepare()
    examples = example_questions(app)
    buttons = [
        gr.Button(value=q, visible=True) if q else gr.Button(visible=False)
        for q in [*examples, "", "", ""][: len(SAMPLE_QUESTIONS)]
    ]
    return [*buttons, gr.Dropdown(choices=outlets_of(app))]
