"""Metric functions on hand-made cases, and a short evaluation run over a tiny dataset that
the project wrote itself (tests/data/tiny_eval)."""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path

import pytest

from assistant.evaluation import metrics
from assistant.evaluation.answerability import ArticleWords
from assistant.evaluation.dataset import load_dataset
from assistant.evaluation.runner import run_evaluation, slices, summarise, write_report
from assistant.settings import load_settings
from ingest.types import Article
from tests.test_cli import newsdesk

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


def test_a_gold_answer_of_alternatives_is_matched_by_any_one_of_them():
    # RGB writes a date's spellings as alternatives joined by " / ".
    gold = "June 2020 / Jun 2020 / Jun. 2020"
    assert metrics.answer_is_correct(gold, "The model was released in Jun 2020. [1]")
    assert metrics.answer_is_correct(gold, "It came out in June 2020. [1]")
    assert not metrics.answer_is_correct(gold, "It came out in June 2010. [1]")
    quotes = ["It came out in June 2010.", "It came out in Jun 2020."]
    assert metrics.flags_conflict("The sources disagree. ...", quotes, gold, "June 2010")


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


def test_a_change_over_time_is_supported_by_its_quotes_with_their_dates_and_outlets():
    """ "As of <day>, <outlet>:" and "Earlier, <day>, <outlet>:" name the citation's own
    metadata: the day's digits are not numbers the quote must hold."""
    from assistant.evaluation.runner import _support
    from assistant.types import Answer, Citation

    def cited(n: int, quote: str, day: str) -> Citation:
        return Citation(
            n=n, article_id=f"a{n}", title="Ferry", source="Island Herald",
            published_at=day, url=None, quote=quote, start=0, end=len(quote),
        )  # fmt: skip

    newer = "The coastguard said 15 passengers were injured."
    older = "The coastguard said 12 passengers were injured."
    answer = Answer(
        question="How many passengers were injured?",
        text=f"As of 2024-06-03, Island Herald: {newer} [1] "
        f"Earlier, 2024-06-02, Island Herald: {older} [2]",
        citations=[cited(1, newer, "2024-06-03"), cited(2, older, "2024-06-02")],
        passages=[],
    )
    assert _support(answer) == (2, 2, 2)
    # A figure the quotes do not hold is still unsupported.
    answer.text = answer.text.replace("15 passengers", "19 passengers", 1)
    assert _support(answer)[0] == 1


def test_the_support_metric_and_the_written_answer_checker_apply_one_definition():
    import inspect

    from assistant.llm.verify import SupportChecker
    from assistant.settings import CheckSettings
    from assistant.support import SUPPORT_SHARE, words_supported

    held = {"usa", "900", "troop", "syria", "base"}
    assert words_supported(["900", "troop", "syria"], held)
    assert not words_supported(["950", "troop", "syria"], held)  # a number not held
    assert not words_supported(["usa", "troop", "syria", "jet"], held)  # 3 of 4 held
    assert words_supported(["usa", "troop", "syria", "base", "jet"], held)  # 4 of 5
    checker_share = SupportChecker(embedder=None).policy.min_coverage
    metric_share = inspect.signature(metrics.sentence_is_supported).parameters["threshold"]
    assert checker_share == CheckSettings().min_coverage == metric_share.default == SUPPORT_SHARE
    # A run measures support at the floor its checker applied (the setting, when changed).
    from assistant.evaluation.runner import _support
    from assistant.types import Answer, Citation

    quote = "The US has 900 troops in Syria and 2,500 in Iraq."
    answer = Answer(
        question="How many US troops are in Syria?",
        text="The US has 900 troops in Syria and jets [1].",
        citations=[Citation(1, "a", "Troops", "", None, None, quote, 0, len(quote))],
        passages=[],
    )
    assert _support(answer, SUPPORT_SHARE)[0] == 0  # "jet": 1 of the 2 added words held
    assert _support(answer, 0.5)[0] == 1


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


def _write_gz(path: Path, records: list[dict]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)


def _ferry(record_id: str, source: str, text: str) -> dict:
    return {"id": record_id, "title": "Ferry runs aground off Gull Island", "source": source,
            "published_at": "2024-06-02", "body": text}  # fmt: skip


FERRY = "How many passengers were injured when the ferry ran aground off Gull Island?"


@pytest.fixture(scope="module")
def train_split(tmp_path_factory) -> Path:
    """A dataset in the training split's shape: gzipped files, `search_result_ids`,
    `explanation_article_id` and `answer_string_in_search_results`."""
    folder = tmp_path_factory.mktemp("train-split")
    tiny = [json.loads(line) for line in (TINY / "articles.jsonl").read_text().splitlines()]
    ferries = [
        _ferry("f-1", "Island Herald", "A passenger ferry ran aground off Gull Island on Sunday."
               "\n\nThe coastguard said 12 passengers were hurt in the accident and taken to hospital."),
        _ferry("f-2", "Coast Daily", "Rescuers said 20 passengers were injured when a ferry ran "
               "aground off Gull Island on Sunday.\n\nThe ferry operator has suspended the route."),
    ]  # fmt: skip
    _write_gz(folder / "articles.jsonl.gz", tiny + ferries)
    chess = {"id": "x-4", "title": "Quiz notes", "source": "Tiny Quiz", "published_at": "2024-09-20",
             "body": "Ivo Brandt won the national chess championship in Reykjavik on Sunday."}  # fmt: skip
    # The training split repeats some explanation ids, once with another week's text.
    clash = {**chess, "published_at": "2024-09-27", "body": "Lena Holm won the rowing final."}
    _write_gz(folder / "explanation_articles.jsonl.gz", [chess, clash])
    questions = [
        {"id": "q1", "question": "How many hiking trails did rangers close in Glacier Crest park?",
         "answer": "4", "question_date": "2024-07-10", "search_result_ids": ["t-1", "t-3"],
         "answer_string_in_search_results": True},
        {"id": "q2", "question": "How many electric buses did the city transit authority order?",
         "answer": "sixty", "question_date": "2024-06-01", "search_result_ids": ["t-2"],
         "answer_string_in_search_results": True},
        {"id": "q3", "question": FERRY, "answer": "twelve", "question_date": "2024-06-05",
         "search_result_ids": ["f-1", "f-2"], "answer_string_in_search_results": True},
        {"id": "q4", "question": "Who won the national chess championship in Reykjavik?",
         "answer": "Ivo Brandt", "question_date": "2024-09-30", "search_result_ids": [],
         "explanation_article_id": "x-4", "answer_string_in_search_results": False},
    ]  # fmt: skip
    _write_gz(folder / "questions.jsonl.gz", questions)
    return folder


def test_a_gzipped_training_split_is_read_with_its_own_answerability_field(train_split):
    dataset = load_dataset(train_split)
    assert [q.id for q in dataset.questions] == ["q1", "q2", "q3", "q4"]
    assert [q.answerable for q in dataset.questions] == [True, True, True, False]
    assert dataset.questions[3].record_ids == ("x-4",)
    assert {r["id"] for r in dataset.records} == {"t-1", "t-2", "t-3", "f-1", "f-2", "x-4"}
    assert len(dataset.records) == 6 and dataset.duplicates == 1  # the first x-4 is kept
    assert "Brandt" in next(r for r in dataset.records if r["id"] == "x-4")["body"]


def test_a_sample_is_reproducible_and_holds_only_the_articles_its_questions_point_at(train_split):
    first = load_dataset(train_split, sample=2, seed=7)
    again = load_dataset(train_split, sample=2, seed=7)
    assert [q.id for q in first.questions] == [q.id for q in again.questions]
    assert len(first.questions) == 2
    wanted = {r for q in first.questions for r in q.record_ids}
    assert {r["id"] for r in first.records} == wanted
    drawn = {tuple(q.id for q in load_dataset(train_split, sample=2, seed=s).questions)
             for s in range(10)}  # fmt: skip
    assert len(drawn) > 1  # the seed chooses the sample
    assert len(load_dataset(train_split, sample=99).questions) == 4


def test_skipping_the_first_questions_leaves_out_them_and_the_articles_only_they_use(
    train_split,
):
    rest = load_dataset(train_split, skip=2)
    assert [q.id for q in rest.questions] == ["q3", "q4"]
    assert {r["id"] for r in rest.records} == {r for q in rest.questions for r in q.record_ids}
    sampled = load_dataset(train_split, skip=2, sample=1, seed=5)
    assert sampled.questions[0].id in ("q3", "q4")
    with pytest.raises(ValueError, match="negative"):
        load_dataset(train_split, skip=-1)


def test_a_broken_dataset_file_is_named_in_the_error(tmp_path):
    (tmp_path / "articles.jsonl").write_text("")
    (tmp_path / "questions.jsonl.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match=r"questions\.jsonl\.gz: unreadable"):
        load_dataset(tmp_path)
    _write_gz(tmp_path / "questions.jsonl.gz", [{"id": "q1", "answer": "4"}])
    with pytest.raises(ValueError, match=r"questions\.jsonl\.gz, question 1: .*'question'"):
        load_dataset(tmp_path)
    (tmp_path / "questions.jsonl.gz").unlink()
    (tmp_path / "questions.jsonl").write_text('{"id": "q1", "question": "Who?"}\n{oops\n')
    with pytest.raises(ValueError, match=r"questions\.jsonl, line 2: not JSON"):
        load_dataset(tmp_path)
    with pytest.raises(ValueError, match="at least 1"):
        load_dataset(TINY, sample=0)


@pytest.fixture(scope="module")
def train_settings(tmp_path_factory):
    return load_settings(
        overrides={"data_dir": tmp_path_factory.mktemp("train-data"), "sample_corpus": False},
        environ={},
    )


@pytest.fixture(scope="module")
def train_run(train_split, train_settings):
    return run_evaluation(train_split, train_settings, baseline=False)


def test_a_gzipped_split_is_evaluated_with_numbers_in_words_scored_by_value(train_run):
    by_id = {r.id: r for r in train_run.results}
    assert train_run.ingest["articles"] == 6
    assert by_id["q1"].correct and by_id["q2"].correct  # "4" for "four", "sixty" for "60"
    assert not by_id["q4"].answerable


def test_sources_disagree_answers_are_counted_and_listed_for_reading_by_hand(train_run, tmp_path):
    ferry = {r.id: r for r in train_run.results}["q3"]
    assert ferry.conflict and not {r.id: r for r in train_run.results}["q1"].conflict
    assert {s["outlet"] for s in ferry.conflict_sides} == {"Island Herald", "Coast Daily"}
    # Every pair the answerer set against each other is kept for the threshold tool.
    assert ferry.rival_pairs and set(ferry.rival_pairs[0]) == {
        "confidence",
        "disagreement",
        "change",
    }
    assert summarise(train_run.results)["conflict_answers"] == 0.25
    _, md_path = write_report(train_run, tmp_path)
    assert "| Answers saying the sources disagree (conflicts.md) | 0.250 |" in md_path.read_text()
    listed = (tmp_path / "conflicts.md").read_text()
    assert "1 of 4 answers" in listed and FERRY in listed and "Gold: twelve" in listed
    assert "**Island Herald, 2024-06-02**" in listed and "**Coast Daily, 2024-06-02**" in listed
    assert "12 passengers were hurt" in listed and "20 passengers were injured" in listed


def test_the_cli_evaluates_a_sample_storing_only_its_articles(train_split, tmp_path):
    out = tmp_path / "out"
    args = ["eval", str(train_split), "--sample", "1", "--seed", "3", "--no-baseline"]
    proc = newsdesk(tmp_path / "data", *args, "--out", str(out))
    # The shipped reader gives confidences, so the calibration plots are written too.
    assert proc.stdout.rstrip().endswith(f"report.md, result.json in {out}"), proc.stdout
    assert "wrote conflicts.md, " in proc.stdout
    payload = json.loads((out / "result.json").read_text())
    (asked,) = payload["questions"]
    chosen = load_dataset(train_split, sample=1, seed=3).questions[0]
    assert asked["id"] == chosen.id
    assert payload["ingest"]["articles"] == len(chosen.record_ids)
    assert payload["settings"]["sample"] == 1 and payload["settings"]["seed"] == 3
    assert "a sample drawn with seed 3" in (out / "report.md").read_text()
    assert (out / "conflicts.md").is_file()
    bad = newsdesk(tmp_path / "data", "eval", str(train_split), "--sample", "0", check_rc=2)
    assert "at least 1" in bad.stderr


def test_reliability_bins_count_confidence_against_the_share_correct():
    scored = [(0.05, False), (0.95, True), (0.91, False), (1.0, True), (0.55, True)]
    bins = metrics.reliability_bins(scored)
    assert [b["count"] for b in bins] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 3]
    assert bins[9]["mean_confidence"] == pytest.approx((0.95 + 0.91 + 1.0) / 3)
    assert bins[9]["share_correct"] == pytest.approx(2 / 3)
    assert bins[1]["mean_confidence"] is None
    gap = (0.05 + 0.45 + 3 * abs((0.95 + 0.91 + 1.0) / 3 - 2 / 3)) / 5
    assert metrics.calibration_error(bins) == pytest.approx(gap)
    brier = (0.05**2 + 0.05**2 + 0.91**2 + 0 + 0.45**2) / 5
    assert metrics.brier_score(scored) == pytest.approx(brier)
    assert metrics.calibration_error(metrics.reliability_bins([])) is None


def test_the_refusal_curve_refuses_below_the_threshold_and_where_nothing_was_scored():
    questions = [  # (confidence, answerable, correct)
        (0.9, True, True), (0.6, True, False), (0.3, True, True), (None, True, False),
        (0.2, False, False), (0.7, False, False),
    ]  # fmt: skip
    low, mid, top = metrics.refusal_curve(questions, [0.0, 0.5, 1.0])
    assert (low["answerable_refused"], low["unanswerable_refused"]) == (0.25, 0.0)
    assert low["answerable_correct"] == 0.5
    assert (mid["answerable_refused"], mid["unanswerable_refused"]) == (0.5, 0.5)
    assert mid["answerable_correct"] == 0.25
    assert (top["answerable_refused"], top["unanswerable_refused"]) == (1.0, 1.0)


def test_an_answerers_confidence_is_recorded_and_reported_with_plots(
    tiny_run, monkeypatch, tmp_path
):
    """The harness reads `confidence` from any Answer that has one. Until the learned reader
    lands, answers that state one (0.9 answered, 0.2 refused) stand in."""
    from PIL import Image

    from assistant.app import Newsdesk
    from assistant.types import Answer

    settings, _ = tiny_run
    # Without the reader (the older hand-weighted answerer) answers carry no confidence.
    rules = dataclasses.replace(settings, answer=dataclasses.replace(settings.answer, reader=False))
    plain = run_evaluation(TINY, rules, baseline=False)
    assert all(r.confidence is None for r in plain.results)
    asked = Newsdesk.ask_stream

    def ask_stream(self, *args, **options):  # noqa: ANN001, ANN202
        for item in asked(self, *args, **options):
            if isinstance(item, Answer):
                item.confidence = 0.2 if item.abstained else 0.9
            yield item

    monkeypatch.setattr(Newsdesk, "ask_stream", ask_stream)
    run = run_evaluation(TINY, settings, baseline=False)
    assert {r.id: r.confidence for r in run.results}["q4"] == 0.2
    _, md_path = write_report(run, tmp_path)
    report = md_path.read_text()
    correct = sum(r.correct for r in run.results if not r.abstained)
    answered = sum(not r.abstained for r in run.results)
    assert f"| 0.9–1.0 | {answered} | 0.900 | {correct / answered:.3f} |" in report
    assert "| 0.5 | 1.000 | 0.000 |" in report  # q4 refused, every answerable one kept
    for name in ("reliability.png", "refusal.png"):
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG" and image.size[0] > 300
    write_report(plain, tmp_path)  # a run without confidences, into the same folder
    assert "Calibration" not in (tmp_path / "report.md").read_text()
    assert not (tmp_path / "reliability.png").exists() and not (tmp_path / "refusal.png").exists()


def test_the_eval_cache_is_shared_across_devices_and_keeps_its_key_from_before_the_setting():
    import dataclasses

    from assistant.evaluation.runner import _embedder_key
    from assistant.settings import load_settings

    settings = load_settings(environ={})
    keys = {
        _embedder_key(
            dataclasses.replace(
                settings, embedder=dataclasses.replace(settings.embedder, device=device)
            )
        )
        for device in ("auto", "cpu", "cuda")
    }
    # Stores embedded before the device setting existed were keyed so: still found.
    assert keys == {"EmbedderConfig(model_path=None, batch_size=32, device='cpu')"}


def test_questions_left_out_are_not_asked_but_their_articles_stay_stored(train_split):
    whole = load_dataset(train_split, skip=2)
    left = load_dataset(train_split, skip=2, leave_out=frozenset({"q3", "q1"}))
    assert [q.id for q in left.questions] == ["q4"] and left.left_out == 1
    assert {r["id"] for r in left.records} == {r["id"] for r in whole.records}


def test_the_cli_leaves_out_the_questions_a_training_examples_file_names(train_split, tmp_path):
    examples = tmp_path / "examples-train.jsonl"
    examples.write_text('{"id": "q3", "candidates": []}\n{"id": "q1", "candidates": []}\n')
    out = tmp_path / "out"
    args = ["eval", str(train_split), "--skip", "2", "--no-baseline", "--leave-out"]
    newsdesk(tmp_path / "data", *args, str(examples), "--out", str(out))
    payload = json.loads((out / "result.json").read_text())
    assert [q["id"] for q in payload["questions"]] == ["q4"]
    assert payload["settings"]["left_out"] == 1
    assert payload["ingest"]["articles"] == 3  # q3's two ferry reports stay stored
    assert "1 more left out by `--leave-out`" in (out / "report.md").read_text()
    examples.write_text('{"id": "q3"}\n{"question": "no id"}\n')
    bad = newsdesk(tmp_path / "data", *args, str(examples), check_rc=2)
    assert f"{examples}, object 2: no 'id' field" in bad.stderr


def test_a_gold_answer_is_found_however_written_only_in_the_articles_named_and_their_days():
    def article(article_id: str, text: str, published_at: str | None) -> Article:
        return Article(id=article_id, title="Notes", text=text, source="Tiny Wire",
                       published_at=published_at)  # fmt: skip

    words = ArticleWords(
        [
            article("ferry", "The coastguard said twelve passengers were hurt.", "2024-06-02"),
            article("trade", "New tariffs on imports from Mexico and Canada began.", "2024-03-01"),
            article("prize", "The Harbor Prize went to Ama Owusu.", None),
        ]
    )
    assert words.holds("12", ["ferry"], by_day=20240605)  # a figure found written as a word
    assert not words.holds("12", ["ferry"], by_day=20240601)  # published after it was asked
    assert not words.holds("12", ["trade", "unknown"], by_day=20240605)  # only those named
    assert words.holds("Mexico & Canada", ["ferry", "trade"], by_day=20240605)
    assert words.holds("June 2024 / 12", ["ferry"])  # any one alternative
    assert not words.holds("Mexico & Brazil", ["trade"])
    assert not words.holds("Ama Owusu", ["prize"], by_day=20240605)  # a dated search skips it
    assert words.holds("Ama Owusu", ["prize"])
    assert not words.holds("", ["ferry"])


def test_results_are_split_by_whether_the_questions_own_articles_hold_the_gold(
    train_split, train_settings, train_run
):
    # q4 is flagged unanswerable by the dataset, but its explanation holds the answer: with
    # explanations stored it is in the store (and answered right), without them it is not.
    by_id = {r.id: r for r in train_run.results}
    assert all(r.answer_in_articles for r in train_run.results)
    assert by_id["q4"].correct and not by_id["q4"].answerable
    assert summarise(train_run.results)["right_when_flagged_unanswerable"] == 1
    articles_only = run_evaluation(train_split, train_settings, baseline=False, explanations=False)
    in_store = {r.id: r.answer_in_articles for r in articles_only.results}
    assert in_store == {"q1": True, "q2": True, "q3": True, "q4": False}
    assert summarise(articles_only.results)["right_when_flagged_unanswerable"] == 0
    by_where = slices(articles_only.results)["gold_in_own_articles"]
    assert by_where["answerable, in its own articles"]["newsdesk"]["questions"] == 3
    assert by_where["unanswerable, in none of its own"]["newsdesk"]["questions"] == 1


def test_a_run_without_the_baseline_reports_dashes_for_it_not_zeros(train_run, tmp_path):
    json_path, md_path = write_report(train_run, tmp_path / "report")
    payload = json.loads(json_path.read_text())
    assert payload["settings"]["baseline"] is False and payload["baseline"] is None
    assert all(both["baseline"] is None for groups in payload["slices"].values()
               for both in groups.values())  # fmt: skip
    lines = md_path.read_text().splitlines()
    accuracy = next(x for x in lines if x.startswith("| Answer accuracy (answerable) |"))
    assert accuracy.endswith("| – |")
    by_kind = [x for x in lines if x.startswith("| answerable |")]
    assert by_kind and all(x.split(" | ")[3] == "–" for x in by_kind)  # baseline accuracy
