"""The MCP server: tools to search articles, ask a question, brief on a topic's period, list
the stories of a period and fetch an article.

Served over stdio (`newsdesk serve --mcp-stdio`) and over streamable HTTP at /mcp on the API
server, where the API keys guard it like any other path.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from assistant.api.articles import find_article
from assistant.api.ask import answer_question
from assistant.api.brief import BriefRequest, make_briefing
from assistant.api.schemas import MAX_K, MAX_QUESTION_CHARS, AnswerOut, AskRequest, Filters
from assistant.api.stories import make_stories
from assistant.serving.errors import ApiError
from assistant.serving.runtime import Runtime
from assistant.stories.listing import MAX_LIMIT

MAX_OUTLET_CHARS = 200

INSTRUCTIONS = (
    "Newsdesk answers questions from a collection of news articles. Use `ask` for an answer "
    "whose every claim cites an exact quote (article id, title, outlet, date, offsets), "
    "`search_articles` for the passages themselves, `brief` for what happened with a topic "
    "over a period (a dated, cited timeline), `stories` for the articles grouped by event "
    "across outlets (what they share, where they differ, cited), and `get_article` for a "
    "full text."
)


def _filters(
    outlets: list[str] | None, after: str | None, before: str | None, include_samples: bool
) -> Filters:
    try:
        dates = [date.fromisoformat(d) if d else None for d in (after, before)]
    except ValueError as exc:
        raise ToolError(f"dates must be YYYY-MM-DD: {exc}") from exc
    try:
        return Filters(
            outlets=outlets or [],
            published_after=dates[0],
            published_before=dates[1],
            include_samples=include_samples,
        )
    except ValidationError as exc:
        raise ToolError(f"outlets: {exc.errors()[0]['msg']}") from exc


def build_mcp(runtime: Runtime) -> MCPServer:
    # The SDK configures root logging at this level when nothing else has: keep it quiet.
    server = MCPServer("newsdesk", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool()
    def search_articles(
        query: str,
        k: int = 8,
        outlets: list[str] | None = None,
        published_after: str | None = None,
        published_before: str | None = None,
        include_samples: bool = False,
    ) -> dict[str, Any]:
        """Passages from the stored news articles that match a query, best first (dense and
        keyword rankings fused). Dates are YYYY-MM-DD, inclusive. Sample articles (invented
        demo news, `sample: true`) take part only with include_samples or in a store of
        samples only."""
        if len(query) > MAX_QUESTION_CHARS:
            # The REST route's limit: embedding and BM25 cost grow with the query's length.
            raise ToolError(f"query is longer than {MAX_QUESTION_CHARS} characters")
        filters = _filters(outlets, published_after, published_before, include_samples)
        passages = runtime.prepare().retrieve(
            query,
            k=max(1, min(k, MAX_K)),
            filters=filters.to_search(),
            include_samples=include_samples,
        )
        return {"passages": [asdict(p) for p in passages]}

    @server.tool()
    def ask(
        question: str,
        outlets: list[str] | None = None,
        published_after: str | None = None,
        published_before: str | None = None,
        as_of: str | None = None,
        include_samples: bool = False,
    ) -> dict[str, Any]:
        """Answer a question from the news articles. The answer marks claims [n]; each
        citation gives the article, its outlet and date, and the exact quote with offsets.
        `abstained` is true when the articles do not answer it. `as_of` (YYYY-MM-DD) is the
        day "last week" and "now" count from (default: today, or the newest article's date)."""
        filters = _filters(outlets, published_after, published_before, include_samples)
        try:
            body = AskRequest(question=question, filters=filters, as_of=as_of)
            return AnswerOut.of(answer_question(runtime.prepare(), body)).model_dump()
        except (ApiError, ValueError) as exc:
            raise ToolError(str(getattr(exc, "detail", exc))) from exc

    @server.tool()
    def brief(
        topic: str,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
    ) -> dict[str, Any]:
        """What happened with a topic over a period (dates YYYY-MM-DD, inclusive; neither:
        the week up to the newest article), optionally from one outlet: its events in date
        order, each with its date, one or two sentences citing exact quotes [n], the outlets
        that reported it, and figures they gave differently (a disagreement on one day, or
        a change over days). `notes` say when there were no articles or a limit was hit."""
        try:
            body = BriefRequest(topic=topic, since=since, until=until, source=source)
            return make_briefing(runtime.prepare(), body).model_dump()
        except (ApiError, ValueError) as exc:
            raise ToolError(str(getattr(exc, "detail", exc))) from exc

    @server.tool()
    def stories(
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
        limit: int = 10,
    ) -> dict[str, Any]:
        """The stored articles grouped into stories (one event across outlets and days),
        largest first: per story its outlets, first and last report, facts two or more
        outlets share and figures or dates they give differently, each an exact quote
        with offsets. Dates YYYY-MM-DD, inclusive; `source`: the stories that outlet
        reported; `limit` 1 to 100."""
        try:
            days = [date.fromisoformat(d) if d else None for d in (since, until)]
        except ValueError as exc:
            raise ToolError(f"dates must be YYYY-MM-DD: {exc}") from exc
        if source is not None and not 1 <= len(source.strip()) <= MAX_OUTLET_CHARS:
            raise ToolError(f"source: an outlet name of 1 to {MAX_OUTLET_CHARS} characters")
        if not 1 <= limit <= MAX_LIMIT:
            raise ToolError(f"limit: from 1 to {MAX_LIMIT}")
        try:
            return make_stories(runtime.prepare(), *days, source, limit).model_dump()
        except (ApiError, ValueError) as exc:
            raise ToolError(str(getattr(exc, "detail", exc))) from exc

    @server.tool()
    def get_article(article_id: str) -> dict[str, Any]:
        """One stored article by id (as cited by `ask` or `search_articles`): metadata and
        the full text that citation offsets index."""
        found = find_article(runtime.prepare(), article_id)
        if found is None:
            raise ToolError(f"no article with id {article_id!r}")
        return asdict(found)

    return server
