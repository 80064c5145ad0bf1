"""The page's watches: "Watch this question" under the chat, a badge with the number of
unseen changes, and the Watches tab (each watch's last answer and its history, both answers
of each change cited). Only `Newsdesk.add_watch`, `watches`, `mark_watch_seen` and
`remove_watch` are used (assistant/watcher.py does the asking again).

Watching, marking seen and removing change what every user of the store sees, so they need a
read-write key, as adding articles does; any signed-in key may read.
"""

from __future__ import annotations

from datetime import datetime

import gradio as gr

from assistant.serving.runtime import Runtime
from assistant.watches import Reading, WatchView
from assistant.web import render
from assistant.web.library import can_edit
from assistant.web.reads import read

NEEDS_WRITE = "Watching a question needs a read-write key; any key may read the watches."
NOTHING_YET = "Ask a question first: then it can be watched."
REFRESH_S = 15.0  # how often an open page looks for changes found in the background


def _when(stamp: float | None) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M") if stamp else "never"


def _reading(reading: Reading | None) -> str:
    if reading is None:
        return '<div class="nd-note">not asked yet</div>'
    quotes = "".join(
        f'<li><span class="nd-source-head">[{c["n"]}] {render.esc(c["title"])}</span> '
        f'<span class="nd-meta">{render.byline(c["source"], c["published_at"])}'
        f", characters {c['start']}-{c['end']}</span><blockquote>{render.esc(c['quote'])}"
        f"</blockquote></li>"
        for c in reading.citations
    )
    return f'<div class="nd-watch-answer">{render.esc(reading.text)}</div>' + (
        f'<ol class="nd-watch-cites">{quotes}</ol>' if quotes else ""
    )


def _watch_html(view: WatchView) -> str:
    w = view.watch
    narrowed = ", ".join(f"{k} {render.esc(v)}" for k, v in (("outlet", w.outlet),
                         ("since", w.since)) if v)  # fmt: skip
    badge = (
        f' <span class="nd-watch-new">{view.unseen} new change{"s" * (view.unseen != 1)}</span>'
        if view.unseen
        else ""
    )
    history = "".join(
        f'<details class="nd-watch-change"{" open" * (i < view.unseen)}><summary>'
        f"{_when(c.at)}: {render.esc(c.why)}"
        + (
            f' <span class="nd-meta">(webhook: {render.esc(c.delivery)})</span>'
            if c.delivery
            else ""
        )  # fmt: skip
        + f"</summary><div><b>Before</b> ({_when(c.before.asked_at)}){_reading(c.before)}"
        f"<b>After</b> ({_when(c.after.asked_at)}){_reading(c.after)}</div></details>"
        for i, c in enumerate(view.changes)
    )
    return (
        f'<div class="nd-watch" data-watch="{render.esc(w.id)}">'
        f'<div class="nd-source-head">{render.esc(w.question)}{badge}</div>'
        f'<div class="nd-meta">{narrowed + "; " if narrowed else ""}asked '
        f"{_when(view.checked_at)}; {len(view.changes)} change(s) recorded</div>"
        f"{_reading(view.last)}{history}</div>"
    )


def watches_html(runtime: Runtime) -> str:
    views = runtime.prepare().watches()
    if not views:
        return (
            '<div class="nd-note">No watched questions. Ask one in the Ask tab and press '
            "“Watch this question”: it is asked again after each ingest and sync, and a "
            "change of its cited answer shows here.</div>"
        )
    return "".join(_watch_html(v) for v in views)


def badge_html(runtime: Runtime) -> str:
    """The badge by the title: how many changes nobody has looked at yet."""
    unseen = sum(v.unseen for v in runtime.prepare().watches())
    if not unseen:
        return ""
    return (
        f'<span class="nd-watch-badge">{unseen} new change{"s" * (unseen != 1)} in '
        "watched questions (Watches tab)</span>"
    )


def choices(runtime: Runtime) -> dict:
    views = runtime.prepare().watches()
    return gr.update(choices=[(v.watch.question, v.watch.id) for v in views], value=None)


def shown(runtime: Runtime) -> tuple[str, str, dict]:
    """The Watches tab's list, the badge and the picker, as they are now."""
    return watches_html(runtime), badge_html(runtime), choices(runtime)


def watch_last(runtime: Runtime, turns: list[dict] | None, request: gr.Request) -> tuple:
    """Watch the conversation's last question (the standalone one a follow-up became)."""
    if not can_edit(request):
        raise gr.Error(NEEDS_WRITE)
    if not turns:
        raise gr.Error(NOTHING_YET)
    answer = turns[-1]["answer"]
    question = answer.get("rewritten_question") or answer["question"]
    try:
        view = runtime.prepare().add_watch(question)
    except ValueError as exc:
        raise gr.Error(str(exc)) from exc
    note = (
        f'<div class="nd-watch-added">Watching “{render.esc(view.watch.question)}”: it is '
        "asked again after each ingest and sync; changes show in the Watches tab.</div>"
    )
    return note, *shown(runtime)


def mark_all_seen(runtime: Runtime, request: gr.Request) -> tuple[str, str, dict]:
    if not can_edit(request):
        raise gr.Error(NEEDS_WRITE)
    app = runtime.prepare()
    for view in app.watches():
        if view.unseen:
            app.mark_watch_seen(view.watch.id)
    return shown(runtime)


def remove(runtime: Runtime, watch_id: str | None, request: gr.Request) -> tuple[str, str, dict]:
    if not can_edit(request):
        raise gr.Error(NEEDS_WRITE)
    if not watch_id:
        raise gr.Error("Pick a watched question first.")
    runtime.prepare().remove_watch(watch_id)
    return shown(runtime)


def controls(request: gr.Request) -> tuple[dict, dict, dict]:
    """The watch buttons, shown to those who may use them (read-write keys, open server)."""
    editable = can_edit(request)
    return tuple(gr.update(visible=editable) for _ in range(3))


class WatchTab:
    """The Watches tab's parts, built inside the page's Blocks; `outputs` are what each of
    its handlers updates (the list, the badge by the title, the picker)."""

    def __init__(self, runtime: Runtime, badge: gr.HTML) -> None:
        self.runtime = runtime
        self.listing = gr.HTML(elem_id="nd-watches")
        with gr.Row(equal_height=True):
            self.pick = gr.Dropdown([], label="Watched question", scale=3,
                                    elem_id="nd-watch-pick")  # fmt: skip
            self.remove = gr.Button("Stop watching", size="sm", scale=1, elem_id="nd-watch-remove")
            self.seen = gr.Button("Mark all as seen", size="sm", scale=1, elem_id="nd-watch-seen")
            refresh = gr.Button("Refresh", size="sm", scale=1, elem_id="nd-watch-refresh")
        self.outputs = [self.listing, badge, self.pick]
        show = self.show

        def mark(request: gr.Request) -> tuple:
            return mark_all_seen(runtime, request)

        def stop(watch_id: str | None, request: gr.Request) -> tuple:
            return remove(runtime, watch_id, request)

        # Marking seen and stopping write (one at a time); looking is a read, by every open
        # page's timer as by the button: one function, so both events must be reads.
        self.seen.click(mark, None, self.outputs)
        self.remove.click(stop, self.pick, self.outputs)
        read(refresh.click, show, None, self.outputs)
        # Changes are found in the background, after an ingest or a sync: an open page looks.
        read(gr.Timer(REFRESH_S).tick, show, None, self.outputs, show_progress="hidden")

    def show(self) -> tuple[str, str, dict]:
        return shown(self.runtime)
