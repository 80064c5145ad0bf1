"""The Sources section of the Library tab: the feeds and sitemaps kept in sync, each with its
status, last success, next run, last run and the items failing now; add one, sync every
one or one of them now, remove one after a confirmation (the /v1/sources routes)."""

from __future__ import annotations

import time

import gradio as gr

from assistant.serving.runtime import Runtime
from assistant.web import render
from assistant.web.library import _address, _require_edit


def _when(stamp: float | None, now: float | None = None) -> str:
    if not stamp:
        return "never"
    if now is not None and stamp <= now:
        return "now"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def sources_html(runtime: Runtime) -> str:
    """The Sources section: each feed or sitemap with its status, last success, next run,
    last run and the items failing now."""
    views = runtime.prepare().sources()
    if not views:
        return (
            "<p class='nd-empty'>No sources yet: add a feed (RSS, Atom, JSON Feed) or a "
            "sitemap, and its articles come in by themselves.</p>"
        )
    now = time.time()
    cards = []
    for view in views:
        v = view.as_dict()
        state = "failing" if v["last_error"] else ("ok" if v["last_success_at"] else "new")
        head = (
            f"<div class='nd-feed-head'><span class='nd-feed-state nd-feed-{state}'>{state}"
            f"</span> <strong>{render.esc(v['title'] or v['url'])}</strong> "
            f"<span class='nd-meta'>{render.esc(v['kind'] or 'not read yet')} · every "
            f"{render.esc(v['every'])}{' · ' + render.esc(v['outlet']) if v['outlet'] else ''}"
            "</span></div>"
        )
        lines = [
            f"<div class='nd-meta'>{render.esc(v['url'])}</div>",
            f"<div>Last success: {_when(v['last_success_at'])} · Next run: "
            f"{'now' if v['sync_requested'] else _when(v['next_run_at'], now)}</div>",
        ]
        run = v["last_run"]
        if run:
            lines.append(
                f"<div>Last run: {render.esc(run['status'])}, {run['listed']} listed, "
                f"{run['added']} added, {run['replaced']} replaced, {run['unchanged']} "
                f"unchanged, {run['failed']} failed</div>"
            )
        if v["last_error"]:
            lines.append(f"<div class='nd-bad'>Error: {render.esc(v['last_error'])}</div>")
        problems = "".join(
            f"<li>{render.esc(p['url'])}: {render.esc(p['reason'])}</li>" for p in v["problems"]
        )
        if problems:
            lines.append(f"<details><summary>{len(v['problems'])} article(s) failing</summary>"
                         f"<ul class='nd-bad'>{problems}</ul></details>")  # fmt: skip
        cards.append(
            f"<div class='nd-feed' data-source='{render.esc(v['id'])}'>{head}{''.join(lines)}</div>"
        )
    return "".join(cards)


def add_source(
    runtime: Runtime, url: str | None, every: str | None, request: gr.Request
) -> tuple[str, str, str]:
    """Add a feed or sitemap: (the report, the sources, the emptied address box). The
    address is checked as every fetch is (private addresses refused unless allow-listed)."""
    _require_edit(request)
    url = _address(url, "Paste the address of a feed or a sitemap first.")
    try:
        view = runtime.prepare().add_source(url, every=(every or "").strip() or None)
    except ValueError as exc:  # SourceError: the address or the interval, and why
        raise gr.Error(str(exc)) from None
    line = (
        f"<p class='nd-good'>Added {render.esc(url)} (every {render.esc(view.as_dict()['every'])})"
        ": “Sync now” reads it at once; otherwise it is read when due.</p>"
    )
    return line, sources_html(runtime), ""


def sync_now(runtime: Runtime, request: gr.Request) -> tuple[str, str]:
    """Sync every source now: (the report of each run, the sources)."""
    _require_edit(request)
    app = runtime.prepare()
    if not app.sources():
        raise gr.Error("Add a feed or a sitemap first.")
    return _sync(runtime, [])


def _sync(runtime: Runtime, refs: list[str]) -> tuple[str, str]:
    """Sync the sources named (every one when none) and report each run; a source being
    synced already is refused with a message rather than waited for."""
    app = runtime.prepare()
    try:
        outcome = app.sync(refs, exclusive=True)
    except ValueError as exc:  # SyncBusy, or a source removed meanwhile
        raise gr.Error(str(exc)) from None
    urls = {view.id: view.source.url for view in app.sources()}
    items = []
    for run in outcome.runs:
        url = urls.get(run.source_id, run.source_id)
        done = (
            f"{run.status}: {run.added} added, {run.replaced} replaced, {run.unchanged} "
            f"unchanged, {run.failed} failed"
        )
        error = f" ({run.error})" if run.error else ""
        cls = "nd-bad" if run.status == "failed" else "nd-good"
        items.append(f"<li class='{cls}'><strong>{render.esc(url)}</strong>: "
                     f"{render.esc(done + error)}</li>")  # fmt: skip
    if outcome.queued:
        items.append(
            f"<li>Asked {render.esc(outcome.holder or 'the running scheduler')} to sync "
            f"{len(outcome.queued)} source(s) now: it runs this library's syncs.</li>"
        )
    return f"<ul class='nd-upload-report'>{''.join(items)}</ul>", sources_html(runtime)


def source_choices(runtime: Runtime) -> gr.Dropdown:
    """The sources to pick one of, by title (else address); the pick kept if still there."""
    views = runtime.prepare().sources()
    choices = [(v.status.title or v.source.url, v.id) for v in views]
    return gr.Dropdown(choices=choices, value=None)


def _chosen(runtime: Runtime, source_id: str | None):  # noqa: ANN202 - a SourceView
    if not source_id:
        raise gr.Error("Choose a source in the list first.")
    view = runtime.prepare().source(source_id)
    if view is None:
        raise gr.Error("That source is no longer there: it was removed meanwhile.")
    return view


def sync_one(runtime: Runtime, source_id: str | None, request: gr.Request) -> tuple[str, str]:
    """Sync the chosen source now: (the report of its run, the sources)."""
    _require_edit(request)
    return _sync(runtime, [_chosen(runtime, source_id).id])


def ask_remove(runtime: Runtime, source_id: str | None, request: gr.Request) -> tuple:
    """Ask before removing a source: (pending id, confirmation text, confirmation row)."""
    _require_edit(request)
    view = _chosen(runtime, source_id)
    name = render.esc(view.status.title or view.source.url)
    question = (
        f"Remove the source “{name}” and what the sync knows of it? The articles it brought "
        "stay in the library; it is no longer read."
    )
    return view.id, f"<span class='nd-confirm-text'>{question}</span>", gr.Row(visible=True)


def cancel_remove() -> tuple:
    return "", gr.Row(visible=False)


def confirm_remove(runtime: Runtime, pending: str | None, request: gr.Request) -> tuple:
    """Remove the confirmed source: (report, sources, source list, row, pending)."""
    _require_edit(request)
    app = runtime.prepare()
    view = app.source(pending) if pending else None
    if view is None or not app.remove_source(view.id):
        raise gr.Error("That source is no longer there: nothing removed.")
    url = render.esc(view.source.url)
    report = f"<p class='nd-good'>Removed the source {url}; its articles stay.</p>"
    return report, sources_html(runtime), source_choices(runtime), gr.Row(visible=False), ""
