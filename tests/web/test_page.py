"""The web chat in a real browser: answers with citations, sources one click away, follow-ups,
the library (upload, ask, delete), inert article markup, and a phone-sized screen."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HOSTILE = {
    "title": "<script>window.__ndPwned = 1</script> <b>Harbour</b> of Port Elvan reopens",
    "body": (
        "The harbour of Port Elvan reopened on Friday after a 14-day closure, the port authority said. "
        'Divers cleared <img src=x onerror="window.__ndPwned = 2"> two sunken barges from the channel. '
        "Fishing boats were the first to leave the harbour."
    ),
    "source": "Elvan <i>Gazette</i>",
    "published_at": "2024-05-03",
    "url": "https://example.org/elvan",
}
LIGHTHOUSE = """Volunteers repaint the Cape Morrow lighthouse
Published: June 2, 2024

Forty-two volunteers spent the weekend repainting the Cape Morrow lighthouse, the local heritage trust said.
The work used 380 litres of white paint and finished a day early.
"""


def test_the_syria_question_is_answered_with_a_citation_one_click_away(open_page):
    p = open_page()
    p.shot("01-empty")
    answer = p.ask("How many US troops are in Syria?")
    assert "900" in answer and "[1]" in answer
    source = p.page.locator("#nd-sources-panel .nd-source").first
    quote = source.locator(".nd-context mark").inner_text()
    assert "900 troops in Syria" in quote and quote.strip() in answer
    assert "Meridian Wire" in source.inner_text() and "2023-12-04" in source.inner_text()
    # The whole article is one click away, with the same quote marked where it stands.
    whole = source.locator("details.nd-full")
    assert not whole.locator(".nd-full-text").is_visible()
    whole.locator("summary").click()
    full_text = whole.locator(".nd-full-text").inner_text()
    assert whole.locator("mark").inner_text().strip() == quote.strip()
    assert len(full_text) > len(source.locator(".nd-context").inner_text())
    whole.locator("summary").click()
    p.shot("02-answer")
    p.page.locator("#nd-chat a.nd-cite").first.click()
    p.page.wait_for_selector("#nd-sources-panel .nd-source.nd-flash")
    assert source.is_visible() and source.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }"
    )
    p.page.get_by_text("Last answer as Markdown").click()
    markdown = p.page.locator("#nd-markdown textarea").input_value()
    assert "[^1]" in markdown and "900 troops" in markdown

    followup = p.ask("and in Iraq?")
    assert "2,500" in followup
    assert "Searched for: How many US troops are in Iraq?" in followup
    assert p.page.locator("#nd-sources-panel .nd-turn").count() == 2
    p.shot("03-follow-up")

    p.page.click("#nd-new")
    p.page.wait_for_function("() => !document.querySelector('#nd-chat .bot')")


def test_a_question_the_articles_do_not_answer_says_so_and_cites_nothing(open_page):
    p = open_page()
    answer = p.ask("Who won the chess championship in Oslo?")
    assert "don't say" in answer
    assert p.page.locator("#nd-sources-panel .nd-source").count() == 0
    assert "No sources" in p.page.locator("#nd-sources-panel").inner_text()


def test_filters_apply_to_the_next_question(open_page):
    p = open_page()
    p.page.get_by_text("Filters for the next questions").click()
    p.page.get_by_label("Published after").fill("2030-01-01")
    answer = p.ask("How many US troops are in Syria?")
    assert "don't say" in answer and "900" not in answer


def test_upload_ask_and_delete_an_article(open_page, tmp_path: Path, only_samples_after):
    good = tmp_path / "lighthouse.txt"
    good.write_text(LIGHTHOUSE)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    p = open_page()
    report = p.upload(good, empty)
    assert re.search(r"lighthouse\.txt: added 1 article", report)
    assert "empty.txt" in report and "nothing added" in report
    p.shot("04-library")

    p.open_in_library("Cape Morrow")
    assert "380 litres" in p.page.locator("#nd-article").inner_text()
    p.page.get_by_role("tab", name="Ask").click()
    answer = p.ask("How many volunteers repainted the Cape Morrow lighthouse?")
    assert "Forty-two" in answer

    p.page.get_by_role("tab", name="Library").click()
    p.page.click("#nd-delete")
    p.page.click("#nd-confirm-yes")
    p.page.wait_for_function(
        "() => document.querySelector('#nd-article').innerText.includes('Deleted article')"
    )
    p.page.get_by_role("tab", name="Ask").click()
    again = p.ask("How many volunteers repainted the Cape Morrow lighthouse?")
    assert "Forty-two" not in again and "Cape Morrow" not in p.page.locator(
        "#nd-sources-panel .nd-turn"
    ).last.inner_text().replace("Sources for", "")


def test_a_refused_upload_leaves_the_file_picker_usable(open_page):
    p = open_page()
    p.page.get_by_role("tab", name="Library").click()
    p.page.click("#nd-add")  # no files chosen yet
    assert "Choose one or more article files" in p.page.locator(".toast-body").inner_text()
    p.settled()
    with p.page.expect_file_chooser(timeout=5_000):
        p.page.get_by_text("Click to Upload").click(timeout=5_000)


def test_markup_in_an_article_is_shown_as_text_and_runs_nothing(
    open_page, tmp_path: Path, only_samples_after
):
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps([HOSTILE]))
    p = open_page()
    assert "added 1 article" in p.upload(hostile)
    p.open_in_library("Port Elvan")
    view = p.page.locator("#nd-article")
    assert "<script>window.__ndPwned = 1</script> <b>Harbour</b>" in view.inner_text()
    assert view.locator("script, b, img, i").count() == 0
    table = p.page.locator("#nd-articles").inner_text()
    assert "<b>Harbour</b>" in table

    p.page.get_by_role("tab", name="Ask").click()
    answer = p.ask("What did divers clear from the Port Elvan channel?")
    assert "barges" in answer and "<img" in answer
    panel = p.page.locator("#nd-sources-panel")
    assert "<b>Harbour</b>" in panel.inner_text() and "Elvan <i>Gazette</i>" in panel.inner_text()
    assert p.page.locator("#nd-chat img, #nd-sources-panel img, #nd-sources-panel b").count() == 0
    assert p.page.evaluate("() => window.__ndPwned === undefined")
    assert not p.dialogs
    p.shot("05-inert-markup")


def test_the_page_works_on_a_phone_screen(open_page):
    p = open_page(width=390, height=844)
    answer = p.ask("How many US troops are in Syria?")
    assert "900" in answer
    width = p.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways on a phone: {width}px"
    p.page.locator("#nd-chat a.nd-cite").first.click()
    p.page.wait_for_selector("#nd-sources-panel .nd-source.nd-flash")
    p.shot("06-phone")


def test_disagreeing_sources_are_both_shown_with_outlet_and_date(open_page):
    p = open_page()
    answer = p.ask("How many people were evacuated from Pine Hollow?")
    assert answer.startswith("The sources disagree.")
    assert "2,000" in answer and "1,200" in answer
    panel = p.page.locator("#nd-sources-panel .nd-turn").last
    sources = panel.locator(".nd-source")
    assert sources.count() == 2
    text = panel.inner_text()
    assert "The Harbor Ledger" in text and "Meridian Wire" in text and "2024-08-02" in text
    assert "disagree" in p.page.locator("#nd-chat").inner_text()
    p.shot("04-disagreement")
