"""Web pages through the API: `POST /v1/articles` with `{"url"}` or `{"urls"}` fetches them on
the server, under its fetch settings and its keys, and the CLI working through a running
server sends its URLs there (assistant/remote.py)."""

from __future__ import annotations

from collections.abc import Callable

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.remote import RemoteNewsdesk
from assistant.settings import Names
from tests.api.conftest import READ_KEY, WRITE_KEY, LiveServer, local_client, with_api

ALLOW_LOCAL = {"ingest.fetch.allow_hosts": "127.0.0.1"}


def test_a_url_is_fetched_and_added_and_a_bad_one_in_a_list_is_one_problem(
    make_app: Callable[..., Newsdesk], news_site
):
    with local_client(create_app(make_app(**ALLOW_LOCAL), warm_up=False)) as c:
        report = c.post("/v1/articles", json={"url": news_site.url("/article")}).json()
        assert len(report["added"]) == 1 and report["problems"] == []
        article = c.get(f"/v1/articles/{report['added'][0]}").json()
        assert article["source"] == "Alder Gazette" and article["origin"].endswith("/article")
        urls = [news_site.url("/gzip"), news_site.url("/no-such-page"), news_site.url("/article")]
        again = c.post("/v1/articles", json={"urls": urls}).json()
        assert len(again["added"]) == 1 and again["unchanged"] == report["added"]
        assert again["problems"] == [{"item": urls[1], "reason": "HTTP 404 Not Found"}]


def test_a_private_or_metadata_address_is_refused_with_the_reason_and_nothing_fetched(
    fresh_client, news_site
):
    before = len(news_site.requests)
    urls = [news_site.url("/article"), "http://169.254.169.254/latest/meta-data/"]
    report = fresh_client.post("/v1/articles", json={"urls": urls}).json()
    assert report["added"] == []
    assert [p["reason"] for p in report["problems"]] == [
        "127.0.0.1 is a loopback address: refused (NEWSDESK_FETCH_ALLOW_HOSTS can allow it)",
        "169.254.169.254 is a cloud metadata address: never fetched",
    ]
    assert len(news_site.requests) == before


def test_url_requests_of_the_wrong_shape_are_refused_before_anything_is_fetched(fresh_client):
    for body, words in [
        ({"url": "https://a.example/1", "urls": ["https://a.example/2"]}, "either url or urls"),
        ({"urls": []}, "urls"),
        ({"urls": [f"https://a.example/{i}" for i in range(21)]}, "urls"),
        ({"url": 3}, "url"),
        ({"url": "https://a.example/" + "x" * 2048}, "url"),
        ({"url": "https://a.example/1", "records": []}, "records"),
    ]:
        response = fresh_client.post("/v1/articles", json=body)
        assert response.status_code == 422, body
        assert words in response.json()["error"]["message"], body


def test_fetching_a_page_needs_a_read_write_key(make_app: Callable[..., Newsdesk], news_site):
    app = with_api(make_app(**ALLOW_LOCAL), keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))
    before = len(news_site.requests)
    with local_client(create_app(app, warm_up=False)) as c:
        body = {"url": news_site.url("/article")}
        for key, status in ((None, 401), (READ_KEY, 403)):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            assert c.post("/v1/articles", json=body, headers=headers).status_code == status
        assert len(news_site.requests) == before
        ok = c.post("/v1/articles", json=body, headers={"Authorization": f"Bearer {WRITE_KEY}"})
        assert ok.status_code == 200 and len(ok.json()["added"]) == 1


def test_the_cli_through_a_running_server_sends_urls_for_the_server_to_fetch(
    make_app: Callable[..., Newsdesk], news_site, tmp_path
):
    app = make_app(**ALLOW_LOCAL)
    note = tmp_path / "quay.txt"
    note.write_text("Quay reopens\n\nThe north quay reopened on Friday after repairs.\n")
    urls = [news_site.url("/article"), news_site.url("/private/memo")]
    with LiveServer(create_app(app, warm_up=False)) as server:
        remote = RemoteNewsdesk(server.url)
        try:
            outcome = remote.ingest([str(note), *urls])
        finally:
            remote.close()
    assert outcome.files_seen == 3 and len(outcome.report.added) == 2
    assert [(p.path, p.reason) for p in outcome.problems] == [
        (urls[1], "the site's robots.txt forbids fetching this page")
    ]
    origins = {i.origin for i in app.list_articles()}
    assert origins == {"upload:quay.txt", urls[0]}
