"""`newsdesk stories` as a user runs it (new processes, a fresh data folder): the project's
own two stories printed with their outlets, dates, shared facts and differences, each quote
with its outlet, date and characters; as JSON; narrowed by outlet; a bad date refused; and
the same through a running `newsdesk serve` that holds the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.served import serving
from tests.stories_corpus import GARRISON, HARBOR, NORTHERN, SANCTIONS, STORY_ARTICLES
from tests.test_cli import cli_env, newsdesk

pytestmark = pytest.mark.slow
ENV = {"NEWSDESK_SAMPLE_CORPUS": "false"}


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    records = [
        {"title": a.title, "body": a.text, "source": a.source, "published_at": a.published_at,
         "url": a.url}
        for a in STORY_ARTICLES
    ]  # fmt: skip
    path = tmp_path / "stories.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    newsdesk(tmp_path, "ingest", str(path), env=ENV)
    return tmp_path


def test_stories_print_each_story_cited_and_as_json(stored: Path):
    out = newsdesk(stored, "stories", env=ENV).stdout
    assert out.index(GARRISON[0].title) < out.index(SANCTIONS[0].title)  # largest first
    assert "4 article(s), 2023-11-02 to 2023-11-06" in out
    assert "differ on troop, on the same day:" in out
    assert f"{NORTHERN} (2023-11-03): “About 700 troops are stationed at Camp Ardent" in out
    assert "4 of 4 stories, from 8 article(s)" in out
    body = json.loads(newsdesk(stored, "stories", "--json", "--limit", "1", env=ENV).stdout)
    (story,) = body["stories"]
    assert {a.id for a in GARRISON} == set(story["article_ids"])
    only = newsdesk(stored, "stories", "--source", HARBOR, env=ENV).stdout
    assert SANCTIONS[0].title not in only and "2 of 2 stories" in only
    refused = newsdesk(stored, "stories", "--since", "yesterday", env=ENV, check_rc=2)
    assert "expected a date as YYYY-MM-DD" in refused.stderr
    backwards = newsdesk(stored, "stories", "--since", "2023-12-01", "--until", "2023-11-01",
                         env=ENV, check_rc=2)  # fmt: skip
    assert "is after until" in backwards.stderr


def test_stories_go_through_a_running_server(stored: Path):
    with serving(stored, {**cli_env(stored), **ENV}) as url:
        through = newsdesk(stored, "stories", "--until", "2023-11-06", env=ENV)
        assert f"working through {url}" in through.stderr
        assert GARRISON[0].title in through.stdout and "About 700 troops" in through.stdout
        assert SANCTIONS[0].title not in through.stdout  # after the period
