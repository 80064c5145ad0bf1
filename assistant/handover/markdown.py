"""A hand-over document as Markdown: the answer with footnote markers, every citation a
footnote holding its exact quote, title, outlet, date, URL and offsets.

Everything that came from an article or a user is escaped by the functions every Markdown
answer uses (assistant/serving/answer_text.py): it reads as text, never as markup.
"""

from __future__ import annotations

from assistant.handover.document import STALE, HandoverDocument, Source, Turn, stamp
from assistant.serving.answer_text import md_chunk, md_link, md_text, safe_url


def _footnote(s: Source) -> str:
    where = ", ".join(md_text(x) for x in (s.outlet, s.day) if x)
    url = safe_url(s.url)
    link = f" <{url}>" if url else (f" {md_text(s.url)}" if s.url else "")
    sample = " (a sample article, not real news)" if s.sample else ""
    return (
        f"[^{s.label}]: “{md_text(s.quote)}” {md_link(s.title, s.url)}"
        f"{f' ({where})' if where else ''}{sample}.{link} Characters {s.start}–{s.end} of "
        f"article {md_text(s.article_id)}.{f' _{STALE}_' if s.holds is False else ''}"
    )


def _turn(turn: Turn, heading: str) -> list[str]:
    lines = [f"{heading} {md_text(turn.question)}", ""]
    if not turn.section:
        lines += [f"_Asked {stamp(turn.asked_at)}_", ""]
    if turn.rewritten_question:
        lines += [f"_Searched for: {md_text(turn.rewritten_question)}_", ""]
    body = "".join(f"[^{p.source.label}]" if p.source else md_chunk(p.text) for p in turn.pieces)
    lines += [body, ""]
    if turn.support:
        lines += [f"_Support: {md_text(turn.support)}_", ""]
    lines += [f"> {md_text(note)}" for note in turn.notes]
    return [*lines, ""] if turn.notes else lines


def render_markdown(doc: HandoverDocument) -> str:
    """The document as Markdown (footnotes at the end, in the order cited)."""
    lines = [f"# {md_text(doc.title)}", ""]
    lines.append(f"_{md_text(doc.provenance)}._")
    if doc.permalink:
        lines[-1] += f" Permalink: <{safe_url(doc.permalink) or md_text(doc.permalink)}>"
    lines.append("")
    lines += [*(f"> {md_text(note)}" for note in doc.notes), *([""] if doc.notes else [])]
    for turn in doc.turns:
        lines += _turn(turn, "##" if len(doc.turns) > 1 or turn.section else "**Question:**")
    footnotes = [_footnote(s) for s in doc.sources]
    if footnotes:
        lines += ["---", "", *footnotes, ""]
    return "\n".join(lines).rstrip() + "\n"
