"""The Sources section of the Library tab: the feeds and sitemaps kept in sync, each with its
status, last success, next run, last run and the items failing now; add one, sync every
one or one of them now, remove one after a confirmation (the /v1/sources routes)."""

from __future__ import annotations

import time

import gradio as gr

from assistant.serving.runtime import Runtime
from assistant.sync import SourceView, SyncBusy
from assistant.web import render
from assistant.web.library import require_edit, typed_address
from vectorstore.client import StoreUnavailable
from vectorstore.sync_state import SyncRun

# Errors named under a finished run in the report (the source's card lists those failing now).
SHOW_ERRORS = 5
# How often the page looks at the passes it started while they run.
FOLLOW_S = 2.0


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
        if view.syncing_since is not None:
            state = "syncing"
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
    require_edit(request)
    url = typed_address(url, "Paste the address of a feed or a sitemap first.")
    try:
        view = runtime.prepare().add_source(url, every=(every or "").strip() or None)
    except ValueError as exc:  # SourceError: the address or the interval, and why
        raise gr.Error(str(exc)) from None
    line = (
        f"<p class='nd-good'>Added {render.esc(url)} (every {render.esc(view.as_dict()['every'])})"
        ": “Sync now” reads it at once; otherwise it is read when due.</p>"
    )
    return line, sources_html(runtime), ""


def sync_now(runtime: Runtime, following: list[str] | None, request: gr.Request) -> tuple:
    """Start a sync of every source in the background: (report, sources, followed, timer)."""
    require_edit(request)
    if not runtime.prepare().sources():
        raise gr.Error("Add a feed or a sitemap first.")
    return _start(runtime, [], following)


def sync_one(
    runtime: Runtime, source_id: str | None, following: list[str] | None, request: gr.Request
) -> tuple:
    """Start a sync of the chosen source in the background: (report, sources, followed,
    timer)."""
    require_edit(request)
    return _start(runtime, [_chosen(runtime, source_id).id], following)


def _start(runtime: Runtime, refs: list[str], following: list[str] | None) -> tuple:
    """Start the passes as the API's 202 "sync now" does (`Newsdesk.start_sync`) and return
    at once, with the timer on: the page stays usable while they run, and `follow` shows
    their progress until they end. A source being synced already is refused, as the API's
    409 is, with a message rather than a second pass."""
    app = runtime.prepare()
    try:
        outcome = app.start_sync(refs)
    except SyncBusy:
        busy = [v for v in app.sources() if v.running_since and (not refs or v.id in refs)]
        names = ", ".join(f"“{v.status.title or v.source.url}”" for v in busy) or "It"
        raise gr.Error(f"{names}: a sync is already running; its progress shows under the "
                       "sources until it is done.") from None  # fmt: skip
    except ValueError as exc:  # SourceError: a source removed meanwhile
        raise gr.Error(str(exc)) from None
    now = [*outcome.started, *outcome.queued]
    followed = list(dict.fromkeys([*(following or []), *now]))
    views = {v.id: v for v in app.sources()}
    return _report(followed, views), sources_html(runtime), followed, gr.Timer(active=True)


def follow(runtime: Runtime, following: list[str] | None, synced: int) -> tuple:
    """The timer's tick while passes started here run: (report, sources, still followed,
    timer, `synced`, bumped when the last of them ends so the article list refreshes)."""
    if not following:
        return gr.skip(), gr.skip(), [], gr.Timer(active=False), synced
    try:
        views = {v.id: v for v in runtime.prepare().sources()}
        report, listing = _report(following, views), sources_html(runtime)
    except StoreUnavailable:  # Chroma down a moment: look again at the next tick, quietly
        return gr.skip(), gr.skip(), following, gr.Timer(active=True), synced
    if any(sid in views and _busy(views[sid]) for sid in following):
        return report, listing, following, gr.Timer(active=True), synced
    return report, listing, [], gr.Timer(active=False), synced + 1


def _busy(view: SourceView) -> bool:
    """A pass over it runs in this process, or one was asked of the process that holds the
    sync lease and has not run yet."""
    return view.running_since is not None or view.requested


def _report(following: list[str], views: dict[str, SourceView]) -> str:
    """One line per followed source: its progress while it syncs, then its last run with
    the errors named."""
    lines = "".join(_line(sid, views.get(sid)) for sid in following)
    return f"<ul class='nd-upload-report'>{lines}</ul>"


def _line(sid: str, view: SourceView | None) -> str:
    if view is None:
        return f"<li class='nd-bad' data-sync='removed'>{render.esc(sid)}: removed meanwhile</li>"
    name = f"<strong>{render.esc(view.source.url)}</strong>"
    run = view.last_run
    # A record still "running" is shown running even with no pass in this process (see
    # `syncing_since`), never as a finished run whose status says "running".
    since_at = view.syncing_since
    if since_at is not None:
        counts = ""
        if run is not None and run.started_at >= since_at:  # this pass's run
            counts = f": {_counts(run)}, {run.left} page(s) to go"
        since = time.strftime("%H:%M:%S", time.localtime(since_at))
        return f"<li data-sync='running'>{name}: syncing since {since}{render.esc(counts)}…</li>"
    if view.requested:
        return (f"<li data-sync='queued'>{name}: asked the process that runs this library's "
                "syncs to sync it now; waiting for it…</li>")  # fmt: skip
    if run is None:
        return f"<li data-sync='none'>{name}: not synced yet</li>"
    error = f" ({run.error})" if run.error else ""
    cls = "nd-bad" if run.status == "failed" else "nd-good"
    errors = "".join(
        f"<li>{render.esc(e.url)}: {render.esc(e.reason)}</li>" for e in run.errors[:SHOW_ERRORS]
    )
    more = run.failed - min(len(run.errors), SHOW_ERRORS)
    if more > 0:
        errors += f"<li>and {more} more</li>"
    errors = f"<ul class='nd-bad'>{errors}</ul>" if errors else ""
    return (
        f"<li class='{cls}' data-sync='done'>{name}: {render.esc(run.status)}: "
        f"{render.esc(_counts(run) + error)}{errors}</li>"
    )


def _counts(run: SyncRun) -> str:
    return (f"{run.added} added, {run.replaced} replaced, {run.unchanged} unchanged, "
            f"{run.failed} failed")  # fmt: skip


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


def ask_remove(runtime: Runtime, source_id: str | None, request: gr.Request) -> tuple:
    """Ask before removing a source: (pending id, confirmation text, confirmation row)."""
    require_edit(request)
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
    require_edit(request)
    app = runtime.prepare()
    view = app.source(pending) if pending else None
    if view is None or not app.remove_source(view.id):
        raise gr.Error("That source is no longer there: nothing removed.")
    url = render.esc(view.source.url)
    report = f"<p class='nd-good'>Removed the source {url}; its articles stay.</p>"
    return report, sources_html(runtime), source_choices(runtime), gr.Row(visible=False), ""
