"""URLs to articles, as `ingest.pipeline.load_paths` turns files into them: each URL fetched
(ingest/web/fetch.py) and read (ingest/web/extract.py) on its own, so one that fails is a
problem naming it and the others still come in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ingest.types import IngestError, IngestProblem, LoadResult
from ingest.web.extract import page_article
from ingest.web.fetch import HTML_TYPES, Fetcher
from ingest.web.policy import FetchPolicy
from ingest.web.polite import HostLimits

_PROGRESS_MIN_URLS = 4


def load_urls(
    urls: Sequence[str],
    policy: FetchPolicy | None = None,
    *,
    fetcher: Fetcher | None = None,
    limits: HostLimits | None = None,
    progress: bool = False,
) -> LoadResult:
    """The article of each web page in `urls` (only HTML pages: a feed or a PDF is a
    problem). Pass a `fetcher` to share its robots.txt cache and host limits; else one is
    made from `policy` for this call, with `limits` (shared with other calls) if given. An
    article met twice is kept once."""
    own = fetcher is None
    fetcher = fetcher or Fetcher(policy, limits=limits)
    result = LoadResult(files_seen=len(urls))
    iterator: Iterable[str] = urls
    if progress and len(urls) >= _PROGRESS_MIN_URLS:
        from tqdm import tqdm

        iterator = tqdm(urls, unit="page", desc="fetching", leave=False)
    seen: set[str] = set()
    try:
        for url in iterator:
            try:
                article = page_article(fetcher.fetch(url, accept=HTML_TYPES))
            except IngestError as exc:  # FetchError included: its reason, without the URL
                result.problems.append(IngestProblem(url, getattr(exc, "reason", str(exc))))
                continue
            except Exception as exc:  # a reader bug must cost one page, not the batch
                reason = f"unexpected {type(exc).__name__}: {exc}"
                result.problems.append(IngestProblem(url, reason))
                continue
            if article.id not in seen:
                seen.add(article.id)
                result.articles.append(article)
    finally:
        if own:
            fetcher.close()
    return result
