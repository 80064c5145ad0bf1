"""Adding, listing, showing and deleting articles through /v1/articles."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.app import Newsdesk
from tests.api.conftest import local_client, with_api

BRIDGE = (
    b"Springfield opens its new river bridge\n\n"
    b"The mayor of Springfield opened the new river bridge on Monday. "
    b"The crossing cost 31 million dollars and took four years to build.\n"
)
RECORD = {
    "title": "Harbour pilots strike over night shifts",
    "body": "Harbour pilots in Port Ellis began a 48-hour strike on Tuesday over night shifts.",
    "source": "Coastal Ledger",
    "published_at": "2024-05-07",
    "url": "https://example.org/pilots",
}


def test_uploaded_files_go_in_and_each_bad_file_or_record_is_reported_by_name(
    fresh_client: TestClient,
):
    files = [
        ("files", ("bridge.txt", BRIDGE, "text/plain")),
        ("files", ("blob.bin", b"\x00\x01\x02", "application/octet-stream")),
        ("files", ("feed.jsonl", b'{"title": "no body"}\n', "application/json")),
    ]
    report = fresh_client.post("/v1/articles", files=files).json()
    assert len(report["added"]) == 1 and report["chunks"] >= 1
    problems = {p["item"]: p["reason"] for p in report["problems"]}
    assert "unsupported file type" in problems["upload:blob.bin"]
    assert "no body" in problems["upload:feed.jsonl:line 1"]
    body = fresh_client.post("/v1/ask", json={"question": "How much did the bridge cost?"}).json()
    assert "31 million" in body["answer"]
    article = fresh_client.get(f"/v1/articles/{report['added'][0]}").json()
    assert article["origin"] == "upload:bridge.txt" and article["text"].startswith("The mayor")


def test_json_records_go_in_once_and_a_bad_record_is_reported_by_position(
    fresh_client: TestClient,
):
    report = fresh_client.post("/v1/articles", json={"records": [RECORD, {"title": 3}]}).json()
    assert len(report["added"]) == 1
    assert [p["item"] for p in report["problems"]] == ["api[1]"]
    again = fresh_client.post("/v1/articles", json=[RECORD]).json()  # a bare list works too
    assert again["added"] == [] and again["unchanged"] == report["added"]


def test_articles_are_listed_newest_first_in_pages_and_filtered_by_outlet(
    fresh_client: TestClient,
):
    records = [
        {**RECORD, "title": f"Day {d} of the strike", "url": None, "published_at": f"2024-05-0{d}",
         "body": f"On day {d} of the strike the pilots met the harbour board again."}
        for d in (1, 2, 3)
    ]  # fmt: skip
    fresh_client.post("/v1/articles", json={"records": records})
    page = fresh_client.get("/v1/articles", params={"limit": 2}).json()
    assert page["total"] == 3 and page["limit"] == 2
    assert [i["title"] for i in page["items"]] == ["Day 3 of the strike", "Day 2 of the strike"]
    rest = fresh_client.get("/v1/articles", params={"offset": 2}).json()
    assert [i["title"] for i in rest["items"]] == ["Day 1 of the strike"]
    other = fresh_client.get("/v1/articles", params={"outlet": "Other Paper"}).json()
    assert other["total"] == 0


def test_a_deleted_article_is_gone_and_deleting_it_again_is_404(fresh_client: TestClient):
    (article_id,) = fresh_client.post("/v1/articles", json=[RECORD]).json()["added"]
    assert fresh_client.delete(f"/v1/articles/{article_id}").status_code == 204
    assert fresh_client.get(f"/v1/articles/{article_id}").status_code == 404
    response = fresh_client.delete(f"/v1/articles/{article_id}")
    assert response.status_code == 404 and article_id in response.json()["error"]["message"]


def test_a_file_over_the_ingest_limit_is_a_problem_and_a_request_over_the_api_limit_is_413(
    make_app: Callable[..., Newsdesk],
):
    app = with_api(make_app(**{"ingest.max_file_mb": 0.0001}), max_request_mb=0.01)
    with local_client(create_app(app, warm_up=False)) as client:
        report = client.post("/v1/articles", files=[("files", ("big.txt", BRIDGE * 2))]).json()
        assert "over the" in report["problems"][0]["reason"] and report["added"] == []
        huge = client.post("/v1/articles", files=[("files", ("huge.txt", BRIDGE * 100))])
        assert huge.status_code == 413 and huge.json()["error"]["type"] == "request_too_large"
        # Without a Content-Length the body is counted as it arrives.
        chunked = client.post(
            "/v1/articles",
            content=iter([b"[" + b" " * 8000] * 3),
            headers={"content-type": "application/json"},
        )
        assert chunked.status_code == 413 and "NEWSDESK_API_MAX_REQUEST_MB" in chunked.text


def test_other_content_types_are_415_and_malformed_json_is_400(fresh_client: TestClient):
    response = fresh_client.post(
        "/v1/articles", content=b"hi", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    broken = fresh_client.post(
        "/v1/articles", content=b"{", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and "malformed JSON" in broken.json()["error"]["message"]


def test_an_edited_title_outlet_and_date_persist_and_show_in_citations(
    fresh_client: TestClient,
):
    added = fresh_client.post("/v1/articles", json={"records": [RECORD]}).json()["added"]
    article_id = added[0]
    edit = {"title": "Port Ellis pilots strike", "source": "Harbour Times",
            "published_at": "2024-05-08"}  # fmt: skip
    edited = fresh_client.patch(f"/v1/articles/{article_id}", json=edit)
    assert edited.status_code == 200, edited.text
    assert edited.json()["id"] == article_id  # the id names the content: it stays
    shown = fresh_client.get(f"/v1/articles/{article_id}").json()
    assert (shown["title"], shown["source"], shown["published_at"]) == (
        "Port Ellis pilots strike", "Harbour Times", "2024-05-08",
    )  # fmt: skip
    answer = fresh_client.post(
        "/v1/ask",
        json={"question": "Why did the harbour pilots strike?",
              "filters": {"outlets": ["Harbour Times"]}},
    ).json()  # fmt: skip
    cited = answer["citations"][0]
    assert (cited["title"], cited["source"], cited["published_at"]) == (
        "Port Ellis pilots strike", "Harbour Times", "2024-05-08",
    )  # fmt: skip
    passages = fresh_client.get("/v1/search", params={"q": "pilots strike"}).json()["passages"]
    assert {p["source"] for p in passages} == {"Harbour Times"}
    # The old values are gone from both collections: filtering by the old outlet finds nothing.
    old = fresh_client.get("/v1/search", params={"q": "pilots strike", "outlet": "Coastal Ledger"})
    assert old.json()["passages"] == []
    assert (
        fresh_client.get("/v1/articles", params={"outlet": "Coastal Ledger"}).json()["total"] == 0
    )


def test_a_bad_edit_is_refused_with_the_field_named_and_changes_nothing(
    fresh_client: TestClient,
):
    article_id = fresh_client.post("/v1/articles", json={"records": [RECORD]}).json()["added"][0]
    url = f"/v1/articles/{article_id}"
    assert fresh_client.patch(url, json={}).status_code == 400
    bad_date = fresh_client.patch(url, json={"published_at": "last tuesday"})
    assert bad_date.status_code == 422 and "published_at" in bad_date.text
    assert fresh_client.patch(url, json={"source": "   "}).status_code == 422
    assert fresh_client.patch(url, json={"id": "a1"}).status_code == 422
    assert fresh_client.patch("/v1/articles/a000", json={"title": "x"}).status_code == 404
    shown = fresh_client.get(url).json()
    assert (shown["title"], shown["source"]) == (RECORD["title"], RECORD["source"])


def test_a_read_only_key_cannot_edit_an_article(keyed_client: TestClient):
    from tests.api.conftest import READ_KEY

    headers = {"Authorization": f"Bearer {READ_KEY}"}
    denied = keyed_client.patch("/v1/articles/a000", json={"title": "x"}, headers=headers)
    assert denied.status_code == 403


def test_a_lone_surrogate_in_one_record_costs_no_record_and_a_huge_number_is_a_400(
    fresh_client: TestClient,
):
    # JSON can escape half of a UTF-16 pair; it used to fail the whole batch with a 500.
    broken = {"title": "Pilots \ud83d strike", "body": "Pilots walked out \udc00 at dawn."}
    body = json.dumps({"records": [broken, RECORD]})  # ASCII: the escapes stay escapes
    response = fresh_client.post(
        "/v1/articles", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert len(report["added"]) == 2 and report["problems"] == []
    titles = {a["title"] for a in fresh_client.get("/v1/articles").json()["items"]}
    assert titles == {"Pilots \ufffd strike", RECORD["title"]}
    huge = b'{"records": [{"title": "t", "body": "b", "n": ' + b"1" * 5000 + b"}]}"
    response = fresh_client.post(
        "/v1/articles", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and "malformed JSON" in response.json()["error"]["message"]


def test_a_bad_jsonl_line_is_reported_by_line_and_the_other_lines_go_in(
    fresh_client: TestClient,
):
    lines = [
        # Its own URL: two records of one URL are two versions, and only the newest stays.
        json.dumps({**RECORD, "title": "Broken \ud800 emoji", "url": "https://example.org/b"}),
        '{"title": "n", "body": "b", "count": ' + "9" * 5000 + "}",
        "{not json",
        json.dumps(RECORD),
    ]
    files = [("files", ("feed.jsonl", "\n".join(lines).encode(), "application/json"))]
    report = fresh_client.post("/v1/articles", files=files).json()
    assert len(report["added"]) == 2, report
    problems = {p["item"]: p["reason"] for p in report["problems"]}
    assert set(problems) == {"upload:feed.jsonl:line 2", "upload:feed.jsonl:line 3"}
    assert all(reason.startswith("malformed JSON") for reason in problems.values())
