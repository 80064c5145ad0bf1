"""The page's Briefing tab: what happened with a topic over a period, as a dated timeline
of events, each told by one or two exact quotes, with the outlets that reported it and the
figures they gave differently (both sides quoted, with outlet and date). Progress shows
while it is made; the briefing can be exported as Word, HTML or Markdown. Only
`Newsdesk.brief` and assistant/handover are used; any signed-in key may brief (it changes
nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime

import gradio as gr

from assistant.briefing import Briefing, BriefingEvent
from assistant.briefing.model import DISAGREEMENT
from assistant.handover import FORMATS, briefing_document
from assistant.serving.runtime import Runtime
from assistant.web import render
from assistant.web.handover import FORMAT_CHOICES, exports_folder
from assistant.web.stories import form_day, quote_html

NOTHING_YET = "Make a briefing first: there is nothing to export yet."


def _event_html(event: BriefingEvent) -> str:
    outlets = ", ".join(
        f"{render.esc(o.name)} ({render.day(o.first) or 'undated'})" for o in event.outlets
    )
    text = render.esc(event.text)
    for c in event.citations:  # markers as superscripts, as answers show them
        text = text.replace(f"[{c.n}]", f"<sup>[{c.n}]</sup>")
    differences = "".join(
        f'<li class="nd-brief-{d.kind}">'
        + (
            "The outlets disagree on the same day:"
            if d.kind == DISAGREEMENT
            else "The figure changed over days:"
        )  # fmt: skip
        + quote_html(d.earlier)
        + quote_html(d.later)
        + "</li>"
        for d in event.differences
    )
    quotes = "".join(quote_html(c) for c in event.citations)
    return (
        f'<div class="nd-story nd-brief-event" data-date="{render.esc(event.date or "")}">'
        f'<div class="nd-source-head">{render.esc(event.date or "Undated")}</div>'
        f'<div class="nd-meta">{len(event.article_ids)} article(s); reported by {outlets}</div>'
        f'<div class="nd-brief-text">{text}</div>{quotes}'
        + (f"<b>Where the reports differ</b><ul>{differences}</ul>" if differences else "")
        + "</div>"
    )


def briefing_html(briefing: Briefing) -> str:
    head = (
        f'<div class="nd-source-head" id="nd-brief-title">{render.esc(briefing.title)}</div>'
        f'<div class="nd-meta" id="nd-brief-count">{len(briefing.events)} event(s) from '
        f"{briefing.articles_read} article(s), in {briefing.timings.get('total_s', 0):.1f} s"
        "</div>"
    )
    notes = "".join(f'<div class="nd-note">{render.esc(n)}</div>' for n in briefing.notes)
    return head + notes + "".join(_event_html(e) for e in briefing.events)


def make(
    runtime: Runtime,
    topic: str | None,
    since: str | None,
    until: str | None,
    outlet: str | None,
    progress: gr.Progress | None = None,
) -> tuple[str, dict]:
    """The briefing as HTML, and as the page keeps it (for the export)."""
    made = datetime.now(UTC)

    def say(stage: str) -> None:
        if progress is None:
            return
        done = None
        if stage.startswith("event "):
            i, n = stage.split()[1], stage.split()[3]
            done = int(i) / max(1, int(n))
        progress(done, desc=stage)

    try:
        briefing = runtime.prepare().brief(
            topic or "", since=form_day(since, "From"), until=form_day(until, "To"),
            source=(outlet or "").strip() or None, progress=say,
        )  # fmt: skip
    except ValueError as exc:
        raise gr.Error(str(exc)) from exc
    return briefing_html(briefing), {"made": made.isoformat(), "briefing": briefing.to_dict()}


def export(kept: dict | None, choice: str | None) -> dict:
    """The briefing shown, as a file for the browser to download."""
    if not kept:
        raise gr.Error(NOTHING_YET)
    chosen = FORMATS[FORMAT_CHOICES.get(choice or "", "docx")]
    made = datetime.fromisoformat(kept["made"])
    doc = briefing_document(Briefing.from_dict(kept["briefing"]), made)
    path = exports_folder() / f"newsdesk-briefing-{made:%Y%m%d-%H%M%S}{chosen.suffix}"
    path.write_bytes(chosen.render(doc))
    return gr.update(value=str(path), visible=True)


class BriefingTab:
    """The Briefing tab's parts, built inside the page's Blocks."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        with gr.Row(equal_height=True):
            self.topic = gr.Textbox(label="Topic", placeholder="e.g. Iran-backed militias",
                                    scale=3, elem_id="nd-brief-topic")  # fmt: skip
            self.since = gr.Textbox(label="From", placeholder="YYYY-MM-DD (empty: the last "
                                    "week)", scale=1, elem_id="nd-brief-since")  # fmt: skip
            self.until = gr.Textbox(label="To", placeholder="YYYY-MM-DD", scale=1,
                                    elem_id="nd-brief-until")  # fmt: skip
            self.outlet = gr.Textbox(label="Outlet (empty: all)", scale=2,
                                     elem_id="nd-brief-outlet")  # fmt: skip
            self.button = gr.Button("Brief me", variant="primary", scale=1,
                                    elem_id="nd-brief-go")  # fmt: skip
        self.result = gr.HTML(elem_id="nd-briefing")
        kept = gr.State(None)
        with gr.Row(equal_height=True):
            export_as = gr.Dropdown(list(FORMAT_CHOICES), value=next(iter(FORMAT_CHOICES)),
                                    show_label=False, scale=2,
                                    elem_id="nd-brief-format")  # fmt: skip
            export_button = gr.Button("Export briefing", size="sm", scale=1,
                                      elem_id="nd-brief-export")  # fmt: skip
        exported = gr.File(label="Exported briefing", visible=False, elem_id="nd-brief-file")

        def go(topic: str, since: str, until: str, outlet: str,
               progress: gr.Progress = gr.Progress()) -> tuple[str, dict]:  # fmt: skip  # noqa: B008
            return make(runtime, topic, since, until, outlet, progress)

        inputs = [self.topic, self.since, self.until, self.outlet]
        # Not reads (assistant/web/reads.py), though nothing is stored: a briefing embeds its
        # topic to search and scores the sentences of every event (a language model writes
        # them when configured), as CPU-bound as a chat answer, and an export writes a file.
        # Each keeps Gradio's queue: one at a time per process.
        self.button.click(go, inputs, [self.result, kept], show_progress="full")
        self.topic.submit(go, inputs, [self.result, kept], show_progress="full")
        export_button.click(export, [kept, export_as], exported)
