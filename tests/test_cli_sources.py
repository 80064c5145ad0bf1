"""`newsdesk sources` and `newsdesk sync` as a user runs them (new processes, a fresh data
folder, the local news site), and through a running `newsdesk serve`, whose scheduler syncs
a source added through it by itself."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.served import serving
from tests.test_cli import cli_env, newsdesk
from tests.test_sync import stories

pytestmark = pytest.mark.slow

FETCH = {"NEWSDESK_FETCH_ALLOW_HOSTS": "127.0.0.1", "NEWSDESK_FETCH_HOST_INTERVAL": "0",
         "NEWSDESK_SAMPLE_CORPUS": "false"}  # fmt: skip


def test_sources_add_list_sync_and_remove_from_the_command_line(tmp_path, news_site):
    prefix = f"/c{uuid.uuid4().hex[:8]}"
    feed = news_site.feed(f"{prefix}/feed", "rss", stories(prefix, 2))
    gone = news_site.url(f"{prefix}/gone.xml")
    added = newsdesk(tmp_path, "sources", "add", feed, "--every", "2h", "--outlet", "Ledger",
                     env=FETCH)  # fmt: skip
    assert "every 2h, outlet Ledger" in added.stdout
    source = added.stdout.split()[1].rstrip(":")
    newsdesk(tmp_path, "sources", "add", gone, env=FETCH)

    synced = newsdesk(tmp_path, "sync", "--json", env=FETCH, check_rc=3)  # one source failed
    runs = {r["source_id"]: r for r in json.loads(synced.stdout)["runs"]}
    assert runs[source]["added"] == 2 and runs[source]["status"] == "ok"
    assert any(r["error"] == "HTTP 404 Not Found" for r in runs.values())

    again = newsdesk(tmp_path, "sync", source, env=FETCH)  # by id; by URL works too
    assert f"{source}: ok; 0 listed, 0 added, 0 replaced, 0 unchanged" in again.stdout

    listed = newsdesk(tmp_path, "sources", "list", env=FETCH).stdout
    assert f"{source}  every   2h  rss" in listed and "failing" in listed
    assert "error: HTTP 404 Not Found" in listed and "2 source(s)" in listed
    shown = json.loads(newsdesk(tmp_path, "sources", "list", "--json", env=FETCH).stdout)
    assert {s["url"] for s in shown} == {feed, gone}
    articles = json.loads(newsdesk(tmp_path, "articles", "list", "--json", env=FETCH).stdout)
    assert {a["source"] for a in articles} == {"Ledger"} and len(articles) == 2

    removed = newsdesk(tmp_path, "sources", "remove", gone, "nope", env=FETCH, check_rc=4)
    assert f"removed source {gone}" in removed.stdout and "no source 'nope'" in removed.stderr
    assert len(json.loads(newsdesk(tmp_path, "articles", "list", "--json", env=FETCH).stdout)) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["http://10.9.8.7/rss"], "10.9.8.7 is a private address: refused"),
        (["ftp://news.example/rss"], "a source is an http(s) URL of a feed or a sitemap"),
        (["http://203.0.113.9/rss", "--every", "10s"], "an interval of at least 1 minute"),
    ],
)
def test_a_refused_source_is_a_usage_error_saying_why(tmp_path, args, message):
    refused = newsdesk(tmp_path, "sources", "add", *args, check_rc=2)
    assert message in refused.stderr
    assert "0 source(s)" in newsdesk(tmp_path, "sources", "list").stdout


def test_sync_with_no_sources_says_how_to_add_one(tmp_path):
    assert "newsdesk sources add URL" in newsdesk(tmp_path, "sync").stdout


def test_serve_syncs_a_source_by_itself_and_the_cli_works_through_it(tmp_path, news_site):
    prefix = f"/v{uuid.uuid4().hex[:8]}"
    listed = stories(prefix, 2)
    feed = news_site.feed(f"{prefix}/feed", "atom", listed)
    with serving(tmp_path, {**cli_env(tmp_path), **FETCH}) as url:
        # The store is the server's: the command goes through its API.
        added = newsdesk(tmp_path, "sources", "add", feed, env=FETCH)
        assert f"working through {url}" in added.stderr
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # the server's scheduler: due at once
            items = httpx.get(f"{url}/v1/articles").json()["items"]
            if len(items) == 2:
                break
            time.sleep(0.5)
        assert len(items) == 2, (tmp_path / "serve.log").read_text()
        assert "holding the sync lease" in (tmp_path / "serve.log").read_text()
        listed.append(stories(prefix, 3)[2])
        news_site.story(listed[2])
        synced = newsdesk(tmp_path, "sync", feed, "--json", env=FETCH)
        (run,) = json.loads(synced.stdout)["runs"]
        assert (run["added"], run["unchanged"]) == (1, 2)
        watch = newsdesk(tmp_path, "sync", "--watch", env=FETCH, check_rc=1)
        assert "the server runs due syncs itself" in watch.stderr


def test_serve_with_no_sync_leaves_the_sources_alone(tmp_path, news_site):
    prefix = f"/n{uuid.uuid4().hex[:8]}"
    feed = news_site.feed(f"{prefix}/feed", "rss", stories(prefix, 1))
    newsdesk(tmp_path, "sources", "add", feed, env=FETCH)
    with serving(tmp_path, {**cli_env(tmp_path), **FETCH}, "--no-sync") as url:
        time.sleep(7)  # past the scheduler's first tick, had there been one
        assert news_site.hits[f"{prefix}/feed"] == 0
        assert httpx.get(f"{url}/v1/sources").json()["items"][0]["last_run"] is None


def test_help_names_the_new_commands(tmp_path: Path):
    out = newsdesk(tmp_path, "--help").stdout
    assert "sources" in out and "sync" in out and "NEWSDESK_SYNC_EVERY" in out
    serve = newsdesk(tmp_path, "serve", "--help").stdout
    assert "--no-sync" in serve
