"""`newsdesk ask ... --export FILE`: the answer handed over in the format the file names."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx

from tests.handover.test_exports import read_html
from tests.test_cli import newsdesk

QUESTION = "How many US troops are in Syria?"


def test_ask_exports_the_answer_as_word_and_html_with_every_quote_and_its_article(tmp_path: Path):
    data_dir = tmp_path / "data"
    word, page = tmp_path / "answer.docx", tmp_path / "answer.html"
    proc = newsdesk(data_dir, "ask", QUESTION, "--json", "--export", str(word))
    answer = json.loads(proc.stdout)  # stdout stays the JSON answer alone
    assert f"exported to {word}" in proc.stderr
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.read_bytes())).paragraphs)
    for c in answer["citations"]:
        assert c["quote"] in text and c["title"] in text and c["source"] in text
        assert (c["url"] or "") in text and f"{c['start']}–{c['end']}" in text
    assert QUESTION in text and " UTC" in text
    newsdesk(data_dir, "ask", QUESTION, "--export", str(page))
    shown = read_html(page.read_bytes())
    assert all(c["quote"] in "".join(shown.text) for c in answer["citations"])


def test_an_export_file_of_unknown_format_is_refused_before_anything_is_asked(tmp_path: Path):
    proc = newsdesk(tmp_path, "ask", QUESTION, "--export", "notes.txt", check_rc=2)
    assert "notes.txt" in proc.stderr and ".docx" in proc.stderr
    missing = str(tmp_path / "no-such-folder" / "a.md")
    proc = newsdesk(tmp_path, "ask", QUESTION, "--export", missing, check_rc=2)
    assert "its folder does not exist" in proc.stderr
    assert not (tmp_path / "chroma").exists()  # no store was opened


def test_chat_exports_the_whole_conversation_when_it_ends(tmp_path: Path):
    out = tmp_path / "conversation.md"
    stdin = f"{QUESTION}\nand in Iraq?\n"
    proc = newsdesk(tmp_path / "data", "chat", "--export", str(out), stdin=stdin)
    assert f"exported to {out}" in proc.stderr
    markdown = out.read_text(encoding="utf-8")
    assert f"## {QUESTION}" in markdown and "## and in Iraq?" in markdown
    assert "[^1.1]:" in markdown and "[^2.1]:" in markdown and "Searched for:" in markdown
