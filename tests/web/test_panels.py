"""The chat's panels and the Library in a real browser, on a sample store of this module's
own: a bad filter leaves the conversation alone, the sources panel shows one card per article
and a few earlier answers under their questions, deleting asks first, the Library counts and
searches every field, and sample articles are marked, left out of real answers unless asked,
and removed in one action."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_samples import REAL_STORY, TROOPS
from tests.web.conftest import Page, serve_samples
from tests.web.test_page import LIGHTHOUSE

pytestmark = pytest.mark.slow

RATE = "What was the policy rate as of August 2023?"  # two quotes from one article
ERROR_BADGES = """() => Array.from(document.querySelectorAll('.error'))
    .filter(e => !e.closest('.toast-wrap, [class*=toast]') && e.innerText.trim() === 'Error')
    .length"""


@pytest.fixture(scope="module")
def own_url(tmp_path_factory, embedder) -> Iterator[str]:
    with serve_samples(tmp_path_factory.mktemp("web-panels"), embedder) as url:
        yield url


@pytest.fixture
def page(browser, own_url) -> Iterator[Page]:
    p = Page(browser, own_url)
    yield p
    assert not p.outside, f"the page reached outside this machine: {p.outside}"
    p.close()


def test_a_bad_filter_date_warns_once_and_keeps_the_conversation(page: Page):
    p = page
    first = p.ask(TROOPS)
    panel = p.page.locator("#nd-sources-panel").inner_text()
    p.page.get_by_text("Filters for the next questions").click()
    p.page.get_by_label("Published after").fill("last tuesday")
    p.page.fill("#nd-question textarea", "and in Iraq?")
    p.page.click("#nd-ask")
    toast = p.page.locator(".toast-body")
    toast.first.wait_for()
    p.page.wait_for_timeout(1500)
    assert toast.count() == 1
    message = toast.inner_text()
    assert "Published after" in message and "YYYY-MM-DD" in message and "last tuesday" in message
    assert p.page.evaluate(ERROR_BADGES) == 0
    bots = p.page.locator("#nd-chat .bot")
    assert bots.count() == 1 and bots.last.inner_text() == first
    assert p.page.locator("#nd-sources-panel").inner_text() == panel
    # The question waits in the box: fix the date and ask again.
    assert p.page.locator("#nd-question textarea").input_value() == "and in Iraq?"
    p.shot("08-bad-filter")


def test_the_sources_panel_has_one_card_per_article_and_few_earlier_answers(page: Page):
    p = page
    answer = p.ask(RATE)
    assert "[1]" in answer and "[2]" in answer
    turn = p.page.locator("#nd-sources-panel .nd-turn").first
    assert turn.locator(".nd-source").count() == 1
    card = turn.locator(".nd-source")
    assert card.locator(".nd-source-head .nd-num").all_inner_texts() == ["[1]", "[2]"]
    assert card.locator("blockquote.nd-context mark").count() == 2
    p.page.locator("#nd-chat a.nd-cite", has_text="[2]").last.click()
    p.page.wait_for_selector("#nd-sources-panel .nd-source.nd-flash")
    asked = [RATE]
    for question in (TROOPS, "Who was evacuated?", "How many times has the booster landed?"):
        p.ask(question)
        asked.append(question)
    p.ask("How effective was the VX-21 malaria vaccine?")
    earlier = p.page.locator("#nd-sources-panel details.nd-earlier > summary").all_inner_texts()
    assert earlier == [f"Earlier: “{q}”" for q in reversed(asked[1:])]
    assert "Earlier answer" not in p.page.locator("#nd-sources-panel").inner_text()
    p.shot("09-sources-panel")


def test_deleting_an_article_asks_first_and_cancel_keeps_it(page: Page, tmp_path: Path):
    p = page
    lighthouse = tmp_path / "lighthouse.txt"
    lighthouse.write_text(LIGHTHOUSE)
    assert "added 1 article" in p.upload(lighthouse)
    p.open_in_library("Cape Morrow")
    p.page.click("#nd-delete")
    confirm = p.page.locator("#nd-confirm")
    confirm.wait_for()
    assert "Delete “Volunteers repaint the Cape Morrow lighthouse” and its 1 chunk" in (
        confirm.inner_text()
    )
    p.page.click("#nd-confirm-no")
    confirm.wait_for(state="hidden")
    assert "380 litres" in p.page.locator("#nd-article").inner_text()
    assert "1 of 10 articles match" in p.search_library("Cape Morrow", "1 of 10")
    p.page.click("#nd-delete")
    p.page.click("#nd-confirm-yes")
    p.page.wait_for_function(
        "() => document.querySelector('#nd-article').innerText.includes('Deleted article')"
    )
    assert "No articles match “Cape Morrow”" in p.search_library("Cape Morrow ", "No articles")


def test_the_library_counts_articles_and_chunks_and_searches_every_field(page: Page):
    p = page
    p.page.get_by_role("tab", name="Library").click()
    counts = p.search_library("", "in the library")
    listed = p.context.request.get(p.page.url.rstrip("/") + "/v1/articles?limit=500").json()
    chunks = sum(i["chunk_count"] for i in listed["items"])
    assert f"{listed['total']} articles, {chunks} chunks in the library" in counts
    assert "9 of them [sample]" in counts
    assert "3 of 9 articles match" in p.search_library("harbor ledger", "3 of 9")  # the outlet
    assert "“meridianwire.example”" in p.search_library("meridianwire.example", "1 of 9")  # the URL
    assert "“Corvus”" in p.search_library("Corvus", "1 of 9")  # only in the text
    cell = p.page.locator("#nd-articles [role=gridcell]", has_text="Skyreach").first
    assert cell.inner_text().startswith("[sample] ")
    missing = p.search_library("no such words anywhere", "No articles")
    assert "No articles match “no such words anywhere”" in missing
    p.shot("10-library-search")


def test_samples_stay_out_of_real_answers_unless_asked_and_go_in_one_action(
    page: Page, tmp_path: Path
):
    p = page
    story = tmp_path / "militias.txt"
    story.write_text(REAL_STORY)
    assert "added 1 article" in p.upload(story)
    p.page.get_by_role("tab", name="Ask").click()
    assert "900" in p.ask(TROOPS)
    last = p.page.locator("#nd-sources-panel .nd-turn").first
    assert "sample article" not in last.inner_text()
    p.page.get_by_text("Filters for the next questions").click()
    p.page.locator("#nd-include-samples input").check()
    p.ask("How many people were evacuated from Pine Hollow?")
    last = p.page.locator("#nd-sources-panel .nd-turn").first
    assert last.locator(".nd-sample").count() == last.locator(".nd-source").count() > 0
    assert "sample article, not real news" in last.inner_text()

    p.page.get_by_role("tab", name="Library").click()
    p.page.click("#nd-remove-samples")
    confirm = p.page.locator("#nd-confirm")
    confirm.wait_for()
    assert "Remove the 9 sample articles" in confirm.inner_text()
    p.page.click("#nd-confirm-yes")
    p.page.wait_for_function(
        "() => document.querySelector('#nd-library-counts').innerText.startsWith('1 article,')"
    )
    assert "[sample]" not in p.page.locator("#nd-articles").inner_text()
    p.shot("11-samples-removed")
