"""The day a question is asked on (`as_of`) over real HTTP: REST and OpenAI-compatible."""

from __future__ import annotations

import httpx
import openai

from assistant.api import create_app
from assistant.api.openai_compat import MODEL
from tests.api.conftest import LiveServer
from tests.test_cli_archive import ARCHIVE

QUESTION = "What happened last week?"


def test_last_week_is_counted_from_as_of_and_the_answer_says_the_day(make_app):
    app = make_app()
    assert not app.ingest_records(ARCHIVE).problems
    with LiveServer(create_app(app, warm_up=False)) as server:
        ask = f"{server.url}/v1/ask"
        default = httpx.post(ask, json={"question": QUESTION}, timeout=120).json()
        given = httpx.post(ask, json={"question": QUESTION, "as_of": "2023-03-10"}, timeout=120)
        wrong = httpx.post(ask, json={"question": QUESTION, "as_of": "10/03/2023"}, timeout=30)
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)
        chat = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": QUESTION}],
            extra_body={"as_of": "2023-03-10"},
        )
    # Unset: the archive's newest day, not the machine's clock (which finds nothing).
    assert default["as_of"] == "2023-11-27" and not default["abstained"]
    assert given.json()["as_of"] == "2023-03-10"
    assert [c["published_at"] for c in given.json()["citations"]] == ["2023-03-06"]
    assert wrong.status_code == 422 and "as_of" in wrong.text
    content = chat.choices[0].message.content
    assert "central library" in content
    assert "_As of 2023-03-10 (the date asked for)" in content
