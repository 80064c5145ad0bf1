"""A briefing handed over: Markdown, a self-contained HTML page and a Word document from the
one hand-over model, each opening in what reads it and carrying every quote, title, outlet,
date, URL and offsets, the events' days and outlets, and when the briefing was made."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from assistant.handover import FORMATS, briefing_document
from assistant.serving.answer_text import md_text
from tests.briefing.test_briefing import SINCE, TOPIC, UNTIL
from tests.handover.test_exports import particulars, read_docx, read_html

MADE = datetime(2023, 11, 10, 8, 15, 42, tzinfo=UTC)


@pytest.fixture(scope="module")
def document(story_app):
    briefing = story_app.brief(TOPIC, since=SINCE, until=UNTIL)
    assert len(briefing.events) == 2 and briefing.events[0].differences
    return briefing_document(briefing, MADE)


def _needed(doc) -> list[str]:
    headings = [t.question for t in doc.turns]
    return [*particulars(doc), *headings, doc.title, "2023-11-10 08:15:42 UTC", "Northern Wire"]


def test_a_briefing_as_a_word_document_holds_every_quote_and_url(document):
    text = read_docx(FORMATS["docx"].render(document))
    for needed in _needed(document):
        assert needed in text, needed
    assert "Asked " not in text  # a briefing's sections were not asked one by one


def test_a_briefing_as_a_web_page_holds_every_quote_and_links_every_url(document):
    page = read_html(FORMATS["html"].render(document))
    text = "".join(page.text)
    for needed in _needed(document):
        assert needed in text, needed
    assert {s.url for s in document.sources} <= set(page.links)
    assert "different figures" in text and "The figure changed" in text
    assert "script" not in page.tags


def test_a_briefing_in_markdown_footnotes_each_quote_once_by_its_number(document):
    markdown = FORMATS["md"].render(document).decode("utf-8")
    labels = [s.label for s in document.sources]
    assert labels == [str(n) for n in range(1, len(labels) + 1)]
    for s in document.sources:
        assert f"[^{s.label}]: “{md_text(s.quote)}”" in markdown
        assert f"<{s.url}>" in markdown
        assert markdown.count(f"[^{s.label}]") == 2
    assert markdown.startswith(f"# {md_text(document.title)}")


def test_an_empty_briefing_hands_over_the_sentence_that_says_so(story_app):
    empty = story_app.brief(TOPIC, since=date(2024, 1, 1), until=date(2024, 1, 2))
    doc = briefing_document(empty, MADE)
    text = read_docx(FORMATS["docx"].render(doc))
    assert empty.empty_text in text and not doc.sources
