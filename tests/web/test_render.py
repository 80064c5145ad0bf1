"""The HTML of one source and of a refusal, without a browser: outlet and date line, escaping."""

from __future__ import annotations

from assistant.types import Answer, Citation
from assistant.web.render import (
    EARLIER_KEPT,
    answer_html,
    source_html,
    sources_panel,
    sources_section,
)
from ingest.types import Article


def _source(outlet: str) -> str:
    article = Article(
        title="Quay <b>reopens</b>", text="The quay reopened on Monday.", source=outlet
    )
    quote = "The quay reopened on Monday."
    citation = Citation(1, article.id, article.title, outlet, "2024-05-03", None, quote, 0, 28)
    return source_html([citation], article, turn=0)


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


def _cites(*spans: tuple[int, int], sample: bool = False) -> tuple[list[Citation], Article]:
    text = "The quay reopened on Monday. Boats left at dawn. Fish prices fell."
    article = Article(title="Quay reopens", text=text, source="Elvan Gazette", sample=sample)
    cites = [
        Citation(n, article.id, article.title, "Elvan Gazette", None, None, text[a:b], a, b, sample)
        for n, (a, b) in enumerate(spans, start=1)
    ]
    return cites, article


def test_two_quotes_from_one_article_make_one_card_with_both_numbers_to_jump_to():
    cites, article = _cites((0, 28), (29, 48))
    answer = Answer("q", "Reopened [1]. Boats left [2].", citations=cites)
    html = sources_section(answer, {article.id: article}, turn=4)
    assert html.count('class="nd-source"') == 1
    assert 'id="nd-src-4-1"' in html and 'id="nd-src-4-2"' in html
    assert html.count("<mark>") == 4  # each quote in its context and in the whole article


def test_a_sample_source_says_it_is_not_real_news():
    cites, article = _cites((0, 28), sample=True)
    assert "sample article, not real news" in source_html(cites, article, turn=0)
    cites, article = _cites((0, 28))
    assert "sample article" not in source_html(cites, article, turn=0)


def test_the_panel_keeps_a_few_earlier_answers_each_labelled_by_its_question():
    sections = [{"asked": f"question {i}?", "html": f"<p>sources {i}</p>"} for i in range(10)]
    panel = sources_panel(sections)
    assert panel.startswith('<div class="nd-sources"><p>sources 9</p>')
    assert panel.count("<details") == EARLIER_KEPT
    assert "Earlier: “question 8?”" in panel and "question 5?" not in panel
    assert "Earlier answer" not in panel
