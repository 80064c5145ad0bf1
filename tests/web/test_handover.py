"""The chat's hand-over controls in a real browser: "Save / share" gives a permalink that
opens the answer read-only, "Export" a Word file holding every quote; with keys, the
permalink sends a browser without a session to sign in and then back to the answer."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import docx
import gradio as gr
import httpx
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.serving.runtime import Runtime
from assistant.settings import Names, load_settings
from assistant.web import handover
from assistant.web.files import UPLOAD_MAX_AGE_S
from tests.api.conftest import READ_KEY, WRITE_KEY, LiveServer, with_api
from tests.web.conftest import WATCH_POLICY
from tests.web.test_sign_in import _sign_in

pytestmark = pytest.mark.slow
TROOPS = "How many US troops are in Syria?"


def _open_export(page) -> None:  # noqa: ANN001 - a playwright Page
    page.click("#nd-handover button, #nd-handover .label-wrap")
    page.wait_for_selector("#nd-export", state="visible")


def test_save_share_gives_a_permalink_that_opens_the_answer_read_only(open_page):
    p = open_page()
    assert "900" in p.ask(TROOPS)
    _open_export(p.page)
    p.page.click("#nd-save")
    link = p.page.wait_for_selector("#nd-permalink a")
    href = link.get_attribute("href")
    assert href.startswith("/a/") and len(href) == 3 + 24
    assert link.inner_text().endswith(href)  # the whole address, to copy and send
    p.shot("handover-01-saved")
    p.page.goto(link.inner_text())
    body = p.page.locator("body").inner_text()
    assert TROOPS in body and "900" in body and "characters" in body
    assert p.page.locator("script").count() == 0
    assert p.page.locator("blockquote").count() >= 1
    p.shot("handover-02-permalink")


def test_export_downloads_a_word_document_with_every_quote_of_the_conversation(open_page):
    p = open_page()
    p.ask(TROOPS)
    p.ask("Who was evacuated?")
    _open_export(p.page)
    p.page.get_by_label(handover.WHOLE).check()
    p.page.click("#nd-export")
    link = p.page.wait_for_selector("#nd-export-file a[href]")
    response = p.context.request.get(link.get_attribute("href"))
    assert response.ok
    text = "\n".join(para.text for para in docx.Document(io.BytesIO(response.body())).paragraphs)
    assert TROOPS in text and "Who was evacuated?" in text and "[2.1]" in text
    assert "900" in text and "UTC" in text


@pytest.fixture(scope="module")
def keyed_url(tmp_path_factory, embedder) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("keyed-handover")
    app = Newsdesk(load_settings(overrides={"data_dir": data_dir}, environ={}), embedder=embedder)
    app.ensure_sample_corpus()
    keyed = with_api(app, keys=Names((WRITE_KEY,)), read_keys=Names((READ_KEY,)))
    with LiveServer(create_app(keyed, warm_up=False)) as server:
        yield server.url


def test_a_permalink_is_refused_without_a_key_and_opens_after_signing_in(browser, keyed_url):
    saved = httpx.post(
        f"{keyed_url}/v1/answers",
        json={"question": TROOPS},
        headers={"Authorization": f"Bearer {WRITE_KEY}"},
        timeout=120,
    ).json()
    assert httpx.get(saved["permalink"], follow_redirects=False).status_code == 303
    context = browser.new_context()
    context.add_init_script(WATCH_POLICY)
    page = context.new_page()
    page.goto(saved["permalink"])
    assert "/login?next=/a/" in page.url and TROOPS not in page.content()
    page.fill("#key", READ_KEY)  # a read-only key may read
    page.click("button[type=submit]")
    page.wait_for_url(saved["permalink"])
    assert TROOPS in page.locator("body").inner_text()
    assert page.evaluate("window.__ndRefused") == []  # the page's policy blocked nothing
    context.close()


def test_a_read_only_session_may_export_but_not_save(sample_app: Newsdesk):
    runtime = Runtime(sample_app)
    reader = gr.Request(username="reader")
    answer = sample_app.ask(TROOPS)
    turns = [handover.turn_record(answer, datetime.now(UTC))]
    with pytest.raises(gr.Error, match="read-write key"):
        handover.save(runtime, turns, handover.LAST, reader)
    exported = handover.export(turns, handover.LAST, "Markdown (.md)")
    assert exported["value"].endswith(".md")
    # An export older than Gradio's cache keeps it is removed when the next one is made.
    folder = Path(exported["value"]).parent
    long_ago = time.time() - UPLOAD_MAX_AGE_S - 60
    os.utime(folder, (long_ago, long_ago))
    handover.export(turns, handover.LAST, "Word (.docx)")
    assert not folder.exists()
    with pytest.raises(gr.Error, match="Ask a question first"):
        handover.export([], handover.LAST, "Markdown (.md)")


def test_a_read_only_session_sees_export_but_no_save(browser, keyed_url):
    p = _sign_in(browser, keyed_url, READ_KEY)
    p.ask(TROOPS)
    _open_export(p.page)
    assert not p.page.locator("#nd-save").is_visible()
    p.page.click("#nd-export")
    assert p.page.wait_for_selector("#nd-export-file a[href]").get_attribute("href")
    p.close()
