"""Synthetic reader questions asked back from headlines (train --headline-questions): what a
headline is turned into, which articles may be used, and which sentences teach it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.reader.headlines import asked_back, headline_pools, trimmed


def test_a_headline_is_asked_back_with_its_name_or_figure_cut_out():
    asked = dict(asked_back("Mara Quint sworn in as Lakeside mayor - Valley Courier"))
    assert asked == {
        "Who sworn in as Lakeside mayor?": "Mara Quint",
        "Mara Quint sworn in as which mayor?": "Lakeside",
    }
    asked = dict(asked_back("Harbour repairs to cost $4 million, take 18 months"))
    assert asked["Harbour repairs to cost how much, take 18 months?"] == "$4 million"
    assert asked["Harbour repairs to cost $4 million, take how many months?"] == "18"
    asked = dict(asked_back("Strike spreads across the Valley | Coast Ledger"))
    assert asked == {"Strike spreads across which?": "Valley"}


def test_dates_teasers_and_title_case_headlines_are_not_asked_back():
    assert asked_back("Bakery reopens on Monday after March flood in 2023") == []
    assert asked_back("Will the ferry run again this summer?") == []
    assert asked_back("Ten Things To Know About The Lakeside Ferry") == []
    assert asked_back("Opinion: the harbour deserves better") == []


def _write(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def _article(rid: str, title: str, body: str) -> dict:
    return {"id": rid, "title": title, "source": "Valley Courier", "published_at": "2023-05-15",
            "url": f"https://valley.example/{rid}", "body": body}  # fmt: skip


@pytest.fixture
def headline_split(tmp_path: Path) -> Path:
    """Three questions: one learned from (its articles may not be used), one free, one on a
    later row (held out: its articles may not be used either)."""
    folder = tmp_path / "split"
    sworn = _article(
        "h-2",
        "Mara Quint sworn in as Lakeside mayor",
        "Retired teacher Mara Quint was sworn in as mayor of Lakeside on Monday.\n\n"
        "Quint thanked the voters and named her deputy.\n\n"
        "The ceremony at the town hall lasted an hour.",
    )
    rows = [
        _article(
            "h-1",
            "Otto Brandt concedes Lakeside race",
            "Councillor Otto Brandt conceded the Lakeside race to his rival on Sunday night.",
        ),  # fmt: skip
        sworn,
        _article(
            "h-3",
            "Ferry service to resume",
            "The Lakeside ferry will run again from June, the operator said.",
        ),  # fmt: skip
        _article(
            "h-4",
            "Lakeside mayor Mara Quint names deputy",
            "Mayor Mara Quint named councillor Ines Halvor as her deputy on Friday.",
        ),  # fmt: skip
    ]
    _write(folder, "articles", rows)
    _write(
        folder,
        "questions",
        [
            {
                "id": "q-learned",
                "question": "Who conceded?",
                "answer": "Otto Brandt",
                "search_result_ids": ["h-1"],
            },
            {
                "id": "q-free",
                "question": "Who became mayor?",
                "answer": "Mara Quint",
                "search_result_ids": ["h-2", "h-3"],
            },
            {
                "id": "q-later",
                "question": "Who is deputy?",
                "answer": "Ines Halvor",
                "search_result_ids": ["h-4"],
            },
        ],  # fmt: skip
    )
    _write(folder, "explanation_articles", [])
    return folder


def test_headline_questions_come_only_from_articles_no_avoided_question_was_asked_about(
    headline_split: Path,
):
    pools = headline_pools(headline_split, 10, seed=13, avoid_questions={"q-learned", "q-later"})
    assert [p.id for p in pools] == ["headline-h-2"]
    assert (pools[0].question, pools[0].answer) in set(asked_back(pools[0].passages[0].title))
    # Its pool is its article and the other article returned beside it, not the avoided ones.
    assert {p.title for p in pools[0].passages} == {
        "Mara Quint sworn in as Lakeside mayor",
        "Ferry service to resume",
    }
    assert headline_pools(headline_split, 10, seed=13, avoid_questions={"q-free"})[0].id in {
        "headline-h-1",
        "headline-h-4",
    }


def _candidate(text: str, label: bool) -> dict:
    return {"text": text, "reader_text": text, "label": label, "wrong_choice": False}


def test_only_sentences_saying_the_headline_teach_it_and_part_of_the_name_is_not_wrong():
    example = {
        "question": "Who sworn in as Lakeside mayor?",
        "answer": "Mara Quint",
        "candidates": [
            _candidate("Mara Quint was sworn in as mayor of Lakeside on Monday.", True),
            _candidate("Quint thanked the voters and named her deputy.", False),
            _candidate("A portrait of Mara Quint hangs in the school.", True),
            _candidate("The ceremony at the town hall lasted an hour.", False),
        ],
    }
    kept = [(c["text"][:12], c["label"]) for c in trimmed(example)["candidates"]]
    assert kept == [("Mara Quint w", True), ("The ceremony", False)]
    example["candidates"] = example["candidates"][1:]
    assert trimmed(example) is None  # no sentence left that answers it


@pytest.mark.slow
def test_headline_examples_are_scored_like_training_questions_and_kept_from_avoided_news(
    headline_split: Path, tmp_path: Path
):
    from assistant.reader.train import headline_examples

    out = tmp_path / "examples-headlines.jsonl"
    learned = [{"id": "q-learned"}]
    examples = headline_examples(headline_split, out, 5, 2, None, 13, learned)
    # Row 2 on (q-later) is held out, q-learned is learned from: only h-2's headline is left.
    assert [q["id"] for q in examples] == ["headline-h-2"]
    assert examples[0]["answer"] == "Mara Quint"  # the draw seed 13 makes
    cands = examples[0]["candidates"]
    assert [(c["text"][:18], c["label"]) for c in cands] == [
        ("Retired teacher Ma", True),
        ("The ceremony at th", False),
        ("The Lakeside ferry", False),  # the article returned beside it
    ]
    assert all(len(c["features"]) == len(cands[0]["features"]) for c in cands)
    # The file keeps every candidate scored; "Quint thanked ..." (part of the name) is left
    # out only when the examples are read for teaching.
    written = json.loads(out.read_text().splitlines()[0])
    assert any(c["text"].startswith("Quint thanked") for c in written["candidates"])


@pytest.mark.slow
def test_training_with_headline_questions_teaches_one_from_an_article_no_example_was_about(
    tmp_path: Path,
):
    import shutil

    from assistant.reader.train import main

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "data" / "reader-tiny", data)
    deputy = _article(
        "h-9",
        "Ines Halvor named Lakeside deputy mayor",
        "Mayor Mara Quint named councillor Ines Halvor as Lakeside deputy mayor on Tuesday.\n\n"
        "Halvor chaired the harbour committee for six years.",
    )
    question = {"id": "q-9", "question": "Which councillor became deputy mayor?",
                "answer": "Ines Halvor", "question_date": "2023-06-21",
                "search_result_ids": ["h-9"]}  # fmt: skip
    with (data / "articles.jsonl").open("a") as handle:
        handle.write(json.dumps(deputy) + "\n")
    with (data / "questions.jsonl").open("a") as handle:
        handle.write(json.dumps(question) + "\n")
    out, work = tmp_path / "out", tmp_path / "work"
    args = ["--data", str(data), "--out", str(out), "--work", str(work), "--questions", "7"]
    # Seed 13 leaves q-9 and q-5 out of the 7 example questions; q-5's articles are others'.
    assert main([*args, "--headline-questions", "3", "--epochs", "1", "--frozen-layers", "5"]) == 0
    learned = {json.loads(line)["id"] for line in (work / "examples-train.jsonl").open()}
    assert "q-9" not in learned
    written = [json.loads(line) for line in (work / "examples-headlines.jsonl").open()]
    assert [(q["id"], q["answer"]) for q in written] == [("headline-h-9", "Ines Halvor")]
    training = json.loads((out / "decision.json").read_text())["training"]
    assert training["headline_questions"] == 1
