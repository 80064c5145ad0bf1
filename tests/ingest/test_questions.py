"""Reading a question: the time it names, what kind of answer it wants, and whose names a
passage must share to answer it."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.text import parse_time_scope, question_entities, question_kind


@pytest.mark.parametrize(
    ("question", "after", "before"),
    [
        ("What was the rate as of March 5, 2024?", None, date(2024, 3, 5)),
        ("What was the rate as of March 2024?", None, date(2024, 3, 31)),
        ("What was the rate as of 2024-03-05?", None, date(2024, 3, 5)),
        ("What happened in June 2023?", date(2023, 6, 1), date(2023, 6, 30)),
        ("What happened in 2022?", date(2022, 1, 1), date(2022, 12, 31)),
        ("What happened last week?", date(2024, 4, 16), date(2024, 4, 30)),
        ("How many troops are in Syria?", None, None),
        ("How much aid has gone to Ukraine since the war began in 2022?", None, None),
        ("Who has led the party since it was founded in March 2019?", None, None),
    ],
)
def test_time_expressions_in_questions_become_date_bounds(question, after, before):
    scope = parse_time_scope(question, today=date(2024, 4, 30))
    assert (scope.after, scope.before) == (after, before)


def test_question_kind_and_entities_are_read_from_the_question():
    assert question_kind("How many US troops are in Syria?") == "number"
    assert question_kind("When did the bridge close?") == "date"
    assert question_kind("Who leads the bank?") == "person"
    assert question_entities("How many US troops are in Syria?") == {"usa", "syria"}


@pytest.mark.parametrize(
    ("question", "entities"),
    [
        ("Which Japanese city banned smoking in public?", set()),
        ("In which South American city did Maria Ruiz lead a protest?", {"maria", "ruiz"}),
        ("Which major US agency offered buyouts to its staff?", set()),
        ("What did Biden say about Canada?", {"biden", "canada"}),
        ("Which city did the US Army leave?", {"usa", "army"}),
    ],
)
def test_names_that_describe_the_answer_are_not_required_of_the_passage(question, entities):
    # "Japanese" in "which Japanese city" describes the city asked for; a passage naming
    # the city need not repeat it. Names elsewhere in the question still say the topic.
    assert question_entities(question) == entities


def test_a_question_is_read_once_into_what_it_asks_its_names_time_and_follow_up():
    from ingest.text import parse_question

    asked = parse_question("How many US troops were in Syria in June 2023?", date(2024, 4, 30))
    assert asked.kind == "number"
    assert asked.names == {"usa", "syria"}
    assert {"troop", "syria"} <= asked.words
    assert (asked.scope.after, asked.scope.before) == (date(2023, 6, 1), date(2023, 6, 30))
    assert asked.follow_up is None
    follow = parse_question("and in Iraq?")
    assert follow.follow_up == "in Iraq"
    assert parse_question("What about?").follow_up is None


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        # A first word is capitalised anyway; a possessive one is a name.
        ("Brightmart's owners met Lena Ortiz on Monday.", ["Brightmart", "Lena", "Ortiz"]),
        ("Officials met Lena Ortiz.", ["Lena", "Ortiz"]),
        # Nationalities and calendar words name no one; initials like "I" are no name either.
        ("The deal, I think, pleased Italian and Japanese buyers in March.", []),
    ],
)
def test_the_names_of_a_sentence_skip_its_opening_word_nationalities_and_dates(sentence, names):
    from ingest.text import sentence_names

    assert sentence_names(sentence) == names
