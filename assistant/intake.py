"""Getting articles into the store: files, folders, web pages, uploads and JSON records, and
the bundled sample articles a new store starts with.

`Intake` is one part of `Newsdesk` (assistant/app.py), which every interface goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ingest_workers import IngestWorkers, worker_count, workers_for
from assistant.uploads import safe_upload_name
from ingest.types import Article, IngestProblem, LoadResult, MetadataEdit
from vectorstore.storage import EmbedBatches
from vectorstore.types import AddReport

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from assistant.settings import Settings
    from ingest.pipeline import FileMap
    from ingest.web.polite import HostLimits
    from vectorstore.store import ArticleStore

SAMPLE_MARKER = "sample_corpus"
# Set once the store's sample articles carry their flag (stores from before it get it then).
SAMPLES_FLAGGED = "samples_flagged"


@dataclass
class IngestOutcome:
    """What one ingest run did: the store's report and every file or record it skipped."""

    report: AddReport
    problems: list[IngestProblem] = field(default_factory=list)
    files_seen: int = 0
    articles_found: int = 0


def sample_corpus_files() -> list[Path]:
    """The bundled sample articles' files (assistant/sample_corpus, less its README)."""
    folder = resources.files("assistant") / "sample_corpus"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.is_file() and p.name != "README.md")


class Intake:
    """Ingest and the sample corpus, as methods of `Newsdesk`.

    Relies on Newsdesk for `settings`, `store` and the two fields its `__init__` sets so the
    samples are offered once, and on `Following.watch_again` (new articles: the watched
    questions are asked again)."""

    settings: Settings
    store: ArticleStore
    watch_again: Callable[[], None]
    _samples_offered: bool
    _samples_lock: threading.Lock

    def _load(
        self,
        files: Sequence[Path],
        urls: Sequence[str] = (),
        *,
        progress: bool = False,
        map_files: FileMap | None = None,
    ) -> LoadResult:
        """Files (named ones, or those `ingest.pipeline.discover` found in folders), then web
        pages. `map_files` loads the files elsewhere (ingest workers), in their order."""
        # Loaders pull in HTML and PDF parsers: only ingestion pays for importing them.
        from ingest.pipeline import load_files

        limits = self.settings.ingest
        loaded = load_files(
            files,
            max_bytes=limits.max_bytes,
            pdf_limits=limits.pdf,
            progress=progress,
            map_files=map_files or map,
        )
        if urls:
            loaded.extend(self._load_urls(urls, progress=progress))
            first: dict[str, Article] = {}  # a page that is also a file: kept once
            for article in loaded.articles:
                first.setdefault(article.id, article)
            loaded.articles = list(first.values())
        return loaded

    @cached_property
    def host_limits(self) -> HostLimits:
        """Requests at once and spacing per host, shared by every fetch of this instance
        (concurrent API requests for pages of one site ask it politely together)."""
        from ingest.web.polite import HostLimits

        policy = self.settings.ingest.fetch
        return HostLimits(policy.per_host, policy.host_interval_s)

    def _load_urls(self, urls: Sequence[str], *, progress: bool = False) -> LoadResult:
        # The fetcher (an HTTP client) and trafilatura load only for URLs.
        from ingest.web.pages import load_urls

        policy = self.settings.ingest.fetch
        return load_urls(urls, policy, limits=self.host_limits, progress=progress)

    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        progress: bool = False,
        edit: MetadataEdit | None = None,
    ) -> IngestOutcome:
        """Load files, folders and web pages (the items that are http(s) URLs, fetched as
        `ingest_urls` does) and store their articles; bad items are reported, not fatal.
        `edit` gives every article found an outlet or date the files lack or get wrong
        (also those already stored, which are otherwise left as they are).

        With `ingest.workers` above 1, worker processes read the files and embed the chunks
        while this process writes (assistant/ingest_workers.py): the same articles and
        chunks as one process stores, sooner on several cores; an input too small to repay
        the workers' start is read in this process (`workers_for`)."""
        from ingest.pipeline import discover
        from ingest.web.policy import is_url

        urls = [str(item) for item in paths if is_url(item)]
        # Walked once: the files found size the input here and are then loaded as they are.
        files = discover(item for item in paths if not is_url(item))
        limits = self.settings.ingest
        workers = workers_for(worker_count(limits.workers), files, limits.workers_min_kb * 1024)
        if workers == 1:
            return self._ingest(files, urls, progress, edit)
        with IngestWorkers(self.settings.embedder, workers) as pool:
            return self._ingest(files, urls, progress, edit, pool.map_files, pool.embed_batches)

    def _ingest(
        self,
        files: Sequence[Path],
        urls: Sequence[str],
        progress: bool,
        edit: MetadataEdit | None,
        map_files: FileMap | None = None,
        embed: EmbedBatches | None = None,
    ) -> IngestOutcome:
        loaded = self._load(files, urls, progress=progress, map_files=map_files)
        if edit is not None:
            loaded.articles = [edit.apply(a) for a in loaded.articles]
        outcome = self._store_loaded(loaded, progress=progress, embed=embed)
        for article_id in outcome.report.unchanged if edit is not None else ():
            self.store.edit_metadata(article_id, edit)
        return outcome

    def ingest_uploads(self, files: Sequence[tuple[str, bytes]]) -> IngestOutcome:
        """Store articles from uploaded (file name, content) pairs, with the same checks and
        per-file problems as `ingest`; problems and origins name the uploaded file."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="newsdesk-upload-") as tmp:
            # Each upload in its own folder under its sanitised bare name: two "a.txt" do not
            # collide, and no name ("../x", "/etc/x", "..", NUL) can leave the folder.
            files = [(safe_upload_name(name), data) for name, data in files]
            paths: list[Path] = []
            for i, (name, data) in enumerate(files):
                path = Path(tmp, str(i), name)
                path.parent.mkdir()
                path.write_bytes(data)
                paths.append(path)
            loaded = self._load(paths)
        names = {str(p): f"upload:{name}" for p, (name, _) in zip(paths, files, strict=True)}

        def renamed(origin: str) -> str:
            # Record problems read "path#3" or "path line 3": keep the suffix.
            for temp, upload in names.items():
                if origin.startswith(temp):
                    return upload + origin[len(temp) :]
            return origin

        loaded.articles = [replace(a, origin=renamed(a.origin)) for a in loaded.articles]
        loaded.problems = [IngestProblem(renamed(p.path), p.reason) for p in loaded.problems]
        return self._store_loaded(loaded)

    def ingest_urls(self, urls: Sequence[str], *, progress: bool = False) -> IngestOutcome:
        """Fetch web pages and store their articles (main text, title, outlet, author, date,
        canonical URL). Every fetch is checked and limited by the settings' `ingest.fetch`
        (ingest/web/fetch.py): only http(s), no private or metadata address unless
        allow-listed, robots.txt, timeouts, size. A page that fails is a problem naming its
        URL; the others still go in. A page already stored under its canonical URL is
        replaced when it changed, as a re-ingested file is."""
        return self._store_loaded(self._load_urls(urls, progress=progress), progress=progress)

    def ingest_records(self, records: Sequence[object], origin: str = "api") -> IngestOutcome:
        """Store articles given as JSON records (title, body, source, published_at, url, ...);
        a bad record is a problem naming its position, the others still go in."""
        from ingest.loaders.records import to_articles

        articles, problems = to_articles((f"{origin}[{i}]", r) for i, r in enumerate(records))
        first: dict[str, Article] = {}  # sent twice (same content id): kept once, the first
        for article in articles:
            first.setdefault(article.id, article)
        return self._store_loaded(LoadResult(list(first.values()), problems, files_seen=0))

    def ingest_articles(
        self, articles: Sequence[Article], *, progress: bool = False
    ) -> IngestOutcome:
        """Store articles already read (the evaluation's datasets)."""
        return self._store_loaded(LoadResult(list(articles), [], files_seen=0), progress=progress)

    def _store_loaded(
        self, loaded: LoadResult, *, progress: bool = False, embed: EmbedBatches | None = None
    ) -> IngestOutcome:
        report = self.store.add_articles(loaded.articles, progress=progress, embed=embed)
        if report.added or report.replaced:
            self.watch_again()
        if self.store.marker(SAMPLE_MARKER) is None:
            # The user brought their own articles first: never mix the samples in later.
            self.store.set_marker(SAMPLE_MARKER, "skipped")
        return IngestOutcome(report, loaded.problems, loaded.files_seen, len(loaded.articles))

    def _sample_articles(self) -> LoadResult:
        """The bundled sample articles, each marked as a sample."""
        loaded = self._load(sample_corpus_files())
        loaded.articles = [replace(a, sample=True) for a in loaded.articles]
        return loaded

    def ensure_sample_corpus(self) -> IngestOutcome | None:
        """Load the bundled sample articles into a new, empty store, once; in a store that
        got them before samples were marked, mark them now."""
        marker = self.store.marker(SAMPLE_MARKER)
        if marker == "loaded" and self.store.marker(SAMPLES_FLAGGED) is None:
            self._flag_old_samples()
        if not self.settings.sample_corpus or marker is not None:
            return None
        if self.store.count_articles() > 0:
            self.store.set_marker(SAMPLE_MARKER, "skipped")
            return None
        outcome = self._store_loaded(self._sample_articles())
        self.store.set_marker(SAMPLE_MARKER, "loaded")
        self.store.set_marker(SAMPLES_FLAGGED, "yes")
        return outcome

    def _offer_samples(self) -> None:
        """`ensure_sample_corpus` before the first read of this instance, so that every
        interface gets the samples by asking or listing, without arranging it itself."""
        if self._samples_offered:
            return
        with self._samples_lock:
            if not self._samples_offered:
                self.ensure_sample_corpus()
                self._samples_offered = True

    def _flag_old_samples(self) -> None:
        """Recognise the samples an older Newsdesk loaded, by id or by their invented title
        and outlet (an id changes when a loader cleans text differently), and mark them."""
        known = self._sample_articles().articles
        ids = {a.id for a in known}
        names = {(a.title, a.source) for a in known}
        found = [
            i.id
            for i in self.store.list_articles()
            if not i.sample and (i.id in ids or (i.title, i.source) in names)
        ]
        self.store.mark_samples(found)
        self.store.set_marker(SAMPLES_FLAGGED, "yes")

    def remove_samples(self) -> list[str]:
        """Delete every sample article; they are not loaded again. Returns their ids."""
        removed = sorted(self.store.sample_ids())
        for article_id in removed:
            self.store.delete_article(article_id)
        self.store.set_marker(SAMPLE_MARKER, "removed")
        return removed
