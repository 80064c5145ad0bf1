"""Browser fixtures: one web server on a free 127.0.0.1 port for the session (its own store
with the sample corpus), and Debian's Chromium driven by Playwright, never a downloaded one."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def serve_samples(data_dir: Path, embedder) -> Iterator[str]:  # noqa: ANN001 - an Embedder
    """The full app (API and page) on a new store with the sample corpus; yields its URL."""
    app = Newsdesk(load_settings(overrides={"data_dir": data_dir}, environ={}), embedder=embedder)
    app.ensure_sample_corpus()
    with LiveServer(create_app(app, warm_up=False)) as server:
        yield server.url


@pytest.fixture(scope="session")
def web_url(tmp_path_factory, embedder) -> Iterator[str]:
    """The full app on a store of its own: these tests add and delete."""
    with serve_samples(tmp_path_factory.mktemp("web"), embedder) as url:
        yield url


@pytest.fixture
def only_samples_after(web_url) -> Iterator[None]:
    """For a test that adds articles: afterwards the shared store holds the samples only
    again, so the sample questions of later tests are answered from the samples."""
    yield
    import httpx

    items = httpx.get(f"{web_url}/v1/articles", params={"limit": 500}).json()["items"]
    for item in items:
        if not item["sample"]:
            httpx.delete(f"{web_url}/v1/articles/{item['id']}").raise_for_status()


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


# Gradio puts a status tracker over every output of an event in flight. While the event waits
# in the queue or runs, the tracker is a box over the component that takes the clicks meant for
# what is under it, and on a loaded machine it can stay up for seconds after the first output
# of an upload or a question shows. One showing "Error" belongs to an event that failed and is
# over (it stays until that event runs again), so it does not count as busy. The steps of a
# .then() chain start one after another with a few milliseconds between them in which no
# tracker shows: the page has settled once none has shown for QUIET_MS.
BUSY = """() => [...document.querySelectorAll('[data-testid=status-tracker]')]
    .filter((e) => !e.classList.contains('hide') && !e.querySelector('.error'))
    .map((e) => (e.closest('[id]')?.id || '?') + ': ' + e.innerText.replace(/\\s+/g, ' '))"""
SETTLED = f"""(quiet) => {{
    const busy = ({BUSY})().length > 0;
    const now = performance.now();
    if (busy || window.__ndIdleSince == null) {{
        window.__ndIdleSince = busy ? null : now;
        return false;
    }}
    return now - window.__ndIdleSince >= quiet;
}}"""
QUIET_MS = 300
# How long one event, with its chained steps, may take on a loaded machine.
SLOW_MS = 60_000


class Page:
    """A fresh tab on the page, which records dialogs, any request off this machine, and
    anything the page's security policy blocked (closing fails if there was any). Its
    actions (opening, asking, uploading) return once the page has settled."""

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
        self.settled()  # the page's load chain fills the lists and shows the controls

    def settled(self) -> None:
        """Wait until no event of the page is in flight, chained steps included, so that
        nothing covers the element the next click is meant for. An event whose outputs are
        all on a tab not shown yet has no tracker in the page: call it after the tab is shown."""
        self.page.evaluate("window.__ndIdleSince = null")
        try:
            self.page.wait_for_function(SETTLED, arg=QUIET_MS, polling=50, timeout=SLOW_MS)
        except sync_api.TimeoutError:
            busy = self.page.evaluate(BUSY)
            raise AssertionError(f"still busy after {SLOW_MS} ms: {busy}") from None

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
        # The panel keeps a few answers only: wait for a new newest one, not for more of them.
        newest = "() => document.querySelector('#nd-sources-panel .nd-turn')?.dataset.turn ?? ''"
        before = self.page.evaluate(newest)
        self.page.fill("#nd-question textarea", question)
        self.page.click("#nd-ask")
        self.page.wait_for_function(
            """([before]) => {
                const bots = document.querySelectorAll('#nd-chat .bot');
                const turn = document.querySelector('#nd-sources-panel .nd-turn');
                return turn && turn.dataset.turn !== before && bots.length > 0
                    && !bots[bots.length - 1].innerText.includes('Searching');
            }""",
            arg=[before],
        )
        self.settled()
        return bots.last.inner_text()

    def upload(self, *paths: Path) -> str:
        """Add files in the Library tab; the upload report's text."""
        self.page.get_by_role("tab", name="Library").click()
        self.page.set_input_files("#nd-upload input[type=file]", [str(x) for x in paths])
        # The picker sends the files to the server first, and lists them once they are there.
        self.page.wait_for_function(
            """(count) => {
                const box = document.querySelector('#nd-upload');
                return !box.querySelector('.uploading')
                    && box.querySelectorAll('.file-preview .filename').length === count;
            }""",
            arg=len(paths),
        )
        self.page.click("#nd-add")
        self.page.wait_for_selector("#nd-upload-report li", timeout=SLOW_MS)
        report = self.page.locator("#nd-upload-report").inner_text()
        self.settled()  # the library list and the outlet filter are refreshed after the report
        return report

    def search_library(self, text: str, expect: str = "") -> str:
        """Type `text` into the Library's search box; the counts line once it speaks of this
        search (the list before it may hold the same titles) and holds `expect`, and the page
        has settled."""
        self.page.fill("#nd-search textarea", text)
        self.page.wait_for_function(
            """([needle, expect]) => {
                const counts = document.querySelector('#nd-library-counts').innerText;
                return counts.includes(expect) && (!needle || counts.includes(`“${needle}”`));
            }""",
            arg=[" ".join(text.split()), expect],
        )
        self.settled()
        return self.page.locator("#nd-library-counts").inner_text()

    def open_in_library(self, title_part: str) -> None:
        """Search the Library for `title_part` and open the first article it lists."""
        self.search_library(title_part)
        self.page.locator("#nd-articles [role=gridcell]", has_text=title_part).first.click()
        self.page.locator("#nd-article .nd-article", has_text=title_part).wait_for()

    def type_into(self, box: str, text: str) -> str:
        """Click into a text box and type, as a user does: the click fails if anything covers
        the box (nothing is forced). The box's text afterwards."""
        self.page.click(box, timeout=5_000)
        self.page.keyboard.type(text)
        return self.page.locator(box).input_value()

    def refuse_empty_then_type(self, button: str, message: str, box: str) -> str:
        """Submit `button` with its address box empty, expect `message` in the toast, then
        click into `box` and type as a user would (nothing may cover it): the box's text."""
        self.page.get_by_role("tab", name="Library").click()
        self.page.click(button)  # no address typed yet
        self.page.locator(".toast-body", has_text=message).wait_for(timeout=10_000)
        self.settled()
        return self.type_into(box, "example.org/news")

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
