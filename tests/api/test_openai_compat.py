"""The official `openai` client against a real uvicorn server: models, chat, streaming."""

from __future__ import annotations

import openai
import pytest

from assistant.api.openai_compat import MODEL

QUESTION = "How many US troops are in Syria?"


@pytest.fixture(scope="module")
def oai(live_url: str) -> openai.OpenAI:
    # The server has no keys; the client insists on one and any value is accepted.
    return openai.OpenAI(base_url=f"{live_url}/v1", api_key="unused", max_retries=0)


def test_the_models_list_names_the_newsdesk_model(oai: openai.OpenAI):
    assert [m.id for m in oai.models.list()] == [MODEL]


def test_a_chat_completion_carries_markdown_footnotes_and_structured_citations(
    oai: openai.OpenAI,
):
    completion = oai.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Answer from the news."},
            {"role": "user", "content": QUESTION},
        ],
    )
    content = completion.choices[0].message.content
    assert "900 troops" in content and "[^1]" in content
    citations = completion.model_extra["citations"]
    footnote = (
        f"[^1]: {citations[0]['title']} (Meridian Wire, 2023-12-04): “{citations[0]['quote']}”"
    )
    assert footnote in content
    assert completion.model_extra["newsdesk"]["abstained"] is False


def test_a_streamed_chat_completion_adds_up_to_the_same_content(oai: openai.OpenAI):
    messages = [{"role": "user", "content": QUESTION}]
    whole = oai.chat.completions.create(model=MODEL, messages=messages)
    chunks = list(oai.chat.completions.create(model=MODEL, messages=messages, stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert streamed == whole.choices[0].message.content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == whole.model_extra["citations"]


def test_filters_travel_as_an_extra_body_field(oai: openai.OpenAI):
    completion = oai.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": QUESTION}],
        extra_body={"filters": {"outlets": ["No Such Outlet"]}},
    )
    assert completion.model_extra["newsdesk"]["abstained"] is True
    assert completion.model_extra["citations"] == []


def test_an_unknown_model_or_a_missing_question_is_a_client_error(oai: openai.OpenAI):
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        oai.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.BadRequestError, match="last message must be a user message"):
        oai.chat.completions.create(model=MODEL, messages=[{"role": "system", "content": "hi"}])
