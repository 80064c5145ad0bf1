"""Web pages through the application and the command line: `Newsdesk.ingest_urls` and
`newsdesk ingest URL` against the local news site (tests/news_site.py). A page is stored
with its metadata, fetched again it changes nothing, edited it replaces its old version, and
a URL that fails is one problem while the rest goes in."""

from __future__ import annotations

import json

from tests.news_site import article_html
from tests.test_cli import newsdesk

ALLOW_LOCAL = {"ingest.fetch.allow_hosts": "127.0.0.1"}
CANONICAL = "https://www.alder-gazette.example/2024/05/28/harbour-bridge-reopens"


def test_a_web_page_is_stored_with_its_metadata_and_answers_a_question(make_app, news_site):
    app = make_app(**ALLOW_LOCAL)
    outcome = app.ingest_urls([news_site.url("/article")])
    assert outcome.problems == [] and len(outcome.report.added) == 1
    info = app.article(outcome.report.added[0]).info
    assert (info.title, info.source, info.author) == (
        "Harbour bridge reopens after repairs", "Alder Gazette", "Mara Lindqvist",
    )  # fmt: skip
    assert info.url == CANONICAL and info.origin == news_site.url("/article")
    answer = app.ask("How many steel cables did the engineers replace?")
    assert "140" in answer.text and answer.citations[0].url == CANONICAL


def test_a_page_fetched_again_is_unchanged_and_an_edited_one_replaces_its_old_version(
    make_app, news_site
):
    app = make_app(**ALLOW_LOCAL)
    url = news_site.page("/bridge-live", article_html())
    first = app.ingest_urls([url]).report
    assert app.ingest_urls([url]).report.unchanged == first.added
    edited = article_html(body="The harbour bridge reopened on Tuesday. It had 160 new cables")
    news_site.page("/bridge-live", edited)
    again = app.ingest_urls([url]).report
    assert again.replaced == first.added and len(again.added) == 1
    stored = app.list_articles()
    assert [i.id for i in stored] == again.added and stored[0].url == CANONICAL


def test_a_private_address_is_refused_unless_allow_listed(make_app, news_site):
    before = news_site.hits["/article"]
    outcome = make_app().ingest_urls([news_site.url("/article")])
    assert outcome.report.added == []
    (problem,) = outcome.problems
    assert problem.path == news_site.url("/article")
    assert problem.reason == (
        "127.0.0.1 is a loopback address: refused (NEWSDESK_FETCH_ALLOW_HOSTS can allow it)"
    )
    assert news_site.hits["/article"] == before  # nothing was fetched


def test_newsdesk_ingest_mixes_files_and_urls_and_reports_each_bad_one(tmp_path, news_site):
    note = tmp_path / "ferry.txt"
    note.write_text(
        "Ferry service resumes after storm\n\nThe island ferry resumed sailing on Thursday.\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    args = [
        "--no-sample", "ingest", str(note), news_site.url("/cp1252"),
        news_site.url("/private/memo"), "http://10.20.30.40/news", "--json",
    ]  # fmt: skip
    proc = newsdesk(data, *args, check_rc=3, env={"NEWSDESK_FETCH_ALLOW_HOSTS": "127.0.0.1"})
    report = json.loads(proc.stdout)
    assert (report["files"], report["pages"], len(report["added"])) == (1, 3, 2)
    problems = {p["path"]: p["reason"] for p in report["problems"]}
    assert problems == {
        news_site.url("/private/memo"): "the site's robots.txt forbids fetching this page",
        "http://10.20.30.40/news": (
            "10.20.30.40 is a private address: refused (NEWSDESK_FETCH_ALLOW_HOSTS can allow it)"
        ),
    }
    assert f"skipped {news_site.url('/private/memo')}: the site's robots" in proc.stderr
    listed = json.loads(newsdesk(data, "articles", "list", "--json").stdout)
    assert {i["title"] for i in listed} == {
        "Ferry service resumes after storm", "Café owners protest “unfair” rent rises",
    }  # fmt: skip
