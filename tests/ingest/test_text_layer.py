"""The text layer every package reads text through (ingest/text): words and months."""

from __future__ import annotations

import re

import pytest

from ingest.text import MONTH_WORD, STOPWORDS, month_number, tokenize


def test_words_are_compared_folded_plural_accent_and_country_alike():
    assert tokenize("The U.S. troops in Syria") == ["usa", "troop", "syria"]
    assert tokenize("USA") == tokenize("U.S.") == ["usa"]
    assert tokenize("Dončić's assists") == ["doncic", "assist"]
    assert tokenize("2,500 people; rate 5.25") == ["2500", "people", "rate", "5.25"]
    # "us" the pronoun is a stopword; the country is not lost with it.
    assert "us" in STOPWORDS and tokenize("told us") == ["told"]
    assert tokenize("the glass bus") == ["glass", "bus"]
    assert "the" in tokenize("the", keep_stopwords=True)


@pytest.mark.parametrize(
    ("word", "number"),
    [("January", 1), ("Feb", 2), ("march", 3), ("Sept.", 9), ("September", 9), ("Dec", 12)],
)
def test_a_month_written_any_usual_way_has_its_number(word, number):
    assert month_number(word) == number
    assert re.fullmatch(MONTH_WORD, word.rstrip("."), re.IGNORECASE)


@pytest.mark.parametrize("word", ["Mayor", "Marching", "Junk", "Decided", "Monday"])
def test_a_word_that_only_starts_like_a_month_is_not_one(word):
    with pytest.raises(KeyError):
        month_number(word)
    assert not re.fullmatch(MONTH_WORD, word, re.IGNORECASE)


def test_a_date_written_either_way_round_is_one_value():
    from ingest.text import date_values

    assert date_values("It opens on 26 September 2023.") == {"sep 26", "2023"}
    assert date_values("It opens on Sept. 26, 2023.") == {"sep 26", "2023"}
    assert date_values("The mayor marched in May 2020.") == {"2020"}


def test_numbers_are_read_by_value_with_what_they_count():
    from ingest.text import stated_quantities

    said = stated_quantities(
        "Four climbers and 2 million people; 2,500 troops on April 6 at 10:30."
    )
    assert ("4", "climber") in said and ("2e+06", "people") in said and ("2500", "troop") in said
    # A day of a month, a clock time and a year are not quantities.
    assert all(value not in ("6", "10", "2024") for value, _ in said)
    assert stated_quantities("In 2024 prices rose 5%.") == []


def test_a_name_is_a_capitalised_run_that_does_not_open_a_sentence():
    from ingest.text import NAME

    found = NAME.findall(
        "Rescuers said Mara Olsen and the Kessel Glacier Patrol helped. Then it rained."
    )
    assert found == ["Mara Olsen", "Kessel Glacier Patrol"]
