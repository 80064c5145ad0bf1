"""Follow-up questions become standalone questions by rule."""

from __future__ import annotations

import pytest

from assistant.followup import rewrite_followup

TROOPS = "How many US troops are in Syria?"


@pytest.mark.parametrize(
    ("follow_up", "previous", "expected"),
    [
        ("and in Iraq?", TROOPS, "How many US troops are in Iraq?"),
        ("What about Iraq?", TROOPS, "How many US troops are in Iraq?"),
        ("how about in 2022?", "Who won the election in 2020?", "Who won the election in 2022?"),
        (
            "and as of August 2023?",
            "What was the policy rate of the Bank of Castellan?",
            "What was the policy rate of the Bank of Castellan as of August 2023?",
        ),
        (
            "what about the Harbor Ledger?",
            "How many people did Meridian Wire say were evacuated?",
            "How many people did the Harbor Ledger say were evacuated?",
        ),
        (
            "and how many hectares burned?",
            "How many people were evacuated from Pine Hollow?",
            "How many hectares burned (Pine Hollow)?",
        ),
    ],
)
def test_a_follow_up_takes_its_missing_parts_from_the_previous_question(
    follow_up, previous, expected
):
    assert rewrite_followup(follow_up, ["Something older?", previous]) == expected


def test_a_question_that_stands_alone_is_not_rewritten():
    assert rewrite_followup(TROOPS, ["How many vessels cross the canal?"]) is None
    assert rewrite_followup("Andorra's population?", [TROOPS]) is None


def test_without_an_earlier_question_nothing_is_rewritten():
    assert rewrite_followup("and in Iraq?", []) is None
