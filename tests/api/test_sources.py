"""Sources through the API (`/v1/sources`): add, list, show, sync now (in the background,
202 and where to poll; a second start refused with 409; or waited for, with the run and its
errors per item), remove; the read-write key for changes; private addresses refused with
the reason; a sync left to the process that holds the store's sync lease (202)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.settings import Names
from tests.api.conftest import READ_KEY, WRITE_KEY, local_client, with_api
from tests.news_site import Reply, article_html
from tests.test_sync import LOCAL, stories
from vectorstore.sync_lease import SyncLease

AUTH_WRITE = {"Authorization": f"Bearer {WRITE_KEY}"}
AUTH_READ = {"Authorization": f"Bearer {READ_KEY}"}


def keyed(make_app: Callable[..., Newsdesk]) -> Newsdesk:
    return with_api(make_app(**LOCAL), keys=Names([WRITE_KEY]), read_keys=Names([READ_KEY]))


def test_a_source_is_added_synced_shown_and_removed(make_app, news_site):
    prefix = f"/a{uuid.uuid4().hex[:8]}"
    listed = stories(prefix, 2)
    feed = news_site.feed(f"{prefix}/feed", "json", listed)
    with local_client(create_app(keyed(make_app), warm_up=False)) as c:
        added = c.post("/v1/sources", json={"url": feed, "every": "1h", "outlet": "Ledger"},
                       headers=AUTH_WRITE)  # fmt: skip
        assert added.status_code == 201, added.text
        source = added.json()
        assert (source["every"], source["outlet"], source["last_run"]) == ("1h", "Ledger", None)
        sid = source["id"]

        synced = c.post(f"/v1/sources/{sid}/sync?wait=true", headers=AUTH_WRITE)
        assert synced.status_code == 200, synced.text
        (run,) = synced.json()["runs"]
        assert (run["status"], run["added"], run["errors"]) == ("ok", 2, [])

        shown = c.get(f"/v1/sources/{sid}", headers=AUTH_READ).json()
        assert shown["kind"] == "json-feed" and shown["last_run"]["id"] == run["id"]
        assert shown["last_success_at"] and shown["next_run_at"] >= shown["last_run_at"] + 3600
        assert [s["id"] for s in c.get("/v1/sources", headers=AUTH_READ).json()["items"]] == [sid]
        articles = c.get("/v1/articles", headers=AUTH_READ).json()["items"]
        assert {a["source"] for a in articles} == {"Ledger"}

        again = c.post("/v1/sources/sync?wait=true", headers=AUTH_WRITE).json()  # every one
        assert again["runs"][0]["not_modified"] == 1 and again["queued"] == []

        assert c.delete(f"/v1/sources/{sid}", headers=AUTH_WRITE).status_code == 204
        assert c.get(f"/v1/sources/{sid}", headers=AUTH_READ).status_code == 404
        assert c.delete(f"/v1/sources/{sid}", headers=AUTH_WRITE).status_code == 404
        assert c.post(f"/v1/sources/{sid}/sync", headers=AUTH_WRITE).status_code == 404
        assert len(c.get("/v1/articles", headers=AUTH_READ).json()["items"]) == 2


def test_errors_per_item_show_in_the_run_and_in_the_source(make_app, news_site):
    prefix = f"/e{uuid.uuid4().hex[:8]}"
    (good,) = stories(prefix, 1)
    news_site.story(good)
    listed = [good, *stories(f"{prefix}/missing", 1)]
    feed = news_site.feed(f"{prefix}/feed", "rss", listed, pages=False)
    with local_client(create_app(make_app(**LOCAL), warm_up=False)) as c:
        sid = c.post("/v1/sources", json={"url": feed}).json()["id"]
        (run,) = c.post(f"/v1/sources/{sid}/sync?wait=true").json()["runs"]
        missing = news_site.url(listed[1].path)
        assert run["status"] == "partial" and run["added"] == 1
        assert run["errors"] == [{"url": missing, "reason": "HTTP 404 Not Found"}]
        shown = c.get(f"/v1/sources/{sid}").json()
        assert shown["problems"] == [{"url": missing, "reason": "HTTP 404 Not Found"}]


def test_read_only_keys_may_list_but_not_add_sync_or_remove(make_app, news_site):
    feed = news_site.feed(f"/r{uuid.uuid4().hex[:8]}/feed", "rss", [])
    with local_client(create_app(keyed(make_app), warm_up=False)) as c:
        refused = c.post("/v1/sources", json={"url": feed}, headers=AUTH_READ)
        assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
        sid = c.post("/v1/sources", json={"url": feed}, headers=AUTH_WRITE).json()["id"]
        assert c.post(f"/v1/sources/{sid}/sync", headers=AUTH_READ).status_code == 403
        assert c.post("/v1/sources/sync", headers=AUTH_READ).status_code == 403
        assert c.delete(f"/v1/sources/{sid}", headers=AUTH_READ).status_code == 403
        assert c.get("/v1/sources", headers=AUTH_READ).status_code == 200
        assert c.get("/v1/sources").status_code == 401
    assert news_site.hits[feed.split(str(news_site.port))[1]] == 0  # never synced


def test_a_private_address_or_a_bad_interval_is_refused_with_the_reason(make_app):
    with local_client(create_app(make_app(), warm_up=False)) as c:
        for body, reason in [
            ({"url": "http://127.0.0.1:9/feed"}, "127.0.0.1 is a loopback address: refused"),
            ({"url": "http://[fd00:ec2::254]/"}, "is a cloud metadata address: never fetched"),
            ({"url": "gopher://news.example/"}, "url: String should match pattern"),
            ({"url": "http://203.0.113.5/rss", "every": "5s"}, "at least 1 minute"),
        ]:
            refused = c.post("/v1/sources", json=body)
            assert refused.status_code == 422, refused.text
            assert reason in refused.json()["error"]["message"], refused.text
        assert c.post("/v1/sources", json={"url": "x", "every": "soon"}).status_code == 422
        assert c.get("/v1/sources").json()["items"] == []


def test_a_sync_asked_while_another_process_holds_the_lease_is_left_to_it(make_app, news_site):
    feed = news_site.feed(f"/q{uuid.uuid4().hex[:8]}/feed", "rss", [])
    app = make_app(**LOCAL)
    with local_client(create_app(app, warm_up=False)) as c:
        sid = c.post("/v1/sources", json={"url": feed}).json()["id"]
        other = SyncLease(app.store.sync_state, "'newsdesk sync --watch' (pid 4242)", 30)
        assert other.try_take()
        queued = c.post(f"/v1/sources/{sid}/sync")
        assert queued.status_code == 202, queued.text
        body = queued.json()
        assert body["runs"] == [] and body["queued"] == [sid]
        assert "'newsdesk sync --watch' (pid 4242)" in body["holder"]
        assert c.get(f"/v1/sources/{sid}").json()["sync_requested"] is True
        other.release()
        (run,) = c.post(f"/v1/sources/{sid}/sync?wait=true").json()["runs"]
        assert run["status"] == "ok"
        assert c.get(f"/v1/sources/{sid}").json()["sync_requested"] is False


def test_sync_now_starts_in_the_background_and_a_second_start_is_refused_until_it_ends(
    make_app, news_site
):
    prefix = f"/g{uuid.uuid4().hex[:8]}"
    (story,) = stories(prefix, 1)
    feed = news_site.feed(f"{prefix}/feed", "rss", [story], pages=False)
    gate = threading.Event()

    def held_page(_handler):  # noqa: ANN001, ANN202 - the page answers when the test says
        gate.wait(30)
        text = article_html(story.title, story.body, "Alder Gazette", story.day,
                            news_site.url(story.path))  # fmt: skip
        return Reply(body=text.encode(), headers={"Content-Type": "text/html; charset=utf-8"})

    news_site.routes[story.path] = held_page
    with local_client(create_app(make_app(**LOCAL), warm_up=False)) as c:
        sid = c.post("/v1/sources", json={"url": feed}).json()["id"]
        started = c.post(f"/v1/sources/{sid}/sync")
        assert started.status_code == 202, started.text
        body = started.json()
        assert (body["started"], body["runs"], body["queued"]) == ([sid], [], [])
        assert body["poll"] == [f"/v1/sources/{sid}"] == [started.headers["Location"]]

        shown = c.get(f"/v1/sources/{sid}").json()
        assert shown["running"] is True and shown["running_since"]
        for path in (
            f"/v1/sources/{sid}/sync",
            "/v1/sources/sync",
            f"/v1/sources/{sid}/sync?wait=true",
        ):
            refused = c.post(path)
            assert refused.status_code == 409, refused.text
            assert f"a sync of {sid} is running now" in refused.json()["error"]["message"]

        gate.set()
        deadline = time.monotonic() + 60
        while (shown := c.get(f"/v1/sources/{sid}").json())["running"]:
            assert time.monotonic() < deadline, shown
            time.sleep(0.1)
        run = shown["last_run"]
        assert (run["status"], run["added"], run["errors"]) == ("ok", 1, [])
        again = c.post("/v1/sources/sync")  # free again: every source, in the background
        assert again.status_code == 202 and again.json()["started"] == [sid]
