"""The page's Stories tab: the library's articles grouped into stories (the same event
across outlets and days), each with its outlets, first and last report, the facts its
outlets share and the figures or dates they give differently, every one quoted exactly with
its outlet, date and characters. Only `Newsdesk.stories` is used; any signed-in key may
read it (it changes nothing).
"""

from __future__ import annotations

from datetime import date

import gradio as gr

from assistant.serving.runtime import Runtime
from assistant.stories.listing import StoryList
from assistant.stories.story import Story
from assistant.types import Citation
from assistant.web import render
from assistant.web.reads import read

LIMIT = 20


def quote_html(c: Citation) -> str:
    link = (
        f' <a href="{render.esc(c.url)}" rel="noopener" target="_blank">link</a>' if c.url else ""
    )
    return (
        f'<div class="nd-story-quote"><blockquote>{render.esc(c.quote)}</blockquote>'
        f'<span class="nd-meta">[{c.n}] {render.esc(c.title)} · '
        f"{render.byline(c.source, c.published_at)}, characters {c.start}-{c.end}{link}"
        "</span></div>"
    )


def _what(what: str) -> str:
    return "The date" if what == "date" else f"The count of “{render.esc(what)}”"


def _story_html(story: Story) -> str:
    span = render.day(story.first_report) or "undated"
    if story.last_report and story.last_report != story.first_report:
        span += f" to {render.day(story.last_report)}"
    outlets = ", ".join(render.esc(o) for o in story.outlets) or "no outlet named"
    shared = "".join(
        f'<li class="nd-story-shared">Reported by {render.esc(", ".join(f.outlets))}:'
        f"{quote_html(f.citation)}</li>"
        for f in story.shared
    )
    differing = "".join(
        f'<li class="nd-story-differ">{_what(d.what)}: '
        + (
            "the outlets disagree on the same day"
            if d.same_day
            else "told differently on different days (perhaps an update)"
        )  # fmt: skip
        + "".join(quote_html(c) for c in d.sides)
        + "</li>"
        for d in story.differing
    )
    parts = [
        f'<div class="nd-story" data-story="{render.esc(story.id)}">',
        f'<div class="nd-source-head">{render.esc(story.headline)}</div>',
        f'<div class="nd-meta">{len(story.article_ids)} article(s), {span}; {outlets}</div>',
    ]
    if shared:
        parts.append(f"<b>What the outlets share</b><ul>{shared}</ul>")
    if differing:
        parts.append(f"<b>Where they differ</b><ul>{differing}</ul>")
    return "".join(parts) + "</div>"


def stories_html(found: StoryList) -> str:
    notes = "".join(f'<div class="nd-note">{render.esc(n)}</div>' for n in found.notes)
    if not found.stories:
        return notes or '<div class="nd-note">No stories: the library holds no articles.</div>'
    head = (
        f'<div class="nd-meta" id="nd-stories-count">{len(found.stories)} of '
        f"{found.stories_found} stories, from {found.articles_grouped} article(s), "
        "largest first</div>"
    )
    return head + notes + "".join(_story_html(s) for s in found.stories)


def form_day(value: str | None, field: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise gr.Error(f"{field}: expected a date as YYYY-MM-DD, got {value!r}") from exc


def show(runtime: Runtime, since: str | None, until: str | None, outlet: str | None) -> str:
    app = runtime.prepare()
    try:
        found = app.stories(since=form_day(since, "From"), until=form_day(until, "To"),
                            source=(outlet or "").strip() or None, limit=LIMIT)  # fmt: skip
    except ValueError as exc:
        raise gr.Error(str(exc)) from exc
    return stories_html(found)


class StoriesTab:
    """The Stories tab's parts, built inside the page's Blocks; shown when the tab is picked
    and when "Show stories" is pressed."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        with gr.Row(equal_height=True):
            self.since = gr.Textbox(label="From", placeholder="YYYY-MM-DD", scale=1,
                                    elem_id="nd-stories-since")  # fmt: skip
            self.until = gr.Textbox(label="To", placeholder="YYYY-MM-DD", scale=1,
                                    elem_id="nd-stories-until")  # fmt: skip
            self.outlet = gr.Textbox(label="Reported by (outlet)", scale=2,
                                     elem_id="nd-stories-outlet")  # fmt: skip
            self.button = gr.Button("Show stories", scale=1, elem_id="nd-stories-show")
        self.listing = gr.HTML(elem_id="nd-stories")
        inputs = [self.since, self.until, self.outlet]
        # A read: the grouping uses the stored article vectors (nothing is embedded, nothing
        # answered) and is bounded by `stories.max_articles`.
        read(self.button.click, self.show, inputs, self.listing)
        self.inputs = inputs

    def show(self, since: str | None, until: str | None, outlet: str | None) -> str:
        return show(self.runtime, since, until, outlet)
