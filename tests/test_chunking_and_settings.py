"""Sentence splitting and chunking keep exact offsets; settings resolve in a known order."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import sample_corpus_files
from assistant.settings import SettingsError, load_settings
from ingest.chunking import ChunkingConfig, chunk_article
from ingest.pipeline import load_paths
from ingest.text import sentence_spans
from ingest.types import Article


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "The U.S. sent aid on Dec. 4 to Mr. J. Smith's town. It arrived at 10 a.m. The next day"
    assert sentences(text) == [
        "The U.S. sent aid on Dec. 4 to Mr. J. Smith's town.",
        "It arrived at 10 a.m.",
        "The next day",
    ]


def test_paragraph_breaks_and_quotes_end_sentences():
    text = 'Headline without a stop\n\nShe said "it is over." Then she left!'
    assert sentences(text) == [
        "Headline without a stop",
        'She said "it is over."',
        "Then she left!",
    ]


def test_every_chunk_is_an_exact_slice_and_chunks_cover_the_whole_text():
    config = ChunkingConfig(chunk_size=300, chunk_overlap=80)
    overlaps = 0
    for article in load_paths(sample_corpus_files()).articles:
        chunks = chunk_article(article, config)
        assert chunks, article.title
        for chunk in chunks:
            assert article.text[chunk.start : chunk.end] == chunk.text
        for before, after in zip(chunks, chunks[1:], strict=False):
            # Consecutive chunks overlap, or only whitespace lies between them: no text lost.
            assert article.text[before.end : max(before.end, after.start)].strip() == ""
            overlaps += after.start < before.end
        assert chunks[-1].end == len(article.text.rstrip())
    assert overlaps > 0  # sentences are carried over into the next chunk


def test_a_sentence_longer_than_a_chunk_is_cut_at_word_boundaries():
    article = Article(title="t", text="word " * 400 + "end.")
    chunks = chunk_article(article, ChunkingConfig(chunk_size=200, chunk_overlap=0))
    assert all(len(c.text) <= 200 for c in chunks)
    assert all(article.text[c.start : c.end] == c.text for c in chunks)
    assert not any(c.text.startswith(" ") or c.text.endswith(" ") for c in chunks)


def test_settings_precedence_is_defaults_then_file_then_environment_then_options(tmp_path):
    config = tmp_path / "newsdesk.toml"
    config.write_text(
        'data_dir = "/from/file"\n[answer]\ntop_k = 5\n[ingest.chunking]\nchunk_size = 600\n',
        encoding="utf-8",
    )
    env = {"NEWSDESK_CONFIG": str(config), "NEWSDESK_TOP_K": "6"}
    settings = load_settings(environ=env)
    assert settings.data_dir == Path("/from/file")
    assert settings.store.path == Path("/from/file/chroma")
    assert settings.answer.top_k == 6
    assert settings.ingest.chunking.chunk_size == 600
    settings = load_settings(environ=env, overrides={"answer.top_k": 3, "data_dir": tmp_path})
    assert settings.answer.top_k == 3 and settings.store.path == tmp_path / "chroma"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"NEWSDESK_TOP_K": "many"}, "NEWSDESK_TOP_K"),
        ({"NEWSDESK_CHUNK_SIZE": "50"}, "chunk size"),
        ({"NEWSDESK_SAMPLE_CORPUS": "perhaps"}, "NEWSDESK_SAMPLE_CORPUS"),
        ({"NEWSDESK_CONFIG": "/no/such/file.toml"}, "/no/such/file.toml"),
        ({"NEWSDESK_INGEST_WORKERS_MIN_KB": "-1"}, "NEWSDESK_INGEST_WORKERS_MIN_KB"),
        ({"NEWSDESK_SEARCH_LEXICAL_BACKGROUND_CHUNKS": "-5"}, "must not be negative"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ=environ)


def test_an_unknown_key_in_the_config_file_is_refused(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[store]\nhots = 'typo'\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="store.hots"):
        load_settings(config_file=config, environ={})


# The policy tables (issue 18): every weight, floor and threshold of answering, disagreement,
# support checking and excerpts is a setting.
POLICY_TABLES = ("answer.scoring.", "answer.conflicts.", "llm.check.", "llm.excerpts.", "search.")
POLICY_ANSWER = (
    "answer.second_score",
    "answer.max_overlap",
    "answer.min_sentence_words",
    "answer.min_entity_coverage",
    "answer.min_new_words",
)


def _policy_options():
    from assistant.options import OPTIONS

    return [o for o in OPTIONS if o.path.startswith(POLICY_TABLES) or o.path in POLICY_ANSWER]


def test_every_policy_number_is_settable_by_the_config_file_and_by_its_variable(tmp_path):
    from assistant.settings import Settings, _get

    options = _policy_options()
    assert {o.path.rpartition(".")[0] for o in options} == {"answer"} | {
        t[:-1] for t in POLICY_TABLES
    }
    assert {o.path for o in options} >= set(POLICY_ANSWER)
    defaults = Settings()
    # A value unlike every default, of each option's kind.
    changed = {o.path: o.kind(_get(defaults, o.path) * 2 + 1) for o in options}
    tables: dict[str, list[str]] = {}
    for path, value in changed.items():
        table, _, name = path.rpartition(".")
        tables.setdefault(table, []).append(f"{name} = {value!r}")
    config = tmp_path / "policy.toml"
    config.write_text(
        "".join(f"[{t}]\n" + "\n".join(lines) + "\n" for t, lines in tables.items()),
        encoding="utf-8",
    )
    from_file = load_settings(config_file=config, environ={})
    from_env = load_settings(environ={o.env: str(changed[o.path]) for o in options})
    for option in options:
        assert _get(from_file, option.path) == changed[option.path], option.path
        assert _get(from_env, option.path) == changed[option.path], option.env
    # The rest of the tree keeps its defaults.
    assert from_file.answer.top_k == defaults.answer.top_k


def test_each_settings_help_line_shows_the_default_it_has():
    """`newsdesk --help` says "[0.5]": the number a setting really starts at."""
    import re

    from assistant.options import OPTIONS
    from assistant.settings import Settings, _get

    defaults = Settings()
    shown = 0
    for option in OPTIONS:
        m = re.search(r"\[([\d.]+)(?::[^\]]*)?\]$", option.help)
        if m and option.kind in (int, float):
            assert float(m[1]) == _get(defaults, option.path), option.env
            shown += 1
    assert shown >= len(_policy_options())
