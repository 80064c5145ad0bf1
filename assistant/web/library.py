"""Library handlers: upload files (each reported on its own), list and search by title,
open one article, delete it. The same store calls as the /v1/articles routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import gradio as gr

from assistant.api.runtime import Runtime
from assistant.web import render
from ingest.types import MetadataEdit

COLUMNS = ["Title", "Outlet", "Published", "Chunks", "Id"]
READ_ONLY = "Signed in with a read-only key: adding and deleting articles needs a read-write one."
MAX_FIELD = 1000


def can_edit(request: gr.Request | None) -> bool:
    """Open servers (no keys) and read-write keys may add and delete; read-only keys may not.
    The role is the signed-in "username" (see assistant.api.web_login)."""
    return request is None or getattr(request, "username", None) in (None, "editor")


def _require_edit(request: gr.Request | None) -> None:
    if not can_edit(request):
        raise gr.Error(READ_ONLY)


def article_rows(runtime: Runtime, search: str | None) -> list[list]:
    infos = runtime.prepare().store.list_articles(title_contains=(search or "").strip() or None)
    return [[i.title, i.source, render.day(i.published_at), i.chunk_count, i.id] for i in infos]


def _file_report(name: str, outcome) -> str:  # noqa: ANN001 - assistant.app.IngestOutcome
    r = outcome.report
    done = []
    if r.added:
        done.append(f"added {len(r.added)} article(s), {r.chunks_written} chunks")
    if r.replaced:
        done.append(f"replaced {len(r.replaced)} older version(s)")
    if r.unchanged:
        done.append(f"{len(r.unchanged)} already in the library")
    problems = [f"{p.path}: {p.reason}" for p in outcome.problems]
    ok = "; ".join(done) or ("nothing added" if problems else "no articles found")
    cls = "nd-bad" if problems and not done else "nd-good"
    issues = "".join(f"<li class='nd-bad'>{render.esc(p)}</li>" for p in problems)
    head = f"<strong>{render.esc(name)}</strong>: {render.esc(ok)}"
    return f"<li class='{cls}'>{head}<ul>{issues}</ul></li>"


def upload(
    runtime: Runtime,
    files: list[str] | None,
    request: gr.Request,
    progress=gr.Progress(),  # noqa: B008
    discard: Callable[[str], None] | None = None,
) -> str:
    """Ingest each file on its own, so one bad file is reported and the others still go in;
    `discard` removes each uploaded file once it has been read."""
    _require_edit(request)
    if not files:
        raise gr.Error("Choose one or more article files first.")
    app = runtime.prepare()
    lines = []
    for i, path in enumerate(files):
        name = Path(path).name
        progress(i / len(files), desc=f"Adding {name}")
        try:
            data = Path(path).read_bytes()
        finally:
            if discard is not None:
                discard(path)
        lines.append(_file_report(name, app.ingest_uploads([(name, data)])))
    return f"<ul class='nd-upload-report'>{''.join(lines)}</ul>"


def open_article(runtime: Runtime, article_id: str | None) -> str:
    if not article_id:
        return "<p class='nd-empty'>Click an article in the list to read it here.</p>"
    store = runtime.prepare().store
    info, article = store.article_info(article_id), store.get_article(article_id)
    if info is None or article is None:
        return f"<p class='nd-empty'>No article with id {render.esc(article_id)}.</p>"
    return render.article_html(info, article)


def select_row(runtime: Runtime, evt: gr.SelectData) -> tuple[str, str]:
    row = evt.row_value or []
    article_id = str(row[-1]) if row else ""
    return article_id, open_article(runtime, article_id)


def delete(runtime: Runtime, article_id: str | None, request: gr.Request) -> tuple[str, str]:
    _require_edit(request)
    if not article_id:
        raise gr.Error("Open an article first, then delete it.")
    if not runtime.prepare().store.delete_article(article_id):
        raise gr.Error(f"No article with id {article_id}.")
    gr.Info("Article deleted: it is no longer searched or cited.")
    return "", f"<p class='nd-empty'>Deleted article {render.esc(article_id)}.</p>"


def edit_article(
    runtime: Runtime,
    article_id: str | None,
    title: str | None,
    outlet: str | None,
    published: str | None,
    request: gr.Request,
) -> str:
    """Change the open article's title, outlet or date (empty fields stay as they are)."""
    _require_edit(request)
    if not article_id:
        raise gr.Error("Open an article first, then edit it.")
    day = (published or "").strip()
    try:
        day = date.fromisoformat(day).isoformat() if day else None
    except ValueError:
        raise gr.Error("Published: write the date as YYYY-MM-DD, e.g. 2024-01-31") from None
    fields = {"title": title, "source": outlet}
    clean = {k: " ".join(v.split())[:MAX_FIELD] for k, v in fields.items() if (v or "").strip()}
    change = MetadataEdit(**clean, published_at=day)
    if change == MetadataEdit():
        raise gr.Error("Fill in a new title, outlet or date first.")
    if runtime.prepare().store.edit_metadata(article_id, change) is None:
        raise gr.Error(f"No article with id {article_id}.")
    gr.Info("Saved: searches and citations show the new details.")
    return open_article(runtime, article_id)


def session_controls(request: gr.Request) -> tuple:
    """Who is signed in (with a way out), and the add and delete controls only for editors."""
    role = getattr(request, "username", None)
    line = ""
    if role:
        kind = "read-write" if role == "editor" else "read-only"
        line = (
            f"<div class='nd-session-line'>Signed in with a {kind} key · "
            "<a href='/logout'>Sign out</a></div>"
        )
    editable = can_edit(request)
    return (
        line,
        gr.File(visible=editable),
        gr.Button(visible=editable),
        gr.Button(visible=editable),
    )
