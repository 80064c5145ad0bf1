"""The application object: one store and one answerer behind every interface.

Every interface (CLI, REST and MCP, web, the evaluation harness) calls these methods and
nothing below them (tests/test_one_door.py), so each answers, lists and removes the same way.

`Newsdesk` is made of parts, one job each: getting articles in (assistant/intake.py), the
library (assistant/library_ops.py), watches and synced sources (assistant/following.py) and
upkeep (assistant/upkeep.py). This module holds what they share (the settings, the store, the
embedder and the answerer) and answering: retrieval, briefings, `ask` and `ask_stream`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.briefing.question import briefing_subject
from assistant.citations import verify_citations
from assistant.extractive import ExtractiveAnswerer
from assistant.following import Following
from assistant.followup import rewrite_followup
from assistant.intake import (
    SAMPLE_MARKER,
    SAMPLES_FLAGGED,
    IngestOutcome,
    Intake,
    sample_corpus_files,
)
from assistant.library_ops import LibraryOps
from assistant.settings import Settings
from assistant.types import Answer, Answerer, last_answer
from assistant.upkeep import Upkeep
from ingest.text import TimeScope, parse_time_scope
from vectorstore.client import make_client
from vectorstore.embeddings import Embedder, make_embedder
from vectorstore.lock import Holder, hold_store, this_process
from vectorstore.store import ArticleStore
from vectorstore.types import Passage, SearchFilters

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from assistant.briefing import Briefing

# Named here for the modules and tests that import them from the application.
__all__ = [
    "SAMPLE_MARKER",
    "SAMPLES_FLAGGED",
    "IngestOutcome",
    "Newsdesk",
    "merge_filters",
    "news_day",
    "sample_corpus_files",
]


def _command_line() -> str:
    import sys

    argv = sys.argv or ["python"]
    return " ".join([Path(argv[0]).name, *argv[1:]])[:200]


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


class Newsdesk(Intake, LibraryOps, Following, Upkeep):
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
