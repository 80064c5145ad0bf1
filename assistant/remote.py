"""The CLI's way to a store that a running `newsdesk serve` holds: that server's HTTP API.

Embedded Chroma serves one process (vectorstore/lock.py). When `newsdesk ingest`, `articles`,
`ask` or `chat` finds its store held by a server, it sends the work there instead: files go up
as uploads (POST /v1/articles), removals as DELETE, reads and questions as GET and POST.
`RemoteNewsdesk` offers the part of `Newsdesk` those commands use, so they print the same
reports either way.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path

import httpx

from assistant.app import IngestOutcome
from assistant.types import Answer, Citation
from assistant.uploads import safe_upload_name
from ingest.pipeline import discover
from ingest.types import Article, IngestProblem
from vectorstore.types import AddReport, ArticleInfo, SearchFilters

# Files go up in requests of at most this many bytes (one larger file goes alone), well
# under the server's default request limit (NEWSDESK_API_MAX_REQUEST_MB, 50).
UPLOAD_BATCH_BYTES = 16 * 1024 * 1024
UPLOAD_BATCH_FILES = 200
# A server that holds the store may still be starting: wait this long for it to answer.
START_WAIT_S = 120.0


class ServerError(RuntimeError):
    """The server refused or failed a request; the message says which server and why."""


class RemoteNewsdesk:
    """Ingest, ask, list, show and remove through a running server's API."""

    def __init__(self, url: str, key: str | None = None, timeout_s: float = 600.0) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout_s)
        self.store = _RemoteStore(self)

    def close(self) -> None:
        self._http.close()

    def request(self, method: str, path: str, *, ok: Sequence[int] = (), **kw) -> httpx.Response:
        """One request; statuses in `ok` are returned, other errors raise ServerError."""
        deadline = time.monotonic() + START_WAIT_S
        while True:
            try:
                response = self._http.request(method, path, **kw)
                break
            except httpx.ConnectError as exc:
                if time.monotonic() > deadline:
                    raise ServerError(f"the server at {self.url} does not answer: {exc}") from exc
                time.sleep(0.5)
        if response.status_code < 400 or response.status_code in ok:
            return response
        message = _error_message(response)
        if response.status_code == 401:
            message += " (set NEWSDESK_API_KEY to a key of that server)"
        raise ServerError(f"the server at {self.url} refused: {response.status_code} {message}")

    def ensure_sample_corpus(self) -> None:
        """The server offered the sample articles when it started."""

    def ingest(self, paths: Sequence[str | Path], *, progress: bool = False) -> IngestOutcome:
        """Upload the files under `paths`; problems name the local files."""
        started = time.perf_counter()
        outcome = IngestOutcome(AddReport(added=[], unchanged=[], replaced=[]))
        files = discover(paths)
        outcome.files_seen = len(files)
        for batch in _upload_batches(files, outcome.problems):
            self._upload(batch, outcome)
        r = outcome.report
        outcome.articles_found = len(r.added) + len(r.unchanged)
        r.seconds = time.perf_counter() - started
        return outcome

    def _upload(self, batch: list[tuple[Path, bytes]], outcome: IngestOutcome) -> None:
        names = {f"upload:{safe_upload_name(path.name)}": str(path) for path, _ in batch}
        files = [("files", (path.name, data)) for path, data in batch]
        response = self.request("POST", "/v1/articles", files=files, ok=(413,))
        if response.status_code == 413:
            if len(batch) > 1:  # the server's limit is lower than ours: halve the batch
                self._upload(batch[: len(batch) // 2], outcome)
                self._upload(batch[len(batch) // 2 :], outcome)
                return
            reason = f"larger than the server at {self.url} accepts in one request"
            outcome.problems.append(IngestProblem(str(batch[0][0]), reason))
            return
        body = response.json()
        r = outcome.report
        r.added += body["added"]
        r.unchanged += body["unchanged"]
        r.replaced += body["replaced"]
        r.chunks_written += body["chunks"]
        for problem in body["problems"]:
            item = problem["item"]
            for upload, local in names.items():
                if item.startswith(upload):  # "upload:a.jsonl line 3" -> "/x/a.jsonl line 3"
                    item = local + item[len(upload) :]
                    break
            outcome.problems.append(IngestProblem(item, problem["reason"]))

    def ask(
        self,
        question: str,
        *,
        filters: SearchFilters | None = None,
        k: int | None = None,
        conversation: Sequence[str] = (),
    ) -> Answer:
        filters = filters or SearchFilters()
        body = {
            "question": question,
            "conversation": [{"role": "user", "content": q} for q in conversation],
            "filters": {
                "outlets": list(filters.sources),
                "published_after": _iso(filters.published_after),
                "published_before": _iso(filters.published_before),
            },
            "k": k,
        }
        out = self.request("POST", "/v1/ask", json=body, ok=(400,))
        if out.status_code == 400:
            raise ValueError(_error_message(out))
        data = out.json()
        return Answer(
            question=data["question"],
            text=data["answer"],
            citations=[Citation(**c) for c in data["citations"]],
            abstained=data["abstained"],
            rewritten_question=data["rewritten_question"],
            notes=data["notes"],
            timings=data["timings"],
        )


class _RemoteStore:
    """The store methods `newsdesk articles` uses, through the API."""

    def __init__(self, remote: RemoteNewsdesk) -> None:
        self._remote = remote

    def list_articles(
        self, *, sources: Sequence[str] = (), title_contains: str | None = None
    ) -> list[ArticleInfo]:
        infos: list[ArticleInfo] = []
        params: dict = {"outlet": list(sources), "limit": 500}
        if title_contains:
            params["title"] = title_contains
        while True:
            page = self._remote.request(
                "GET", "/v1/articles", params={**params, "offset": len(infos)}
            ).json()
            infos += [ArticleInfo(**item) for item in page["items"]]
            if not page["items"] or len(infos) >= page["total"]:
                return infos

    def _get(self, article_id: str) -> dict | None:
        found = self._remote.request("GET", f"/v1/articles/{_segment(article_id)}", ok=(404,))
        return None if found.status_code == 404 else found.json()

    def get_article(self, article_id: str) -> Article | None:
        data = self._get(article_id)
        names = {f.name for f in fields(Article)}
        return None if data is None else Article(**{k: v for k, v in data.items() if k in names})

    def article_info(self, article_id: str) -> ArticleInfo | None:
        data = self._get(article_id)
        names = {f.name for f in fields(ArticleInfo)}
        return None if data is None else ArticleInfo(**{k: data[k] for k in names})

    def delete_article(self, article_id: str) -> bool:
        path = f"/v1/articles/{_segment(article_id)}"
        return self._remote.request("DELETE", path, ok=(404,)).status_code != 404


def _upload_batches(
    files: list[Path], problems: list[IngestProblem]
) -> list[list[tuple[Path, bytes]]]:
    """Files read and grouped into requests; a file that cannot be read is a problem. A batch
    never holds two files of one name, so each problem the server reports maps back."""
    batches: list[list[tuple[Path, bytes]]] = [[]]
    size = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(IngestProblem(str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        batch = batches[-1]
        taken = {safe_upload_name(p.name) for p, _ in batch}
        full = size + len(data) > UPLOAD_BATCH_BYTES or len(batch) >= UPLOAD_BATCH_FILES
        if batch and (full or safe_upload_name(path.name) in taken):
            batches.append([])
            size = 0
        batches[-1].append((path, data))
        size += len(data)
    return [b for b in batches if b]


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:300]


def _iso(day: object) -> str | None:
    return None if day is None else str(day)


def _segment(article_id: str) -> str:
    from urllib.parse import quote

    return quote(article_id, safe="")
