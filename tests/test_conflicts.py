"""When sources disagree: two outlets give different values of what was asked, and both are
quoted with outlet and date; agreeing or unrelated sentences are not called a disagreement."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest

from ingest.types import Article

FERRY_HERALD = Article(
    title="Ferry runs aground off Gull Island",
    text="A passenger ferry ran aground off Gull Island on Sunday.\n\n"
    "The coastguard said 12 passengers were hurt in the accident and taken to hospital.",
    source="Island Herald",
    published_at="2024-06-02",
)
FERRY_DAILY = Article(
    title="Gull Island ferry accident injures passengers",
    text="Rescuers said 20 passengers were injured when a ferry ran aground off Gull Island "
    "on Sunday.\n\nThe ferry operator has suspended the route while divers inspect the hull.",
    source="Coast Daily",
    published_at="2024-06-02",
)
FERRY_QUESTION = "How many passengers were injured when the ferry ran aground off Gull Island?"


def test_when_two_outlets_give_different_figures_both_sides_are_quoted(store_of):
    answer = store_of([FERRY_HERALD, FERRY_DAILY]).ask(FERRY_QUESTION)
    assert answer.text.startswith("The sources disagree.")
    assert {c.source for c in answer.citations} == {"Island Herald", "Coast Daily"}
    assert "12 passengers" in answer.text and "20 passengers" in answer.text
    assert any("disagree" in note for note in answer.notes)
    # The API says how likely the other side answers too (both reach the gate).
    from assistant.api.schemas import AnswerOut
    from assistant.reader.model import load_decision

    assert AnswerOut.of(answer).rival_confidence == round(answer.rival_confidence, 3)
    assert answer.rival_confidence >= load_decision().answer_threshold  # a count's gate


FERRY_LEDGER = Article(
    title="Divers inspect hull after Gull Island grounding",
    text="Officials said 15 passengers were injured after the ferry ran aground off Gull Island "
    "on Sunday.\n\nThe route stays closed until the inspection ends.",
    source="Harbor Ledger",
    published_at="2024-06-02",
)


def test_the_answer_keeps_every_pair_it_set_against_each_other_not_only_the_shown_one(store_of):
    """Three outlets, three counts: the answer shows one pair, and records each pair the rules
    let through in the order tried, so the harness can tell what another threshold shows."""
    answer = store_of([FERRY_HERALD, FERRY_DAILY, FERRY_LEDGER]).ask(FERRY_QUESTION)
    assert answer.text.startswith("The sources disagree.")
    assert len(answer.rival_pairs) == 2
    assert all(p.disagreement is None and not p.change for p in answer.rival_pairs)
    shown = min(answer.confidence, answer.rival_confidence)
    assert answer.rival_pairs[0].confidence == pytest.approx(shown)
    assert "rival_pairs" not in answer.to_dict()  # an analysis aid, not part of the API


def test_the_disagreement_floors_are_settings_that_reach_the_answerer(tmp_path, embedder):
    """`answer.conflicts.min_similarity` at 1.0 from the config file: no two different
    sentences are that close, so the two outlets' figures are no longer a disagreement."""
    from assistant.app import Newsdesk
    from assistant.settings import load_settings

    config = tmp_path / "newsdesk.toml"
    config.write_text("[answer.conflicts]\nmin_similarity = 1.0\n", encoding="utf-8")
    overrides = {"data_dir": tmp_path / "data", "sample_corpus": False}
    settings = load_settings(config_file=config, overrides=overrides, environ={})
    assert settings.answer.conflicts.min_similarity == 1.0
    app = Newsdesk(settings, embedder=embedder)
    app.store.add_articles([FERRY_HERALD, FERRY_DAILY])
    answer = app.ask(FERRY_QUESTION)
    assert not answer.abstained and not answer.text.startswith("The sources disagree.")
    assert answer.rival_confidence is None and len({c.source for c in answer.citations}) == 1


def test_when_two_outlets_name_different_winners_both_sides_are_quoted(store_of):
    first = Article(
        title="Harbor regatta ends in a close finish",
        text="The crew of the Seabright won the harbor regatta on Saturday after a close finish.\n\n"
        "Organisers said 40 boats took part this year.",
        source="Harbor Ledger",
        published_at="2024-08-03",
    )
    second = Article(
        title="Regatta result",
        text="The crew of the Windrose won the harbor regatta on Saturday after a close finish.\n\n"
        "Spectators lined the pier for most of the afternoon.",
        source="Bay Wire",
        published_at="2024-08-04",
    )
    answer = store_of([first, second]).ask("Which crew won the harbor regatta?")
    assert answer.text.startswith("The sources disagree.")
    assert "Seabright" in answer.text and "Windrose" in answer.text
    assert "Harbor Ledger, 2024-08-03" in answer.text and "Bay Wire, 2024-08-04" in answer.text
    # One statement told with another name: the learned disagreement model believes it, and
    # the API says how strongly.
    from assistant.api.schemas import AnswerOut
    from assistant.reader.model import load_decision

    assert answer.disagreement >= load_decision().disagreement.threshold
    assert AnswerOut.of(answer).disagreement == round(answer.disagreement, 3)


@dataclass
class _Said:
    """A scored sentence as the conflict check sees it."""

    text: str
    score: float
    vector: np.ndarray
    article_id: str
    source: str = ""
    published_at: str | None = None

    @property
    def passage(self) -> SimpleNamespace:
        return SimpleNamespace(source=self.source, published_at=self.published_at)


def _first_rival(best: _Said, others: list[_Said], question: str, kind: str) -> _Said | None:
    """The sentence the answerer would set against `best`, or None."""
    from assistant.conflicts import rivals

    return next(rivals(best, others, question, kind), None)


def test_two_sentences_about_different_things_are_not_a_disagreement():
    from assistant.conflicts import answer_values

    same = np.ones(4) / 2  # every pair of sentences equally close in meaning
    best = _Said("Mayor Ana Ruiz opened the new library on Monday.", 1.0, same, "a")
    other = _Said("Council member Tom Hale criticised the cost of the road plan.", 0.9, same, "b")
    agreeing = _Said("Mayor Ana Ruiz opened the new library on Monday morning.", 0.9, same, "c")
    question = "Who opened the new library?"
    assert answer_values(best.text, question, "person") == {"ana ruiz"}
    assert _first_rival(best, [other, agreeing], question, "person") is None


def test_the_same_name_told_two_ways_is_not_a_disagreement():
    same = np.ones(4) / 2  # every pair of sentences equally close in meaning
    won = "won best in show at the Harbor Kennel Club show, capping a long career."
    question = "Which dog won best in show at the Harbor Kennel Club show?"
    best = _Said(f"A giant schnauzer named Monty {won}", 1.0, same, "a")
    # "Monty" opens this sentence, so it is not read as a name; it is still the same dog.
    retold = _Said(f"Monty the Giant Schnauzer {won}", 0.9, same, "b")
    assert _first_rival(best, [retold], question, "name") is None
    rival = _Said(f"A giant schnauzer named Biscuit {won}", 0.9, same, "c")
    assert _first_rival(best, [rival], question, "name") is rival


def test_one_outlets_two_articles_of_one_day_are_one_source_not_a_disagreement():
    same = np.ones(4) / 2
    won = "won best in show at the Harbor Kennel Club show, capping a long career."
    question = "Which dog won best in show at the Harbor Kennel Club show?"
    best = _Said(f"A giant schnauzer named Monty {won}", 1.0, same, "a", "Bay Wire", "2024-05-02")
    rival = _Said(
        f"A giant schnauzer named Biscuit {won}", 0.9, same, "b", "Bay Wire", "2024-05-02"
    )
    assert _first_rival(best, [rival], question, "name") is None
    # The same pair from two outlets is a disagreement.
    other = _Said(
        f"A giant schnauzer named Biscuit {won}", 0.9, same, "c", "Harbor Ledger", "2024-05-02"
    )
    assert _first_rival(best, [other], question, "name") is other


def test_one_outlet_updating_its_figure_next_day_is_shown_as_a_change(store_of):
    """The outlet reported 12 injured, then 15 the next day: the figure changed; it is quoted
    newest first with both dates, not as "the sources disagree"."""
    first = Article(
        title="Ferry runs aground off Gull Island",
        text="A passenger ferry ran aground off Gull Island on Sunday.\n\n"
        "The coastguard said 12 passengers were injured when the ferry ran aground.",
        source="Island Herald",
        published_at="2024-06-02",
    )
    update = Article(
        title="Gull Island ferry: more passengers hurt than first reported",
        text="The coastguard said 15 passengers were injured when the ferry ran aground off "
        "Gull Island.\n\nThe operator has suspended the route while divers inspect the hull.",
        source="Island Herald",
        published_at="2024-06-03",
    )
    answer = store_of([first, update]).ask(FERRY_QUESTION)
    assert not answer.text.startswith("The sources disagree."), answer.text
    assert answer.text.startswith("As of 2024-06-03, Island Herald:"), answer.text
    assert "Earlier, 2024-06-02, Island Herald:" in answer.text
    assert [c.published_at[:10] for c in answer.citations] == ["2024-06-03", "2024-06-02"]
