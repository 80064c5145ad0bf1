"""With API keys the web page asks for a key once, keeps a signed session cookie, and gives a
read-only key no way to add or delete articles; the REST API still wants the bearer key."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import gradio as gr
import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.serving.login import COOKIE, EDITOR, READER, SessionSigner
from assistant.serving.runtime import Runtime
from assistant.settings import ApiSettings, Names, load_settings
from assistant.web import library
from tests.api.conftest import LiveServer, with_api
from tests.web.conftest import WATCH_POLICY, Page

pytestmark = pytest.mark.slow
WRITE, READ = "editor-key-for-web-tests", "reader-key-for-web-tests"


def _keys() -> ApiSettings:
    return ApiSettings(keys=Names((WRITE,)), read_keys=Names((READ,)))


@pytest.fixture(scope="module")
def keyed_url(tmp_path_factory, embedder) -> Iterator[str]:
    settings = load_settings(
        overrides={"data_dir": tmp_path_factory.mktemp("keyed-web")}, environ={}
    )
    app = Newsdesk(settings, embedder=embedder)
    app.ensure_sample_corpus()
    keyed = with_api(app, keys=Names((WRITE,)), read_keys=Names((READ,)))
    with LiveServer(create_app(keyed, warm_up=False)) as server:
        yield server.url


def _sign_in(browser, url: str, key: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_POLICY)
    page = context.new_page()
    page.goto(url)
    page.wait_for_url("**/login")
    page.fill("#key", key)
    page.click("button[type=submit]")
    page.wait_for_selector("#nd-question textarea", timeout=30_000)
    page.wait_for_function(
        "() => (document.querySelector('#nd-session') || {}).innerText?.includes('Signed in')"
    )
    wrapped = Page.__new__(Page)
    wrapped.context, wrapped.page, wrapped.dialogs, wrapped.outside = context, page, [], []
    return wrapped


def test_a_browser_without_a_session_is_sent_to_sign_in_and_a_wrong_key_is_refused(
    browser, keyed_url
):
    context = browser.new_context()
    page = context.new_page()
    page.goto(keyed_url)
    assert page.url.endswith("/login")
    page.fill("#key", "not-a-key")
    page.click("button[type=submit]")
    assert "not valid" in page.locator("[role=alert]").inner_text()
    assert COOKIE not in {c["name"] for c in context.cookies()}
    # A forged session cookie is no better than none.
    context.add_cookies([{"name": COOKIE, "value": "editor.9999999999.forged", "url": keyed_url}])
    page.goto(keyed_url)
    assert page.url.endswith("/login")
    context.close()


def test_a_read_only_key_can_ask_but_sees_no_add_or_delete(browser, keyed_url):
    p = _sign_in(browser, keyed_url, READ)
    assert "read-only key" in p.page.locator("#nd-session").inner_text()
    answer = p.ask("How many US troops are in Syria?")
    assert "900" in answer
    p.page.get_by_role("tab", name="Library").click()
    p.page.wait_for_selector("#nd-articles")
    assert not p.page.locator("#nd-upload").is_visible()
    assert not p.page.locator("#nd-add").is_visible()
    assert not p.page.locator("#nd-delete").is_visible()
    assert not p.page.locator("#nd-remove-samples").is_visible()
    # The sources' status shows; adding one and "sync now" do not.
    assert p.page.locator("#nd-feeds").is_visible()
    assert not p.page.locator("#nd-add-feed").is_visible()
    assert not p.page.locator("#nd-sync-now").is_visible()
    # The session cookie opens the page only: the REST API still wants the bearer key.
    response = p.context.request.get(keyed_url + "/v1/articles")
    assert response.status == 401
    p.shot("07-signed-in-read-only")
    p.close()


def test_a_read_write_key_can_add_articles_and_sign_out(browser, keyed_url, tmp_path):
    p = _sign_in(browser, keyed_url, WRITE)
    assert "read-write key" in p.page.locator("#nd-session").inner_text()
    article = tmp_path / "quay.txt"
    article.write_text("Quay reopens\n\nThe north quay reopened on Friday after repairs.\n")
    # The session cookie carries the upload through the upload guard (editors only).
    assert "quay.txt: added 1 article" in p.upload(article)
    p.page.get_by_role("tab", name="Ask").click()
    p.page.click("#nd-session a")
    p.page.wait_for_url("**/login")
    p.page.goto(keyed_url)
    assert p.page.url.endswith("/login")
    p.close()


def test_the_server_refuses_a_read_only_session_that_tries_to_add_or_delete(sample_app):
    reader = gr.Request(username=READER)
    runtime = Runtime(sample_app)
    with pytest.raises(gr.Error, match="read-only"):
        library.upload(runtime, ["/nonexistent.txt"], reader)
    for attempt in (
        lambda: library.ask_delete(runtime, "any-id", reader),
        lambda: library.ask_remove_samples(runtime, reader),
        lambda: library.confirm(runtime, library.SAMPLES, reader),
    ):
        with pytest.raises(gr.Error, match="read-only"):
            attempt()
    assert sample_app.store.sample_ids()
    assert library.can_edit(gr.Request(username=EDITOR)) and library.can_edit(gr.Request())


def test_session_cookies_expire_and_die_with_a_change_of_keys_or_secret():
    secret = secrets.token_bytes(32)
    signer = SessionSigner(_keys(), secret)
    cookie = signer.issue(READER, now=1_000)
    assert signer.role_of(cookie, now=1_001) == READER
    assert signer.role_of(cookie, now=1_000 + 13 * 3600) is None
    assert signer.role_of(cookie.replace(READER, EDITOR, 1), now=1_001) is None
    new_keys = ApiSettings(keys=Names(("new-key-for-web-tests",)), read_keys=Names((READ,)))
    assert SessionSigner(new_keys, secret).role_of(cookie, now=1_001) is None
    assert SessionSigner(_keys(), secrets.token_bytes(32)).role_of(cookie, now=1_001) is None
