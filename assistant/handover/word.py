"""A hand-over document as a Word document (python-docx): the answer with superscript
markers, then its sources, each with its exact quote, title, outlet, date, URL and offsets.

Word has no room for markup to sneak into: every string is set as a run's text. What it
cannot hold is control characters, which `document.plain` has already removed.
"""

from __future__ import annotations

import io

from assistant.handover.document import STALE, HandoverDocument, Source, Turn, stamp


def _source(doc, s: Source) -> None:  # noqa: ANN001 - a python-docx Document
    p = doc.add_paragraph()
    p.add_run(f"[{s.label}] ").bold = True
    p.add_run(s.title).bold = True
    where = ", ".join(x for x in (s.outlet, s.day) if x)
    if where:
        p.add_run(f" ({where})")
    if s.sample:
        p.add_run(" (a sample article, not real news)").italic = True
    doc.add_paragraph(f"“{s.quote}”", style="Quote")
    details = doc.add_paragraph()
    if s.url:
        details.add_run(f"{s.url}\n")
    details.add_run(f"Characters {s.start}–{s.end} of article {s.article_id}").italic = True
    if s.holds is False:
        details.add_run(f"\n{STALE}").bold = True


def _turn(doc, turn: Turn, numbered: bool) -> None:  # noqa: ANN001
    if numbered or turn.section:
        doc.add_heading(turn.question, level=2)
    else:
        p = doc.add_paragraph()
        p.add_run("Question: ").bold = True
        p.add_run(turn.question)
    if not turn.section:
        doc.add_paragraph(f"Asked {stamp(turn.asked_at)}").runs[0].italic = True
    if turn.rewritten_question:
        doc.add_paragraph(f"Searched for: {turn.rewritten_question}").runs[0].italic = True
    answer = doc.add_paragraph()
    for piece in turn.pieces:
        run = answer.add_run(f"[{piece.source.label}]" if piece.source else piece.text)
        run.font.superscript = piece.source is not None
    for line in ([f"Support: {turn.support}"] if turn.support else []) + list(turn.notes):
        doc.add_paragraph(line).runs[0].italic = True
    if turn.sources:
        doc.add_heading("Sources", level=3)
        for s in turn.sources:
            _source(doc, s)


def render_docx(doc: HandoverDocument) -> bytes:
    """The document as the bytes of a .docx file."""
    # python-docx (and lxml below it) load only when a Word document is asked for.
    import docx

    out = docx.Document()
    out.core_properties.title = doc.title[:255]
    out.core_properties.author = "Newsdesk"
    out.core_properties.created = doc.exported_at
    out.add_heading(doc.title, level=1)
    meta = doc.provenance
    if doc.permalink:
        meta += f". Permalink: {doc.permalink}"
    out.add_paragraph(meta + ". Every quote is the article's text at the characters given.")
    for note in doc.notes:
        out.add_paragraph(note).runs[0].italic = True
    for turn in doc.turns:
        _turn(out, turn, len(doc.turns) > 1)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
