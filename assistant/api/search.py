"""GET /v1/search: passages for a query, with their scores; no answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BeforeValidator

from assistant.api.deps import App, errors
from assistant.api.schemas import MAX_K, MAX_QUESTION_CHARS, Filters, SearchOut, not_blank

router = APIRouter(prefix="/v1", tags=["search"])


@router.get("/search", response_model=SearchOut, responses=errors(422))
def search(
    app: App,
    q: Annotated[
        str,
        Query(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=r"\S"),
        BeforeValidator(not_blank("search query")),
    ],
    outlet: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006 - FastAPI copies it
    published_after: date | None = None,
    published_before: date | None = None,
    k: Annotated[int, Query(ge=1, le=MAX_K)] = 10,
    include_samples: bool = False,
) -> SearchOut:
    """Dense and BM25 rankings fused by reciprocal rank, filtered by outlet and date; sample
    articles (`sample: true`) only in a store of samples or with `include_samples`."""
    filters = Filters(
        outlets=outlet, published_after=published_after, published_before=published_before
    )
    passages = app.retrieve(q, k=k, filters=filters.to_search(), include_samples=include_samples)
    return SearchOut(query=q, passages=passages)
