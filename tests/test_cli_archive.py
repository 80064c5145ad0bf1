"""An archive that ends before today, through the `newsdesk` command: "last week" counts
from the archive's own last day (or the day given with --as-of), and the answer says which."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import newsdesk

# Project-written news from 2023: the archive ends on 27 November.
ARCHIVE = [
    {
        "title": "Council approves a new central library",
        "body": "The Port Ellis town council approved a new central library on Monday. "
        "Building work is due to start in the spring.",
        "source": "Coastal Ledger",
        "published_at": "2023-03-06",
    },
    {
        "title": "Harbour bridge reopens after repairs",
        "body": "The Port Ellis harbour bridge reopened on Tuesday after six weeks of repairs "
        "to its deck. Traffic was back to normal by the evening.",
        "source": "Coastal Ledger",
        "published_at": "2023-11-21",
    },
    {
        "title": "Ferry crews end their strike",
        "body": "Ferry crews in Port Ellis returned to work on Monday after a five-day strike "
        "over night shifts. The first sailing left at six in the morning.",
        "source": "Harbour Times",
        "published_at": "2023-11-27",
    },
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("archive")
    feed = data / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in ARCHIVE) + "\n", encoding="utf-8")
    report = json.loads(newsdesk(data / "store", "ingest", str(feed), "--json").stdout)
    assert len(report["added"]) == 3
    return data / "store"


def test_last_week_over_a_2023_archive_is_answered_as_of_its_newest_article(archive):
    answer = json.loads(newsdesk(archive, "ask", "What happened last week?", "--json").stdout)
    assert answer["abstained"] is False, answer
    assert answer["as_of"] == "2023-11-27"
    assert answer["notes"][0].startswith("As of 2023-11-27 (the newest article's date)")
    days = {c["published_at"] for c in answer["citations"]}
    assert days and days <= {"2023-11-21", "2023-11-27"}  # the archive's last week only
    assert "Ferry crews" in answer["answer"]
    plain = newsdesk(archive, "ask", "What happened last week?").stdout
    assert "note: As of 2023-11-27" in plain


def test_as_of_sets_the_day_last_week_counts_from(archive):
    proc = newsdesk(archive, "ask", "What happened last week?", "--as-of", "2023-03-10", "--json")
    answer = json.loads(proc.stdout)
    assert answer["as_of"] == "2023-03-10"
    assert answer["notes"][0].startswith("As of 2023-03-10 (the date asked for)")
    assert [c["published_at"] for c in answer["citations"]] == ["2023-03-06"]
    assert "central library" in answer["answer"]
    bad = newsdesk(archive, "ask", "What happened?", "--as-of", "2023-13-01", check_rc=2)
    assert "--as-of" in bad.stderr and "YYYY-MM-DD" in bad.stderr


def test_ingest_outlet_and_published_give_every_article_of_the_file_them(tmp_path):
    page = tmp_path / "ferry.txt"
    page.write_text(
        "Ferry service resumes after storm\n\n"
        "The island ferry resumed sailing on Thursday after a two-day suspension.\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    args = ("ingest", str(page), "--outlet", "Island Post", "--published", "2023-05-04")
    added = json.loads(newsdesk(data, *args, "--json").stdout)["added"]
    shown = json.loads(newsdesk(data, "articles", "show", added[0], "--json").stdout)
    assert (shown["source"], shown["published_at"]) == ("Island Post", "2023-05-04")
    # Again with another date: the stored article (same id) gets it, nothing is duplicated.
    again = newsdesk(data, "ingest", str(page), "--published", "2023-05-05", "--json").stdout
    assert json.loads(again)["unchanged"] == added
    shown = json.loads(newsdesk(data, "articles", "show", added[0], "--json").stdout)
    assert (shown["source"], shown["published_at"]) == ("Island Post", "2023-05-05")
    bad = newsdesk(data, "ingest", str(page), "--published", "May 4", check_rc=2)
    assert "--published" in bad.stderr
