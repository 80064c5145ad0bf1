"""The API page /docs renders in a real browser that may not leave this machine."""

from __future__ import annotations

from urllib.parse import urlparse


def test_the_api_docs_render_with_no_network(browser, web_url: str):
    context = browser.new_context()
    outside: list[str] = []

    def local_only(route) -> None:  # noqa: ANN001 - playwright Route
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page = context.new_page()
    page.route("**/*", local_only)
    try:
        page.goto(f"{web_url}/docs")
        # The page was built from /openapi.json: the API's title and its operations show.
        page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "Newsdesk API" in page.inner_text(".swagger-ui .info .title")
        assert page.locator(".opblock-summary-path", has_text="/v1/ask").count() >= 1
    finally:
        context.close()
    assert outside == [], f"/docs reached outside this machine: {outside}"
