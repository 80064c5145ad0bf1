"""The rule for "the watched answer changed" (assistant/watches.py), on answers built the way
the answerer builds them: a new figure and a new source that disagrees are changes; the same
figure quoted from another article, or asked again, is not; an answer appearing or going is."""

from __future__ import annotations

from assistant.span import AnswerSpan
from assistant.types import Answer, Citation
from assistant.watches import change_between, reading_of

QUESTION = "How many US troops are in Syria?"


def cite(n: int, article: str, quote: str, source: str = "Harbour Post") -> Citation:
    return Citation(n, article, f"title {article}", source, "2024-03-11",
                    f"https://example.com/{article}", quote, 0, len(quote))  # fmt: skip


def answer(*cites: Citation, span: str | None = None) -> Answer:
    text = " ".join(f"{c.quote} [{c.n}]" for c in cites)
    found = None
    if span:
        start = cites[0].quote.index(span)
        found = AnswerSpan(1, start, start + len(span), span)
    return Answer(QUESTION, text, list(cites), answer_span=found)


NINE_HUNDRED = cite(1, "a1", "About 900 US troops are in Syria, the Pentagon said.")
NINE_HUNDRED_ELSEWHERE = cite(1, "a2", "Some 900 US troops remain in Syria, officials say.",
                              "Valley Courier")  # fmt: skip
TWENTY_FIVE = cite(1, "a3", "The Pentagon said 2,500 US troops are in Syria.", "Northern Ledger")


def test_a_new_figure_is_a_change_and_says_both_values():
    before = reading_of(answer(NINE_HUNDRED, span="900"), QUESTION)
    after = reading_of(answer(TWENTY_FIVE, span="2,500"), QUESTION)
    assert before.value == ("900",) and after.value == ("2500",)
    assert change_between(before, after) == "the answer changed: 900 -> 2500"


def test_the_same_figure_from_another_article_in_other_words_is_no_change():
    before = reading_of(answer(NINE_HUNDRED, span="900"), QUESTION)
    after = reading_of(answer(NINE_HUNDRED_ELSEWHERE), QUESTION)
    assert after.text != before.text and after.cited_articles != before.cited_articles
    assert change_between(before, after) is None
    assert change_between(before, reading_of(answer(NINE_HUNDRED, span="900"), QUESTION)) is None


def test_a_new_source_that_disagrees_is_a_change_though_the_answer_keeps_its_value():
    before = reading_of(answer(NINE_HUNDRED, span="900"), QUESTION)
    rival = cite(2, "a3", TWENTY_FIVE.quote, "Northern Ledger")
    after = reading_of(answer(NINE_HUNDRED, rival, span="900"), QUESTION)
    assert after.value == ("900",) and after.values == ("2500", "900")
    assert change_between(before, after) == "a new source (Northern Ledger) states 2500"


def test_an_answer_appearing_or_going_is_a_change_and_a_first_answer_is_the_baseline():
    none = reading_of(Answer.abstain(QUESTION, []), QUESTION)
    some = reading_of(answer(NINE_HUNDRED, span="900"), QUESTION)
    assert change_between(None, some) is None
    assert change_between(none, some) == "an answer where there was none"
    assert change_between(some, none) == "no answer any more"
    assert change_between(none, reading_of(Answer.abstain(QUESTION, []), QUESTION)) is None


def test_without_a_value_to_point_at_the_best_quote_stands_for_it():
    question = "What did the council say about the harbour?"
    said = cite(1, "b1", "The council said the harbour will be dredged in June.")
    same = reading_of(Answer(question, "x [1]", [said]), question)
    other = cite(1, "b2", "The council said the harbour work is postponed to next year.")
    assert change_between(same, reading_of(Answer(question, "y [1]", [said]), question)) is None
    assert change_between(same, reading_of(Answer(question, "z [1]", [other]), question))
