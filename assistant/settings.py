"""One settings tree for the whole application.

Precedence, lowest to highest: built-in defaults, the config file (TOML), `NEWSDESK_*`
environment variables, command-line options. Each package keeps its own config type
(`ingest.ChunkingConfig`, `vectorstore.StoreConfig`, ...) so dependencies still point one way;
this module composes them and loads them; `assistant/options.py` is the table of names users see.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.options import CHOICES, CONFIG_ENV, OPTIONS, Names, Option
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
    # Processes that read files and embed during `newsdesk ingest` while this one writes
    # (assistant/ingest_workers.py); 1: all in this process; 0: one per core.
    workers: int = 1
    # Input (files' bytes, in KiB) below which the workers would not repay their start: such
    # an ingest runs in this process (assistant/ingest_workers.py, `workers_for`).
    workers_min_kb: int = 512
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
class WatchSettings:
    """Watched questions, asked again after each ingest and sync (assistant/watcher.py)."""

    # The key a watch's webhook is signed with (HMAC-SHA256 of the body); a watch with a
    # webhook cannot be added without it. Never logged nor shown (not even in a repr).
    secret: str = field(default="", repr=False)
    # One round of asking every watched question again stops starting new ones after this.
    max_seconds: float = 60.0
    # Tries of one webhook delivery, waiting `backoff_s`, then twice that, ... between them.
    webhook_tries: int = 4
    backoff_s: float = 1.0


@dataclass(frozen=True)
class StorySettings:
    """Articles grouped into stories, the same event across outlets and days
    (assistant/stories/)."""

    # Two groups join when their articles' average similarity (cosine of article vectors,
    # plus the shared-names bonus) reaches this; picked on realtimeqa-train
    # (docs/evaluation.md, Stories).
    similarity: float = 0.375
    # Added to a pair's cosine times the share of names they have in common (of the
    # shorter list): the same people and places are evidence of the same event.
    names_weight: float = 0.1
    # Articles further apart than this never share a story (undated ones are not held apart).
    window_days: int = 7
    # The newest this many articles of a period are grouped (the grouping is quadratic).
    max_articles: int = 500


@dataclass(frozen=True)
class BriefingSettings:
    """Briefings: a topic's news of a period as a dated timeline of events
    (assistant/briefing/). Bounded so that a broad topic over a long period still answers."""

    # Articles one briefing reads at most (the most relevant to the topic).
    max_articles: int = 60
    # After this many seconds the briefing stops reading and returns what it has, noted.
    max_seconds: float = 20.0
    # Events shown at most (those reported by the most articles).
    max_events: int = 20
    # Cited sentences per event.
    sentences: int = 2
    # A passage found only by meaning (not by the topic's words) counts as about the topic
    # from this cosine similarity up.
    min_similarity: float = 0.35


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
    watch: WatchSettings = field(default_factory=WatchSettings)
    brief: BriefingSettings = field(default_factory=BriefingSettings)
    stories: StorySettings = field(default_factory=StorySettings)
    sample_corpus: bool = True
    config_file: Path | None = None


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
    for key, allowed in CHOICES.items():
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
    if settings.store.hnsw_sync_threshold < 1:
        where = values.get("store.hnsw_sync_threshold", (None, "store.hnsw_sync_threshold"))[1]
        raise SettingsError(f"{where}: must be at least 1")
    _check_keys(settings.api, values)
    _check_allow_list(settings.ingest.fetch, values)
    _check_sync(settings.sync, values)
    _check_watch(settings.watch, values)
    _check_stories(settings.stories, values)
    _check_brief(settings.brief, values)
    return settings


def _check_brief(brief: BriefingSettings, values: Mapping[str, tuple[Any, str]]) -> None:
    bounds = {"brief.max_articles": (1, 2000), "brief.max_seconds": (1, 3600),
              "brief.max_events": (1, 200), "brief.sentences": (1, 3),
              "brief.min_similarity": (0, 1)}  # fmt: skip
    for path, (low, high) in bounds.items():
        if path in values and not low <= _get(Settings(brief=brief), path) <= high:
            raise SettingsError(f"{values[path][1]}: must be from {low} to {high}")


def _check_stories(stories: StorySettings, values: Mapping[str, tuple[Any, str]]) -> None:
    least = {"stories.window_days": 0, "stories.max_articles": 2, "stories.names_weight": 0}
    for path, low in least.items():
        if path in values and _get(Settings(stories=stories), path) < low:
            raise SettingsError(f"{values[path][1]}: must be at least {low}")
    if "stories.similarity" in values and not 0 < stories.similarity <= 1:
        raise SettingsError(f"{values['stories.similarity'][1]}: must be above 0, at most 1")


def _check_watch(watch: WatchSettings, values: Mapping[str, tuple[Any, str]]) -> None:
    least = {"watch.max_seconds": 1, "watch.webhook_tries": 1, "watch.backoff_s": 0}
    for path, low in least.items():
        if path in values and _get(Settings(watch=watch), path) < low:
            raise SettingsError(f"{values[path][1]}: must be at least {low}")
    if watch.secret and len(watch.secret) < MIN_KEY_CHARS:
        # The message names the setting and the length, never the secret itself.
        raise SettingsError(
            f"{values['watch.secret'][1]}: a secret of {len(watch.secret)} characters is too "
            f"short; it needs at least {MIN_KEY_CHARS}"
        )


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
