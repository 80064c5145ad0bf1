"""A briefing on the project's two stories: events in date order, each sentence quoted
exactly, the outlets that reported it, a figure two outlets gave differently on one day,
and a figure that changed over days."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.briefing.model import CHANGE, DISAGREEMENT
from tests.stories_corpus import BEFORE, GARRISON, HARBOR, NORTHERN, SANCTIONS, UNRELATED, VALLEY

TOPIC = "Iran-backed militias"
SINCE, UNTIL = date(2023, 11, 1), date(2023, 11, 10)


def _exact(app, citation) -> bool:
    stored = app.article(citation.article_id)
    return stored is not None and stored.text[citation.start : citation.end] == citation.quote


def test_briefing_lists_each_story_as_one_event_in_date_order(story_app):
    briefing = story_app.brief(TOPIC, since=SINCE, until=UNTIL)
    assert [e.date for e in briefing.events] == ["2023-11-02", "2023-11-08"]
    garrison, sanctions = briefing.events
    assert set(garrison.article_ids) == {a.id for a in GARRISON}
    assert set(sanctions.article_ids) == {a.id for a in SANCTIONS}
    assert [o.name for o in garrison.outlets] == [HARBOR, NORTHERN, VALLEY]
    assert [(o.name, o.first) for o in sanctions.outlets] == [
        (VALLEY, "2023-11-08"),
        (NORTHERN, "2023-11-09"),
    ]


def test_every_sentence_of_a_briefing_is_the_stored_text_at_its_offsets(story_app):
    briefing = story_app.brief(TOPIC, since=SINCE, until=UNTIL)
    cited = briefing.citations
    assert cited and all(_exact(story_app, c) for c in cited)
    assert [c.n for c in cited] == list(range(1, len(cited) + 1))
    assert all(1 <= len(e.citations) <= 2 for e in briefing.events)
    # Articles of another subject or outside the period are not in it.
    ids = {c.article_id for c in cited}
    assert not ids & {UNRELATED.id, BEFORE.id}


def test_two_outlets_giving_different_figures_on_one_day_are_a_disagreement(story_app):
    garrison = story_app.brief(TOPIC, since=SINCE, until=UNTIL).events[0]
    disagreements = [d for d in garrison.differences if d.kind == DISAGREEMENT]
    assert len(disagreements) == 1
    d = disagreements[0]
    sides = {(c.source, c.published_at) for c in (d.earlier, d.later)}
    assert sides == {(VALLEY, "2023-11-03"), (NORTHERN, "2023-11-03")}
    assert {"900" in d.earlier.quote + d.later.quote, "700" in d.earlier.quote + d.later.quote}
    assert "different figures" in d.describe() and "2023-11-03" in d.describe()


def test_a_figure_that_moved_over_days_is_a_change_with_both_dates(story_app):
    garrison = story_app.brief(TOPIC, since=SINCE, until=UNTIL).events[0]
    changes = [d for d in garrison.differences if d.kind == CHANGE]
    assert len(changes) == 1
    c = changes[0]
    assert (c.earlier.published_at, c.later.published_at) == ("2023-11-02", "2023-11-06")
    assert "900 troops" in c.earlier.quote and "1,200 troops" in c.later.quote
    assert _exact(story_app, c.earlier) and _exact(story_app, c.later)


def test_a_period_without_articles_on_the_topic_says_so(story_app):
    briefing = story_app.brief(TOPIC, since=date(2024, 1, 1), until=date(2024, 1, 31))
    assert briefing.events == []
    text = f"No articles about {TOPIC} between 2024-01-01 and 2024-01-31."
    assert briefing.notes == [text]
    answer = briefing.as_answer("q")
    assert answer.abstained and answer.text == text and not answer.citations


def test_a_topic_the_period_never_mentions_gets_no_events(story_app):
    briefing = story_app.brief("measles vaccination campaign", since=SINCE, until=UNTIL)
    assert briefing.events == [] and briefing.articles_read == 0


def test_an_outlet_filter_keeps_that_outlets_reports_only(story_app):
    briefing = story_app.brief(TOPIC, since=SINCE, until=UNTIL, source=NORTHERN)
    assert briefing.events
    assert {c.source for c in briefing.citations} == {NORTHERN}
    assert "from Northern Wire" in briefing.empty_text


def test_the_article_cap_bounds_what_a_briefing_reads(make_app):
    app = make_app(**{"brief.max_articles": 2})
    app.store.add_articles([*GARRISON, *SANCTIONS])
    briefing = app.brief(TOPIC, since=SINCE, until=UNTIL)
    assert briefing.articles_read == 2
    assert len({i for e in briefing.events for i in e.article_ids}) <= 2


def test_the_event_cap_keeps_the_events_the_most_articles_report(make_app):
    app = make_app(**{"brief.max_events": 1})
    app.store.add_articles([*GARRISON, *SANCTIONS])
    briefing = app.brief(TOPIC, since=SINCE, until=UNTIL)
    assert [set(e.article_ids) for e in briefing.events] == [{a.id for a in GARRISON}]
    assert any(n.startswith("2 events found; the 1 reported by") for n in briefing.notes)


def test_the_time_budget_returns_the_events_made_so_far_with_a_note(make_app, monkeypatch):
    app = make_app(**{"brief.max_seconds": 1})
    app.store.add_articles([*GARRISON, *SANCTIONS])
    stages: list[str] = []
    # The briefing's clock stands still until its first event takes 5 "seconds": the budget
    # runs out there, whatever the machine's load.
    now = [0.0]
    monkeypatch.setattr("assistant.briefing.build._now", lambda: now[0])

    def slow(stage: str) -> None:
        stages.append(stage)
        if stage.startswith("event 1 "):
            now[0] += 5

    briefing = app.brief(TOPIC, since=SINCE, until=UNTIL, progress=slow)
    assert stages == ["searching", "grouping 6 articles", "event 1 of 2"]
    assert len(briefing.events) == 1
    assert any("stopped after 1 s" in n and "1 of 2 events" in n for n in briefing.notes)


@pytest.mark.parametrize(
    ("topic", "since", "until", "field"),
    [(" ", None, None, "topic"), ("x" * 301, None, None, "topic"),
     (TOPIC, date(2023, 11, 5), date(2023, 11, 1), "since")],
)  # fmt: skip
def test_a_briefing_request_that_cannot_be_used_names_its_field(story_app, topic, since,
                                                                until, field):  # fmt: skip
    with pytest.raises(ValueError, match=field):
        story_app.brief(topic, since=since, until=until)


def test_what_happened_with_a_subject_this_week_in_the_chat_is_a_briefing(story_app):
    answer = story_app.ask(f"What happened with {TOPIC} this week?", as_of=date(2023, 11, 9))
    assert not answer.abstained
    assert answer.text.startswith("2023-11-02 (Harbor Ledger, Northern Wire, Valley Courier):")
    assert "2023-11-08 (Valley Courier, Northern Wire):" in answer.text
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    assert all(_exact(story_app, c) for c in answer.citations)
    assert answer.as_of == "2023-11-09"


def test_what_happened_with_no_subject_is_still_the_digest_of_the_period(story_app):
    answer = story_app.ask("What happened this week?", as_of=date(2023, 11, 9))
    assert "(Harbor Ledger, Northern Wire" not in answer.text
