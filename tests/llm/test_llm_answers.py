"""Written answers from the real 0.5B model: tokens stream through the API as they are
generated, every citation that comes out is exact and checked, follow-ups are rewritten by the
model, and a dead endpoint or a bad model file falls back or fails clearly."""

from __future__ import annotations

import json

import pytest

from assistant.api import create_app
from assistant.api.openai_compat import MODEL
from assistant.app import Newsdesk
from assistant.citations import quote_is_exact
from assistant.llm.model_files import MODELS, ModelFileError, model_path
from assistant.serving.runtime import Runtime
from assistant.web import chat
from tests.api.conftest import local_client
from tests.chroma_server import free_port

TROOPS = "How many US troops are in Syria?"


def _events(response) -> list[tuple[str, dict]]:
    return [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("data: ", 1)[1]))
        for block in response.read().decode().strip().split("\n\n")
    ]


def test_api_stream_sends_model_tokens_as_generated_then_checked_citations(llm_app: Newsdesk):
    with (
        local_client(create_app(llm_app, warm_up=False)) as client,
        client.stream("POST", "/v1/ask/stream", json={"question": TROOPS}) as response,
    ):
        events = _events(response)
    kinds = [kind for kind, _ in events]
    assert kinds[-2:] == ["citations", "done"]
    deltas = [data["text"] for kind, data in events if kind == "delta"]
    assert len(deltas) >= 3, "several token chunks arrive before the answer is complete"
    done = events[-1][1]
    assert done["timings"]["first_token_s"] < done["timings"]["total_s"]
    # Written by the model and checked, or (when nothing it wrote held up) quoted instead.
    assert any("checked against the articles" in n or "quotes the articles" in n
               for n in done["notes"])  # fmt: skip
    assert done["citations"] and not done["abstained"]
    articles = llm_app.store.get_articles([c["article_id"] for c in done["citations"]])
    for c in done["citations"]:
        article = articles[c["article_id"]]
        assert article.text[c["start"] : c["end"]] == c["quote"]
    assert "900" in done["answer"]


def test_the_extractive_answer_stands_in_when_the_endpoint_is_down(sample_app, with_llm):
    dead = with_llm(sample_app, backend="openai", base_url=f"http://127.0.0.1:{free_port()}/v1")
    items = list(dead.ask_stream(TROOPS))
    answer = items[-1]
    assert len(items) == 1, "no model text was streamed"
    assert any("language model failed" in n and "quotes the articles" in n for n in answer.notes)
    articles = sample_app.store.get_articles([c.article_id for c in answer.citations])
    assert answer.citations and all(quote_is_exact(c, articles) for c in answer.citations)
    assert "900" in answer.text


def test_an_unanswerable_question_gets_the_plain_answer_without_asking_the_model(
    sample_app, with_llm
):
    dead = with_llm(sample_app, backend="openai", base_url=f"http://127.0.0.1:{free_port()}/v1")
    answer = dead.ask("What is the boiling point of mercury on Neptune?")
    assert answer.abstained and not answer.citations
    assert not any("language model failed" in n for n in answer.notes), "no model was asked"


def test_the_local_backend_rewrites_a_follow_up_with_the_model(sample_app, with_llm):
    local = with_llm(sample_app, backend="local", local_model="0.5b")
    rewritten = local.rewrite_question("and in Iraq?", ["How many US troops are in Syria?"])
    assert rewritten and "Iraq" in rewritten and rewritten != "and in Iraq?"
    # A question that stands alone is not sent to the model at all.
    assert local.rewrite_question("How many US troops are in Iraq today?", ["Who won?"]) is None


def test_a_model_file_that_fails_its_sha256_is_refused_and_removed(tmp_path):
    spec = MODELS["0.5b"]
    bad = tmp_path / spec.name
    bad.write_bytes(b"GGUF not the pinned model")
    with pytest.raises(ModelFileError, match="SHA-256"):
        model_path("0.5b", tmp_path)
    assert not bad.exists()
    with pytest.raises(ModelFileError, match="unknown local model"):
        model_path("70b", tmp_path)


def test_openai_compatible_stream_relays_model_tokens_then_the_checked_answer(llm_app):
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": TROOPS}]}
    with (
        local_client(create_app(llm_app, warm_up=False)) as client,
        client.stream("POST", "/v1/chat/completions", json=body) as response,
    ):
        chunks = [
            json.loads(line.removeprefix("data: "))
            for line in response.read().decode().splitlines()
            if line.startswith("data: {")
        ]
    contents = [c["choices"][0]["delta"].get("content") for c in chunks]
    assert len([c for c in contents if c]) >= 4, "model tokens, then the sources"
    assert "[^1]:" in "".join(c or "" for c in contents), "footnotes follow the draft"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


def test_web_chat_shows_the_draft_while_the_model_writes_then_the_cited_answer(llm_app):
    updates = list(chat.ask_stream(Runtime(llm_app), TROOPS, [], [], [], None, None, None))
    bubbles = [update[1][-1]["content"] for update in updates]
    assert any("nd-draft" in b for b in bubbles[1:-1]), "the draft is shown as it is written"
    assert "nd-cite" in bubbles[-1] and "nd-draft" not in bubbles[-1]
