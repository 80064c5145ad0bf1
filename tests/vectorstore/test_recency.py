"""Fresh news first: the recency factor, the fresh-news window, and search as of a day."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.app import news_day
from ingest.text import parse_time_scope
from ingest.types import Article
from vectorstore.config import SearchConfig
from vectorstore.recency import fresh_filters, recency_factor
from vectorstore.types import SearchFilters

DAY = date(2025, 3, 14)

# Two reports on one subject: the archive's story names every word of the question, the
# fresh one (published the day the question is asked) gives the current figure.
ARCHIVE = Article(
    title="Ferry operator adds crossings to the island",
    text=(
        "The ferry operator will run twelve daily crossings to Marrow Island this summer, "
        "the island council said. Ferry crossings to Marrow Island had been cut during the "
        "winter storms."
    ),
    source="Island Courier",
    published_at="2024-06-02",
)
FRESH = Article(
    title="Storm damage halves island service",
    text=(
        "Only six crossings a day will reach Marrow Island until the pier is repaired, "
        "the operator said on Friday after storm damage."
    ),
    source="Harbour Post",
    published_at="2025-03-14",
)


def test_the_boost_halves_every_half_life_and_spares_undated_and_later_news():
    config = SearchConfig(recency_boost=1.0, recency_half_life_days=7)
    assert recency_factor(20250314, DAY, config) == pytest.approx(2.0)
    assert recency_factor(20250307, DAY, config) == pytest.approx(1.5)
    assert recency_factor(20240314, DAY, config) == pytest.approx(1.0, abs=1e-9)
    assert recency_factor(None, DAY, config) == 1.0
    assert recency_factor(20250315, DAY, config) == 1.0
    assert recency_factor(20250314, DAY, SearchConfig(recency_boost=0)) == 1.0


def test_the_fresh_window_ends_on_the_day_and_stays_inside_the_users_filters():
    config = SearchConfig(recent_days=3)
    window = fresh_filters(SearchFilters(sources=("Harbour Post",)), DAY, config)
    assert (window.published_after, window.published_before) == (date(2025, 3, 11), DAY)
    assert window.sources == ("Harbour Post",)
    narrowed = fresh_filters(SearchFilters(published_after=date(2025, 3, 13)), DAY, config)
    assert narrowed.published_after == date(2025, 3, 13)
    assert fresh_filters(SearchFilters(published_before=date(2025, 1, 1)), DAY, config) is None
    assert fresh_filters(SearchFilters(), DAY, SearchConfig(recent_days=0)) is None


def test_a_question_is_about_todays_news_unless_it_names_a_period():
    today = date(2025, 3, 14)
    plain = parse_time_scope("How many ferries cross?", today)
    assert news_day(SearchFilters(), plain, today) == today
    as_of = parse_time_scope("How many ferries crossed as of March 1, 2025?", today)
    assert news_day(SearchFilters(), as_of, today) == date(2025, 3, 1)
    filtered = SearchFilters(published_before=date(2025, 2, 1))
    assert news_day(filtered, plain, today) == date(2025, 2, 1)
    in_year = parse_time_scope("How many ferries crossed in 2024?", today)
    assert news_day(SearchFilters(), in_year, today) is None


def test_searching_as_of_a_day_puts_that_days_report_first(make_app):
    store = make_app().store
    store.add_articles([ARCHIVE, FRESH])
    question = "How many ferry crossings a day go to Marrow Island?"
    timeless = store.search(question, k=2)
    assert timeless[0].article_id == ARCHIVE.id
    fresh_first = store.search(question, k=2, as_of=DAY)
    assert [p.article_id for p in fresh_first] == [FRESH.id, ARCHIVE.id]
    # A year later neither report is fresh: the ranking is the timeless one again.
    later = store.search(question, k=2, as_of=date(2026, 3, 14))
    assert [p.article_id for p in later] == [p.article_id for p in timeless]


def test_fresh_news_is_found_even_when_the_archive_fills_the_candidates(make_app):
    app = make_app(**{"search.candidates": 3})
    archive = [
        Article(
            title=f"Ferry timetable for Marrow Island, week {n}",
            text=f"Ferry crossings to Marrow Island in week {n}: twelve a day, the operator said.",
            source="Island Courier",
            published_at=f"2024-0{1 + n % 8}-1{n % 10}",
        )
        for n in range(8)
    ]
    app.store.add_articles([*archive, FRESH])
    question = "How many ferry crossings a day go to Marrow Island?"
    assert FRESH.id not in {p.article_id for p in app.store.search(question, k=3)}
    assert app.store.search(question, k=3, as_of=DAY)[0].article_id == FRESH.id


def test_fresh_news_on_another_subject_is_not_promoted_for_being_fresh(make_app):
    store = make_app().store
    off_topic = Article(
        title="Chess club wins regional final",
        text="The town chess club won the regional final on Friday after a tense endgame.",
        source="Harbour Post",
        published_at="2025-03-14",
    )
    store.add_articles([ARCHIVE, off_topic])
    ranked = store.search("How many ferry crossings a day go to Marrow Island?", k=2, as_of=DAY)
    assert [p.article_id for p in ranked] == [ARCHIVE.id, off_topic.id]


def test_an_undated_article_answers_a_named_year_only_when_no_dated_article_falls_in_it(make_app):
    undated = Article(
        title="Harbor regatta winners",
        text="The crew of the Seabright won the harbor regatta in 2019 after a close finish."
        "\n\nThe Windrose crew won the race two years later.",
        source="Club Notes",
    )
    app = make_app()
    app.store.add_articles([undated])
    answer = app.ask("Which crew won the harbor regatta in 2019?")
    # An article without a date cannot be placed in 2019 or out of it: with nothing dated
    # there, it is searched, and the answer says so.
    assert not answer.abstained and "Seabright" in answer.text
    assert any("articles without a date were searched" in n for n in answer.notes)
    dated = Article(
        title="Brightwater crew takes the harbor regatta",
        text="The crew of the Brightwater won the harbor regatta on Saturday after a close "
        "finish.\n\nOrganisers said 40 boats took part.",
        source="Harbor Ledger",
        published_at="2019-08-03",
    )
    app.store.add_articles([dated])
    answer = app.ask("Which crew won the harbor regatta in 2019?")
    assert answer.citations and all(c.published_at for c in answer.citations)
    assert any("only articles published" in n for n in answer.notes)
