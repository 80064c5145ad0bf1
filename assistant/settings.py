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

from ingest.chunking import ChunkingConfig
from ingest.loaders.pdf import PdfLimits
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

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


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
    return settings


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
