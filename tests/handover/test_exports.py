"""Exports open in what reads them (python-docx, html.parser, the Markdown a chat client
renders) and carry every quote, title, outlet, date, URL, offsets and the time asked; hostile
titles come out as text."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from html.parser import HTMLParser

import docx
import pytest
from markdown_it import MarkdownIt

from assistant.handover import FORMATS, format_named, format_of_file, handover_document
from assistant.handover.document import HandoverDocument
from assistant.serving.answer_text import md_text
from assistant.types import Answer, Citation
from tests.handover.conftest import ASKED_AT, HOSTILE_TITLE


class Page(HTMLParser):
    """The text, links, element names and attributes of an HTML page, as a browser reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self.links += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_html(data: bytes) -> Page:
    page = Page()
    page.feed(data.decode("utf-8"))
    page.close()
    return page


def read_docx(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


def conversation(answers: list[Answer]) -> HandoverDocument:
    return handover_document([(a, ASKED_AT) for a in answers], permalink="http://127.0.0.1/a/x")


def particulars(doc: HandoverDocument) -> list[str]:
    """What every format must carry for each source."""
    found = []
    for s in doc.sources:
        found += [s.quote, s.title, s.outlet, s.day, s.url, f"{s.start}–{s.end}", s.article_id]
    return found


def test_the_html_page_holds_every_quote_title_url_and_offsets_as_text(answers):
    doc = conversation(answers)
    page = read_html(FORMATS["html"].render(doc))
    text = "".join(page.text)
    for needed in [*particulars(doc), "2024-02-10 09:30:15 UTC", *(a.question for a in answers)]:
        assert needed in text, needed
    assert {s.url for s in doc.sources} <= set(page.links)
    # The hostile title is text on the page, never an element or an event handler.
    assert HOSTILE_TITLE in text
    assert "script" not in page.tags and "img" not in page.tags
    assert not [a for a in page.attributes if a.startswith("on")]
    # Self-contained: inline CSS, no script, nothing loaded from elsewhere.
    assert "style" in page.tags and "link" not in page.tags


def test_the_word_document_opens_and_holds_every_quote_title_url_and_offsets(answers):
    doc = conversation(answers)
    text = read_docx(FORMATS["docx"].render(doc))
    for needed in [*particulars(doc), "2024-02-10 09:30:15 UTC", *(a.question for a in answers)]:
        assert needed in text, needed
    assert HOSTILE_TITLE in text  # as the words it is: Word has no markup to run


def test_markdown_cites_each_claim_as_a_footnote_that_renders_as_text(answers):
    doc = conversation(answers)
    markdown = FORMATS["md"].render(doc).decode("utf-8")
    for s in doc.sources:
        assert f"[^{s.label}]: “{md_text(s.quote)}”" in markdown
        assert f"<{s.url}>" in markdown and f"{s.start}–{s.end}" in markdown
        assert markdown.count(f"[^{s.label}]") == 2  # the marker and its footnote
    assert "2024-02-10 09:30:15 UTC" in markdown
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;" in rendered


def test_a_conversation_keeps_each_footnote_label_unique(answers):
    doc = conversation(answers)
    labels = [s.label for s in doc.sources]
    assert len(labels) == len(set(labels))
    assert labels[0] == "1.1" and any(label.startswith("2.") for label in labels)
    single = handover_document([(answers[0], ASKED_AT)])
    assert [s.label for s in single.sources] == [str(c.n) for c in answers[0].citations]


def hostile_answer(url: str | None, title: str) -> Answer:
    cite = Citation(1, "a1", title, "Outlet\x00", "2024-01-01", url, "a quote\x07 here", 0, 13)
    return Answer(question="What?", text="It says so [1].", citations=[cite])


def test_only_http_addresses_become_links():
    doc = handover_document([(hostile_answer("javascript:alert(1)", "t"), ASKED_AT)])
    page = read_html(FORMATS["html"].render(doc))
    assert not [link for link in page.links if "javascript" in link]
    assert "javascript:alert(1)" in "".join(page.text)  # still shown, as text
    markdown = FORMATS["md"].render(doc).decode("utf-8")
    assert "](javascript" not in markdown and "<javascript" not in markdown


def test_control_characters_from_an_article_do_not_break_the_word_document():
    title = "Vertical\x0btab and\x1b escape"
    doc = handover_document([(hostile_answer("https://x.example/a", title), ASKED_AT)])
    text = read_docx(FORMATS["docx"].render(doc))
    assert "Verticaltab and escape" in text and "a quote here" in text and "Outlet" in text


def test_an_abstention_is_handed_over_as_such():
    refused = Answer.abstain("Who won?", [])
    exported_at = datetime(2024, 3, 1, tzinfo=UTC)
    doc = handover_document([(refused, ASKED_AT)], exported_at=exported_at)
    text = read_docx(FORMATS["docx"].render(doc))
    assert refused.text in text and "2024-03-01 00:00:00 UTC" in text
    assert '<div class="answer abstain">' in FORMATS["html"].render(doc).decode("utf-8")
    assert not doc.sources and "[^" not in FORMATS["md"].render(doc).decode("utf-8")


def test_formats_are_named_by_word_or_file_suffix_and_others_are_refused():
    assert format_named("DOCX").suffix == ".docx"
    assert format_of_file("brief.Markdown").name == "md"
    with pytest.raises(ValueError, match="use one of md, html, docx"):
        format_named("pdf")
    with pytest.raises(ValueError, match=r"notes\.txt: .*\.md, \.html or \.docx"):
        format_of_file("notes.txt")
