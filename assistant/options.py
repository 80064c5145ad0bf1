"""The settings users see: each setting's place in the tree, its `NEWSDESK_*` variable and
a help line with its default (`newsdesk --help` prints them; the README's table follows
them). Loading and checking them is `assistant/settings.py`'s job."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class Names(tuple):
    """A list of names from a comma-separated string (environment) or a TOML list."""

    def __new__(cls, raw: object = ()) -> Names:
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise ValueError(f"expected a comma-separated list, got {raw!r}")
        return super().__new__(cls, (str(i).strip() for i in items if str(i).strip()))


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
    Option(
        "store.hnsw_sync_threshold",
        "NEWSDESK_HNSW_SYNC_THRESHOLD",
        int,
        "changes after which Chroma writes a collection's vector index to disk [1000]",
    ),
    Option("embedder.model_path", "NEWSDESK_EMBEDDER_PATH", str, "sentence-transformers folder"),
    Option("embedder.batch_size", "NEWSDESK_EMBED_BATCH_SIZE", int, "embedding batch size [32]"),
    Option("embedder.backend", "NEWSDESK_EMBEDDER_BACKEND", str, "torch | onnx | onnx-int8 [onnx]"),
    Option("embedder.cache_dir", "NEWSDESK_EMBEDDER_CACHE", str, "ONNX export folder"),
    Option(
        "embedder.device",
        "NEWSDESK_EMBEDDER_DEVICE",
        str,
        "auto | cpu | cuda: where embedding runs [auto: a GPU when the runtime offers one]",
    ),
    Option("ingest.chunking.chunk_size", "NEWSDESK_CHUNK_SIZE", int, "chunk size, chars [800]"),
    Option("ingest.chunking.chunk_overlap", "NEWSDESK_CHUNK_OVERLAP", int, "overlap, chars [160]"),
    Option("ingest.max_file_mb", "NEWSDESK_MAX_FILE_MB", float, "largest file ingested, MB [20]"),
    Option("ingest.batch_chunks", "NEWSDESK_INGEST_BATCH", int, "chunks written together [256]"),
    Option(
        "ingest.workers",
        "NEWSDESK_INGEST_WORKERS",
        int,
        "processes reading and embedding in newsdesk ingest [1: 0 for one per core]",
    ),
    Option(
        "ingest.workers_min_kb",
        "NEWSDESK_INGEST_WORKERS_MIN_KB",
        int,
        "input (KiB) below which ingest workers are not started [512]",
    ),
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
    Option(
        "ingest.fetch.ca_file",
        "NEWSDESK_FETCH_CA_FILE",
        str,
        "PEM file of CAs trusted for https besides the system's [none]",
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
    Option(
        "watch.secret",
        "NEWSDESK_WATCH_SECRET",
        str,
        "key signing watch webhooks, HMAC-SHA256 [none: no webhooks]",
    ),
    Option(
        "watch.max_seconds",
        "NEWSDESK_WATCH_MAX_SECONDS",
        float,
        "seconds one round of re-asking watched questions may start asks in [60]",
    ),
    Option("watch.webhook_tries", "NEWSDESK_WATCH_WEBHOOK_TRIES", int, "tries of a webhook [4]"),
    Option(
        "watch.backoff_s",
        "NEWSDESK_WATCH_BACKOFF",
        float,
        "seconds before a webhook's second try, doubling [1]",
    ),
    Option(
        "stories.similarity",
        "NEWSDESK_STORIES_SIMILARITY",
        float,
        "average similarity at which articles are one story [0.375]",
    ),
    Option(
        "stories.names_weight",
        "NEWSDESK_STORIES_NAMES_WEIGHT",
        float,
        "similarity added for the names two articles share [0.1]",
    ),
    Option(
        "stories.window_days",
        "NEWSDESK_STORIES_WINDOW_DAYS",
        int,
        "days apart beyond which articles are never one story [7]",
    ),
    Option(
        "stories.max_articles",
        "NEWSDESK_STORIES_MAX_ARTICLES",
        int,
        "newest articles of a period grouped into stories [500]",
    ),
    Option(
        "brief.max_articles", "NEWSDESK_BRIEF_MAX_ARTICLES", int, "articles a briefing reads [60]"
    ),
    Option(
        "brief.max_seconds",
        "NEWSDESK_BRIEF_MAX_SECONDS",
        float,
        "seconds a briefing reads for before it returns what it has [20]",
    ),
    Option("brief.max_events", "NEWSDESK_BRIEF_MAX_EVENTS", int, "events a briefing shows [20]"),
    Option("brief.sentences", "NEWSDESK_BRIEF_SENTENCES", int, "cited sentences per event [2]"),
    Option(
        "brief.min_similarity",
        "NEWSDESK_BRIEF_MIN_SIMILARITY",
        float,
        "cosine a passage found by meaning alone needs to count as about the topic [0.35]",
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
    Option(
        "search.lexical_background_chunks",
        "NEWSDESK_SEARCH_LEXICAL_BACKGROUND_CHUNKS",
        int,
        "chunks from which a server rebuilds BM25 beside searches [10000]",
    ),
    Option(
        "search.filter_exact_limit",
        "NEWSDESK_SEARCH_FILTER_EXACT_LIMIT",
        int,
        "filtered: up to this many chunks ranked exactly [2000]",
    ),
    Option(
        "search.filter_wide_limit",
        "NEWSDESK_SEARCH_FILTER_WIDE_LIMIT",
        int,
        "filtered: deepest unfiltered query then masked [12000]",
    ),
    Option(
        "search.filter_safety",
        "NEWSDESK_SEARCH_FILTER_SAFETY",
        float,
        "filtered: that query this much deeper than the share [2.0]",
    ),
    Option(
        "search.filter_vector_share",
        "NEWSDESK_SEARCH_FILTER_VECTOR_SHARE",
        float,
        "filtered: up to this share of chunks, ranked from the index's int8 vectors [0.1]",
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
CHOICES = {
    "embedder.device": ("auto", "cpu", "cuda"),
    "llm.backend": ("extractive", "openai", "local"),
    "llm.local_model": ("0.5b", "1.5b"),
    "llm.unsupported": ("drop", "mark"),
}
CONFIG_ENV = "NEWSDESK_CONFIG"


def describe_options() -> str:
    """The settings table shown by `newsdesk --help` and copied into the README."""
    width = max(len(o.env) for o in OPTIONS)
    lines = [f"  {o.env:<{width}}  {o.help}" for o in OPTIONS]
    lines.append(f"  {CONFIG_ENV:<{width}}  TOML config file (sections mirror the tree)")
    return "\n".join(lines)
