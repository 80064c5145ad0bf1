"""The HTML of one source, without a browser: outlet and date line, escaping."""

from __future__ import annotations

from assistant.types import Citation
from assistant.web.render import source_html
from ingest.types import Article


def _source(outlet: str) -> str:
    article = Article(
        title="Quay <b>reopens</b>", text="The quay reopened on Monday.", source=outlet
    )
    quote = "The quay reopened on Monday."
    citation = Citation(1, article.id, article.title, outlet, "2024-05-03", None, quote, 0, 28)
    return source_html(citation, article, turn=0)


def test_a_source_shows_outlet_and_date_and_no_dangling_separator_without_an_outlet():
    assert '<div class="nd-meta">Elvan Gazette · 2024-05-03</div>' in _source("Elvan Gazette")
    assert '<div class="nd-meta">2024-05-03</div>' in _source("")
    assert "<b>" not in _source("") and "&lt;b&gt;" in _source("")
