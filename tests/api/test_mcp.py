"""The MCP tools through the `mcp` client library: streamable HTTP on the API server, and
stdio from `newsdesk serve --mcp-stdio` in its own process."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from assistant.api.schemas import MAX_QUESTION_CHARS
from assistant.app import Newsdesk

QUESTION = "How many US troops are in Syria?"


async def _session(server: Any, calls: list[tuple[str, dict[str, Any]]]) -> tuple[set[str], list]:
    async with Client(server, read_timeout_seconds=60) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        return tools, [await client.call_tool(name, args) for name, args in calls]


def run_session(server: Any, *calls: tuple[str, dict[str, Any]]) -> tuple[set[str], list]:
    return anyio.run(_session, server, list(calls))


def test_over_http_the_tools_search_answer_with_citations_and_fetch_articles(
    live_url: str, sample_app: Newsdesk
):
    tools, (found, answered, missing) = run_session(
        f"{live_url}/mcp",
        ("search_articles", {"query": "troops in Syria", "k": 2}),
        ("ask", {"question": QUESTION}),
        ("get_article", {"article_id": "a-missing-id"}),
    )
    assert tools == {"search_articles", "ask", "brief", "stories", "get_article"}
    passages = found.structured_content["passages"]
    assert len(passages) == 2 and passages[0]["source"] == "Meridian Wire"
    answer = answered.structured_content
    assert "900 troops" in answer["answer"] and not answered.is_error
    citation = answer["citations"][0]
    text = sample_app.store.get_article(citation["article_id"]).text
    assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert missing.is_error and "no article" in missing.content[0].text


def test_over_http_the_stories_tool_gives_stories_with_exact_quotes(
    live_url: str, sample_app: Newsdesk
):
    _, (listed, refused) = run_session(
        f"{live_url}/mcp",
        ("stories", {"limit": 3}),
        ("stories", {"since": "last week"}),
    )
    body = listed.structured_content
    assert not listed.is_error and 1 <= len(body["stories"]) <= 3
    cites = [f["citation"] for s in body["stories"] for f in s["shared"]]
    cites += [c for s in body["stories"] for d in s["differing"] for c in d["sides"]]
    for c in cites:
        text = sample_app.store.get_article(c["article_id"]).text
        assert text[c["start"] : c["end"]] == c["quote"]
    assert refused.is_error and "YYYY-MM-DD" in refused.content[0].text


def test_over_stdio_a_fresh_server_answers_from_its_sample_articles(tmp_path: Path):
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_SAMPLE_CORPUS": "true"}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "assistant.cli", "serve", "--mcp-stdio"], env=env
    )
    _, (answered,) = run_session(params, ("ask", {"question": QUESTION}))
    answer = answered.structured_content
    assert "900 troops" in answer["answer"]
    (_, (article,)) = run_session(
        params, ("get_article", {"article_id": answer["citations"][0]["article_id"]})
    )
    assert article.structured_content["source"] == "Meridian Wire"


def test_over_http_a_search_query_longer_than_the_rest_limit_is_refused(live_url: str):
    # REST caps a query at MAX_QUESTION_CHARS; an 11 MB query once took 11 s of CPU over MCP.
    _, (too_long, longest) = run_session(
        f"{live_url}/mcp",
        ("search_articles", {"query": "troops " * 300, "k": 1}),
        ("search_articles", {"query": ("troops " * 300)[:MAX_QUESTION_CHARS], "k": 1}),
    )
    assert too_long.is_error
    assert f"longer than {MAX_QUESTION_CHARS} characters" in too_long.content[0].text
    assert not longest.is_error and longest.structured_content["passages"]


def test_over_http_a_get_for_an_event_stream_is_refused_at_once_not_held_open(live_url: str):
    # Stateless, the SDK opened an event stream on GET that never sent or ended: each such
    # request held a connection and a task (and hung the every-route check).
    headers = {"Accept": "text/event-stream"}
    with httpx.Client(timeout=10) as http:
        response = http.get(f"{live_url}/mcp", headers=headers)
        foreign = http.get(f"{live_url}/mcp", headers={**headers, "Origin": "https://evil.example"})
    assert response.status_code == 405 and "POST" in response.headers["allow"]
    assert foreign.status_code == 403


async def _poll_search(server: Any, query: str, wanted: str, seconds: float) -> list[str]:
    """Search over one session until a passage's title holds `wanted`; the titles seen."""
    async with Client(server, read_timeout_seconds=60) as client:
        deadline = anyio.current_time() + seconds
        while True:
            found = await client.call_tool("search_articles", {"query": query, "k": 3})
            titles = [p["title"] for p in found.structured_content["passages"]]
            if any(wanted in t for t in titles) or anyio.current_time() > deadline:
                return titles
            await anyio.sleep(0.5)


def test_over_stdio_the_server_runs_the_due_syncs_of_sources(tmp_path: Path, news_site):
    from assistant.settings import load_settings
    from tests.test_sync import stories

    (story,) = stories(f"/m{os.getpid()}", 1)
    feed = news_site.feed(f"/m{os.getpid()}/feed.xml", "rss", [story])
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_SAMPLE_CORPUS": "false",
           "NEWSDESK_FETCH_ALLOW_HOSTS": "127.0.0.1", "NEWSDESK_FETCH_HOST_INTERVAL": "0"}  # fmt: skip
    app = Newsdesk(load_settings(environ=env))
    app.add_source(feed)  # due at once: never synced
    app.close()
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "assistant.cli", "serve", "--mcp-stdio"], env=env
    )
    titles = anyio.run(_poll_search, params, "council ferry fares plan", story.title, 90)
    assert story.title in titles
