"""Stories: the project's own articles (tests/stories_corpus.py) grouped as they were written,
on a real embedded store with the real embedder; every shared fact and difference quoted
exactly; the period and outlet narrow them; the grouping rule's own edges (date window,
copies, cap); and the score the evaluation reports."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest

from assistant.app import Newsdesk
from assistant.evaluation.stories import score, within_days
from assistant.settings import StorySettings, load_settings
from assistant.stories.grouping import GroupedArticle, group_articles
from assistant.stories.listing import list_stories, story_list_of
from assistant.stories.story import Story, story_id
from tests.stories_corpus import (
    BEFORE,
    GARRISON,
    HARBOR,
    NORTHERN,
    SANCTIONS,
    STORY_ARTICLES,
    UNRELATED,
    VALLEY,
)
from vectorstore.types import ArticleInfo


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder) -> Newsdesk:
    data_dir = tmp_path_factory.mktemp("stories")
    settings = load_settings(overrides={"data_dir": data_dir, "sample_corpus": False}, environ={})
    desk = Newsdesk(settings, embedder=embedder)
    desk.ingest_articles(STORY_ARTICLES)
    yield desk
    desk.close()


def _ids(articles) -> set[str]:
    return {a.id for a in articles}


def test_stories_group_the_articles_as_written(app: Newsdesk):
    found = app.stories()
    groups = [set(s.article_ids) for s in found.stories]
    # Largest first; of the same size, the earlier first.
    assert groups == [_ids(GARRISON), _ids(SANCTIONS), {BEFORE.id}, {UNRELATED.id}]
    garrison = found.stories[0]
    assert set(garrison.outlets) == {HARBOR, VALLEY, NORTHERN}
    assert (garrison.first_report, garrison.last_report) == ("2023-11-02", "2023-11-06")
    assert garrison.id == story_id(list(reversed(garrison.article_ids)))  # from its ids only
    assert found.stories_found == 4 and found.articles_grouped == len(STORY_ARTICLES)


def test_shared_facts_and_differences_are_quoted_exactly(app: Newsdesk):
    stories = app.stories().stories
    cited = [c for s in stories for c in s.citations()]
    stored = app.articles(sorted({c.article_id for c in cited}))
    assert cited and all(stored[c.article_id].text[c.start : c.end] == c.quote for c in cited)
    garrison, sanctions = stories[0], stories[1]
    assert any(len(f.outlets) == 3 for f in garrison.shared)
    assert any(set(f.outlets) == {VALLEY, NORTHERN} for f in sanctions.shared)
    # The outlet that disagrees: 700 troops (Northern Wire) against 900 (Valley Courier),
    # both on 2023-11-03; the Harbor Ledger's 1,200 later is its own update, not a rival.
    (troops,) = [d for d in garrison.differing if d.what.startswith("troop")]
    sides = {(c.source, c.published_at) for c in troops.sides}
    assert sides == {(NORTHERN, "2023-11-03"), (VALLEY, "2023-11-03")} and troops.same_day
    assert {"700" in c.quote for c in troops.sides} == {True, False}


def test_the_period_and_an_outlet_narrow_the_stories(app: Newsdesk):
    found = app.stories(since=date(2023, 11, 2), until=date(2023, 11, 9))
    assert BEFORE.id not in {a for s in found.stories for a in s.article_ids}
    assert found.articles_in_period == len(STORY_ARTICLES) - 1
    harbor = app.stories(source="harbor ledger")  # any case
    assert [set(s.article_ids) for s in harbor.stories] == [_ids(GARRISON), {UNRELATED.id}]
    empty = app.stories(since=date(2020, 1, 1), until=date(2020, 1, 31))
    assert empty.stories == [] and empty.notes == ["no stored article falls in this period"]
    with pytest.raises(ValueError, match="since"):
        app.stories(since=date(2023, 11, 9), until=date(2023, 11, 1))
    with pytest.raises(ValueError, match="limit"):
        app.stories(limit=0)


def test_a_story_list_survives_json(app: Newsdesk):
    found = app.stories(limit=2)
    again = story_list_of(found.as_dict())
    assert again.stories == found.stories and isinstance(again.stories[0], Story)


def _article(article_id: str, vector: list[float], day: str | None, source: str = "A"):
    v = np.asarray(vector, dtype=np.float32)
    return GroupedArticle(article_id, article_id, source, day, v / np.linalg.norm(v), frozenset())


def test_copies_are_one_story_with_every_outlet_and_far_dates_are_not():
    settings = StorySettings(similarity=0.8, names_weight=0.0, window_days=7)
    copies = [_article("a1", [1, 0.1, 0], "2024-05-01", "Wire"),
              _article("a2", [1, 0.1, 0], "2024-05-01", "Paper"),
              _article("a3", [1, 0.1, 0], "2024-05-03", "Radio"),
              _article("a4", [1, 0.1, 0], "2024-06-30", "Wire"),  # same words, weeks later
              _article("b1", [0, 1, 0], "2024-05-02")]  # fmt: skip
    assert group_articles(copies, settings) == [["a1", "a2", "a3"], ["b1"], ["a4"]]
    # An undated article is not held apart by the window.
    undated = [*copies[:2], _article("u", [1, 0.1, 0], None)]
    assert group_articles(undated, settings) == [["a1", "a2", "u"]]


def test_names_in_common_can_join_what_vectors_alone_would_not():
    a = dataclasses.replace(_article("a", [1, 0.3, 0], "2024-05-01"), names=frozenset({"Ardent"}))
    b = dataclasses.replace(_article("b", [1, -0.3, 0], "2024-05-02"), names=frozenset({"Ardent"}))
    cosine = float(a.vector @ b.vector)
    alone = StorySettings(similarity=cosine + 0.05, names_weight=0.0)
    assert len(group_articles([a, b], alone)) == 2
    assert group_articles([a, b], dataclasses.replace(alone, names_weight=0.1)) == [["a", "b"]]


def test_grouping_takes_the_newest_articles_up_to_the_cap():
    days = [f"2024-05-{d:02d}" for d in range(1, 6)]
    articles = [_article(f"x{i}", [1, i, 0], day) for i, day in enumerate(days)]
    grouped = group_articles(articles, StorySettings(max_articles=3, similarity=0.99))
    assert sorted(a for g in grouped for a in g) == ["x2", "x3", "x4"]


def test_the_evaluation_score_counts_pairs_and_shares():
    gold = [["a", "b", "c"], ["c", "d"]]  # "c" was returned for both questions
    perfect = score([["a", "b", "c"], ["d"]], gold)
    assert perfect["purity"] == 1.0 and perfect["pair_precision"] == 1.0
    assert perfect["pair_recall"] == 0.75  # c-d apart: 3 of the 4 gold pairs
    alone = score([["a"], ["b"], ["c"], ["d"]], gold)
    assert alone["purity"] == 1.0 and alone["pair_recall"] == 0.0 and alone["recall"] == 0.4
    lumped = score([["a", "b", "c", "d"]], gold)
    assert lumped["pair_recall"] == 1.0 and lumped["pair_precision"] == 4 / 6
    assert lumped["purity"] == 3 / 4
    # An article no question returned does not count against a story's purity.
    assert score([["a", "b", "x"], ["c", "d"]], gold)["purity"] == 1.0


def test_the_same_week_proxy_splits_a_questions_results_at_gaps_of_more_than_a_week():
    days = {"a": 100, "b": 103, "c": 109, "d": 400, "e": 401, "f": 900, "u": None}
    gold = [["a", "b", "c", "d", "e", "f", "u"]]
    # a-b-c chain within a week of each other; d-e a year later; f alone is no pair.
    assert within_days(gold, days, 7) == [["a", "b", "c", "u"], ["d", "e"]]


def test_a_period_larger_than_the_cap_reads_only_its_newest_articles_and_says_so():
    infos = [ArticleInfo(f"x{d}", "t", "A", f"2024-05-{d:02d}", None, None, "", 1, 10)
             for d in range(1, 6)]  # fmt: skip
    asked: list[list[str]] = []

    def grouped(ids):
        asked.append(list(ids))
        return [_article(i, [1, int(i[1:]), 0], f"2024-05-{int(i[1:]):02d}") for i in ids]

    found = list_stories(infos, grouped, lambda ids: {}, StorySettings(max_articles=2))
    assert asked == [["x5", "x4"]]  # nothing older was even read
    assert found.articles_in_period == 5 and found.articles_grouped == 2
    assert found.notes[0].startswith("only the newest 2 of the period's 5 articles")
