"""Browser fixtures: one web server on a free 127.0.0.1 port for the session (its own store
with the sample corpus), and Debian's Chromium driven by Playwright, never a downloaded one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import load_settings
from tests.api.conftest import LiveServer

CHROMIUM = Path(os.environ.get("NEWSDESK_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "web"

os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")


@pytest.fixture(scope="session")
def web_url(tmp_path_factory, embedder) -> Iterator[str]:
    """The full app (API and page) on a store of its own: these tests add and delete."""
    data_dir = tmp_path_factory.mktemp("web")
    app = Newsdesk(load_settings(overrides={"data_dir": data_dir}, environ={}), embedder=embedder)
    app.ensure_sample_corpus()
    with LiveServer(create_app(app, warm_up=False)) as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Runs before the page's own scripts in every document: what the server's
# Content-Security-Policy blocked (an inline script, a style, a worker ...) is recorded.
WATCH_POLICY = """
window.__ndRefused = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__ndRefused.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


class Page:
    """A fresh tab on the page, which records dialogs, any request off this machine, and
    anything the page's security policy blocked (closing fails if there was any)."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.add_init_script(WATCH_POLICY)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.set_default_timeout(30_000)
        self.page.goto(url)
        self.page.wait_for_selector("#nd-question textarea")

    def _dialog(self, dialog) -> None:  # noqa: ANN001 - playwright Dialog
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:  # noqa: ANN001 - playwright Route
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def ask(self, question: str) -> str:
        """Ask and wait for the answer to finish streaming; the last answer's text."""
        bots = self.page.locator("#nd-chat .bot")
        before = self.page.locator("#nd-sources-panel .nd-turn").count()
        self.page.fill("#nd-question textarea", question)
        self.page.click("#nd-ask")
        self.page.wait_for_function(
            """([n]) => {
                const bots = document.querySelectorAll('#nd-chat .bot');
                const turns = document.querySelectorAll('#nd-sources-panel .nd-turn');
                return turns.length > n && bots.length > 0
                    && !bots[bots.length - 1].innerText.includes('Searching');
            }""",
            arg=[before],
        )
        self.page.wait_for_timeout(300)
        return bots.last.inner_text()

    def upload(self, *paths: Path) -> str:
        """Add files in the Library tab; the upload report's text."""
        self.page.get_by_role("tab", name="Library").click()
        self.page.set_input_files("#nd-upload input[type=file]", [str(x) for x in paths])
        self.page.wait_for_timeout(500)
        self.page.click("#nd-add")
        self.page.wait_for_selector("#nd-upload-report li", timeout=60_000)
        return self.page.locator("#nd-upload-report").inner_text()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(OUTPUT / f"{name}.png"))

    def refused(self) -> list[str]:
        return self.page.evaluate("window.__ndRefused || []")

    def close(self) -> None:
        refused = self.refused()
        self.context.close()
        assert not refused, f"the Content-Security-Policy blocked part of the page: {refused}"


@pytest.fixture
def open_page(browser, web_url):
    pages: list[Page] = []

    def factory(**size: int) -> Page:
        pages.append(Page(browser, web_url, **size))
        return pages[-1]

    yield factory
    for page in pages:
        assert not page.outside, f"the page reached outside this machine: {page.outside}"
        page.close()
