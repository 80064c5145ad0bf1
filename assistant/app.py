"""The application object: one store and one answerer behind every interface.

Every interface (CLI, REST and MCP, web, the evaluation harness) calls these methods and
nothing below them (tests/test_one_door.py), so each answers, lists and removes the same way.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from assistant.briefing.question import briefing_subject
from assistant.citations import quote_is_exact, verify_citations
from assistant.extractive import ExtractiveAnswerer
from assistant.followup import rewrite_followup
from assistant.ingest_workers import IngestWorkers, worker_count, workers_for
from assistant.settings import Settings
from assistant.types import Answer, Answerer, last_answer
from assistant.uploads import safe_upload_name
from ingest.text import TimeScope, parse_time_scope
from ingest.types import Article, IngestProblem, LoadResult, MetadataEdit
from vectorstore.client import StoreUnavailable, make_client
from vectorstore.embeddings import Embedder, make_embedder
from vectorstore.lock import Holder, hold_store, this_process
from vectorstore.storage import EmbedBatches
from vectorstore.store import ArticleStore
from vectorstore.types import (
    ALL_ARTICLES,
    AddReport,
    ArticleInfo,
    ArticleQuery,
    Passage,
    SearchFilters,
    StoredArticle,
)

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from assistant.briefing import Briefing
    from assistant.handover.document import HandoverDocument
    from assistant.handover.saved import SavedAnswer
    from assistant.scheduler import Scheduler
    from assistant.stories.grouping import GroupedArticle
    from assistant.stories.listing import StoryList
    from assistant.sync import SourceView, Syncer, SyncOutcome
    from assistant.watcher import Watcher
    from assistant.watches import Watch, WatchChange, WatchView
    from ingest.pipeline import FileMap
    from ingest.web.polite import HostLimits
    from vectorstore.health import ReadinessProbe
    from vectorstore.integrity import IntegrityReport
    from vectorstore.lexical_keeper import LexicalStatus
    from vectorstore.transfer import ImportReport

log = logging.getLogger(__name__)

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


def _command_line() -> str:
    import sys

    argv = sys.argv or ["python"]
    return " ".join([Path(argv[0]).name, *argv[1:]])[:200]


def sample_corpus_files() -> list[Path]:
    folder = resources.files("assistant") / "sample_corpus"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.is_file() and p.name != "README.md")


def merge_filters(filters: SearchFilters | None, scope: TimeScope) -> SearchFilters:
    """The user's filters narrowed by the question's own time scope (the tighter bound wins)."""
    filters = filters or SearchFilters()
    after = max((d for d in (filters.published_after, scope.after) if d), default=None)
    before = min((d for d in (filters.published_before, scope.before) if d), default=None)
    return replace(filters, published_after=after, published_before=before)


def news_day(filters: SearchFilters, scope: TimeScope, today: date | None) -> date | None:
    """The day whose news a question is about, so fresher news ranks first: today, or the
    end of an "as of" scope or of the user's date filter. None when the question names a
    period ("in 2023"): within it, no day is preferred."""
    if scope.bounded and not scope.prefer_recent:
        return None
    days = (today or date.today(), scope.before, filters.published_before)
    return min(d for d in days if d)


class Newsdesk:
    """Ingest, ask, list, show and remove, on one store configured by one Settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        holder: Holder | None = None,
    ) -> None:
        """`holder` is how this process names itself in an embedded store's lock file, for
        another process that finds the store taken (vectorstore/lock.py)."""
        self.settings = settings
        self._embedder = embedder
        self.holder = holder or this_process(_command_line())
        self._samples_offered = False
        self._samples_lock = threading.Lock()

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder or make_embedder(self.settings.embedder)

    @cached_property
    def store(self) -> ArticleStore:
        """The store, opened on first use. An embedded store is held by this process until
        `close` (StoreBusy when another process holds it); a Chroma server is shared."""
        config = self.settings.store
        lease = None
        if not config.host:
            lease = hold_store(config.path, self.holder)
        try:
            client = make_client(config)
        except BaseException:
            if lease is not None:
                lease.release()
            raise
        return ArticleStore(
            client,
            self.embedder,
            collection=self.settings.store.collection,
            chunking=self.settings.ingest.chunking,
            search=self.settings.search,
            batch_chunks=self.settings.ingest.batch_chunks,
            lexical_cache_dir=self.settings.data_dir / "cache",
            lease=lease,
            sync_threshold=config.hnsw_sync_threshold,
        )

    def close(self) -> None:
        """Let go of the store (another process may then open an embedded one)."""
        watcher = self.__dict__.pop("watcher", None)
        if watcher is not None:
            watcher.close()  # a round of watched questions in hand finishes first
        syncer = self.__dict__.pop("syncer", None)
        if syncer is not None:
            syncer.close()
        store = self.__dict__.pop("store", None)
        if store is not None:
            store.close()

    def __enter__(self) -> Newsdesk:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _lexical_cache_file(self) -> Path:
        """The BM25 cache of this store (opening it): named after its chunks collection, so
        the same file serves the store in process and behind a Chroma server."""
        return self.store.lexical_cache_file

    @cached_property
    def answerer(self) -> Answerer:
        reader = None
        if self.settings.answer.reader:
            from assistant.reader.model import shipped

            reader = shipped()
        # The store, not this Newsdesk: a closure over `self` would be a reference cycle that
        # keeps a dropped app (and the store's one-process lock) alive until the cycle GC.
        store = self.store
        extractive = ExtractiveAnswerer(
            self.embedder,
            lambda token: store.last_lexical_index().idf(token),
            policy=self.settings.answer,
            reader=reader,
        )
        if self.settings.llm.backend == "extractive":
            return extractive
        # A language model answers; the extractive answerer is its gate and fallback.
        from assistant.llm.factory import make_answerer

        return make_answerer(self.settings, extractive, self.embedder)

    def rewrite_question(self, question: str, conversation: Sequence[str]) -> str | None:
        """The follow-up as a standalone question: by the model where there is one, else
        (or when it fails) by rule. None when the question stands alone."""
        earlier = [q for q in conversation if q.strip()]
        return self.answerer.rewrite(question, earlier) or rewrite_followup(question, earlier)

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

    # The library: what is stored, for every interface (none of them reaches the store).

    def list_articles(self, query: ArticleQuery = ALL_ARTICLES) -> list[ArticleInfo]:
        """Stored articles, newest first, those `query` asks for; sample articles say so."""
        self._offer_samples()
        return self.store.list_articles(query)

    def article(self, article_id: str) -> StoredArticle | None:
        """One stored article with its full text, or None when there is none of that id."""
        self._offer_samples()
        return self.store.stored_article(article_id)

    def articles(self, article_ids: Sequence[str]) -> dict[str, Article]:
        """The stored articles of these ids (those that exist), e.g. to check quotes against."""
        return self.store.get_articles(article_ids)

    def grouped_articles(self, article_ids: Sequence[str]) -> list[GroupedArticle]:
        """These stored articles as story grouping reads them (assistant/stories/grouping.py):
        their vectors from the store, not embedded again; ids not stored are left out."""
        from assistant.stories.grouping import grouped_article

        articles = self.store.get_articles(article_ids)
        vectors = self.store.article_vectors(list(articles))
        return [grouped_article(articles[i], vectors[i]) for i in articles if i in vectors]

    def stories(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        source: str | None = None,
        limit: int = 20,
    ) -> StoryList:
        """The stories of a period (articles grouped by event across outlets and days),
        largest first, each with its outlets, first and last report, and the facts its
        outlets share and differ on, cited (assistant/stories/). With `source`, the stories
        that outlet reported. Samples only in a store of samples, as in `retrieve`."""
        from assistant.stories.listing import list_stories

        self._offer_samples()
        infos = self.store.list_articles()
        samples = self.store.sample_ids()
        if samples and len(infos) > len(samples):
            infos = [i for i in infos if not i.sample]
        return list_stories(infos, self.grouped_articles, self.articles, self.settings.stories,
                            since=since, until=until, source=source, limit=limit)  # fmt: skip

    def count_articles(self) -> int:
        return self.store.count_articles()

    def sample_count(self) -> int:
        return len(self.store.sample_ids())

    def edit_article(self, article_id: str, edit: MetadataEdit) -> StoredArticle | None:
        """Change an article's title, outlet or date; None when there is no such article."""
        if self.store.edit_metadata(article_id, edit) is None:
            return None
        return self.article(article_id)  # None: deleted meanwhile

    def remove_article(self, article_id: str) -> bool:
        """Delete an article and its chunks; False when there was none of that id."""
        return self.store.delete_article(article_id)

    def ingest_articles(
        self, articles: Sequence[Article], *, progress: bool = False
    ) -> IngestOutcome:
        """Store articles already read (the evaluation's datasets)."""
        return self._store_loaded(LoadResult(list(articles), [], files_seen=0), progress=progress)

    def export(self, out: IO[str]) -> int:
        """Every article as JSON Lines (`newsdesk import` reads it back); how many."""
        from vectorstore.transfer import export_store

        return export_store(self.store, out)

    def import_file(self, path: Path) -> ImportReport:
        """Store the articles of an export; ExportFormatError (a ValueError) names the line."""
        from vectorstore.transfer import import_file

        return import_file(self.store, path)

    # Hand-over: answers saved with their citations under an unguessable id, for permalinks
    # and exports (assistant/handover), kept with the store so every process serves them.

    def save_answers(
        self, turns: Sequence[tuple[Answer, datetime]], title: str | None = None
    ) -> SavedAnswer:
        """Keep an answer (one (answer, asked at) turn) or a conversation as it is now; the
        saved record's `id` names its permalink. ValueError when there is nothing to keep."""
        from assistant.handover.saved import new_saved
        from vectorstore.saved_answers import new_id

        saved = new_saved(new_id(), turns, title)
        stamp = saved.saved_at.timestamp()
        self.store.saved_answers.put(saved.id, saved.kind, stamp, saved.to_data())
        return saved

    def saved_answer(self, saved_id: str) -> SavedAnswer | None:
        """A saved answer or conversation; None when there is none of that id."""
        from assistant.handover.saved import saved_of

        found = self.store.saved_answers.get(saved_id)
        return saved_of(found[1]) if found else None

    def saved_document(
        self, saved_id: str, permalink: str | None = None
    ) -> HandoverDocument | None:
        """A saved answer's hand-over document, each quote checked again against the library
        as it is now (one edited or removed since is marked so); None when there is none."""
        saved = self.saved_answer(saved_id)
        if saved is None:
            return None
        cited = sorted({c.article_id for answer, _ in saved.turns for c in answer.citations})
        articles = self.articles(cited)
        return saved.document(permalink, holds=lambda c: quote_is_exact(c, articles))

    def remove_saved_answer(self, saved_id: str) -> bool:
        """Take a saved answer (and its permalink) away; False when there was none. A
        conversation made from it keeps its own copy."""
        return self.store.saved_answers.delete(saved_id)

    # Watched questions, asked again after each ingest and sync (assistant/watcher.py); a
    # change of the cited answer is recorded and sent to the watch's webhook.

    @cached_property
    def watcher(self) -> Watcher:
        from assistant.watcher import Watcher

        # A weak reference back: the watcher (and its thread) must not keep this Newsdesk,
        # and with it the store's one-process lock, alive once its owner lets it go.
        ask = weakref.WeakMethod(self._ask_watched)
        return Watcher(self.store.watches, self.settings, lambda watch: ask()(watch))

    def _ask_watched(self, watch: Watch) -> Answer:
        return self.ask(watch.question, filters=watch.filters())

    def watch_again(self) -> None:
        """New articles were stored: the watched questions are asked again in the background.
        Never raises: a watch must not fail the ingest that stored them."""
        try:
            if "watcher" in self.__dict__ or self.store.watches.of_kind("watch"):
                self.watcher.poke()
        except Exception:
            log.exception("watched questions could not be asked again")

    def watches(self) -> list[WatchView]:
        return self.watcher.views()

    def watch(self, watch_id: str) -> WatchView | None:
        """A watch with its history of changes; None when there is none of that id."""
        return self.watcher.view(watch_id)

    def add_watch(
        self,
        question: str,
        *,
        outlet: str | None = None,
        since: str | None = None,
        webhook: str | None = None,
    ) -> WatchView:
        """Watch a question (asked now: its answer is the baseline). ValueError names the
        field that cannot be used (a webhook needs NEWSDESK_WATCH_SECRET and a public URL)."""
        return self.watcher.add(question, outlet=outlet, since=since, webhook=webhook)

    def remove_watch(self, watch_id: str) -> bool:
        return self.watcher.remove(watch_id)

    def mark_watch_seen(self, watch_id: str) -> bool:
        return self.watcher.mark_seen(watch_id)

    def check_watches(self) -> list[WatchChange]:
        """Ask every watched question again now; the changes recorded."""
        return self.watcher.check_now()

    # Sources kept in sync: feeds and sitemaps read on a schedule (assistant/sync.py).

    @cached_property
    def syncer(self) -> Syncer:
        from assistant.sync import Syncer

        # Weakly, as the watcher's ask: the syncer must not keep this Newsdesk alive.
        watch_again = weakref.WeakMethod(self.watch_again)

        def on_stored() -> None:
            method = watch_again()
            if method is not None:
                method()

        return Syncer(self.store, self.settings, self.host_limits, self.holder.describe(),
                      on_stored=on_stored)  # fmt: skip

    def sources(self) -> list[SourceView]:
        """Every source with its status, last run (counts, errors per item) and next run."""
        return self.syncer.views()

    def source(self, ref: str) -> SourceView | None:
        """One source by its id or URL; None when there is none."""
        found = self.syncer.find(ref)
        return self.syncer.view(found.id) if found else None

    def add_source(
        self, url: str, *, every: str | int | None = None, outlet: str | None = None
    ) -> SourceView:
        """Add a feed or sitemap to keep in sync (`every`: "30m", "2h", ...; default the
        settings' `sync.every_minutes`); the URL is checked as every fetch is (http(s), no
        private address unless allow-listed). SourceError (a ValueError) says why not."""
        return self.syncer.add(url, every, outlet)

    def remove_source(self, ref: str) -> bool:
        """Forget a source and its sync state (its articles stay); False when none."""
        return self.syncer.remove(ref)

    def sync(
        self, refs: Sequence[str] = (), *, progress: bool = False, exclusive: bool = False
    ) -> SyncOutcome:
        """One pass now over the sources named (all when none). When another process runs
        the syncs of this store, they are asked of it instead (`SyncOutcome.queued`).
        `exclusive`: SyncBusy when a pass over one of them runs here, rather than waiting."""
        return self.syncer.sync(refs, progress=progress, exclusive=exclusive)

    def start_sync(self, refs: Sequence[str] = ()) -> SyncOutcome:
        """Start a pass over the sources named (all when none) in the background and return
        at once (`SyncOutcome.started`; each source's view says `running_since` until it
        ends). SyncBusy when one of them is being synced here already."""
        return self.syncer.start_sync(refs)

    def scheduler(self, say: Callable[[str], None] | None = None) -> Scheduler:
        """The loop that runs due syncs while this process holds the store's sync lease
        (`run()` in the foreground, `start()` in a thread)."""
        from assistant.scheduler import Scheduler

        return Scheduler(self.syncer, say)

    # Upkeep: warming up, checks and repairs below the records (vectorstore/integrity.py,
    # vectorstore/health.py), for `newsdesk check` and /readyz.

    def warm_up(self) -> None:
        """Load the embedder, offer the sample corpus and load (or rebuild) the BM25 index,
        so that the first question waits for none of them. A server warms up: from now on
        a large store's BM25 index is rebuilt beside its searches after a write
        (`search.lexical_background_chunks`), the thread outliving the search."""
        self.embedder.embed_query("warm-up")
        self._offer_samples()
        self.store.rebuild_lexical_beside_searches()
        self.store.lexical_index()

    def search_index_status(self) -> LexicalStatus:
        """Whether the BM25 index is being built (searches wait) or rebuilt beside the
        searches (they use an earlier one), and why the saved one was unusable."""
        return self.store.lexical_status()

    def store_problem(self, probe: ReadinessProbe) -> str | None:
        """None when the store answers and is whole; else why not, in words."""
        try:
            self.store.client.heartbeat()
            self.store.count_articles()
        except StoreUnavailable as exc:
            return str(exc)
        except Exception as exc:  # chromadb raises many unrelated types for one outage
            # ... and for a damaged embedded store, which SQLite's check then names.
            config = self.settings.store
            where = f"{config.host}:{config.port}" if config.host else str(config.path)
            damage = probe.sqlite_damage(self.store)
            return (
                damage or f"cannot reach the Chroma store at {where}: {type(exc).__name__}: {exc}"
            )
        # Reachable, but damaged below the records (vectorstore/health.py)?
        return "; ".join(probe.problems(self.store)) or None

    def check(self) -> IntegrityReport:
        """Every article whole, every chunk with its article, the indexes readable."""
        from vectorstore.integrity import check_store

        return check_store(self.store)

    def remove_orphans(self, report: IntegrityReport) -> int:
        from vectorstore.integrity import remove_orphans

        return remove_orphans(self.store, report)

    def rebuild_dense_index(self) -> tuple[int, str | None]:
        """Rebuild the dense index from the stored records: how many, and any problem left.
        Raises what Chroma raises when the records cannot be read either."""
        from vectorstore.health import dense_problem_after_rebuild
        from vectorstore.repair import rebuild_dense_indexes

        count = rebuild_dense_indexes(self.store)
        return count, dense_problem_after_rebuild(self.store)

    def rebuild_lexical_index(self) -> Path | None:
        """Rebuild the BM25 cache; the file it is saved in."""
        self.store.rebuild_lexical_index()
        return self.store.lexical_cache_file

    def chunk_collection(self) -> tuple[ClientAPI, str]:
        """The Chroma client and chunk collection, for a reader that searches the same chunks
        another way (the evaluation's LangChain baseline)."""
        return self.store.client, self.store.chunks_collection

    def retrieve(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: SearchFilters | None = None,
        scope: TimeScope | None = None,
        today: date | None = None,
        include_samples: bool = False,
    ) -> list[Passage]:
        """The passages an answer is drawn from: the user's filters narrowed by the time the
        question names, the freshest news as of `today` (default: the date) first. Sample
        articles take part only in a store of samples, or when `include_samples`."""
        self._offer_samples()
        scope = scope or TimeScope()
        merged = self._without_samples(merge_filters(filters, scope), include_samples)
        samples = self.store.sample_ids()
        passages = self.store.search(
            question,
            k or self.settings.answer.top_k,
            merged,
            as_of=news_day(merged, scope, today),
        )
        if not passages and scope.bounded and not scope.relative:
            # Nothing dated falls in the period the question names ("in 2019"). An article
            # without a date cannot be placed in it or out of it, so those are searched (an
            # undated list of past winners answers "who won in 2019?"); the answer says so.
            wide = replace(merge_filters(filters, TimeScope()),
                           exclude_articles=merged.exclude_articles)  # fmt: skip
            found = self.store.search(question, k or self.settings.answer.top_k, wide)
            passages = [p for p in found if not p.published_at]
        return [replace(p, sample=True) if p.article_id in samples else p for p in passages]

    def _without_samples(self, filters: SearchFilters, include_samples: bool) -> SearchFilters:
        samples = self.store.sample_ids()
        if samples and not include_samples and self.store.count_articles() > len(samples):
            # The store holds real news: invented demo articles must not answer about it.
            return replace(filters, exclude_articles=filters.exclude_articles | samples)
        return filters

    # Briefings: a topic's news of a period as a dated timeline (assistant/briefing/).

    def brief(
        self,
        topic: str,
        *,
        since: date | None = None,
        until: date | None = None,
        source: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Briefing:
        """What happened with `topic` over the period (both ends inclusive), from one outlet
        when `source` is given: its events in date order, each with cited sentences, its
        outlets and their differing figures. With neither end, the week up to
        `archive_day()`. `progress` hears each stage ("searching", "event 2 of 5").
        ValueError names the field that cannot be used."""
        from assistant.briefing.build import Library, brief

        self._offer_samples()
        if since is None and until is None:
            until = self.archive_day()[0]
            since = until - timedelta(days=6)
        store = self.store

        def search(query: str, k: int, filters: SearchFilters) -> list[Passage]:
            # No day of the period is preferred (no `as_of`), and no undated article joins.
            return store.search(query, k, self._without_samples(filters, False))

        # Extractive by default; with a language model configured, it writes each event.
        writer = self.answerer.answer if self.settings.llm.backend != "extractive" else None
        library = Library(search, self.articles, self.grouped_articles, self.embedder,
                          lambda token: store.last_lexical_index().idf(token), writer)  # fmt: skip
        return brief(topic, since, until, source, library=library, settings=self.settings,
                     progress=progress)  # fmt: skip

    def _briefing_answer(
        self,
        question: str,
        rewritten: str | None,
        subject: str,
        filters: SearchFilters | None,
        scope: TimeScope,
        day: date | None,
        why: str,
    ) -> Answer:
        """A question about what happened with a subject over a period, answered by the
        subject's briefing of that period: one dated, cited paragraph per event."""
        merged = merge_filters(filters, scope)
        outlet = merged.sources[0] if len(merged.sources) == 1 else None
        briefing = self.brief(subject, since=merged.published_after,
                              until=merged.published_before, source=outlet)  # fmt: skip
        answer = briefing.as_answer(question)
        answer.rewritten_question = rewritten
        answer = verify_citations(
            answer, self.articles(sorted({c.article_id for c in answer.citations}))
        )
        if day is not None:
            answer.as_of = day.isoformat()
            counted = f"“{scope.label}” counts from that day, " if scope.relative else ""
            answer.notes.insert(
                0, f"As of {answer.as_of} ({why}): {counted}nothing published later is used"
            )
        answer.timings = dict(briefing.timings)
        return answer

    def archive_day(self) -> tuple[date, str]:
        """The day a question with "last week" or "now" is asked as of when none is given,
        and why: today, unless the newest stored article is older (an archive that ends
        earlier, where counting from the clock would find nothing); then that article's day."""
        today, newest = date.today(), self.store.newest_day()
        if newest is not None and newest < today:
            return newest, "the newest article's date"
        return today, "today"

    def ask(self, question: str, **options: Any) -> Answer:
        """Answer one question from the stored articles, with verified citations.

        Options as for `ask_stream` (filters, k, as_of, conversation, include_samples):
        `conversation` holds the user's earlier questions, oldest first, and a follow-up such
        as "and in Iraq?" is rewritten into a standalone question before retrieval."""
        return last_answer(self.ask_stream(question, **options))

    def ask_stream(
        self,
        question: str,
        *,
        filters: SearchFilters | None = None,
        k: int | None = None,
        as_of: date | None = None,
        conversation: Sequence[str] = (),
        include_samples: bool = False,
    ) -> Iterator[str | Answer]:
        """`ask`, streamed: the text a language model generates, as it comes (nothing for the
        extractive answerer, which finds its answer at once), then the checked Answer, whose
        text replaces the draft. Sample articles as in `retrieve`.

        `as_of` is the day the question is asked on: "last week" and "now" count from it, and
        nothing published after it is used. Unset, a question with such words is asked as of
        `archive_day()`; the answer's `as_of` and first note say which day it was."""
        started = time.perf_counter()
        question = " ".join(question.split())
        if not question:
            raise ValueError("the question is empty")
        rewritten = self.rewrite_question(question, conversation)
        asked = rewritten or question
        scope = parse_time_scope(asked, as_of)
        day, why = (as_of, "the date asked for") if as_of else (None, "")
        if as_of is not None:
            filters = merge_filters(filters, TimeScope(before=as_of))
        elif scope.relative:
            day, why = self.archive_day()
            scope = parse_time_scope(asked, day)
        subject = briefing_subject(asked, scope)
        if subject is not None:  # "What happened with X this week?": X's briefing
            yield self._briefing_answer(question, rewritten, subject, filters, scope, day, why)
            return
        passages = self.retrieve(
            asked, k=k, filters=filters, scope=scope, today=day, include_samples=include_samples
        )
        retrieved = time.perf_counter()
        first_token = None
        for item in self.answerer.stream(asked, passages, scope):
            if isinstance(item, Answer):
                answer = item
                continue
            first_token = first_token or time.perf_counter()
            yield item
        answer.question, answer.rewritten_question = question, rewritten
        drafted = time.perf_counter()
        cited = sorted({c.article_id for c in answer.citations})
        answer = verify_citations(answer, self.articles(cited))
        if scope.bounded and passages and not any(p.published_at for p in passages):
            answer.notes.append(
                f"the question names a time, and no article {scope.describe()} answers it: "
                "articles without a date were searched"
            )
        elif scope.bounded:
            answer.notes.append(f"the question names a time: only articles {scope.describe()}")
        if day is not None and (scope.relative or as_of is not None):
            answer.as_of = day.isoformat()
            counted = f"“{scope.label}” counts from that day, " if scope.relative else ""
            answer.notes.insert(
                0, f"As of {answer.as_of} ({why}): {counted}nothing published later is used"
            )
        done = time.perf_counter()
        answer.timings = {
            "retrieve_s": retrieved - started,
            "answer_s": drafted - retrieved,
            "verify_s": done - drafted,
            "total_s": done - started,
        }
        if first_token is not None:
            answer.timings["first_token_s"] = first_token - started
        yield answer
