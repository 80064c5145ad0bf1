"""The chat's hand-over controls: save and share the last answer or the whole conversation
under a permalink (read-write keys), and export it as Markdown, an HTML page or a Word
document (any signed-in key). Only `Newsdesk.save_answers` and assistant/handover are used.

The conversation's answers are kept in the page's state as their JSON (`answer_data`), with
the time each was asked, so an export or a save shows what the user saw.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant.handover import FORMATS, handover_document
from assistant.handover.saved import answer_data, answer_of
from assistant.serving.runtime import Runtime
from assistant.types import Answer
from assistant.web import render
from assistant.web.files import UPLOAD_MAX_AGE_S
from assistant.web.library import can_edit

LAST, WHOLE = "Last answer", "Whole conversation"
FORMAT_CHOICES = {"Word (.docx)": "docx", "Web page (.html)": "html", "Markdown (.md)": "md"}
NOTHING_YET = "Ask a question first: there is no answer to hand over yet."
SAVE_NEEDS_WRITE = "Saving a shareable link needs a read-write key; Export works with any key."


def turn_record(answer: Answer, asked_at: datetime) -> dict:
    """One answer as the page's state keeps it."""
    return {"asked_at": asked_at.isoformat(), "answer": answer_data(answer)}


def _chosen(turns: list[dict] | None, scope: str | None) -> list[tuple[Answer, datetime]]:
    if not turns:
        raise gr.Error(NOTHING_YET)
    picked = turns if scope == WHOLE else turns[-1:]
    return [(answer_of(t["answer"]), datetime.fromisoformat(t["asked_at"])) for t in picked]


@functools.cache
def _process_folder() -> Path:
    # Made private to this process (mkdtemp: mode 0700, a fresh name): a fixed name in the
    # shared temporary folder could be taken, or linked elsewhere, by another user first.
    folder = Path(tempfile.mkdtemp(prefix="newsdesk-exports-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def exports_folder() -> Path:
    """A new folder for one export, in this process's folder of exports (Gradio serves a
    copy from its cache); exports older than the cache's own limit are removed first."""
    folder = _process_folder()
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - UPLOAD_MAX_AGE_S:
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix="export-", dir=folder))


def export(turns: list[dict] | None, scope: str | None, choice: str | None) -> dict:
    """The chosen answers as a file for the browser to download."""
    chosen = FORMATS[FORMAT_CHOICES.get(choice or "", "docx")]
    doc = handover_document(_chosen(turns, scope))
    folder = exports_folder()
    kind = "conversation" if len(doc.turns) > 1 else "answer"
    path = folder / f"newsdesk-{kind}-{doc.exported_at:%Y%m%d-%H%M%S}{chosen.suffix}"
    path.write_bytes(chosen.render(doc))
    return gr.update(value=str(path), visible=True)


def controls(request: gr.Request) -> dict:
    """The "Save / share" button, shown to those who may save (read-write keys, open server)."""
    return gr.update(visible=can_edit(request))


def save(runtime: Runtime, turns: list[dict] | None, scope: str | None, request: gr.Request) -> str:
    """Save the chosen answers; a link to their read-only page."""
    if not can_edit(request):
        raise gr.Error(SAVE_NEEDS_WRITE)
    saved = runtime.prepare().save_answers(_chosen(turns, scope))
    path = f"/a/{saved.id}"
    base = str(request.request.base_url).rstrip("/") if request and request.request else ""
    what = "conversation" if saved.kind == "conversation" else "answer"
    return (
        f'<div class="nd-permalink">Saved. Anyone with a key to this Newsdesk can read this '
        f'{what} at <a href="{render.esc(path)}" target="_blank" rel="noopener">'
        f"{render.esc(base + path)}</a></div>"
    )
