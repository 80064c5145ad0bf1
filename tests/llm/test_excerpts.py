"""What the language model is shown: short excerpts with the article's own offsets, and a prompt
whose fixed part comes first so the model server can keep it cached (no model needed)."""

from __future__ import annotations

from assistant.llm import prompts
from assistant.llm.excerpts import excerpts, leans_on_previous
from vectorstore.types import Passage

ARTICLE = (
    "Headline text. The harbour authority in Port Elspeth reopened the north quay on Monday "
    "after three weeks of repairs. It said the work cost 2.4 million euros in total. "
    "Fishing crews from the island had moored in the southern basin since the storm."
)
OFFSET = 100  # the passage starts 100 characters into its article


def _passage(text: str = ARTICLE, article_id: str = "harbour") -> Passage:
    return Passage(
        chunk_id=f"{article_id}-0",
        article_id=article_id,
        text=text,
        start=OFFSET,
        end=OFFSET + len(text),
        title="Quay reopens",
        source="Coast Courier",
        published_at="2026-03-02",
        url=None,
        score=1.0,
    )


def _sentence(passage: Passage, sentence: str) -> tuple[Passage, int, int]:
    at = passage.text.index(sentence)
    return passage, passage.start + at, passage.start + at + len(sentence)


def test_a_sentence_that_names_its_subject_is_shown_alone_with_article_offsets():
    passage = _passage()
    fishing = "Fishing crews from the island had moored in the southern basin since the storm."
    [shown] = excerpts([_sentence(passage, fishing)], limit=4)
    assert shown.text == fishing
    assert ARTICLE[shown.start - OFFSET : shown.end - OFFSET] == fishing


def test_a_sentence_that_leans_on_the_one_before_brings_it_along():
    passage = _passage()
    cost = "It said the work cost 2.4 million euros in total."
    [shown] = excerpts([_sentence(passage, cost)], limit=4)
    assert shown.text.startswith("The harbour authority in Port Elspeth")
    assert shown.text.endswith(cost)
    assert ARTICLE[shown.start - OFFSET : shown.end - OFFSET] == shown.text


def test_a_sentence_inside_an_earlier_excerpt_is_not_shown_twice_and_the_limit_holds():
    passage = _passage()
    cost = "It said the work cost 2.4 million euros in total."
    quay = "The harbour authority in Port Elspeth reopened the north quay on Monday"
    other = _passage("Ferries to the mainland will run twice a day from April onwards.", "ferry")
    ranked = [_sentence(passage, cost), _sentence(passage, quay), _sentence(other, other.text)]
    shown = excerpts(ranked, limit=4)
    assert [p.article_id for p in shown] == ["harbour", "ferry"]
    assert len(excerpts(ranked, limit=1)) == 1


def test_short_sentences_and_pronoun_openings_lean_and_named_subjects_do_not():
    assert leans_on_previous("That was a record for the port.")
    assert leans_on_previous('"They will be back by summer," the harbour master told reporters.')
    assert not leans_on_previous("Harbour master Ines Varga told reporters the crews would return.")


def test_how_short_a_sentence_leans_on_the_one_before_is_a_setting():
    from assistant.settings import ExcerptSettings

    passage = _passage()
    fishing = "Fishing crews from the island had moored in the southern basin since the storm."
    longer = ExcerptSettings(short_words=20)  # the settings' llm.excerpts.short_words
    assert leans_on_previous(fishing, longer.short_words)
    [shown] = excerpts([_sentence(passage, fishing)], limit=4, policy=longer)
    assert shown.text.startswith("It said the work cost") and shown.text.endswith(fishing)


def test_the_instruction_is_in_the_prefix_every_question_shares():
    passage = _passage()
    first = prompts.answer_messages("When did the quay reopen?", [passage])
    second = prompts.answer_messages("What did the repairs cost?", [passage])
    assert first[:-1] == second[:-1]  # system prompt and worked example: identical
    last_a, last_b = first[-1][1], second[-1][1]
    shared = next(i for i, (a, b) in enumerate(zip(last_a, last_b, strict=False)) if a != b)
    # Everything up to the question is the same text, the instruction included.
    assert "end each sentence with the number of its passage" in last_a[:shared]
    assert last_a.index("BEGIN PASSAGES") < last_a.index("Question:")
