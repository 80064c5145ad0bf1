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
