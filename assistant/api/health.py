"""GET /healthz (the process answers) and GET /readyz (the embedder and the store do: the
store reachable, its SQLite file and dense index sound, the BM25 index not being rebuilt)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.serving.errors import error_response

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "not ready, and why"}})
async def readyz(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    problem = await run_in_threadpool(runtime.readiness_problem)
    if problem:
        return error_response(503, f"not ready: {problem}")
    notes = runtime.readiness_notes()
    return JSONResponse({"status": "ready", **({"notes": notes} if notes else {})})
