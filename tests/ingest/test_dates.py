"""Publication dates: the shapes news uses become ISO 8601; prose and garbage do not."""

from __future__ import annotations

import pytest

from ingest.dates import find_date_line, parse_date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-12-04", "2023-12-04"),
        ("2023-12-04T10:39:00", "2023-12-04T10:39:00"),
        ("2024-09-18T14:00:00Z", "2024-09-18T14:00:00+00:00"),
        ("2023-12-04T10:39:00+04:00", "2023-12-04T10:39:00+04:00"),
        ("December 04, 2023, 10:39 AM", "2023-12-04T10:39:00"),
        ("Dec 4, 2023", "2023-12-04"),
        ("Dec. 4, 2023, 3:15 p.m.", "2023-12-04T15:15:00"),
        ("4 December 2023", "2023-12-04"),
        ("Mon, 04 Dec 2023 10:39:00 GMT", "2023-12-04T10:39:00+00:00"),
        ("Tue, 5 Mar 2024 08:00:00 +0100", "2024-03-05T08:00:00+01:00"),
        ("Saturday 2 March 2024 09.15 GMT", "2024-03-02T09:15:00+00:00"),
        ("4 December 2023 10:39 GMT+4", "2023-12-04T10:39:00+04:00"),
        ("Updated: December 04, 2023, 10:39 AM", "2023-12-04T10:39:00"),
        ("Published March 12, 2024", "2024-03-12"),
        ("Published on: 2024/05/02", "2024-05-02"),
        ("Last updated 7 June 2024", "2024-06-07"),
        ("Published on Dec 4, 2023 at 10:39 am ET", "2023-12-04T10:39:00"),
        ("May 2023", "2023-05-01"),
    ],
)
def test_news_date_shapes_become_iso_8601(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        None,
        "Monday",
        "10:39 AM",
        "2023",
        "Updated 4 hours ago",
        "market crash 2023",
        "not a date 2023",
        "Decision 2023",
        "Published figures show that in December 2023 prices rose",
        "31 February 2023",
        "2023-13-45",
    ],
)
def test_text_without_a_clear_year_and_month_is_not_a_date(raw):
    assert parse_date(raw) is None


def test_find_date_line_returns_the_index_and_date_of_the_dateline():
    lines = ["Headline", "", "Body text.", "Updated: December 04, 2023, 10:39 AM"]
    assert find_date_line(lines) == (3, "2023-12-04T10:39:00")


def test_find_date_line_ignores_body_sentences_that_start_like_a_dateline():
    lines = ["Published figures for December 2023 show prices rose by four percent."]
    assert find_date_line(lines) is None
