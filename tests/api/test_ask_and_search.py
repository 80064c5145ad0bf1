"""POST /v1/ask, its event stream, and GET /v1/search, on the sample corpus."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from assistant.app import Newsdesk

TROOPS = "How many US troops are in Syria?"


def test_ask_answers_with_citations_that_are_exact_slices_of_the_stored_article(
    client: TestClient, sample_app: Newsdesk
):
    body = client.post("/v1/ask", json={"question": TROOPS}).json()
    assert "900 troops" in body["answer"] and not body["abstained"]
    assert body["rewritten_question"] is None
    assert set(body["timings"]) >= {"retrieve_s", "total_s"}
    citation = body["citations"][0]
    assert citation["source"] == "Meridian Wire" and citation["published_at"].startswith("2023")
    article = sample_app.store.get_article(citation["article_id"])
    assert article.text[citation["start"] : citation["end"]] == citation["quote"]


def test_ask_filters_by_outlet_and_date_and_abstains_when_nothing_is_left(client: TestClient):
    outside = {"outlets": ["No Such Outlet"]}
    body = client.post("/v1/ask", json={"question": TROOPS, "filters": outside}).json()
    assert body["abstained"] and body["citations"] == []
    too_early = {"published_before": "2000-01-01"}
    body = client.post("/v1/ask", json={"question": TROOPS, "filters": too_early, "k": 3}).json()
    assert body["abstained"]


def test_a_follow_up_is_rewritten_from_the_conversation_and_answered(client: TestClient):
    turns = [
        {"role": "user", "content": "How many people were evacuated from Pine Hollow?"},
        {"role": "assistant", "content": "Around 2,000 people. [1]"},
    ]
    question = "and how many hectares burned?"
    body = client.post("/v1/ask", json={"question": question, "conversation": turns}).json()
    assert body["question"] == question
    assert body["rewritten_question"] is not None
    turns = [{"role": "user", "content": TROOPS}, {"role": "assistant", "content": "900. [1]"}]
    body = client.post("/v1/ask", json={"question": "and in Iraq?", "conversation": turns}).json()
    assert body["rewritten_question"] == "How many US troops are in Iraq?"
    assert "2,500" in body["answer"]
    alone = client.post("/v1/ask", json={"question": TROOPS, "conversation": turns}).json()
    assert alone["rewritten_question"] is None


def test_ask_stream_sends_deltas_that_join_to_the_answer_then_citations_then_done(
    client: TestClient,
):
    with client.stream("POST", "/v1/ask/stream", json={"question": TROOPS}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [
            (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("data: ", 1)[1]))
            for block in response.read().decode().strip().split("\n\n")
        ]
    kinds = [kind for kind, _ in events]
    assert kinds[-2:] == ["citations", "done"] and set(kinds[:-2]) == {"delta"}
    done = events[-1][1]
    assert "".join(data["text"] for kind, data in events if kind == "delta") == done["answer"]
    assert events[-2][1]["citations"] == done["citations"] and done["citations"]


def test_search_returns_scored_passages_best_first_within_filters(client: TestClient):
    response = client.get("/v1/search", params={"q": "troops in Syria", "k": 3})
    passages = response.json()["passages"]
    assert 1 <= len(passages) <= 3
    assert passages[0]["source"] == "Meridian Wire" and "Syria" in passages[0]["text"]
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    filtered = client.get("/v1/search", params={"q": "troops", "outlet": "No Such Outlet"})
    assert filtered.json()["passages"] == []


def _post_json(client: TestClient, path: str, body: dict) -> dict:
    """POST `body` as ASCII JSON, so a lone surrogate goes on the wire as its escape."""
    response = client.post(
        path, content=json.dumps(body), headers={"content-type": "application/json"}
    )
    return {"status": response.status_code, **response.json()}


def test_a_lone_surrogate_in_any_text_field_is_a_422_naming_the_field(client: TestClient):
    cases = {
        "filters.outlets.0": {"question": TROOPS, "filters": {"outlets": ["\ud800"]}},
        "question": {"question": "Troops in \udfff Syria?"},
        "conversation.0.content": {
            "question": "and in Iraq?",
            "conversation": [{"role": "user", "content": "troops \ud800"}],
        },
    }
    for field, body in cases.items():
        for path in ("/v1/ask", "/v1/ask/stream"):
            reply = _post_json(client, path, body)
            assert reply["status"] == 422, (path, reply)
            assert f"{field}: not valid Unicode text" in reply["error"]["message"]


def test_a_blank_question_or_query_is_a_422_saying_it_is_empty(client: TestClient):
    for blank in ("", "   ", "\v"):
        reply = _post_json(client, "/v1/ask", {"question": blank})
        assert reply["status"] == 422
        assert reply["error"]["message"] == "invalid request: question: the question is empty"
    response = client.get("/v1/search", params={"q": " \t"})
    assert response.status_code == 422
    assert (
        response.json()["error"]["message"] == "invalid request: query.q: the search query is empty"
    )
