"""Library handlers: upload files (each reported on its own), add a web page by its address,
list with counts and search
(title, outlet, URL, text), open one article, edit its title, outlet or date, and delete it
or the sample articles after a confirmation. The same store calls as the /v1/articles
routes. The Sources section (feeds and sitemaps kept in sync) is in assistant/web/sources.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import gradio as gr

from assistant.serving.runtime import Runtime
from assistant.web import render
from ingest.types import MetadataEdit
from vectorstore.types import ArticleInfo, ArticleQuery

COLUMNS = ["Title", "Outlet", "Published", "Chunks", "Id"]
READ_ONLY = "Signed in with a read-only key: adding and deleting articles needs a read-write one."
SAMPLE_TAG = "[sample] "
# The pending deletion that stands for "every sample article" (article ids start with "a").
SAMPLES = "samples"
MAX_FIELD = 1000


def can_edit(request: gr.Request | None) -> bool:
    """Open servers (no keys) and read-write keys may add and delete; read-only keys may not.
    The role is the signed-in "username" (see assistant.serving.login)."""
    return request is None or getattr(request, "username", None) in (None, "editor")


def require_edit(request: gr.Request | None) -> None:
    if not can_edit(request):
        raise gr.Error(READ_ONLY)


def article_rows(runtime: Runtime, search: str | None) -> tuple[list[list], str]:
    """The table's rows (samples tagged) and a line with the counts, or why nothing shows."""
    app = runtime.prepare()
    needle = " ".join((search or "").split())
    infos = app.list_articles(ArticleQuery(matching=needle or None))
    rows = [
        [(SAMPLE_TAG if i.sample else "") + i.title, i.source, render.day(i.published_at),
         i.chunk_count, i.id]
        for i in infos
    ]  # fmt: skip
    return rows, _counts(infos, needle, app.count_articles())


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _counts(infos: list[ArticleInfo], needle: str, total: int) -> str:
    chunks = _n(sum(i.chunk_count for i in infos), "chunk")
    samples = sum(i.sample for i in infos)
    quoted = f"“{render.esc(needle)}”"
    if needle and not infos:
        line = (
            f"No articles match {quoted} (titles, outlets, URLs and texts searched; "
            f"{_n(total, 'article')} in the library)."
        )
    elif needle:
        line = f"{len(infos)} of {_n(total, 'article')} match {quoted}: {chunks}."
    elif not infos:
        line = "The library is empty: add article files above."
    else:
        line = f"{_n(len(infos), 'article')}, {chunks} in the library."
    if samples:
        line += f" {samples} of them {SAMPLE_TAG.strip()}: invented for demos, not real news."
    return f"<p class='nd-library-counts'>{line}</p>"


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
    require_edit(request)
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


MAX_URL = 2048


def typed_address(url: str | None, missing: str) -> str:
    """The address typed, without spaces and with https:// when it names no scheme (as a
    browser's address bar reads "example.org/news"); gr.Error when empty or too long."""
    url = "".join((url or "").split())
    if not url:
        raise gr.Error(missing)
    if len(url) > MAX_URL:
        raise gr.Error(f"That address is longer than {MAX_URL} characters.")
    return url if "://" in url else "https://" + url


def add_page(runtime: Runtime, url: str | None, request: gr.Request) -> tuple[str, str]:
    """Fetch one web page and add its article: (the report, the emptied address box). The
    server fetches it under its NEWSDESK_FETCH_* limits (private addresses refused unless
    allow-listed), as for a URL sent to the API."""
    require_edit(request)
    url = typed_address(
        url, "Paste the address of a web page first, e.g. https://example.org/news/1"
    )
    outcome = runtime.prepare().ingest_urls([url])
    return f"<ul class='nd-upload-report'>{_file_report(url, outcome)}</ul>", ""


def open_article(runtime: Runtime, article_id: str | None) -> str:
    if not article_id:
        return "<p class='nd-empty'>Click an article in the list to read it here.</p>"
    shown = runtime.prepare().article(article_id)
    if shown is None:
        return f"<p class='nd-empty'>No article with id {render.esc(article_id)}.</p>"
    return render.article_html(shown)


def select_row(runtime: Runtime, evt: gr.SelectData) -> tuple[str, str]:
    row = evt.row_value or []
    article_id = str(row[-1]) if row else ""
    return article_id, open_article(runtime, article_id)


def _confirm(pending: str, question: str) -> tuple:
    return pending, f"<span class='nd-confirm-text'>{question}</span>", gr.Row(visible=True)


def ask_delete(runtime: Runtime, article_id: str | None, request: gr.Request) -> tuple:
    """Ask before deleting: (pending, confirmation text, confirmation row)."""
    require_edit(request)
    if not article_id:
        raise gr.Error("Open an article first, then delete it.")
    shown = runtime.prepare().article(article_id)
    if shown is None:
        raise gr.Error(f"No article with id {article_id}.")
    return _confirm(
        article_id,
        f"Delete “{render.esc(shown.info.title)}” and its {shown.info.chunk_count} chunks? "
        "It will no longer be searched or cited.",
    )


def ask_remove_samples(runtime: Runtime, request: gr.Request) -> tuple:
    require_edit(request)
    count = runtime.prepare().sample_count()
    if not count:
        raise gr.Error("There are no sample articles in the library.")
    return _confirm(
        SAMPLES,
        f"Remove the {count} sample articles (invented for demos)? They are not loaded again.",
    )


def cancel() -> tuple:
    return "", gr.Row(visible=False)


def confirm(runtime: Runtime, pending: str | None, request: gr.Request) -> tuple:
    """Carry out the confirmed deletion: (selected id, article view, row, pending)."""
    require_edit(request)
    app = runtime.prepare()
    if pending == SAMPLES:
        removed = app.remove_samples()
        gr.Info(f"Removed {len(removed)} sample articles.")
        done = f"<p class='nd-empty'>Removed {len(removed)} sample articles.</p>"
    elif pending and app.remove_article(pending):
        gr.Info("Article deleted: it is no longer searched or cited.")
        done = f"<p class='nd-empty'>Deleted article {render.esc(pending)}.</p>"
    else:
        raise gr.Error(f"No article with id {pending or '(none)'}: nothing deleted.")
    return "", done, gr.Row(visible=False), ""


def edit_article(
    runtime: Runtime,
    article_id: str | None,
    title: str | None,
    outlet: str | None,
    published: str | None,
    request: gr.Request,
) -> str:
    """Change the open article's title, outlet or date (empty fields stay as they are)."""
    require_edit(request)
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
    if runtime.prepare().edit_article(article_id, change) is None:
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
        gr.Button(visible=editable),
        gr.Row(visible=editable),
        gr.Row(visible=editable),
        gr.Row(visible=editable),  # a source's sync and removal
    )
