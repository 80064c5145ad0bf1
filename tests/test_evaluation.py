"""Metric functions on hand-made cases, and a short evaluation run over a tiny dataset that
the project wrote itself (tests/data/tiny_eval)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation import metrics
from assistant.evaluation.runner import run_evaluation, summarise, write_report
from assistant.settings import load_settings

TINY = Path(__file__).parent / "data" / "tiny_eval"


@pytest.mark.parametrize(
    ("gold", "answer", "expected"),
    [
        ("It was vetoed by the governor", "The governor vetoed it on Friday. [1]", True),
        ("2,500", "About 2500 troops remain.", True),
        ("Abraham Lincoln", "It was built for Lincoln.", False),
        ("Canada", "", False),
        ("Luka Dončić", "Dallas traded Luka Doncic. [1]", True),
        ("", "anything", False),
    ],
)
def test_an_answer_is_correct_when_it_holds_every_content_word_of_the_gold(gold, answer, expected):
    assert metrics.answer_is_correct(gold, answer) is expected


@pytest.mark.parametrize(
    ("gold", "answer"),
    [
        ("four", "Rangers closed 4 trails. [1]"),
        ("4", "Rangers closed four trails. [1]"),
        ("two million", "About 2 million people voted. [1]"),
        ("3.5 million", "It cost $3,500,000. [1]"),
        ("a dozen", "Police arrested 12 people. [1]"),
        ("Twenty-five", "25 states sued. [1]"),
        ("one hundred and five", "He turned 105. [1]"),
        ("5 percent", "Rates rose 5%. [1]"),
    ],
)
def test_a_number_counts_as_the_same_however_it_is_written(gold, answer):
    assert metrics.answer_is_correct(gold, answer)


@pytest.mark.parametrize(
    ("gold", "answer"),
    [
        ("four", "Rangers closed 14 trails. [1]"),
        ("two million", "About 2 people voted. [1]"),
        ("3.5 million", "It cost $3,500. [1]"),
        ("a dozen", "Police arrested a man. [1]"),
        ("25", "Twenty states and five cities sued. [1]"),
    ],
)
def test_a_different_number_is_still_wrong_when_numbers_are_read_as_values(gold, answer):
    assert not metrics.answer_is_correct(gold, answer)


def test_number_words_become_figures_one_number_at_a_time():
    assert metrics.spell_numbers("seven thousand three hundred") == "7300"
    assert metrics.spell_numbers("two dozen eggs") == "24 eggs"
    assert metrics.spell_numbers("in 2024 20 people") == "in 2024 20 people"
    assert metrics.spell_numbers("five six") == "5 6"
    assert metrics.spell_numbers("a man, an hour") == "a man, an hour"


def test_evidence_rank_is_the_first_passage_of_the_gold_article_holding_the_quote():
    quote = "The city transit authority has ordered 60 electric buses."
    passages = [
        ("other", "The city transit authority has ordered 60 electric buses."),
        ("gold", "Unrelated text about a festival."),
        ("gold", "Transit authority ordered 60 electric buses, it said."),
    ]
    assert metrics.evidence_rank(passages, [("gold", quote)]) == 3
    assert metrics.evidence_rank(passages[:2], [("gold", quote)]) is None
    assert metrics.evidence_rank(passages, []) is None


def test_hits_and_mrr_count_missing_evidence_as_a_miss():
    ranks = [1, 3, None, 12]
    assert metrics.hits_at(ranks, 1) == 0.25
    assert metrics.hits_at(ranks, 10) == 0.5
    assert metrics.mrr_at(ranks, 10) == pytest.approx((1 + 1 / 3) / 4)
    assert metrics.hits_at([], 10) is None and metrics.mrr_at([], 10) is None


def test_a_sentence_is_supported_only_when_its_quotes_hold_its_words_and_all_its_numbers():
    quote = "The US has 900 troops in Syria and 2,500 in Iraq."
    assert metrics.sentence_is_supported("The US has 900 troops in Syria [1]", [quote])
    assert not metrics.sentence_is_supported("The US has 950 troops in Syria [1]", [quote])
    assert not metrics.sentence_is_supported("France sent jets to Mali [1]", [quote])
    assert not metrics.sentence_is_supported("The US has 900 troops [1]", [])


def test_support_leaves_the_questions_words_out_but_not_what_the_answer_adds():
    quote = "The United States keeps roughly 900 troops in Syria."
    question = "How many troops are deployed in Syria at present?"
    restating = "At present 900 troops are deployed in Syria [1]"
    assert not metrics.sentence_is_supported(restating, [quote])  # strict: "deployed" unbacked
    assert metrics.sentence_is_supported(restating, [quote], question=question)
    assert not metrics.sentence_is_supported(
        "At present 950 troops are deployed in Syria [1]", [quote], question=question
    )
    assert not metrics.sentence_is_supported(
        "Troops are deployed in Syria at present [1]", [quote], question=question
    )


def test_a_conflict_counts_as_flagged_only_when_said_and_both_sides_are_quoted():
    true, fake = "The final was played in Lisbon.", "The final was played in Porto."
    flagged = f"The sources disagree. {true} [1] {fake} [2]"
    assert metrics.flags_conflict(flagged, [true, fake], "Lisbon", "Porto")
    assert not metrics.flags_conflict(flagged, [true], "Lisbon", "Porto")
    assert not metrics.flags_conflict(f"{true} [1] {fake} [2]", [true, fake], "Lisbon", "Porto")
    assert not metrics.flags_conflict("", [], "Lisbon", "Porto")
    assert metrics.misled(f"{fake} [1]", "Lisbon", "Porto")
    assert not metrics.misled(flagged, "Lisbon", "Porto")
    assert not metrics.misled("", "Lisbon", "Porto")


def test_percentiles_use_the_nearest_rank():
    assert metrics.percentile([0.3, 0.1, 0.2, 0.4], 50) == 0.2
    assert metrics.percentile([0.3, 0.1, 0.2, 0.4], 95) == 0.4
    assert metrics.percentile([], 50) is None


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    settings = load_settings(
        overrides={"data_dir": tmp_path_factory.mktemp("eval"), "sample_corpus": False}, environ={}
    )
    return settings, run_evaluation(TINY, settings)


def test_a_tiny_evaluation_scores_answers_citations_abstention_and_the_baseline(tiny_run, tmp_path):
    settings, run = tiny_run
    by_id = {r.id: r for r in run.results}
    assert by_id["q1"].correct and by_id["q1"].evidence_rank == 1
    assert by_id["q2"].correct and by_id["q2"].baseline_evidence_rank is not None
    assert by_id["q4"].abstained and not by_id["q4"].answerable
    summary = summarise(run.results)
    assert summary["citation_exactness"] == 1.0
    assert summary["abstained_when_unanswerable"] == 1.0
    assert summary["hits@10"] == 1.0
    json_path, md_path = write_report(run, tmp_path / "report")
    payload = json.loads(json_path.read_text())
    assert payload["baseline"]["questions"] == 4 and len(payload["questions"]) == 4
    assert "| Citation exactness | 1.000 |" in md_path.read_text()


def test_a_second_run_over_the_same_articles_embeds_nothing(tiny_run):
    settings, first = tiny_run
    assert first.ingest["newly_embedded_chunks"] > 0
    again = run_evaluation(TINY, settings, limit=1, baseline=False)
    assert again.ingest["newly_embedded_chunks"] == 0
    assert again.ingest["collection"] == first.ingest["collection"]


def test_support_counts_an_outlet_and_date_attribution_as_supported_by_its_citation():
    from assistant.evaluation.runner import _support
    from assistant.types import Answer, Citation

    ledger = Citation(1, "a", "t", "Ledger", "2024-08-02", None, "About 2,000 people left.", 0, 1)
    wire = Citation(2, "b", "t", "Wire", "2024-08-02", None, "About 1,200 residents left.", 0, 1)
    both = "The sources disagree. Ledger, 2024-08-02: About 2,000 people left. [1] "
    both += "Wire, 2024-08-02: About 1,200 residents left. [2]"
    assert _support(Answer("q", both, [ledger, wire])) == (2, 2, 2)
    changed = "Ledger, 2024-08-02: About 3,000 people left. [1]"
    assert _support(Answer("q", changed, [ledger])) == (0, 1, 0)


def test_explanations_are_stored_once_and_hidden_from_search_in_the_abstention_setting(tmp_path):
    dataset = tmp_path / "with_explanations"
    dataset.mkdir()
    for name in ("articles.jsonl", "questions.jsonl"):
        (dataset / name).write_text((TINY / name).read_text())
    chess = {
        "id": "x-1",
        "title": "Chess final",
        "source": "Board Weekly",
        "published_at": "2024-09-20",
        "body": "Ivo Brandt won the national chess championship in Reykjavik on Sunday.",
    }
    # A search-result snippet without a headline is still read (its opening words stand in).
    snippet = {"id": "x-2", "source": "search", "body": "Tram lines reopen in the old town."}
    (dataset / "explanation_articles.jsonl").write_text(
        "\n".join(json.dumps(r) for r in (chess, snippet)) + "\n"
    )
    settings = load_settings(
        overrides={"data_dir": tmp_path / "data", "sample_corpus": False}, environ={}
    )
    shown = run_evaluation(dataset, settings, baseline=False)
    hidden = run_evaluation(dataset, settings, explanations=False)
    assert shown.ingest["records_skipped"] == 0 and shown.ingest["articles"] == 5
    assert hidden.ingest["collection"] == shown.ingest["collection"]
    assert hidden.ingest["newly_embedded_chunks"] == 0
    assert "Brandt" in {r.id: r for r in shown.results}["q4"].answer
    q4 = {r.id: r for r in hidden.results}["q4"]
    assert q4.abstained and "Brandt" not in q4.baseline_answer
