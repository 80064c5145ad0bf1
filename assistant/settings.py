"""One settings tree for the whole application.

Precedence, lowest to highest: built-in defaults, the config file (TOML), `NEWSDESK_*`
environment variables, command-line options. Each package keeps its own config type
(`ingest.ChunkingConfig`, `vectorstore.StoreConfig`, ...) so dependencies still point one way;
this module composes them and owns the table of names users see.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.support import SUPPORT_SHARE
from ingest.chunking import ChunkingConfig
from ingest.loaders.pdf import PdfLimits
from ingest.web.policy import FetchPolicy
from vectorstore.config import EMBEDDER_BACKENDS, EmbedderConfig, SearchConfig, StoreConfig


@dataclass(frozen=True)
class IngestSettings:
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    max_file_mb: float = 20.0
    # Chunks embedded and written to the store together (a crash loses at most one batch).
    batch_chunks: int = 256
    # What one PDF may cost: its text per file (default: max_file_mb in characters), per
    # page, per byte of the file, and seconds to extract it.
    pdf: PdfLimits = field(default_factory=PdfLimits)
    # Web pages given by URL (ingest/web): timeouts, size, manners, and which private
    # addresses may be fetched (docs/sources.md).
    fetch: FetchPolicy = field(default_factory=FetchPolicy)

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


@dataclass(frozen=True)
class SyncSettings:
    """Sources kept in sync: feeds and sitemaps read on a schedule (assistant/sync.py,
    docs/sources.md). Fetches obey `ingest.fetch` as every fetch does."""

    # A source's interval when `sources add` names none.
    every_minutes: float = 30.0
    # Pages fetched at once by a pass (each host still gets at most `fetch.per_host`).
    workers: int = 4
    # New or changed articles fetched per source and pass, newest first; the rest wait.
    max_items: int = 1000
    # Passes in which a page that failed for a passing reason (5xx, timeout) is tried.
    max_tries: int = 3
    # The sync lease (vectorstore/sync_lease.py): how long a holder's claim lasts unrenewed.
    lease_s: float = 60.0
    # `newsdesk serve` runs due syncs in the background (`--no-sync`: not).
    in_server: bool = True


@dataclass(frozen=True)
class ScoreWeights:
    """The hand-weighted score of a candidate sentence: the answerer's order without the
    reader, and a feature the learned decision reads (`hand_score`), so the shipped decision
    was trained with these weights: change them only to retrain it (docs/reader.md)."""

    # Cosine of sentence and question: closeness in meaning counts most.
    similarity: float = 0.5
    # IDF-weighted share of the question's words in the sentence: its words asked for.
    coverage: float = 0.35
    # The same share over the sentence's passage and headline: about the question's subject.
    context: float = 0.1
    # The sentence holds the kind of value asked for (a number for "how many", ...).
    kind_match: float = 0.2
    # Newer among the candidates (0 oldest, 1 newest): news is about now.
    recency: float = 0.08
    # Taken off per rank of the sentence's passage: retrieval's order as a tie-breaker.
    passage_rank: float = 0.01
    # Taken off a sentence without final punctuation (headlines, link lines, captions).
    unfinished: float = 0.1


@dataclass(frozen=True)
class ConflictSettings:
    """When two sentences are the same thing told with different values ("the sources
    disagree"), not two different things (assistant/conflicts.py)."""

    # Cosine between the two sentences: below it they are about different things.
    min_similarity: float = 0.5
    # Share of their other words (not the question's, not the values) the two must share
    # for a name or a date to be a rival value rather than another statement.
    min_same_words: float = 0.5
    # Without the reader: the rival must score at least this share of the best's score
    # (with it, both must be likely answers).
    min_relative_score: float = 0.45
    # Cosine of two counted words ("people", "residents") that count the same thing: two
    # figures disagree only when they count the same thing.
    same_thing_similarity: float = 0.45


@dataclass(frozen=True)
class AnswerSettings:
    """`top_k` passages reach the answerer; at most `max_sentences` are quoted in an answer.
    `reader`: the shipped reader model and learned decision choose, refuse and gate
    disagreements (off: the hand-weighted score and its floors, as before the reader).
    Why each number is what it is: docs/experiments (the rounds that measured them)."""

    top_k: int = 8
    max_sentences: int = 2
    reader: bool = True
    # A second sentence is quoted only when the decision finds it at least this likely,
    # relative to the best (and it says something new).
    second_share: float = 0.75
    # Two reports this many days apart tell the same news (different values: the sources
    # disagree); further apart, a changed value is shown as a change with both dates.
    same_news_days: int = 7
    # Pairs among this many best sentences are set against each other for a disagreement.
    pair_search: int = 10
    # Without the reader: the best sentence answers only when close to the question in
    # meaning (cosine) or in its weighted words, and its score clears a floor that rises
    # by `staleness_weight` x ln(1 + days) behind the newest news retrieved with it
    # (docs/experiments/evaluation-round-05.md and -06.md).
    min_similarity: float = 0.35
    min_coverage: float = 0.4
    min_score: float = 0.5
    staleness_weight: float = 0.01
    # Without the reader: a second sentence is quoted only when it scores at least this share
    # of the best's score.
    second_score: float = 0.9
    # A second sentence sharing this share of its words with one already quoted is a
    # near-repeat, not something new.
    max_overlap: float = 0.6
    # Fewer words than this: a headline-like fragment, not a candidate answer (the reader was
    # trained on the candidates this leaves).
    min_sentence_words: int = 4
    # A sentence may answer only when its passage mentions this share of the names the
    # question is about ("troops in Mali" is not answered with "troops in Syria").
    min_entity_coverage: float = 0.5
    # ... and when it says at least this many words the question does not (one that only
    # restates the question answers nothing).
    min_new_words: int = 1
    scoring: ScoreWeights = field(default_factory=ScoreWeights)
    conflicts: ConflictSettings = field(default_factory=ConflictSettings)


class Names(tuple):
    """A list of names from a comma-separated string (environment) or a TOML list."""

    def __new__(cls, raw: object = ()) -> Names:
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise ValueError(f"expected a comma-separated list, got {raw!r}")
        return super().__new__(cls, (str(i).strip() for i in items if str(i).strip()))


@dataclass(frozen=True)
class ApiSettings:
    """The HTTP API (`newsdesk serve`). Without keys it serves only 127.0.0.1; read-only keys
    may ask, search and read, read-write keys may also add and delete articles."""

    host: str = "127.0.0.1"
    port: int = 8000
    keys: Names = field(default_factory=Names)
    read_keys: Names = field(default_factory=Names)
    max_request_mb: float = 50.0
    cors_origins: Names = field(default_factory=Names)
    # The key CLI commands send when they go through a running server (assistant/remote.py).
    client_key: str = ""
    # Host names beyond 127.0.0.1, localhost, ::1 and `host` that requests may name (a proxy's
    # public name); "*" accepts any. See assistant/api/browser.py.
    allowed_hosts: Names = field(default_factory=Names)
    # Addresses (or networks) whose X-Forwarded-Proto/-For are believed: a TLS proxy's.
    trusted_proxies: Names = field(default_factory=lambda: Names(["127.0.0.1", "::1"]))


# A shorter key can be guessed: sign-in is rate-limited, but a key is also sent to every
# process of a deployment and may leak more easily than it can be rotated.
MIN_KEY_CHARS = 16


@dataclass(frozen=True)
class CheckSettings:
    """When the passages support a sentence of a written answer (assistant/llm/verify.py)."""

    # Share of the content words a sentence adds to the question that its backing must hold
    # (every number among them): the evaluation's "citation support" uses the same value.
    min_coverage: float = SUPPORT_SHARE
    # Cosine of the sentence to its best backing sentence: close in meaning, not just words.
    min_similarity: float = 0.5
    # Share of all its distinct words, the question's included, the backing must hold: the
    # question's words are excused, not their link to the answer.
    min_whole: float = 0.6
    # Each of two backing sentences must hold this share of its words on its own (a claim
    # glued from scraps of two sentences is backed by neither).
    min_part: float = 0.4
    # Fewer content words than this: "Sure." or a lone word states nothing to back.
    min_words: int = 2
    # Fewer content words than this: a fragment ("Los Angeles County"), read as the answer
    # to the question (embedded after it; the question's names must be where it was found).
    fragment_words: int = 4
    # A passage sentence needs this many words to back anything (not a dateline or caption).
    min_backing_words: int = 3
    # The sentences most like a claim tried alone before a pair is tried.
    tried_alone: int = 5


@dataclass(frozen=True)
class ExcerptSettings:
    """What the model is shown (assistant/llm/excerpts.py)."""

    # A sentence shorter than this rarely stands alone ("That was a record."): it brings the
    # sentence before it.
    short_words: int = 10


@dataclass(frozen=True)
class LlmSettings:
    """The language model that writes answers (see assistant/llm). `backend` "extractive" uses
    none; "openai" is any OpenAI-compatible endpoint; "local" runs a bundled GGUF model."""

    backend: str = "extractive"
    base_url: str = "http://127.0.0.1:11434/v1"
    model: str = "qwen2.5-coder:0.5b"
    api_key: str = ""
    timeout_s: float = 120.0
    max_tokens: int = 160
    passages: int = 4
    local_model: str = "0.5b"
    threads: int = 0
    unsupported: str = "drop"
    check: CheckSettings = field(default_factory=CheckSettings)
    excerpts: ExcerptSettings = field(default_factory=ExcerptSettings)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    store: StoreConfig = field(default_factory=StoreConfig)
    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    search: SearchConfig = field(default_factory=SearchConfig)
    answer: AnswerSettings = field(default_factory=AnswerSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    llm: LlmSettings = field(default_factory=LlmSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    sample_corpus: bool = True
    config_file: Path | None = None


@dataclass(frozen=True)
class Option:
    """One user-facing setting: where it lives in the tree, its variable, and what it does."""

    path: str
    env: str
    kind: type
    help: str


OPTIONS: tuple[Option, ...] = (
    Option("data_dir", "NEWSDESK_DATA_DIR", Path, "folder for the store and caches"),
    Option("store.path", "NEWSDESK_CHROMA_PATH", Path, "embedded Chroma folder [DATA_DIR/chroma]"),
    Option("store.host", "NEWSDESK_CHROMA_HOST", str, "Chroma server host (unset: embedded)"),
    Option("store.port", "NEWSDESK_CHROMA_PORT", int, "Chroma server port [8000]"),
    Option("store.ssl", "NEWSDESK_CHROMA_SSL", bool, "use HTTPS for the Chroma server"),
    Option("store.token", "NEWSDESK_CHROMA_TOKEN", str, "bearer token for the Chroma server"),
    Option("store.collection", "NEWSDESK_COLLECTION", str, "collection name prefix [newsdesk]"),
    Option("embedder.model_path", "NEWSDESK_EMBEDDER_PATH", str, "sentence-transformers folder"),
    Option("embedder.batch_size", "NEWSDESK_EMBED_BATCH_SIZE", int, "embedding batch size [32]"),
    Option("embedder.backend", "NEWSDESK_EMBEDDER_BACKEND", str, "torch | onnx | onnx-int8 [onnx]"),
    Option("embedder.cache_dir", "NEWSDESK_EMBEDDER_CACHE", str, "ONNX export folder"),
    Option("ingest.chunking.chunk_size", "NEWSDESK_CHUNK_SIZE", int, "chunk size, chars [800]"),
    Option("ingest.chunking.chunk_overlap", "NEWSDESK_CHUNK_OVERLAP", int, "overlap, chars [160]"),
    Option("ingest.max_file_mb", "NEWSDESK_MAX_FILE_MB", float, "largest file ingested, MB [20]"),
    Option("ingest.batch_chunks", "NEWSDESK_INGEST_BATCH", int, "chunks written together [256]"),
    Option(
        "ingest.pdf.max_chars", "NEWSDESK_PDF_MAX_CHARS", int, "most text of a PDF [max file size]"
    ),
    Option(
        "ingest.pdf.max_page_chars",
        "NEWSDESK_PDF_MAX_PAGE_CHARS",
        int,
        "most text of a PDF page [100000]",
    ),
    Option(
        "ingest.pdf.max_expansion",
        "NEWSDESK_PDF_MAX_EXPANSION",
        float,
        "PDF text chars per file byte [100]",
    ),
    Option("ingest.pdf.max_seconds", "NEWSDESK_PDF_SECONDS", float, "seconds to read a PDF [60]"),
    Option(
        "ingest.fetch.connect_timeout_s",
        "NEWSDESK_FETCH_CONNECT_TIMEOUT",
        float,
        "seconds to connect to a site [10]",
    ),
    Option(
        "ingest.fetch.read_timeout_s",
        "NEWSDESK_FETCH_READ_TIMEOUT",
        float,
        "seconds a site may stay silent mid-page [20]",
    ),
    Option(
        "ingest.fetch.total_timeout_s",
        "NEWSDESK_FETCH_TOTAL_TIMEOUT",
        float,
        "seconds for one page in all: redirects, retries [60]",
    ),
    Option("ingest.fetch.max_page_mb", "NEWSDESK_FETCH_MAX_PAGE_MB", float, "largest page, MB [5]"),
    Option(
        "ingest.fetch.user_agent",
        "NEWSDESK_FETCH_USER_AGENT",
        str,
        "User-Agent of fetches [Newsdesk/VERSION (...)]",
    ),
    Option(
        "ingest.fetch.allow_hosts",
        "NEWSDESK_FETCH_ALLOW_HOSTS",
        Names,
        "private hosts or networks that may be fetched [none]",
    ),
    Option("ingest.fetch.robots", "NEWSDESK_FETCH_ROBOTS", bool, "obey robots.txt [true]"),
    Option(
        "ingest.fetch.per_host", "NEWSDESK_FETCH_PER_HOST", int, "requests to a site at once [2]"
    ),
    Option(
        "ingest.fetch.host_interval_s",
        "NEWSDESK_FETCH_HOST_INTERVAL",
        float,
        "seconds between the starts of two requests to a site [1]",
    ),
    Option("sync.every_minutes", "NEWSDESK_SYNC_EVERY", float, "a new source's interval, min [30]"),
    Option("sync.workers", "NEWSDESK_SYNC_WORKERS", int, "pages a sync fetches at once [4]"),
    Option(
        "sync.max_items",
        "NEWSDESK_SYNC_MAX_ITEMS",
        int,
        "new or changed articles per source and pass [1000]",
    ),
    Option(
        "sync.max_tries", "NEWSDESK_SYNC_MAX_TRIES", int, "passes a failing page is tried in [3]"
    ),
    Option(
        "sync.lease_s", "NEWSDESK_SYNC_LEASE", float, "seconds the sync lease lasts unrenewed [60]"
    ),
    Option(
        "sync.in_server", "NEWSDESK_SYNC_IN_SERVER", bool, "newsdesk serve runs due syncs [true]"
    ),
    Option("search.candidates", "NEWSDESK_SEARCH_CANDIDATES", int, "candidates per ranking [40]"),
    Option("search.recent_days", "NEWSDESK_SEARCH_RECENT_DAYS", int, "fresh-news window, days [3]"),
    Option(
        "search.recency_boost", "NEWSDESK_SEARCH_RECENCY_BOOST", float, "boost of fresh news [0.1]"
    ),
    Option(
        "search.recency_half_life_days",
        "NEWSDESK_SEARCH_RECENCY_HALF_LIFE",
        float,
        "days for the recency boost to halve [7]",
    ),
    Option("search.rrf_k", "NEWSDESK_SEARCH_RRF_K", int, "rank fusion damping (RRF k) [60]"),
    Option("search.dense_weight", "NEWSDESK_SEARCH_DENSE_WEIGHT", float, "weight of meaning [1]"),
    Option("search.lexical_weight", "NEWSDESK_SEARCH_LEXICAL_WEIGHT", float, "weight of BM25 [1]"),
    Option(
        "search.recent_weight",
        "NEWSDESK_SEARCH_RECENT_WEIGHT",
        float,
        "weight of the fresh-news rankings [1]",
    ),
    Option(
        "search.recent_min_similarity",
        "NEWSDESK_SEARCH_RECENT_MIN_SIMILARITY",
        float,
        "cosine a fresh chunk needs to join them [0.3]",
    ),
    Option(
        "search.copy_overlap",
        "NEWSDESK_SEARCH_COPY_OVERLAP",
        float,
        "shared words that make a passage a copy [0.8]",
    ),
    Option("answer.top_k", "NEWSDESK_TOP_K", int, "passages given to the answerer [8]"),
    Option("answer.max_sentences", "NEWSDESK_MAX_SENTENCES", int, "sentences in an answer [2]"),
    Option("answer.reader", "NEWSDESK_READER", bool, "learned reader decides answers [true]"),
    Option(
        "answer.second_share",
        "NEWSDESK_SECOND_SHARE",
        float,
        "a second quote needs this share of the best's probability [0.75]",
    ),
    Option(
        "answer.same_news_days",
        "NEWSDESK_SAME_NEWS_DAYS",
        int,
        "reports closer than this disagree; further apart, a change [7]",
    ),
    Option(
        "answer.pair_search",
        "NEWSDESK_PAIR_SEARCH",
        int,
        "best sentences set against each other for a disagreement [10]",
    ),
    Option(
        "answer.min_similarity",
        "NEWSDESK_MIN_SIMILARITY",
        float,
        "without the reader: cosine that makes a sentence close [0.35]",
    ),
    Option(
        "answer.min_coverage",
        "NEWSDESK_MIN_COVERAGE",
        float,
        "without the reader: weighted question words that make it close [0.4]",
    ),
    Option(
        "answer.min_score",
        "NEWSDESK_MIN_SCORE",
        float,
        "without the reader: score floor for answering [0.5]",
    ),
    Option(
        "answer.staleness_weight",
        "NEWSDESK_STALENESS_WEIGHT",
        float,
        "without the reader: floor rise per ln(1 + days behind the newest) [0.01]",
    ),
    Option(
        "answer.second_score",
        "NEWSDESK_SECOND_SCORE",
        float,
        "without the reader: a second quote needs this share of the best's score [0.9]",
    ),
    Option(
        "answer.max_overlap",
        "NEWSDESK_MAX_OVERLAP",
        float,
        "a second quote sharing this share of words with a quoted one repeats it [0.6]",
    ),
    Option(
        "answer.min_sentence_words",
        "NEWSDESK_MIN_SENTENCE_WORDS",
        int,
        "fewer words: a fragment, not a candidate answer [4]",
    ),
    Option(
        "answer.min_entity_coverage",
        "NEWSDESK_MIN_ENTITY_COVERAGE",
        float,
        "share of the question's names a candidate's passage must mention [0.5]",
    ),
    Option(
        "answer.min_new_words",
        "NEWSDESK_MIN_NEW_WORDS",
        int,
        "words a candidate must say beyond the question's [1]",
    ),
    Option(
        "answer.scoring.similarity",
        "NEWSDESK_SCORE_SIMILARITY",
        float,
        "hand score (a reader feature: retrain if changed): cosine weight [0.5]",
    ),
    Option(
        "answer.scoring.coverage",
        "NEWSDESK_SCORE_COVERAGE",
        float,
        "hand score: weight of the question's words in the sentence [0.35]",
    ),
    Option(
        "answer.scoring.context",
        "NEWSDESK_SCORE_CONTEXT",
        float,
        "hand score: weight of the question's words in its passage [0.1]",
    ),
    Option(
        "answer.scoring.kind_match",
        "NEWSDESK_SCORE_KIND_MATCH",
        float,
        "hand score: weight of holding the kind of value asked for [0.2]",
    ),
    Option(
        "answer.scoring.recency",
        "NEWSDESK_SCORE_RECENCY",
        float,
        "hand score: weight of being newer among the candidates [0.08]",
    ),
    Option(
        "answer.scoring.passage_rank",
        "NEWSDESK_SCORE_PASSAGE_RANK",
        float,
        "hand score: taken off per rank of the sentence's passage [0.01]",
    ),
    Option(
        "answer.scoring.unfinished",
        "NEWSDESK_SCORE_UNFINISHED",
        float,
        "hand score: taken off a sentence without final punctuation [0.1]",
    ),
    Option(
        "answer.conflicts.min_similarity",
        "NEWSDESK_CONFLICT_MIN_SIMILARITY",
        float,
        "disagreement: cosine of the two sentences, at least [0.5]",
    ),
    Option(
        "answer.conflicts.min_same_words",
        "NEWSDESK_CONFLICT_MIN_SAME_WORDS",
        float,
        "disagreement on a name or date: share of other words shared [0.5]",
    ),
    Option(
        "answer.conflicts.min_relative_score",
        "NEWSDESK_CONFLICT_MIN_RELATIVE_SCORE",
        float,
        "disagreement without the reader: rival's share of the best's score [0.45]",
    ),
    Option(
        "answer.conflicts.same_thing_similarity",
        "NEWSDESK_CONFLICT_SAME_THING",
        float,
        "disagreement on a count: cosine of two counted words [0.45]",
    ),
    Option(
        "sample_corpus", "NEWSDESK_SAMPLE_CORPUS", bool, "load the sample articles at first use"
    ),
    Option("api.host", "NEWSDESK_API_HOST", str, "API address [127.0.0.1]"),
    Option("api.port", "NEWSDESK_API_PORT", int, "API port [8000]"),
    Option("api.keys", "NEWSDESK_API_KEYS", Names, "read-write API keys, comma-separated"),
    Option("api.read_keys", "NEWSDESK_API_READ_KEYS", Names, "read-only API keys"),
    Option("api.max_request_mb", "NEWSDESK_API_MAX_REQUEST_MB", float, "largest request [50]"),
    Option("api.cors_origins", "NEWSDESK_API_CORS_ORIGINS", Names, "origins allowed by CORS"),
    Option("api.client_key", "NEWSDESK_API_KEY", str, "key the CLI sends to a running server"),
    Option(
        "api.allowed_hosts", "NEWSDESK_API_ALLOWED_HOSTS", Names, "more Host names served [none]"
    ),
    Option(
        "api.trusted_proxies",
        "NEWSDESK_API_TRUSTED_PROXIES",
        Names,
        "proxies whose X-Forwarded-* count [127.0.0.1,::1]",
    ),
    Option("llm.backend", "NEWSDESK_LLM_BACKEND", str, "answerer: extractive|openai|local"),
    Option("llm.base_url", "NEWSDESK_LLM_BASE_URL", str, "OpenAI-compatible endpoint URL"),
    Option("llm.model", "NEWSDESK_LLM_MODEL", str, "model name at that endpoint"),
    Option("llm.api_key", "NEWSDESK_LLM_API_KEY", str, "endpoint key [OPENAI_API_KEY]"),
    Option("llm.timeout_s", "NEWSDESK_LLM_TIMEOUT", float, "seconds before falling back [120]"),
    Option("llm.max_tokens", "NEWSDESK_LLM_MAX_TOKENS", int, "longest answer, tokens [160]"),
    Option("llm.passages", "NEWSDESK_LLM_PASSAGES", int, "passages shown to the model [4]"),
    Option("llm.local_model", "NEWSDESK_LLM_LOCAL_MODEL", str, "local GGUF: 0.5b|1.5b [0.5b]"),
    Option("llm.threads", "NEWSDESK_LLM_THREADS", int, "local model threads [0: all cores]"),
    Option("llm.unsupported", "NEWSDESK_LLM_UNSUPPORTED", str, "unsupported sentence: drop|mark"),
    Option(
        "llm.check.min_coverage",
        "NEWSDESK_LLM_CHECK_MIN_COVERAGE",
        float,
        "support: share of the added words the backing holds [0.8]",
    ),
    Option(
        "llm.check.min_similarity",
        "NEWSDESK_LLM_CHECK_MIN_SIMILARITY",
        float,
        "support: cosine to the best backing sentence [0.5]",
    ),
    Option(
        "llm.check.min_whole",
        "NEWSDESK_LLM_CHECK_MIN_WHOLE",
        float,
        "support: share of all the sentence's words the backing holds [0.6]",
    ),
    Option(
        "llm.check.min_part",
        "NEWSDESK_LLM_CHECK_MIN_PART",
        float,
        "support by two sentences: share of its words each holds [0.4]",
    ),
    Option(
        "llm.check.min_words",
        "NEWSDESK_LLM_CHECK_MIN_WORDS",
        int,
        "support: content words a sentence needs to be a claim [2]",
    ),
    Option(
        "llm.check.fragment_words",
        "NEWSDESK_LLM_CHECK_FRAGMENT_WORDS",
        int,
        "support: fewer content words make a fragment [4]",
    ),
    Option(
        "llm.check.min_backing_words",
        "NEWSDESK_LLM_CHECK_MIN_BACKING_WORDS",
        int,
        "support: words a passage sentence needs to back one [3]",
    ),
    Option(
        "llm.check.tried_alone",
        "NEWSDESK_LLM_CHECK_TRIED_ALONE",
        int,
        "support: closest sentences tried alone before a pair [5]",
    ),
    Option(
        "llm.excerpts.short_words",
        "NEWSDESK_LLM_EXCERPT_SHORT_WORDS",
        int,
        "shorter excerpts bring the sentence before [10]",
    ),
)
_CHOICES = {
    "llm.backend": ("extractive", "openai", "local"),
    "llm.local_model": ("0.5b", "1.5b"),
    "llm.unsupported": ("drop", "mark"),
}
CONFIG_ENV = "NEWSDESK_CONFIG"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting."""


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "newsdesk"


def _convert(option: Option, raw: Any, origin: str) -> Any:
    try:
        if option.kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().casefold()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(f"expected true/false, got {raw!r}")
        value = option.kind(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{origin}: invalid value {raw!r} ({exc})") from exc
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        raise SettingsError(f"{origin}: must not be negative, got {raw!r}")
    return value


def _set(obj: Any, dotted: str, value: Any) -> Any:
    head, _, rest = dotted.partition(".")
    if not rest:
        return dataclasses.replace(obj, **{head: value})
    return dataclasses.replace(obj, **{head: _set(getattr(obj, head), rest, value)})


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def load_settings(
    config_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings: defaults < config file < environment < `overrides` (CLI options)."""
    environ = os.environ if environ is None else environ
    by_path = {o.path: o for o in OPTIONS}
    values: dict[str, tuple[Any, str]] = {}

    path = config_file or environ.get(CONFIG_ENV)
    if path:
        path = Path(path).expanduser()
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(f"config file {path}: {exc.strerror or exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"config file {path}: not valid TOML ({exc})") from exc
        for key, raw in _flatten(table).items():
            if key not in by_path:
                known = ", ".join(sorted(by_path))
                raise SettingsError(f"config file {path}: unknown setting {key!r} (known: {known})")
            values[key] = (raw, f"{path}: {key}")
    for option in OPTIONS:
        if environ.get(option.env) not in (None, ""):
            values[option.path] = (environ[option.env], option.env)
    for key, raw in (overrides or {}).items():
        if raw is not None:
            values[key] = (raw, f"option for {key}")

    settings = Settings(config_file=Path(path) if path else None)
    for key, (raw, origin) in values.items():
        settings = _set(settings, key, _convert(by_path[key], raw, origin))
    for key, allowed in _CHOICES.items():
        if key in values and _get(settings, key) not in allowed:
            raise SettingsError(f"{values[key][1]}: expected one of {', '.join(allowed)}")
    if not settings.llm.api_key and environ.get("OPENAI_API_KEY"):
        settings = _set(settings, "llm.api_key", environ["OPENAI_API_KEY"])
    settings = dataclasses.replace(settings, data_dir=settings.data_dir.expanduser())
    if "store.path" not in values:
        settings = _set(settings, "store.path", settings.data_dir / "chroma")
    if settings.embedder.backend not in EMBEDDER_BACKENDS:
        raise SettingsError(
            f"embedder backend {settings.embedder.backend!r}: expected one of "
            + ", ".join(EMBEDDER_BACKENDS)
        )
    chunking = settings.ingest.chunking
    if chunking.chunk_size < 100 or chunking.chunk_overlap >= chunking.chunk_size:
        raise SettingsError(
            "chunk size must be at least 100 and larger than the overlap "
            f"(got size {chunking.chunk_size}, overlap {chunking.chunk_overlap})"
        )
    _check_keys(settings.api, values)
    _check_allow_list(settings.ingest.fetch, values)
    _check_sync(settings.sync, values)
    return settings


def _check_sync(sync: SyncSettings, values: Mapping[str, tuple[Any, str]]) -> None:
    least = {"sync.every_minutes": 1, "sync.workers": 1, "sync.max_items": 1,
             "sync.max_tries": 1, "sync.lease_s": 2}  # fmt: skip
    for path, low in least.items():
        if path in values and _get(Settings(sync=sync), path) < low:
            raise SettingsError(f"{values[path][1]}: must be at least {low}")


def _check_allow_list(fetch: FetchPolicy, values: Mapping[str, tuple[Any, str]]) -> None:
    from ingest.web.address import parse_allow_list

    try:
        parse_allow_list(fetch.allow_hosts)
    except ValueError as exc:
        raise SettingsError(f"{values['ingest.fetch.allow_hosts'][1]}: {exc}") from exc


def _check_keys(api: ApiSettings, values: Mapping[str, tuple[Any, str]]) -> None:
    for path, keys in (("api.keys", api.keys), ("api.read_keys", api.read_keys)):
        short = [key for key in keys if len(key) < MIN_KEY_CHARS]
        if short:
            # The message names the setting and the length, never the key itself.
            raise SettingsError(
                f"{values[path][1]}: a key of {len(short[0])} characters is too short; API keys "
                f"need at least {MIN_KEY_CHARS} (make one with: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(24))')"
            )


def describe_options() -> str:
    """The settings table shown by `newsdesk --help` and copied into the README."""
    width = max(len(o.env) for o in OPTIONS)
    lines = [f"  {o.env:<{width}}  {o.help}" for o in OPTIONS]
    lines.append(f"  {CONFIG_ENV:<{width}}  TOML config file (sections mirror the tree)")
    return "\n".join(lines)
