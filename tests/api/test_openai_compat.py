"""The official `openai` client against a real uvicorn server: models, chat, streaming."""

from __future__ import annotations

import re

import openai
import pytest
from markdown_it import MarkdownIt

from assistant.api import create_app
from assistant.api.openai_compat import MODEL, with_footnotes
from assistant.api.schemas import AnswerOut
from assistant.types import Citation
from tests.api.conftest import LiveServer

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


HOSTILE = {
    "title": "<script>alert(1)</script> Ferry ![x](https://evil.example/x.png) strike",
    "source": '<img src=x onerror="alert(2)">',
    "url": "javascript:alert(1)",
    "published_at": "2024-03-02",
    "body": "Ferry crews in Port Ellis walked out for 48 hours over unpaid night shifts "
    '<script>alert(3)</script> and <img src=x onerror="alert(4)">. '
    "Union leaders said the ferry strike ![pwn](https://evil.example/p.png) "
    "[click](javascript:alert(5)) would end on Friday.",
}


def _rendered_markup(content: str) -> list[str]:
    """What a chat client's Markdown renderer (CommonMark with raw HTML allowed, tables and
    strikethrough) makes of the content: every tag other than text formatting, and every
    link that is not http(s). Footnote definitions are rendered as the text they hold."""
    content = re.sub(r"^\[\^\d+\]: ", "", content, flags=re.M)
    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    html = renderer.render(content)
    tags = re.findall(r"<\s*(\w+)", html)
    links = re.findall(r"\b(?:href|src)=\"([^\"]*)\"", html)
    return [t for t in tags if t not in ("p", "a")] + [
        u for u in links if not u.startswith(("http://", "https://"))
    ]


def test_an_articles_markup_never_reaches_the_chat_answer_as_markup(make_app):
    app = make_app()
    assert not app.ingest_records([HOSTILE]).problems
    with LiveServer(create_app(app, warm_up=False)) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)
        messages = [{"role": "user", "content": "Why did the ferry crews strike?"}]
        whole = client.chat.completions.create(model=MODEL, messages=messages)
        chunks = client.chat.completions.create(model=MODEL, messages=messages, stream=True)
        streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    content = whole.choices[0].message.content
    assert whole.model_extra["citations"], content  # the hostile article was cited
    for text in (content, streamed):
        assert _rendered_markup(text) == [], text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown as the text it is
    # The structured field keeps the values as stored: a program decides how to show them.
    assert whole.model_extra["citations"][0]["url"] == "javascript:alert(1)"


def test_an_http_url_with_brackets_and_spaces_stays_one_link():
    answer = AnswerOut(
        question="q", answer="It rained. [1]", abstained=False, rewritten_question=None,
        notes=[], timings={},
        citations=[Citation(
            n=1, article_id="a1", title="Rain [live]", source="Wire", published_at="2024-01-02",
            url="https://example.org/a (b)/c", quote="It rained.", start=0, end=10,
        )],
    )  # fmt: skip
    assert with_footnotes(answer) == (
        "It rained. [^1]\n\n[^1]: [Rain \\[live\\]](https://example.org/a%20%28b%29/c) "
        "(Wire, 2024-01-02): “It rained.”"
    )
