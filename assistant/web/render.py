"""Answers, sources and articles as HTML. Every string that comes from an article (or from a
user) goes through `esc`: markup in a title or body is shown as text, never interpreted."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from assistant.serving.answer_text import footnoted
from assistant.types import ABSTAIN_LEAD, Answer, Citation
from ingest.types import Article
from vectorstore.types import StoredArticle

CONTEXT_CHARS = 280
MARKER = re.compile(r"\[(\d+)\]")
# The sources panel keeps this many earlier answers' sources, each under its question.
EARLIER_KEPT = 3
SAMPLE_BADGE = '<span class="nd-sample">sample article, not real news</span>'


def esc(value: object) -> str:
    # One line per message: a blank line would end Gradio's HTML block and start Markdown.
    text = str(value or "").replace("\r", " ").replace("\n", " ")
    return html.escape(text, quote=True)


def day(published_at: str | None) -> str:
    return (published_at or "")[:10] or "undated"


def byline(source: str | None, published_at: str | None) -> str:
    """ "Outlet · date", without a dangling separator for an article with no outlet."""
    return " · ".join(esc(part) for part in (source, day(published_at)) if part)


def anchor(turn: int, n: int) -> str:
    return f"nd-src-{turn}-{n}"


def answer_html(answer: Answer, turn: int, upto: int | None = None) -> str:
    """The chat bubble: escaped answer text with numbered markers that jump to the sources.
    `upto` shows only the first characters (streaming)."""
    text = answer.text if upto is None else answer.text[:upto]
    numbers = {c.n for c in answer.citations}
    span = _span_in_text(answer)
    parts, last = [], 0
    for m in MARKER.finditer(text):
        if int(m[1]) in numbers:
            parts.append(_esc_marking(text, last, m.start(), span))
            href = anchor(turn, int(m[1]))
            parts.append(
                f'<a class="nd-cite" href="#{href}" title="show source {m[1]}">[{m[1]}]</a>'
            )
            last = m.end()
    parts.append(_esc_marking(text, last, len(text), span))
    body = "".join(parts)
    head = ""
    if answer.rewritten_question:
        head = f'<div class="nd-rewritten">Searched for: {esc(answer.rewritten_question)}</div>'
    if answer.abstained:
        # The refusal says it itself: its own lead is set in bold, not repeated in front of
        # it, from the first characters shown while it is revealed (`upto`).
        lead = esc(ABSTAIN_LEAD)
        if body.startswith(lead) or lead.startswith(body):
            n = min(len(lead), len(body))
            return f'{head}<div class="nd-abstain"><strong>{body[:n]}</strong>{body[n:]}</div>'
        return (
            f'{head}<div class="nd-abstain"><strong>The articles don&#x27;t say.</strong> '
            f"{body}</div>"
        )
    notes = "".join(f'<div class="nd-note">{esc(n)}</div>' for n in answer.notes)
    return f'{head}<div class="nd-answer">{body}</div>{_support(answer)}{notes}'


def _support(answer: Answer) -> str:
    """The learned reader's confidence, in words with the number beside them."""
    if not answer.support or answer.confidence is None:
        return ""
    kind = "strong" if answer.support == "well supported" else "weak"
    return (
        f'<div class="nd-support nd-support-{kind}" title="the reader\'s probability that the'
        f' quoted sentence answers the question">{esc(answer.support.capitalize())}'
        f" ({answer.confidence:.2f})</div>"
    )


def _span_in_text(answer: Answer) -> tuple[int, int] | None:
    """Where the answer span stands in the answer's text (its quote appears there)."""
    s = answer.answer_span
    quote = next((c.quote for c in answer.citations if s and c.n == s.n), None)
    at = answer.text.find(quote) if quote else -1
    return (at + s.start, at + s.end) if s and at >= 0 else None


def _esc_marking(text: str, start: int, end: int, span: tuple[int, int] | None) -> str:
    """text[start:end], escaped, with the answer span (where it falls inside) emphasised."""
    if span is None or span[1] <= start or span[0] >= end:
        return esc(text[start:end])
    a, b = max(start, span[0]), min(end, span[1])
    return f'{esc(text[start:a])}<mark class="nd-span">{esc(text[a:b])}</mark>{esc(text[b:end])}'


def draft_html(draft: str) -> str:
    """A language model's answer while it is written: plain text, not yet checked."""
    return (
        f'<div class="nd-answer nd-draft">{esc(draft)}</div>'
        '<div class="nd-note">writing… each sentence is checked against the articles '
        "when the answer is complete</div>"
    )


def _context(article: Article | None, c: Citation) -> str:
    """The quote highlighted inside the stored article text around it."""
    if article is None or article.text[c.start : c.end] != c.quote:
        return f"<mark>{esc(c.quote)}</mark>"
    text = article.text
    lo, hi = max(0, c.start - CONTEXT_CHARS), min(len(text), c.end + CONTEXT_CHARS)
    before, after = text[lo : c.start], text[c.end : hi]
    if lo > 0:
        before = "…" + before.split(" ", 1)[-1]
    if hi < len(text):
        after = after.rsplit(" ", 1)[0] + "…"
    return f"{esc(before)} <mark>{esc(c.quote)}</mark> {esc(after)}"


def _lines(text: str) -> str:
    return "<br>".join(html.escape(line, quote=True) for line in text.split("\n"))


def _whole_article(article: Article | None, cites: list[Citation]) -> str:
    """The stored article in full, folded, with each quote marked where it stands: the check
    an analyst makes before trusting a citation is one click away."""
    if article is None:
        return ""
    text, parts, last = article.text, [], 0
    for c in sorted(cites, key=lambda c: c.start):
        if c.start < last or text[c.start : c.end] != c.quote:
            continue  # overlapping or unverifiable: its own context block still shows it
        parts.append(f"{_lines(text[last : c.start])}<mark>{_lines(c.quote)}</mark>")
        last = c.end
    if not parts:
        return ""
    body = "".join(parts) + _lines(text[last:])
    return (
        '<details class="nd-full"><summary>Read the whole article</summary>'
        f'<div class="nd-full-text">{body}</div></details>'
    )


def _quote_number(c: Citation, quotes: int) -> str:
    # The card's head lists the numbers; with several quotes each says which one it is.
    return f'<span class="nd-num">[{c.n}]</span> ' if quotes > 1 else ""


def source_html(cites: list[Citation], article: Article | None, turn: int) -> str:
    """One card for one article, however many of the answer's citations quote it: each
    quote in its context, under its own number (the marker's jump target)."""
    c = cites[0]
    title = esc(c.title)
    if c.url and c.url.startswith(("http://", "https://")):
        title = f'<a href="{esc(c.url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    numbers = " ".join(f'<span class="nd-num">[{x.n}]</span>' for x in cites)
    badge = f" · {SAMPLE_BADGE}" if c.sample else ""
    quotes = "".join(
        f'<blockquote class="nd-context" id="{anchor(turn, x.n)}">'
        f"{_quote_number(x, len(cites))}{_context(article, x)}</blockquote>"
        for x in cites
    )
    return (
        f'<div class="nd-source"><div class="nd-source-head">{numbers} {title}</div>'
        f'<div class="nd-meta">{byline(c.source, c.published_at)}{badge}</div>'
        f"{quotes}{_whole_article(article, cites)}</div>"
    )


def sources_section(answer: Answer, articles: Mapping[str, Article], turn: int) -> str:
    """One answer's sources: one card per article it cites, or why there are none."""
    asked = esc(answer.rewritten_question or answer.question)
    if answer.abstained or not answer.citations:
        body = (
            '<p class="nd-empty">No sources: nothing in the articles answers this. Try other '
            "words, widen the filters, or add articles in the Library tab.</p>"
        )
    else:
        by_article: dict[str, list[Citation]] = {}
        for c in answer.citations:
            by_article.setdefault(c.article_id, []).append(c)
        body = "".join(
            source_html(cites, articles.get(aid), turn) for aid, cites in by_article.items()
        )
    return (
        f'<section class="nd-turn" data-turn="{turn}"><h4>Sources for “{asked}”</h4>'
        f"{body}</section>"
    )


def keep_sections(sections: list[dict]) -> list[dict]:
    """The newest answer's sources and the few answers before it; older ones are dropped."""
    return sections[-(EARLIER_KEPT + 1) :]


def sources_panel(sections: list[dict]) -> str:
    """Newest answer's sources open; a few earlier ones folded under their own question
    (their markers still open them)."""
    if not sections:
        return (
            '<p class="nd-empty">Sources appear here: every cited article with its quoted '
            "passage highlighted. Click a number like [1] in an answer to jump to it.</p>"
        )
    newest, older = sections[-1], keep_sections(sections)[-2::-1]
    folded = "".join(
        f'<details class="nd-earlier"><summary>Earlier: “{esc(s["asked"])}”</summary>'
        f"{s['html']}</details>"
        for s in older
    )
    return f'<div class="nd-sources">{newest["html"]}{folded}</div>'


def answer_markdown(answer: Answer) -> str:
    """The answer with its sources as Markdown footnotes (the OpenAI route's format)."""
    return footnoted(answer.text, answer.citations, answer.notes)


def article_html(shown: StoredArticle) -> str:
    info = shown.info
    link = ""
    if info.url and info.url.startswith(("http://", "https://")):
        link = f' · <a href="{esc(info.url)}" target="_blank" rel="noopener noreferrer">link</a>'
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in shown.text.split("\n") if p.strip())
    return (
        f'<article class="nd-article"><h3>{esc(info.title)}</h3>'
        f'<div class="nd-meta">{byline(info.source, info.published_at)} · '
        f"{info.chunk_count} chunks · id {esc(info.id)}{link}</div>{paragraphs}</article>"
    )
