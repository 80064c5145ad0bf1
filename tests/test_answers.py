"""Answers and citations from the extractive answerer over articles written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.types import Article
from vectorstore.types import SearchFilters

RATES_2023 = Article(
    title="Reserve bank lifts its key rate again",
    text=(
        "The reserve bank raised its benchmark rate to 4.75 percent on Wednesday.\n\n"
        "It was the fifth increase in a year, as inflation stayed above 6 percent. "
        "Governor Lena Ortiz said further moves would depend on wages."
    ),
    source="Capital Ledger",
    published_at="2023-06-14",
)
RATES_2024 = Article(
    title="Reserve bank trims rate as inflation cools",
    text=(
        "The reserve bank cut its benchmark rate to 4.25 percent on Thursday.\n\n"
        "Inflation has fallen to 2.9 percent, the lowest in three years. "
        "Governor Lena Ortiz called the cut a careful first step."
    ),
    source="Capital Ledger",
    published_at="2024-10-03",
)
BRIDGE = Article(
    title="Engineers close river bridge after finding cracks",
    text=(
        "Engineers closed the Elm Street bridge on Friday after inspectors found cracks in two "
        "of its steel girders.\n\nAbout 18,000 vehicles cross the bridge each day. "
        "Repairs are expected to take at least six weeks, the city transport office said."
    ),
    source="River City News",
    published_at="2024-05-10",
)


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    settings = load_settings(
        overrides={"data_dir": tmp_path_factory.mktemp("answers"), "sample_corpus": False},
        environ={},
    )
    newsdesk = Newsdesk(settings, embedder=embedder)
    newsdesk.store.add_articles([RATES_2023, RATES_2024, BRIDGE])
    return newsdesk


def test_a_how_many_question_is_answered_with_the_number_and_an_exact_citation(app):
    answer = app.ask("How many vehicles cross the Elm Street bridge each day?")
    assert not answer.abstained
    assert "18,000" in answer.text
    citation = answer.citations[0]
    assert citation.article_id == BRIDGE.id and citation.source == "River City News"
    assert BRIDGE.text[citation.start : citation.end] == citation.quote
    assert "[1]" in answer.text


def test_a_question_the_articles_cannot_answer_gets_the_plain_refusal(app):
    answer = app.ask("Who won the chess championship in Oslo?")
    assert answer.abstained
    assert answer.citations == []
    assert "don't say" in answer.text


def test_a_question_about_another_country_is_not_answered_from_this_one(app):
    answer = app.ask("How many vehicles cross bridges in Portugal each day?")
    assert answer.abstained


def test_as_of_a_date_uses_only_articles_published_by_then(app):
    answer = app.ask("What was the reserve bank's benchmark rate as of December 2023?")
    assert "4.75" in answer.text and "4.25" not in answer.text
    assert all(c.published_at <= "2023-12-31" for c in answer.citations)


def test_the_latest_figure_comes_from_the_newest_article(app):
    answer = app.ask("What is the reserve bank's benchmark rate now?")
    assert answer.citations[0].article_id == RATES_2024.id


def test_a_time_with_no_articles_gets_a_refusal_not_an_older_answer(app):
    answer = app.ask("What did the reserve bank do in March 2021?")
    assert answer.abstained


def test_every_quote_equals_the_article_text_at_its_offsets(app):
    articles = {a.id: a for a in (RATES_2023, RATES_2024, BRIDGE)}
    questions = [
        "Why was the bridge closed?",
        "How long will the repairs take?",
        "Who is the governor of the reserve bank?",
        "What is the inflation rate?",
        "When did the bank raise rates for the fifth time?",
        "What did the governor say about wages?",
    ]
    for question in questions:
        for c in app.ask(question).citations:
            assert articles[c.article_id].text[c.start : c.end] == c.quote, question


def test_a_city_asked_for_by_its_country_adjective_is_answered(store_of):
    article = Article(
        title="Port city bans smoking on its streets",
        text="Kanazawa-Minato has banned cigarettes and vaping on all public streets to tidy the "
        "city before it hosts a trade fair this summer.\n\nFines start at 1,000 yen.",
        source="Harbour Weekly",
        published_at="2025-01-30",
    )
    answer = store_of([article]).ask("Which Japanese city banned smoking on its streets?")
    assert not answer.abstained
    assert "Kanazawa-Minato" in answer.text and answer.citations[0].source == "Harbour Weekly"


def test_figures_that_agree_are_not_called_a_disagreement(app):
    answer = app.ask("How many vehicles cross the Elm Street bridge each day?")
    assert not answer.text.startswith("The sources disagree.")


def test_a_sentence_that_only_repeats_the_question_is_never_the_answer(embedder):
    from assistant.extractive import ExtractiveAnswerer
    from vectorstore.types import Passage

    text = "Harbor ferry fares in 2024.\n\nHarbor ferry fares rose to four dollars in 2024."
    passage = Passage("p-0", "p", text, 0, len(text), "Ferry fares", "Dock News", None, None, 1.0)
    answerer = ExtractiveAnswerer(embedder, lambda token: 1.0)
    ranked = answerer.rank("What were harbor ferry fares in 2024?", [passage])
    assert [c.text for c in ranked] == ["Harbor ferry fares rose to four dollars in 2024."]


def test_of_sentences_that_answer_alike_the_oldest_comes_last(embedder):
    from assistant.extractive import ExtractiveAnswerer
    from vectorstore.types import Passage

    text = "The harbor ferry now runs every twenty minutes."
    # Retrieval put the oldest first. Calendar days, not YYYYMMDD digits, measure age:
    # 31 December is one day before 1 January (not 8,870), so it is nearly as new.
    days = ["2024-06-01", "2024-12-31", "2025-01-01"]
    passages = [
        Passage(f"c{i}", f"a{i}", text, 0, len(text), "Ferry", "Dock News", day, None, 1.0)
        for i, day in enumerate(days)
    ]
    answerer = ExtractiveAnswerer(embedder, lambda token: 1.0)
    for question in ("How often does the harbor ferry run?", "How often does the ferry run now?"):
        scored = answerer.scored(question, passages)
        assert scored[-1].passage.published_at == "2024-06-01"


def test_a_nationality_or_country_initials_do_not_name_what_was_asked(embedder):
    from assistant.extractive import ExtractiveAnswerer, _kind_match
    from vectorstore.types import Passage

    store = "Which store is facing a 40-day boycott?"
    assert _kind_match("name", "The popular US retailer faces a boycott.", store) == 0.0
    assert _kind_match("place", "The famed Italian destination set a fee.", "Which town?") == 0.0
    assert _kind_match("name", "A boycott against Harbor Mart began.", store) == 1.0
    # Where a country is asked for, its initials are the answer.
    assert _kind_match("place", "The US imposed the tariff.", "Which country?") == 1.0
    # A first word is always capitalised; a possessive one is still a name, a month is not.
    assert _kind_match("name", "Brightmart's owners declined to comment.", store) == 1.0
    assert _kind_match("name", "February's boycott was the longest.", store) == 0.0

    text = (
        "Shoppers across the country joined a new protest this week. "
        "The popular US retailer is facing a 40-day consumer boycott over its hiring policies. "
        "Organisers said a 40-day boycott against Harbor Mart began on Wednesday."
    )
    passage = Passage("c0", "a0", text, 0, len(text), "Boycott", "Dock News", None, None, 1.0)
    answer = ExtractiveAnswerer(embedder, lambda token: 1.0).answer(store, [passage])
    assert answer.citations[0].quote.startswith("Organisers said a 40-day boycott against Harbor")


def test_a_loose_match_from_years_before_the_newest_news_is_refused(embedder):
    from assistant.extractive import ExtractiveAnswerer
    from vectorstore.types import Passage

    question = "Which celestial event lit up the night sky over Northfield this week?"
    old = "A meteor shower lit up the sky over Northfield in August, astronomers said."
    new = "Northfield residents gathered on the hills to watch the sky on Tuesday."
    answerer = ExtractiveAnswerer(embedder, lambda token: 1.0)

    def best_answers(newer_day: str) -> bool:
        passages = [
            Passage(f"c{i}", f"a{i}", text, 0, len(text), "Sky", "Dock News", day, None, 1.0)
            for i, (text, day) in enumerate([(old, "2019-08-20"), (new, newer_day)])
        ]
        best = answerer.rank(question, passages)[0]
        assert best.text == old  # a loose match (score 0.55), the only sentence that could answer
        return answerer.answers(question, best)

    # Alone in its time it is quoted; with reports five years newer on the same sky, it is
    # most likely about an earlier night than the one asked about.
    assert best_answers("2019-08-20")
    assert best_answers("2019-08-27")
    assert not best_answers("2024-05-01")


def test_a_sentence_on_the_topic_that_lacks_what_was_asked_is_refused(store_of):
    # Close in meaning (similarity 0.57) but no number for "how many": before the score
    # floor this sentence was quoted as the answer.
    riders = Article(
        title="Ferry riders welcome the new timetable",
        text="Riders of the harbor ferry praised the new timetable on Tuesday.\n\n"
        "The ferry company thanked its crews for a smooth first week.",
        source="Dock News",
        published_at="2025-03-04",
    )
    app = store_of([riders])
    assert app.ask("How many passengers does the harbor ferry carry each day?").abstained
    answer = app.ask("What did riders think of the new harbor ferry timetable?")
    assert answer.citations[0].quote.startswith("Riders of the harbor ferry praised")


@pytest.mark.parametrize(
    ("question", "filters", "fact"),
    [
        ("How many US troops are in Syria?", None, "900"),
        ("What was the policy rate as of August 2023?", None, "5.25%"),
        ("Which Iraqi air base did the drones target?", None, "Ain al-Asad"),
        (
            "How many residents had to leave their homes?",
            SearchFilters(sources=("Meridian Wire",), published_after=date(2024, 1, 1)),
            "1,200",
        ),
    ],
)
def test_example_questions_are_answered_from_the_sample_articles(
    sample_app, question, filters, fact
):
    # The README's three (the last with its --source/--after filters) and a "which Iraqi
    # ..." question, whose describing name the article need not repeat.
    answer = sample_app.ask(question, filters=filters)
    assert any(fact in c.quote for c in answer.citations), answer.text


def test_the_answering_numbers_are_settings_that_reach_the_answerer(make_app):
    from assistant.settings import load_settings

    settings = load_settings(environ={"NEWSDESK_MIN_SCORE": "0.9", "NEWSDESK_PAIR_SEARCH": "4"})
    assert (settings.answer.min_score, settings.answer.pair_search) == (0.9, 4)
    question = "How many vehicles cross the Elm Street bridge each day?"
    answered = make_app("plain", **{"answer.reader": False})
    answered.store.add_articles([BRIDGE])
    assert "18,000" in answered.ask(question).text
    # The same article and question under a score floor no sentence reaches: refused.
    strict = make_app("strict", **{"answer.reader": False, "answer.min_score": 5.0})
    strict.store.add_articles([BRIDGE])
    assert strict.answerer.policy.min_score == 5.0
    assert strict.ask(question).abstained


def test_the_hand_scores_weights_are_settings_that_reach_the_answerer(tmp_path, embedder):
    """Without the reader, the weights of `answer.scoring` make the score the floor is
    checked against: with no weight on meaning, words or kind, nothing reaches it."""
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    question = "How many vehicles cross the Elm Street bridge each day?"
    env = {"NEWSDESK_READER": "false", "NEWSDESK_SCORE_SIMILARITY": "0",
           "NEWSDESK_SCORE_COVERAGE": "0", "NEWSDESK_SCORE_KIND_MATCH": "0"}  # fmt: skip
    overrides = {"data_dir": tmp_path, "sample_corpus": False}
    app = Newsdesk(load_settings(overrides=overrides, environ=env), embedder=embedder)
    app.store.add_articles([BRIDGE])
    assert app.answerer.policy.scoring.similarity == 0.0
    assert app.ask(question).abstained
    # The default weights answer it (test_the_answering_numbers_are_settings_...).
