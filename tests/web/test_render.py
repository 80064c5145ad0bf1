"""The HTML of one source and of a refusal, without a browser: outlet and date line, escaping."""

from __future__ import annotations

from assistant.types import Answer, Citation
from assistant.web.render import answer_html, source_html
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


def test_a_refusal_says_once_that_the_articles_do_not_say():
    refusal = Answer.abstain("Who won the mayoral election?", [])
    html = answer_html(refusal, turn=0)
    assert html.count("don&#x27;t say") == 1
    assert "<strong>The articles I have don&#x27;t say:</strong> nothing in them" in html
    # Revealed in steps, it is the same bold lead from its first characters on.
    assert "<strong>The articles I h</strong></div>" in answer_html(refusal, turn=0, upto=16)
