""" "Add a web page" in the Library tab: the server fetches the address under its fetch
settings (here allowed to reach the local news site), the page joins the library, and a
refused address says why; only editors may add."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.serving.login import READER
from assistant.serving.runtime import Runtime
from assistant.settings import load_settings
from assistant.web import library
from tests.api.conftest import LiveServer
from tests.web.conftest import Page

ALLOW_LOCAL = {"ingest.fetch.allow_hosts": "127.0.0.1", "sample_corpus": False}


@pytest.fixture(scope="module")
def fetching_url(tmp_path_factory, embedder) -> Iterator[str]:
    """The full app on an empty store of its own, allowed to fetch from 127.0.0.1."""
    settings = load_settings(
        overrides={"data_dir": tmp_path_factory.mktemp("web-pages"), **ALLOW_LOCAL}, environ={}
    )
    with LiveServer(create_app(Newsdesk(settings, embedder=embedder), warm_up=False)) as server:
        yield server.url


def test_a_read_only_session_cannot_add_a_web_page_and_nothing_is_fetched(sample_app, news_site):
    before = len(news_site.requests)
    with pytest.raises(gr.Error, match="read-only"):
        library.add_page(
            Runtime(sample_app), news_site.url("/article"), gr.Request(username=READER)
        )
    with pytest.raises(gr.Error, match="Paste the address"):
        library.add_page(Runtime(sample_app), "  ", gr.Request())
    assert len(news_site.requests) == before


@pytest.mark.slow
def test_a_web_page_is_added_from_its_address_and_a_refused_one_says_why(
    browser, fetching_url, news_site
):
    p = Page(browser, fetching_url)
    p.page.get_by_role("tab", name="Library").click()
    p.page.fill("#nd-url textarea", news_site.url("/article"))
    p.page.click("#nd-add-url")
    p.page.wait_for_selector("#nd-upload-report li", timeout=60_000)
    report = p.page.locator("#nd-upload-report").inner_text()
    assert f"{news_site.url('/article')}: added 1 article(s)" in report
    assert p.page.locator("#nd-url textarea").input_value() == ""
    p.page.wait_for_function(
        "() => document.querySelector('#nd-articles').innerText.includes('Harbour bridge')"
    )
    assert "Alder Gazette" in p.page.locator("#nd-articles").inner_text()
    p.shot("library-add-web-page")

    p.page.fill("#nd-url textarea", "http://10.20.30.40/news")
    p.page.press("#nd-url textarea", "Enter")
    p.page.wait_for_function(
        "() => document.querySelector('#nd-upload-report').innerText.includes('10.20.30.40')"
    )
    refused = p.page.locator("#nd-upload-report").inner_text()
    assert "10.20.30.40 is a private address: refused" in refused
    assert not p.outside, p.outside
    p.close()


@pytest.mark.slow
def test_a_refused_empty_address_leaves_its_address_box_usable(browser, fetching_url):
    """ "Add web page" and "Add source" alike: the refusal shows on the section's report, not
    as an error box over the address box that takes the clicks meant for typing."""
    p = Page(browser, fetching_url)
    page = p.refuse_empty_then_type("#nd-add-url", "address of a web page", "#nd-url textarea")
    feed = p.refuse_empty_then_type("#nd-add-feed", "address of a feed", "#nd-feed-url textarea")
    assert page == feed == "example.org/news"
    p.close()
