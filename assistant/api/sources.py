"""Sources: feeds and sitemaps kept in sync (assistant/sync.py). List, add, show, remove,
and sync now, with the last run and the errors per item of each source."""

from __future__ import annotations

from fastapi import APIRouter, Response

from assistant.api.deps import App, errors
from assistant.api.schemas import SourceIn, SourceList, SourceOut, SyncOut
from assistant.serving.errors import ApiError
from assistant.sync import SourceError, SyncOutcome

router = APIRouter(prefix="/v1/sources", tags=["sources"])
_QUEUED = {202: {"model": SyncOut, "description": "left to the process running the syncs"}}


def _out(outcome: SyncOutcome, response: Response) -> SyncOut:
    if outcome.queued and not outcome.runs:
        response.status_code = 202  # left to the process that runs this store's syncs
    return SyncOut(runs=outcome.runs, queued=outcome.queued, holder=outcome.holder)


@router.get("", response_model=SourceList)
def list_sources(app: App) -> SourceList:
    """Every source: status, last success, next run, last run with its errors per item."""
    return SourceList(items=[SourceOut(**view.as_dict()) for view in app.sources()])


@router.post("", status_code=201, response_model=SourceOut, responses=errors(403, 422))
def add_source(app: App, body: SourceIn) -> SourceOut:
    """Add a feed or sitemap (or change the interval and outlet of one already there). A
    URL that is not http(s), or whose host resolves to a private, loopback, link-local or
    metadata address (unless NEWSDESK_FETCH_ALLOW_HOSTS allows it), is refused with 422
    and the reason. It syncs at the next scheduler tick, or now with POST .../sync."""
    try:
        view = app.add_source(body.url, every=body.every, outlet=body.outlet)
    except SourceError as exc:
        raise ApiError(422, str(exc)) from exc
    return SourceOut(**view.as_dict())


@router.post("/sync", response_model=SyncOut, responses={**errors(403), **_QUEUED})
def sync_all(app: App, response: Response) -> SyncOut:
    """Sync every source now and return the runs (202 with `queued` when another process
    runs this store's syncs: it is asked to, and does it within seconds)."""
    return _out(app.sync(), response)


@router.get("/{source_id}", response_model=SourceOut, responses=errors(404))
def get_source(app: App, source_id: str) -> SourceOut:
    """One source (by id), with its last run and the items failing now."""
    view = app.source(source_id)
    if view is None:
        raise ApiError(404, f"no source {source_id!r}")
    return SourceOut(**view.as_dict())


@router.delete("/{source_id}", status_code=204, responses=errors(403, 404))
def remove_source(app: App, source_id: str) -> Response:
    """Forget a source and its sync state; the articles it brought stay in the library."""
    if not app.remove_source(source_id):
        raise ApiError(404, f"no source {source_id!r}")
    return Response(status_code=204)


@router.post("/{source_id}/sync", response_model=SyncOut, responses={**errors(403, 404), **_QUEUED})
def sync_source(app: App, source_id: str, response: Response) -> SyncOut:
    """Sync one source now: its run, with the errors per item (202 with `queued` when
    another process runs this store's syncs)."""
    if app.source(source_id) is None:
        raise ApiError(404, f"no source {source_id!r}")
    return _out(app.sync([source_id]), response)
