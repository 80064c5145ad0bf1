"""The `newsdesk` command as a user runs it: a new process, a fresh data folder, no network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.app import sample_corpus_files


def cli_env(data_dir: Path) -> dict[str, str]:
    """This environment without NEWSDESK_* settings, on `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
    return {**env, "NEWSDESK_DATA_DIR": str(data_dir)}


def newsdesk(
    data_dir: Path,
    *args: str,
    check_rc: int | None = 0,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """`newsdesk ARGS` in a new process, its standard input a pipe holding `stdin`, with
    `env` (NEWSDESK_* settings) added to its environment."""
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        input=stdin or "",
        capture_output=True,
        text=True,
        env={**cli_env(data_dir), **(env or {})},
        timeout=300,
    )
    if check_rc is not None:
        assert proc.returncode == check_rc, proc.stderr + proc.stdout
    return proc


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


def test_first_ask_loads_the_sample_corpus_and_answers_the_syria_question(data_dir):
    proc = newsdesk(data_dir, "ask", "How many US troops are in Syria?", "--json")
    answer = json.loads(proc.stdout)
    assert answer["abstained"] is False
    assert "900" in answer["answer"]
    citation = answer["citations"][0]
    assert set(citation) >= {
        "n", "article_id", "title", "source", "published_at", "url", "quote", "start", "end",
    }  # fmt: skip
    assert "900" in citation["quote"]
    shown = json.loads(
        newsdesk(data_dir, "articles", "show", citation["article_id"], "--json").stdout
    )
    assert shown["text"][citation["start"] : citation["end"]] == citation["quote"]


def test_plain_output_shows_numbered_sources_with_outlet_date_and_quote(data_dir):
    out = newsdesk(data_dir, "ask", "How many US troops are in Syria?").stdout
    assert "[1]" in out and "Sources" in out and "900" in out
    assert "“" in out  # the quoted sentence


def test_a_question_outside_the_corpus_gets_the_plain_refusal(data_dir):
    proc = newsdesk(data_dir, "ask", "Who won the 1998 football World Cup final?", "--json")
    answer = json.loads(proc.stdout)
    assert answer["abstained"] is True and answer["citations"] == []
    assert "don't say" in answer["answer"]


def test_articles_list_remove_and_missing_ids_have_reliable_exit_codes(data_dir):
    listed = json.loads(newsdesk(data_dir, "articles", "list", "--json").stdout)
    assert len(listed) == len(sample_corpus_files()) + 1  # records.jsonl holds two articles
    victim = listed[0]["id"]
    assert f"removed {victim}" in newsdesk(data_dir, "articles", "remove", victim).stdout
    newsdesk(data_dir, "articles", "show", victim, check_rc=4)
    newsdesk(data_dir, "articles", "remove", victim, check_rc=4)


def test_ingest_of_a_batch_with_bad_files_keeps_the_good_ones_and_exits_3(tmp_path):
    good = tmp_path / "in" / "ferry.txt"
    good.parent.mkdir()
    good.write_text(
        "Ferry service resumes after storm\n\nPublished: May 2, 2024\n\n"
        "The island ferry resumed sailing on Thursday after a two-day suspension.\n",
        encoding="utf-8",
    )
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "broken.json").write_text("{not json", encoding="utf-8")
    data = tmp_path / "data"
    proc = newsdesk(data, "--no-sample", "ingest", str(tmp_path / "in"), "--json", check_rc=3)
    report = json.loads(proc.stdout)
    assert len(report["added"]) == 1
    assert {Path(p["path"]).name for p in report["problems"]} == {"empty.txt", "broken.json"}
    assert "empty.txt" in proc.stderr and "broken.json" in proc.stderr
    again = json.loads(newsdesk(data, "ingest", str(good), "--json").stdout)
    assert again["added"] == [] and again["unchanged"] == report["added"]


def test_help_lists_commands_and_settings_without_loading_models():
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    for word in ("ingest", "ask", "chat", "articles", "NEWSDESK_DATA_DIR", "NEWSDESK_CHROMA_HOST"):
        assert word in proc.stdout
    # Every setting, the answering policy's weights and floors included, with its default.
    from assistant.options import OPTIONS

    for option in OPTIONS:
        assert f"{option.env}  " in proc.stdout and option.help in proc.stdout, option.env
    assert "NEWSDESK_CONFLICT_MIN_SIMILARITY" in proc.stdout
    assert "NEWSDESK_LLM_CHECK_MIN_COVERAGE" in proc.stdout


def test_an_invalid_setting_is_a_usage_error_naming_the_variable(tmp_path):
    env = {**os.environ, "NEWSDESK_DATA_DIR": str(tmp_path), "NEWSDESK_TOP_K": "lots"}
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "anything"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert "NEWSDESK_TOP_K" in proc.stderr


def test_ask_with_an_outlet_filter_cites_only_that_outlet(data_dir):
    proc = newsdesk(
        data_dir,
        "ask",
        "How many residents were evacuated because of the Pine Hollow wildfire?",
        "--source",
        "Meridian Wire",
        "--json",
    )
    answer = json.loads(proc.stdout)
    assert answer["citations"]
    assert {c["source"] for c in answer["citations"]} == {"Meridian Wire"}
    assert "1,200" in answer["answer"]


def test_chat_answers_each_line_and_rewrites_follow_ups_until_quit(data_dir):
    proc = newsdesk(
        data_dir,
        "chat",
        stdin=(
            "How many vessels a day may cross the Varen Canal?\nWhat is the capital of Peru?\n"
            "How many US troops are in Syria?\nand in Iraq?\n/quit\n"
        ),
        check_rc=None,
    )
    assert proc.returncode == 0, proc.stderr
    assert "24 vessels a day" in proc.stdout
    assert "don't say" in proc.stdout
    assert "(understood as: How many US troops are in Iraq?)" in proc.stdout


def test_piped_chat_prints_only_answers_and_skips_blank_lines(data_dir):
    proc = newsdesk(
        data_dir, "chat", stdin="How many US troops are in Syria?\n\n  \nand in Iraq?\n"
    )
    assert "you>" not in proc.stdout and "Ask about your articles" not in proc.stdout
    assert proc.stdout.startswith("The United States keeps roughly 900 troops in Syria")
    assert proc.stdout.count("Sources") == 2
    assert "\n\n(understood as: How many US troops are in Iraq?)" in proc.stdout


def test_output_cut_short_by_its_reader_ends_quietly_without_a_traceback(data_dir):
    # `newsdesk articles list --json | head`: the reader has gone before the first write.
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "articles", "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(data_dir),
    )
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=300) == 141, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_a_blank_question_is_a_usage_error_before_any_store_is_opened(tmp_path):
    for blank in ("", "   "):
        proc = newsdesk(tmp_path / "store", "ask", blank, check_rc=2)
        assert "error: argument question: the question is empty" in proc.stderr
    assert not (tmp_path / "store").exists()  # refused before the sample corpus was loaded
