"""Hand-over: answers and conversations exported as Markdown, a self-contained HTML page or a
Word document, each with every quote, title, outlet, date, URL and offsets and the time it
was asked; and answers saved under a permalink (`saved`).

`document` is the one model; one renderer per format walks it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.handover.document import HandoverDocument, briefing_document, handover_document


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    media_type: str
    render: Callable[[HandoverDocument], bytes]


def _markdown(doc: HandoverDocument) -> bytes:
    from assistant.handover.markdown import render_markdown

    return render_markdown(doc).encode("utf-8")


def _html(doc: HandoverDocument) -> bytes:
    from assistant.handover.html_page import render_html

    return render_html(doc).encode("utf-8")


def _docx(doc: HandoverDocument) -> bytes:
    from assistant.handover.word import render_docx

    return render_docx(doc)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("md", ".md", "text/markdown; charset=utf-8", _markdown),
        Format("html", ".html", "text/html; charset=utf-8", _html),
        Format(
            "docx",
            ".docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _docx,
        ),
    )
}
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".docx": "docx"}


def format_named(name: str) -> Format:
    """The format called `name` ("md", "html", "docx"); ValueError naming the choices."""
    found = FORMATS.get((name or "").strip().lower().lstrip("."))
    if found is None:
        raise ValueError(f"unknown export format {name!r}: use one of {', '.join(FORMATS)}")
    return found


def format_of_file(path: str) -> Format:
    """The format a file name asks for by its suffix; ValueError naming the file."""
    from pathlib import Path

    name = SUFFIXES.get(Path(path).suffix.lower())
    if name is None:
        raise ValueError(
            f"{path}: cannot tell the export format from the file name: end it in "
            ".md, .html or .docx"
        )
    return FORMATS[name]


__all__ = ["FORMATS", "Format", "HandoverDocument", "briefing_document", "format_named",
           "format_of_file", "handover_document"]  # fmt: skip
