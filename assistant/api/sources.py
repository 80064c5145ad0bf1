"""Sources: feeds and sitemaps kept in sync (assistant/sync.py). List, add, show, remove,
and sync now, with the last run and the errors per item of each source.

"Sync now" starts the passes in the background and answers 202 at once, with the source URLs
to poll (a pass over 1,000 pages takes minutes: no request should wait for it); `?wait=true`
waits and answers 200 with the runs (the CLI through a server). A second start while a pass
over the source runs in the server is refused with 409."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from assistant.api.deps import App, errors
from assistant.api.schemas import SourceIn, SourceList, SourceOut, SyncOut
from assistant.serving.errors import ApiError
from assistant.sync import SourceError, SyncBusy

router = APIRouter(prefix="/v1/sources", tags=["sources"])
_QUEUED = {
    202: {"model": SyncOut, "description": "started in the background (poll the URLs in "
          "`poll`), or left to the process running the syncs (`queued`)"},
    409: {"description": "a pass over the source is running now"},
}  # fmt: skip
_WAIT = Query(False, description="wait for the passes and answer with their runs")


def _sync(app: App, refs: list[str], wait: bool, response: Response) -> SyncOut:
    try:
        outcome = app.sync(refs, exclusive=True) if wait else app.start_sync(refs)
    except SyncBusy as exc:
        raise ApiError(409, str(exc)) from exc
    poll = [f"/v1/sources/{sid}" for sid in outcome.started]
    if outcome.started or (outcome.queued and not outcome.runs):
        response.status_code = 202
        if len(poll) == 1:
            response.headers["Location"] = poll[0]
    return SyncOut(runs=outcome.runs, queued=outcome.queued, holder=outcome.holder,
                   started=outcome.started, poll=poll)  # fmt: skip


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
def sync_all(app: App, response: Response, wait: bool = _WAIT) -> SyncOut:
    """Sync every source now: 202 at once with the sources `started` and where to `poll`
    (or `queued` when another process runs this store's syncs: it is asked to, and does it
    within seconds); with `?wait=true`, 200 and the runs once done. 409 while a pass over
    one of them runs."""
    return _sync(app, [], wait, response)


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
def sync_source(app: App, source_id: str, response: Response, wait: bool = _WAIT) -> SyncOut:
    """Sync one source now: 202 at once, its URL in `poll` and `Location` (its `running`
    turns false and its `last_run` holds the run, with the errors per item); `?wait=true`:
    200 and the run. 409 while a pass over it runs (the scheduler's, or one started here)."""
    if app.source(source_id) is None:
        raise ApiError(404, f"no source {source_id!r}")
    return _sync(app, [source_id], wait, response)
