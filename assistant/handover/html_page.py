"""A hand-over document as one self-contained HTML page: inline CSS, no scripts, nothing
loaded from elsewhere, so it can be mailed, archived or opened offline. The permalink
(`GET /a/{id}`) serves the same page.

Titles, quotes, outlets and URLs are hostile text (whoever wrote the article files chose
them): every one is escaped, and only http(s) URLs become links.
"""

from __future__ import annotations

import html

from assistant.handover.document import STALE, HandoverDocument, Source, Turn, stamp
from assistant.serving.answer_text import safe_url

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:820px;margin:2em auto;
padding:0 1em;color:#1f2937;line-height:1.5}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em}
.meta,.asked{color:#6b7280;font-size:.9em}
.answer{margin:.6em 0}.abstain{border-left:3px solid #d97706;padding-left:.8em}
.note{color:#4b5563;font-size:.9em;font-style:italic}
sup a{text-decoration:none;font-weight:600}
ul.sources{list-style:none;padding-left:0}ul.sources li{margin:.8em 0}
blockquote{margin:.3em 0;padding:.2em .8em;border-left:3px solid #6366f1;background:#f5f5ff}
.url{word-break:break-all;font-size:.9em}.offsets{color:#6b7280;font-size:.85em}
.sample{color:#b45309;font-size:.85em}.stale{color:#b91c1c;font-weight:600}
@media print{a{color:inherit}}
"""


def esc(value: object) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _anchor(s: Source) -> str:
    return f"src-{esc(s.label)}"


def _link(text: str, url: str | None) -> str:
    target = safe_url(url)
    if not target:
        return esc(text)
    return f'<a href="{esc(target)}" rel="noopener noreferrer">{esc(text)}</a>'


def _source(s: Source) -> str:
    where = " · ".join(esc(x) for x in (s.outlet, s.day) if x)
    sample = ' <span class="sample">sample article, not real news</span>' if s.sample else ""
    url = f'<div class="url">{_link(s.url, s.url)}</div>' if s.url else ""
    stale = f'<div class="stale">{esc(STALE)}</div>' if s.holds is False else ""
    return (
        f'<li id="{_anchor(s)}"><strong>[{esc(s.label)}]</strong> '
        f'{_link(s.title, s.url)}{sample}<div class="meta">{where}</div>'
        f"<blockquote>{esc(s.quote)}</blockquote>{url}{stale}"
        f'<div class="offsets">characters {s.start}–{s.end} of article '
        f"{esc(s.article_id)}</div></li>"
    )


def _turn(turn: Turn, numbered: bool) -> str:
    body = "".join(
        f'<sup><a href="#{_anchor(p.source)}">[{esc(p.source.label)}]</a></sup>'
        if p.source
        else esc(p.text)
        for p in turn.pieces
    )
    asked = f"<strong>Question:</strong> {esc(turn.question)}"
    numbered = numbered or turn.section
    parts = [f"<h2>{esc(turn.question)}</h2>" if numbered else f'<p class="question">{asked}</p>']
    if not turn.section:
        parts.append(f'<div class="asked">Asked {esc(stamp(turn.asked_at))}</div>')
    if turn.rewritten_question:
        parts.append(f'<div class="asked">Searched for: {esc(turn.rewritten_question)}</div>')
    kind = "answer abstain" if turn.abstained else "answer"
    parts.append(f'<div class="{kind}">{body}</div>')
    if turn.support:
        parts.append(f'<div class="note">Support: {esc(turn.support)}</div>')
    parts += [f'<div class="note">{esc(note)}</div>' for note in turn.notes]
    if turn.sources:
        items = "".join(_source(s) for s in turn.sources)
        parts.append(f'<h3>Sources</h3><ul class="sources">{items}</ul>')
    return f'<section class="turn">{"".join(parts)}</section>'


def render_html(doc: HandoverDocument) -> str:
    """The document as a complete HTML page."""
    permalink = ""
    if doc.permalink:
        permalink = f" · Permalink: {_link(doc.permalink, doc.permalink)}"
    turns = "".join(_turn(t, len(doc.turns) > 1) for t in doc.turns)
    notes = "".join(f'<div class="note">{esc(note)}</div>' for note in doc.notes)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(doc.title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{esc(doc.title)}</h1><div class="meta">'
        f"{esc(doc.provenance)}{permalink}. Every quote is the article's text at the "
        f"characters given.</div>{notes}</header>"
        f"<main>{turns}</main></body></html>\n"
    )
