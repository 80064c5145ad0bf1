"""The page: an Ask tab (chat, examples, filters, sources panel) and a Library tab."""

from __future__ import annotations

from functools import partial

import gradio as gr

from assistant.serving.runtime import Runtime
from assistant.web import briefing as briefing_web
from assistant.web import chat, handover, library, render
from assistant.web import sources as feeds_section
from assistant.web import stories as stories_web
from assistant.web import watches as watches_web
from assistant.web.files import Page
from assistant.web.reads import read, reading

INTRO = (
    "# Newsdesk\nAsk about the news articles in the library. Every answer quotes the articles: "
    "click a number like **[1]** to see the exact passage it comes from."
)
COPY_JS = "(md) => { if (md) { navigator.clipboard.writeText(md); } return []; }"
FORMATS = [".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".pdf"]


def build_page(runtime: Runtime) -> gr.Blocks:
    with Page(title="Newsdesk", analytics_enabled=False) as page:
        gr.Markdown(INTRO, elem_id="nd-title")
        session = gr.HTML("", elem_id="nd-session")
        badge = gr.HTML("", elem_id="nd-watch-badge-box")
        asked, sections, turns = gr.State([]), gr.State([]), gr.State([])
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"), gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=300):
                    chatbot = gr.Chatbot(
                        elem_id="nd-chat",
                        show_label=False,
                        height=440,
                        latex_delimiters=[],
                        sanitize_html=True,
                        feedback_options=None,
                        buttons=["copy", "copy_all"],
                        placeholder="Answers appear here, each claim with its source number.",
                    )
                    with gr.Row():
                        question = gr.Textbox(
                            placeholder="Ask a question about the articles…",
                            show_label=False,
                            scale=5,
                            elem_id="nd-question",
                        )
                        ask = gr.Button("Ask", variant="primary", scale=1, elem_id="nd-ask")
                    with gr.Row(elem_id="nd-examples"):
                        examples = [
                            gr.Button(q, size="sm", elem_id=f"nd-example-{i}")
                            for i, q in enumerate(chat.SAMPLE_QUESTIONS)
                        ]
                    with gr.Row():
                        new = gr.Button("New conversation", size="sm", elem_id="nd-new")
                        copy = gr.Button("Copy answer as Markdown", size="sm", elem_id="nd-copy")
                        watch = gr.Button("Watch this question", size="sm", elem_id="nd-watch")
                    watch_note = gr.HTML(elem_id="nd-watch-note")
                    with gr.Accordion("Save / share, export", open=False, elem_id="nd-handover"):
                        with gr.Row():
                            scope = gr.Radio(
                                [handover.LAST, handover.WHOLE],
                                value=handover.LAST,
                                show_label=False,
                                elem_id="nd-handover-scope",
                            )
                            export_as = gr.Dropdown(
                                list(handover.FORMAT_CHOICES),
                                value=next(iter(handover.FORMAT_CHOICES)),
                                show_label=False,
                                elem_id="nd-export-format",
                            )
                        with gr.Row():
                            share = gr.Button("Save / share", size="sm", elem_id="nd-save")
                            export = gr.Button("Export", size="sm", elem_id="nd-export")
                        permalink = gr.HTML(elem_id="nd-permalink")
                        exported = gr.File(
                            label="Exported file", visible=False, elem_id="nd-export-file"
                        )
                    with gr.Accordion("Filters for the next questions", open=False):
                        outlets = gr.Dropdown(
                            [], multiselect=True, label="Outlets (none: all)", elem_id="nd-outlets"
                        )
                        with gr.Row():
                            after = gr.Textbox(label="Published after", placeholder="YYYY-MM-DD")
                            before = gr.Textbox(label="Published before", placeholder="YYYY-MM-DD")
                        as_of = gr.Textbox(
                            label="As of: the day 'last week' and 'now' count from (empty: "
                            "today, or the newest article's date if older)",
                            placeholder="YYYY-MM-DD",
                            elem_id="nd-as-of",
                        )
                        with_samples = gr.Checkbox(
                            label="Include the sample articles (invented for demos; by default "
                            "they answer only when the library holds nothing else)",
                            elem_id="nd-include-samples",
                        )
                    with gr.Accordion("Last answer as Markdown", open=False):
                        markdown = gr.Textbox(
                            show_label=False, lines=4, buttons=["copy"], elem_id="nd-markdown"
                        )
                with gr.Column(scale=2, min_width=280):
                    sources = gr.HTML(render.sources_panel([]), elem_id="nd-sources-panel")
            with gr.Tab("Watches", id="watches"):
                watch_tab = watches_web.WatchTab(runtime, badge)
            with gr.Tab("Stories", id="stories") as stories_item:
                stories_tab = stories_web.StoriesTab(runtime)
            read(stories_item.select, stories_tab.show, stories_tab.inputs, stories_tab.listing)
            with gr.Tab("Briefing", id="briefing"):
                briefing_web.BriefingTab(runtime)
            with gr.Tab("Library", id="library"):
                files = gr.File(
                    file_count="multiple",
                    file_types=FORMATS,
                    label="Add articles: text, Markdown, HTML, JSON, JSON Lines or PDF",
                    elem_id="nd-upload",
                )
                add = gr.Button("Add to library", variant="primary", elem_id="nd-add")
                with gr.Row(equal_height=True, elem_id="nd-add-page") as page_row:
                    page_url = gr.Textbox(
                        label="Add a web page: its address (the server fetches it)",
                        placeholder="https://…",
                        scale=4,
                        elem_id="nd-url",
                    )
                    add_page = gr.Button("Add web page", scale=1, elem_id="nd-add-url")
                report = gr.HTML(elem_id="nd-upload-report")
                with gr.Accordion(
                    "Sources: feeds and sitemaps kept in sync", elem_id="nd-feeds-box"
                ):
                    feeds = gr.HTML(elem_id="nd-feeds")
                    with gr.Row(equal_height=True, elem_id="nd-feed-add") as feed_row:
                        feed_url = gr.Textbox(
                            label="Add a feed (RSS, Atom, JSON Feed) or a sitemap: its address",
                            placeholder="https://…/feed.xml",
                            scale=4,
                            elem_id="nd-feed-url",
                        )
                        feed_every = gr.Textbox(
                            label="Every", placeholder="30m", scale=1, elem_id="nd-feed-every"
                        )
                        add_feed = gr.Button("Add source", scale=1, elem_id="nd-add-feed")
                        sync_feeds = gr.Button("Sync all now", scale=1, elem_id="nd-sync-now")
                    with gr.Row(equal_height=True, elem_id="nd-feed-one") as feed_one_row:
                        feed_pick = gr.Dropdown(
                            label="Source", choices=[], scale=4, elem_id="nd-feed-pick"
                        )
                        sync_feed = gr.Button("Sync this source", scale=1, elem_id="nd-sync-one")
                        remove_feed = gr.Button(
                            "Remove source", variant="stop", scale=1, elem_id="nd-remove-feed"
                        )
                    with gr.Row(visible=False, elem_id="nd-feed-confirm") as feed_confirm_row:
                        feed_confirm_text = gr.HTML()
                        feed_yes = gr.Button("Remove", variant="stop", elem_id="nd-feed-yes")
                        feed_no = gr.Button("Keep it", elem_id="nd-feed-no")
                    feed_pending = gr.State("")
                    feed_report = gr.HTML(elem_id="nd-sync-report")
                    # Passes started from this page, followed until they end (sources.follow).
                    following = gr.State([])
                    synced = gr.State(0)
                    follow_timer = gr.Timer(feeds_section.FOLLOW_S, active=False)
                search = gr.Textbox(
                    label="Search",
                    placeholder="words from a title, outlet, URL or the text",
                    elem_id="nd-search",
                )
                counts = gr.HTML(elem_id="nd-library-counts")
                table = gr.Dataframe(
                    headers=library.COLUMNS,
                    datatype=["str", "str", "str", "number", "str"],
                    interactive=False,
                    wrap=True,
                    column_widths=["44%", "17%", "12%", "9%", "18%"],
                    elem_id="nd-articles",
                )
                selected = gr.Textbox(label="Selected article id", interactive=False)
                with gr.Row():
                    remove = gr.Button("Delete this article", variant="stop", elem_id="nd-delete")
                    remove_samples = gr.Button(
                        "Remove sample articles", elem_id="nd-remove-samples"
                    )
                with gr.Row(visible=False, elem_id="nd-confirm") as confirm_row:
                    confirm_text = gr.HTML()
                    yes = gr.Button("Yes, delete", variant="stop", elem_id="nd-confirm-yes")
                    no = gr.Button("Cancel", elem_id="nd-confirm-no")
                pending = gr.State("")
                with gr.Accordion("Edit title, outlet or date", open=False, elem_id="nd-edit"):
                    with gr.Row():
                        new_title = gr.Textbox(label="New title", elem_id="nd-edit-title")
                        new_outlet = gr.Textbox(label="New outlet", elem_id="nd-edit-outlet")
                        new_day = gr.Textbox(
                            label="New date", placeholder="YYYY-MM-DD", elem_id="nd-edit-date"
                        )
                    save = gr.Button("Save changes", elem_id="nd-edit-save")
                article = gr.HTML(library.open_article(runtime, None), elem_id="nd-article")

        chat_io = dict(
            inputs=[
                question,
                chatbot,
                asked,
                sections,
                outlets,
                after,
                before,
                as_of,
                with_samples,
                turns,
            ],
            outputs=[question, chatbot, sources, markdown, asked, sections, turns],
        )
        ask_fn = partial(chat.ask_stream, runtime)
        question.submit(ask_fn, **chat_io)
        ask.click(ask_fn, **chat_io)
        # Putting an example in the box, and a new conversation, change only this page's own
        # state: reads (answering the example is not).
        for button in examples:
            read(button.click, lambda q: q, button, question).then(ask_fn, **chat_io)
        for trigger in (new.click, chatbot.clear):
            read(trigger, chat.new_conversation, None, chat_io["outputs"])
        copy.click(None, markdown, None, js=COPY_JS)

        # Saving, watching and exporting write (a saved answer, a watch, a file in the exports
        # folder, older ones swept): they keep Gradio's queue, one at a time, as answering does.
        def save_answers(chosen: list[dict], what: str, request: gr.Request) -> str:
            return handover.save(runtime, chosen, what, request)

        share.click(save_answers, [turns, scope], permalink)

        def watch_question(chosen: list[dict], request: gr.Request) -> tuple:
            return watches_web.watch_last(runtime, chosen, request)

        watch.click(watch_question, turns, [watch_note, *watch_tab.outputs])
        export.click(handover.export, [turns, scope, export_as], exported)

        rows = partial(library.article_rows, runtime)
        refresh_outlets = partial(chat.outlet_filter, runtime)

        # The article list, the outlet filter and the steps of a page's opening are reads
        # (assistant/web/reads.py): every event of such a function must be one, the lowest
        # queue limit of those sharing a function winning.
        def relisted(event: gr.events.Dependency) -> gr.events.Dependency:
            """After `event`: the article list and the outlet filter read afresh."""
            return reading(event, (rows, search, [table, counts]), (refresh_outlets, None, outlets))

        # Plain functions, not partials: Gradio finds the gr.Request parameter by annotation.
        def upload(chosen: list[dict] | None, request: gr.Request, progress=gr.Progress()) -> tuple:  # noqa: B008
            # Gradio's own preprocessing of gr.File leaves an empty temporary file per file, so
            # the event takes the checked file objects as they are (preprocess=False).
            paths = [f["path"] for f in chosen or []]
            # The files are removed once read, so the picker is emptied with them.
            return library.upload(runtime, paths, request, progress, page.discard), None

        def add_web_page(url: str | None, request: gr.Request) -> tuple:
            return library.add_page(runtime, url, request)

        def ask_delete(article_id: str | None, request: gr.Request) -> tuple:
            return library.ask_delete(runtime, article_id, request)

        def ask_remove_samples(request: gr.Request) -> tuple:
            return library.ask_remove_samples(runtime, request)

        def confirm(pending_id: str | None, request: gr.Request) -> tuple:
            return library.confirm(runtime, pending_id, request)

        # Progress and a refusal show on the report only: Gradio leaves a failed event's
        # "Error" box over each output until it runs again, and over the picker (or an
        # address box) it would take the clicks meant for choosing the files (or typing).
        relisted(
            add.click(upload, files, [report, files], preprocess=False, show_progress_on=report)
        )
        for trigger in (add_page.click, page_url.submit):
            relisted(trigger(add_web_page, page_url, [report, page_url], show_progress_on=report))
        read(search.change, rows, search, [table, counts])

        def add_source(url: str | None, every: str | None, request: gr.Request) -> tuple:
            return feeds_section.add_source(runtime, url, every, request)

        def sync_now(followed: list[str], request: gr.Request) -> tuple:
            return feeds_section.sync_now(runtime, followed, request)

        def sync_one(source_id: str | None, followed: list[str], request: gr.Request) -> tuple:
            return feeds_section.sync_one(runtime, source_id, followed, request)

        def ask_remove_source(source_id: str | None, request: gr.Request) -> tuple:
            return feeds_section.ask_remove(runtime, source_id, request)

        def confirm_remove_source(pending_id: str | None, request: gr.Request) -> tuple:
            return feeds_section.confirm_remove(runtime, pending_id, request)

        source_choices = partial(feeds_section.source_choices, runtime)

        # As for the files: a refusal shows on the report, not over the address box.
        for trigger in (add_feed.click, feed_url.submit):
            added = trigger(
                add_source,
                [feed_url, feed_every],
                [feed_report, feeds, feed_url],
                show_progress_on=feed_report,
            )
            reading(added, (source_choices, None, feed_pick))
        # Syncs run in the background: the buttons return at once and the timer follows them.
        started = [feed_report, feeds, following, follow_timer]
        sync_feeds.click(sync_now, following, started)
        sync_feed.click(sync_one, [feed_pick, following], started)
        # Following a pass only reads how the sources stand (the pass runs in the background).
        read(
            follow_timer.tick,
            partial(feeds_section.follow, runtime),
            [following, synced],
            [*started, synced],
            show_progress="hidden",
        )
        reading(
            read(synced.change, rows, search, [table, counts]), (refresh_outlets, None, outlets)
        )
        # Asking before a removal reads (the source, who is signed in), as keeping it changes
        # only the page; the removal itself is a write.
        read(
            remove_feed.click,
            ask_remove_source,
            feed_pick,
            [feed_pending, feed_confirm_text, feed_confirm_row],
        )
        read(feed_no.click, feeds_section.cancel_remove, None, [feed_pending, feed_confirm_row])
        feed_yes.click(
            confirm_remove_source,
            feed_pending,
            [feed_report, feeds, feed_pick, feed_confirm_row, feed_pending],
        )

        def on_select(evt: gr.SelectData) -> tuple[str, str]:
            return library.select_row(runtime, evt)

        # Opening an article, asking before a deletion and cancelling it read (the article,
        # how many samples, who is signed in) or change only the page: the deletion is a write.
        read(table.select, on_select, None, [selected, article])
        asking = [pending, confirm_text, confirm_row]
        read(remove.click, ask_delete, selected, asking)
        read(remove_samples.click, ask_remove_samples, None, asking)
        read(no.click, library.cancel, None, [pending, confirm_row])
        relisted(yes.click(confirm, pending, [selected, article, confirm_row, pending]))

        def edit(article_id: str, title: str, outlet: str, day: str, request: gr.Request) -> str:
            return library.edit_article(runtime, article_id, title, outlet, day, request)

        relisted(save.click(edit, [selected, new_title, new_outlet, new_day], article))
        # A page opening: every step only reads (the store, or who is signed in).
        reading(
            read(page.load, partial(chat.on_load, runtime), None, [*examples, outlets]),
            (rows, search, [table, counts]),
            (
                library.session_controls,
                None,
                [session, files, add, remove, remove_samples, page_row, feed_row, feed_one_row],
            ),
            (handover.controls, None, share),
            (watches_web.controls, None, [watch, watch_tab.remove, watch_tab.seen]),
            (watch_tab.show, None, watch_tab.outputs),
            (partial(feeds_section.sources_html, runtime), None, feeds),
            (source_choices, None, feed_pick),
        )
    return page
