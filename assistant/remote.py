"""The CLI's way to a store that a running `newsdesk serve` holds: that server's HTTP API.

Embedded Chroma serves one process (vectorstore/lock.py). When `newsdesk ingest`, `articles`,
`ask` or `chat` finds its store held by a server, it sends the work there instead: files go up
as uploads (POST /v1/articles), removals as DELETE, reads and questions as GET and POST.
`RemoteNewsdesk` offers the part of `Newsdesk` those commands use, so they print the same
reports either way; `sources` and `sync` go to /v1/sources (the server runs the syncs).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import httpx

from assistant.api.schemas import MAX_URLS
from assistant.app import IngestOutcome
from assistant.briefing import Briefing
from assistant.handover.saved import answer_of
from assistant.stories.listing import StoryList, story_list_of
from assistant.sync import SyncOutcome
from assistant.types import Answer
from assistant.uploads import safe_upload_name
from assistant.watches import WatchChange, WatchView
from ingest.pipeline import discover
from ingest.types import IngestProblem, MetadataEdit
from ingest.web.policy import is_url
from vectorstore.sync_state import run_from
from vectorstore.types import (
    ALL_ARTICLES,
    AddReport,
    ArticleInfo,
    ArticleQuery,
    SearchFilters,
    StoredArticle,
)

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

    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        progress: bool = False,
        edit: MetadataEdit | None = None,
    ) -> IngestOutcome:
        """Upload the files under `paths`, and send the URLs among them for the server to
        fetch (under its own fetch settings: the pages go where the store is); problems
        name the local files and the URLs. `edit` (an outlet or date for every article
        found) is then sent as a PATCH of each article."""
        started = time.perf_counter()
        outcome = IngestOutcome(AddReport(added=[], unchanged=[], replaced=[]))
        urls = [str(p) for p in paths if is_url(p)]
        files = discover([p for p in paths if not is_url(p)])
        outcome.files_seen = len(files) + len(urls)
        for batch in _upload_batches(files, outcome.problems):
            self._upload(batch, outcome)
        for i in range(0, len(urls), MAX_URLS):
            body = self.request("POST", "/v1/articles", json={"urls": urls[i : i + MAX_URLS]})
            _add_report(outcome, body.json(), {})
        r = outcome.report
        if edit is not None:
            self._edit(r.added + r.unchanged, edit)
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
        _add_report(outcome, response.json(), names)

    def _edit(self, article_ids: Sequence[str], edit: MetadataEdit) -> None:
        body = {"source": edit.source, "published_at": edit.published_at}
        body = {key: value for key, value in body.items() if value is not None}
        for article_id in article_ids:
            self.request("PATCH", f"/v1/articles/{_segment(article_id)}", json=body)

    def remove_samples(self) -> list[str]:
        """Delete every sample article on the server (DELETE /v1/articles/samples)."""
        return self.request("DELETE", "/v1/articles/samples").json()["removed"]

    def list_articles(self, query: ArticleQuery = ALL_ARTICLES) -> list[ArticleInfo]:
        infos: list[ArticleInfo] = []
        params: dict = {"outlet": list(query.sources), "limit": 500}
        if query.title_contains:
            params["title"] = query.title_contains
        if query.matching:
            params["q"] = query.matching
        while True:
            page = self.request("GET", "/v1/articles", params={**params, "offset": len(infos)})
            items = page.json()
            infos += [ArticleInfo(**item) for item in items["items"]]
            if not items["items"] or len(infos) >= items["total"]:
                return infos

    def article(self, article_id: str) -> StoredArticle | None:
        found = self.request("GET", f"/v1/articles/{_segment(article_id)}", ok=(404,))
        if found.status_code == 404:
            return None
        data = found.json()
        names = {f.name for f in fields(ArticleInfo)}
        return StoredArticle(ArticleInfo(**{k: data[k] for k in names}), data["text"])

    def remove_article(self, article_id: str) -> bool:
        path = f"/v1/articles/{_segment(article_id)}"
        return self.request("DELETE", path, ok=(404,)).status_code != 404

    # Sources: `newsdesk sources` and `newsdesk sync` through the server (which runs them).

    def sources(self) -> list[RemoteSource]:
        return [RemoteSource(item) for item in self.request("GET", "/v1/sources").json()["items"]]

    def add_source(
        self, url: str, *, every: str | None = None, outlet: str | None = None
    ) -> RemoteSource:
        body = {"url": url, "every": every, "outlet": outlet}
        found = self.request("POST", "/v1/sources", json=body, ok=(422,))
        if found.status_code == 422:
            raise ValueError(_error_message(found))
        return RemoteSource(found.json())

    def remove_source(self, ref: str) -> bool:
        source = self._source_id(ref)
        if source is None:
            return False
        return self.request("DELETE", f"/v1/sources/{_segment(source)}", ok=(404,)).is_success

    def sync(self, refs: Sequence[str] = (), *, progress: bool = False) -> SyncOutcome:
        ids = []
        for ref in refs:
            source = self._source_id(ref)
            if source is None:
                raise ValueError(f"no source {ref!r} (see 'newsdesk sources list')")
            ids.append(source)
        outcome = SyncOutcome()
        paths = [f"/v1/sources/{_segment(i)}/sync" for i in ids] or ["/v1/sources/sync"]
        for path in paths:
            body = self.request("POST", path, params={"wait": "true"}).json()
            outcome.runs += [run_from(run) for run in body["runs"]]
            outcome.queued += body["queued"]
            outcome.holder = body["holder"] or outcome.holder
        return outcome

    # Watches: `newsdesk watch` through the server (which asks them again after its ingests).

    def watches(self) -> list[WatchView]:
        items = self.request("GET", "/v1/watches").json()["items"]
        return [WatchView.of_dict(item) for item in items]

    def watch(self, watch_id: str) -> WatchView | None:
        found = self.request("GET", f"/v1/watches/{_segment(watch_id)}", ok=(404,))
        return None if found.status_code == 404 else WatchView.of_dict(found.json())

    def add_watch(
        self,
        question: str,
        *,
        outlet: str | None = None,
        since: str | None = None,
        webhook: str | None = None,
    ) -> WatchView:
        body = {"question": question, "outlet": outlet, "since": since, "webhook": webhook}
        found = self.request("POST", "/v1/watches", json=body, ok=(422,))
        if found.status_code == 422:
            raise ValueError(_error_message(found))
        return WatchView.of_dict(found.json())

    def remove_watch(self, watch_id: str) -> bool:
        path = f"/v1/watches/{_segment(watch_id)}"
        return self.request("DELETE", path, ok=(404,)).status_code != 404

    def mark_watch_seen(self, watch_id: str) -> bool:
        path = f"/v1/watches/{_segment(watch_id)}/seen"
        return self.request("POST", path, ok=(404,)).status_code != 404

    def check_watches(self) -> list[WatchChange]:
        changes = self.request("POST", "/v1/watches/check").json()["changes"]
        return [WatchChange.of_data(c) for c in changes]

    def stories(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        source: str | None = None,
        limit: int = 20,
    ) -> StoryList:
        params = {"since": _iso(since), "until": _iso(until), "source": source, "limit": limit}
        params = {k: v for k, v in params.items() if v is not None}
        return story_list_of(self.request("GET", "/v1/stories", params=params).json())

    def brief(
        self,
        topic: str,
        *,
        since: date | None = None,
        until: date | None = None,
        source: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Briefing:
        """The server's briefing (POST /v1/brief); its stages are not streamed here."""
        if progress is not None:
            progress("asking the server")
        body = {"topic": topic, "since": _iso(since), "until": _iso(until), "source": source}
        found = self.request("POST", "/v1/brief", json=body, ok=(422,))
        if found.status_code == 422:
            raise ValueError(_error_message(found))
        return Briefing.from_dict(found.json())

    def _source_id(self, ref: str) -> str | None:
        """A source's id from its id or URL, as the server knows it."""
        return next((s.id for s in self.sources() if ref.strip() in (s.id, s.as_dict()["url"])),
                    None)  # fmt: skip

    def ask(
        self,
        question: str,
        *,
        filters: SearchFilters | None = None,
        k: int | None = None,
        as_of: date | None = None,
        conversation: Sequence[str] = (),
        include_samples: bool = False,
    ) -> Answer:
        filters = filters or SearchFilters()
        body = {
            "question": question,
            "conversation": [{"role": "user", "content": q} for q in conversation],
            "filters": {
                "outlets": list(filters.sources),
                "published_after": _iso(filters.published_after),
                "published_before": _iso(filters.published_before),
                "include_samples": include_samples,
            },
            "k": k,
            "as_of": _iso(as_of),
        }
        out = self.request("POST", "/v1/ask", json=body, ok=(400,))
        if out.status_code == 400:
            raise ValueError(_error_message(out))
        data = out.json()
        # Read as a saved answer is (one reader of an answer's JSON): support and span too.
        answer = answer_of(data)
        answer.timings = data.get("timings") or {}
        return answer


@dataclass
class RemoteSource:
    """A source as the server's API shows it (what `SourceView.as_dict` gives locally)."""

    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]

    def as_dict(self) -> dict:
        return self.data


def _add_report(outcome: IngestOutcome, body: dict, names: dict[str, str]) -> None:
    """The server's report added to `outcome`; problems of uploads renamed by `names`
    (upload name -> local path)."""
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
