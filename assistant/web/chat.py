"""Chat handlers: ask with filters and the conversation so far, stream the answer in, and
render the sources of every answer. Only `Newsdesk.ask` and the store are called."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import gradio as gr

from assistant.app import Newsdesk
from assistant.serving.answer_text import pieces
from assistant.serving.runtime import Runtime
from assistant.web import handover, render
from vectorstore.client import StoreUnavailable
from vectorstore.types import SearchFilters

SAMPLE_QUESTIONS = (
    "How many US troops are in Syria?",
    "What was the policy rate as of August 2023?",
    "Who was evacuated?",
)
STREAM_STEPS = 12


class InputProblem(ValueError):
    """Something the user typed that cannot be used; the message says what and how to fix it."""


def _day(value: str | None, label: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputProblem(
            f"{label}: “{value}” is not a date. Write it as YYYY-MM-DD, e.g. 2024-01-31, "
            "or clear it."
        ) from None


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
    sections: list[dict],
    outlets: list[str] | None,
    after: str | None,
    before: str | None,
    as_of: str | None = None,
    include_samples: bool = False,
    turns: list[dict] | None = None,
) -> Iterator[tuple]:
    """Yields (textbox, chat, sources panel, markdown, asked, sections, turns) as the answer
    arrives; `turns` are the conversation's answers as the hand-over controls keep them.

    A question that cannot be asked (none typed, a filter that is not a date) gets one warning
    and changes nothing: an error would mark every output, the conversation included."""
    question = " ".join((question or "").split())
    try:
        if not question:
            raise InputProblem("Type a question first.")
        filters = filters_of(outlets, after, before)
        day = _day(as_of, "As of")
    except InputProblem as exc:
        gr.Warning(str(exc))
        yield tuple(gr.skip() for _ in range(7))
        return
    history = [*(history or []), _user(question)]
    panel = render.sources_panel(sections)
    turns = list(turns or [])
    asked_at = datetime.now(UTC)
    searching = _bot("<em>Searching the articles…</em>")
    yield "", [*history, searching], panel, "", asked, sections, turns
    try:
        app = runtime.prepare()
        draft = ""
        stream = app.ask_stream(
            question,
            filters=filters,
            as_of=day,
            conversation=list(asked),
            include_samples=include_samples,
        )
        for item in stream:
            if isinstance(item, str):  # a language model's draft, as it writes it
                draft += item
                bubble = _bot(render.draft_html(draft))
                yield "", [*history, bubble], panel, "", asked, sections, turns
            else:
                answer = item
        articles = app.articles(sorted({c.article_id for c in answer.citations}))
    except StoreUnavailable as exc:
        raise gr.Error(f"The article store is unavailable: {exc}") from exc
    turn = len(asked)  # sections are trimmed; anchors must stay unique in the conversation
    # The extractive answer arrives whole: reveal it in steps (a draft was shown already).
    words = [] if draft else pieces(answer.text)
    step = max(1, len(words) // STREAM_STEPS)
    shown = 0
    for i in range(0, len(words) - step, step):
        shown += sum(len(w) for w in words[i : i + step])
        partial = _bot(render.answer_html(answer, turn, upto=shown))
        yield "", [*history, partial], panel, "", asked, sections, turns
        time.sleep(0.02)
    sections = render.keep_sections(
        [
            *sections,
            {
                "asked": answer.rewritten_question or question,
                "html": render.sources_section(answer, articles, turn),
            },
        ]
    )
    asked = [*asked, question]
    final = [*history, _bot(render.answer_html(answer, turn))]
    markdown = render.answer_markdown(answer)
    turns = [*turns, handover.turn_record(answer, asked_at)]
    yield "", final, render.sources_panel(sections), markdown, asked, sections, turns


def new_conversation() -> tuple:
    return "", [], render.sources_panel([]), "", [], [], []


def example_questions(app: Newsdesk) -> list[str]:
    """Questions the loaded articles answer: the sample ones in a store of samples only, else
    built from the newest real articles' titles (samples then answer only when asked)."""
    infos = app.list_articles()
    real = [i for i in infos if not i.sample]
    if infos and not real:
        return list(SAMPLE_QUESTIONS)
    return [f"What does “{i.title}” report?" for i in real[:3]]


def outlets_of(app: Newsdesk) -> list[str]:
    return sorted({i.source for i in app.list_articles() if i.source})


def outlet_filter(runtime: Runtime) -> gr.Dropdown:
    """The outlet filter offering the outlets stored now (after the library changed)."""
    return gr.Dropdown(choices=outlets_of(runtime.prepare()))


def on_load(runtime: Runtime) -> list:
    """Fill the example buttons and the outlet filter from the store."""
    app = runtime.prepare()
    examples = example_questions(app)
    buttons = [
        gr.Button(value=q, visible=True) if q else gr.Button(visible=False)
        for q in [*examples, "", "", ""][: len(SAMPLE_QUESTIONS)]
    ]
    return [*buttons, gr.Dropdown(choices=outlets_of(app))]
