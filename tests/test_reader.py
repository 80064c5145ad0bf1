"""The learned reader: training runs and writes a model that loads, the shipped model is
checked before use, and its decisions on articles the project wrote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.reader.model import (
    DECISION_FILE,
    MODEL_DIR,
    READER_FILE,
    Reader,
    ReaderUnavailable,
    load_decision,
)
from ingest.types import Article

TINY = Path(__file__).parent / "data" / "reader-tiny"


@pytest.mark.slow
def test_training_on_a_tiny_dataset_lowers_the_loss_and_writes_a_model_that_loads(tmp_path):
    from assistant.reader.train import main

    out, work, card = tmp_path / "model", tmp_path / "work", tmp_path / "card.md"
    args = ["--data", str(TINY), "--out", str(out), "--work", str(work), "--card", str(card)]
    assert main([*args, "--epochs", "4", "--frozen-layers", "5", "--threads", "2"]) == 0
    data = json.loads((out / DECISION_FILE).read_text())
    losses = data["training"]["loss_by_epoch"]
    assert losses[-1] < losses[0]
    assert data["figures"]["train"]["questions"] >= 1
    scores = Reader(out).scores("Who was elected mayor of Lakeside?", ["a", "b c", "d e f"])
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert load_decision(out).answer_threshold >= 0
    assert "SHA-256" in card.read_text()


def test_a_reader_file_whose_checksum_differs_is_refused(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(MODEL_DIR, folder)
    with (folder / READER_FILE).open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ReaderUnavailable, match="SHA-256"):
        Reader(folder).warm_up()
    (folder / READER_FILE).unlink()
    with pytest.raises(ReaderUnavailable, match="missing"):
        Reader(folder).warm_up()


def test_the_shipped_reader_loads_and_matches_its_checksum():
    reader = Reader(MODEL_DIR)
    logits = reader.scores("How many drivers joined the strike?", ["About 1,300 drivers struck."])
    assert np.isfinite(logits).all()


def test_the_reader_quotes_the_sentence_that_holds_the_asked_for_value(store_of):
    article = Article(
        title="Rail drivers strike over pay in the northern region",
        text="Rail drivers in the northern region went on strike on Thursday over pay and "
        "rosters, and the strike stopped almost every regional train.\n\n"
        "The union said about 1,300 drivers walked out, and picket lines formed at four depots."
        "\n\nThe operator called the strike by the drivers unnecessary and offered new talks.",
        source="Valley Courier",
        published_at="2024-03-07",
    )
    answer = store_of([article]).ask("How many drivers went on strike?")
    assert not answer.abstained
    assert "1,300 drivers" in answer.citations[0].quote
    assert answer.answer_span is not None and answer.answer_span.text == "1,300 drivers"
    assert answer.support in ("well supported", "weak support")
    assert 0.0 <= answer.confidence <= 1.0


def test_a_count_set_against_a_date_is_not_a_disagreement(store_of):
    first = Article(
        title="Crew named for the lunar flyby",
        text="Four astronauts will fly around the Moon on the Orion capsule, the space agency "
        "said.\n\nThe crew trained for two years in Houston.",
        source="Orbit News",
        published_at="2026-03-30",
    )
    second = Article(
        title="Lunar flyby launch date set",
        text="The astronauts will fly around the Moon after a launch on Monday, April 6, the "
        "space agency said.\n\nThe rocket was moved to the pad last week.",
        source="Space Daily",
        published_at="2026-03-31",
    )
    answer = store_of([first, second]).ask("How many astronauts will fly around the Moon?")
    assert not answer.text.startswith("The sources disagree.")


def test_one_value_told_two_ways_is_not_a_disagreement(store_of):
    first = Article(
        title="Four climbers rescued from glacier",
        text="Mountain rescuers brought four climbers down from the Kessel glacier on Tuesday "
        "after a night in a crevasse.\n\nAll were taken to hospital with mild hypothermia.",
        source="Alpine Herald",
        published_at="2025-02-11",
    )
    second = Article(
        title="Glacier rescue ends well",
        text="Rescuers brought 4 climbers down from the Kessel glacier on Tuesday after they "
        "spent a night in a crevasse.\n\nA helicopter flew them to the valley hospital.",
        source="Valley Post",
        published_at="2025-02-11",
    )
    question = "How many climbers were rescued from the Kessel glacier?"
    answer = store_of([first, second]).ask(question)
    assert not answer.abstained
    assert not answer.text.startswith("The sources disagree.")


def test_one_date_told_two_ways_is_not_a_disagreement_and_another_date_is():
    from assistant.conflicts import values_differ
    from ingest.text import question_kind

    question = "What is the opening date of the Kessel valley bridge?"
    assert question_kind(question) == "date"
    day_first = "The Kessel valley bridge will open to traffic on 14 June 2027, the county said."
    month_first = "County officials said the Kessel valley bridge opens on June 14, 2027."
    later = "The Kessel valley bridge will open to traffic on 21 June 2027, the county said."
    assert not values_differ(day_first, month_first, question, "date")
    assert values_differ(day_first, later, question, "date")


def test_sentences_that_cannot_answer_are_not_embedded_and_the_ranking_is_unchanged(embedder):
    from assistant.extractive import ExtractiveAnswerer
    from vectorstore.types import Passage

    class Recording:
        def __init__(self) -> None:
            self.texts: list[str] = []

        def embed_documents(self, texts):  # noqa: ANN001, ANN202
            self.texts += texts
            return embedder.embed_documents(texts)

    lakeside = (
        "Lakeside elected Mara Olsen as mayor on Sunday with 61 percent of the vote. "
        "Olsen promised to rebuild the ferry pier within a year."
    )
    # An article that never names Lakeside cannot say who Lakeside elected.
    elsewhere = "Turnout in Millbrook was low because of the storm, and its mayor kept her seat."
    passages = [
        Passage("p-0", "p", lakeside, 0, len(lakeside), "Vote", "Lake News", None, None, 1.0),
        Passage("q-0", "q", elsewhere, 0, len(elsewhere), "Storm", "Mill Post", None, None, 0.9),
    ]
    recording = Recording()
    answerer = ExtractiveAnswerer(recording, lambda token: 1.0)
    question = "Who was elected mayor of Lakeside?"
    ranked = answerer.rank(question, passages)
    assert not any("Millbrook" in t for t in recording.texts)
    assert any("Olsen promised" in t for t in recording.texts)
    assert [c.text for c in ranked][0].startswith("Lakeside elected Mara Olsen")
    assert all(c.vector is not None for c in ranked)


def test_the_syria_question_over_a_second_report_is_not_a_disagreement(make_app):
    """The README's question, over the sample article and another report that says 900 too
    and counts attacks: a count of attacks is not a rival count of troops."""
    import assistant

    app = make_app()
    app.ingest([Path(assistant.__file__).parent / "sample_corpus" / "us-forces-middle-east.txt"])
    app.store.add_articles(
        [
            Article(
                title="Militia drones target bases housing US forces",
                text="Iran-aligned militias have struck bases housing US forces more than 70 "
                "times since mid-October, the Pentagon said on Monday.\n\nWashington has about "
                "900 troops in Syria and 2,500 in Iraq on missions against the Islamic State "
                "group.",
                source="Desert Dispatch",
                published_at="2023-12-05",
            )
        ]
    )
    answer = app.ask("How many US troops are in Syria?")
    assert not answer.abstained
    assert not answer.text.startswith("The sources disagree.")
    assert "900" in answer.text


def test_the_sentence_that_answers_is_quoted_first_even_when_the_article_says_it_later(
    store_of,
):
    """Two sentences of one article are quoted; the one holding what was asked for leads,
    not the earlier one about another count (the Syria answer once led with 1,200 killed)."""
    app = store_of(
        [
            Article(
                title="Militia attacks on US bases rise as Gaza war widens",
                text="Groups backed by Iran have stepped up rocket and drone strikes on American "
                "forces in Iraq and Syria since the war in Gaza began, a conflict that started "
                "when Hamas fighters killed about 1,200 people in southern Israel on October 7."
                "\n\nWashington keeps 900 troops in Syria and 2,500 in neighbouring Iraq, where "
                "they advise local forces working to stop a return of the Islamic State group."
                "\n\nPentagon officials said no American was badly hurt in the latest strikes.",
                source="Harbor Ledger",
                published_at="2023-11-20",
            )
        ]
    )
    answer = app.ask("How many US troops are in Syria?")
    assert not answer.abstained
    assert "900 troops" in answer.citations[0].quote
    assert answer.text.startswith("Washington keeps 900 troops")


def test_the_same_figure_reported_weeks_apart_with_another_value_is_shown_as_a_change(store_of):
    first = Article(
        title="Reservoir level falls in the drought",
        text="The Lower Fenn reservoir held 41 percent of its capacity and 120 boats were "
        "stranded on its mud flats, the water board said.\n\nHosepipe bans remain in force.",
        source="County Times",
        published_at="2024-06-01",
    )
    second = Article(
        title="Reservoir level falls further",
        text="The Lower Fenn reservoir held 30 percent of its capacity and 210 boats were "
        "stranded on its mud flats, the water board said.\n\nFarmers asked for help.",
        source="Fenn Gazette",
        published_at="2024-07-20",
    )
    answer = store_of([first, second]).ask(
        "How many boats were stranded on the Lower Fenn reservoir mud flats?"
    )
    assert not answer.text.startswith("The sources disagree.")
    # Both reports quoted, as a change, newest first.
    assert [c.source for c in answer.citations] == ["Fenn Gazette", "County Times"]
    assert answer.text.startswith("As of 2024-07-20")
    assert "Earlier, 2024-06-01" in answer.text
    assert answer.rival_confidence is not None


def test_the_disagreement_threshold_is_the_lowest_at_which_few_dev_answers_say_so():
    from assistant.reader.thresholds import conflict_rate, pick

    def result(confidence: float, disagreement: float | None = None) -> dict:
        return {"question": "Which island declared an emergency?", "answerable": True,
                "abstained": False, "correct": True, "confidence": confidence,
                "conflict": disagreement is not None, "rival_confidence": 0.3,
                "disagreement": disagreement}  # fmt: skip

    # 100 answers: 6 disagreements whose pairs the model believes 0.1 ... 0.6, and one
    # between two counts, which the model does not judge.
    both = [result(0.9, disagreement=d) for d in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)]
    counts = result(0.9, disagreement=0.0) | {"disagreement": None}
    both += [counts] + [result(0.9)] * 93
    assert conflict_rate(both, 0.0) == 0.07
    assert conflict_rate(both, 0.45) == 0.03
    # Both sides must still be answers: a rival under the answer threshold is no side.
    assert conflict_rate(both, 0.45, answer_threshold=0.35) == 0.0
    picked = pick(both, both, budget=0.1, precision=0.8, max_conflicts=0.03)
    assert 0.4 < picked["disagreement_threshold"] <= 0.41  # the first gate that leaves three
    assert picked["dev_conflict_rate"] == 0.03


def test_a_raised_disagreement_gate_counts_a_later_pair_the_answerer_would_show_instead():
    """At gate 0 the answerer shows its first pair; with the gate raised it reads on, and a
    later pair that reaches the gate is shown. The recorded pairs say so; the shown pair
    alone (older runs) does not."""
    from assistant.reader.thresholds import conflict_rate

    def pair(confidence: float, disagreement: float | None, change: bool = False) -> dict:
        return {"confidence": confidence, "disagreement": disagreement, "change": change}

    first_weak = {"answerable": True, "abstained": False, "confidence": 0.9, "conflict": True,
                  "rival_confidence": 0.6, "disagreement": 0.17,
                  "rival_pairs": [pair(0.6, 0.17), pair(0.5, 0.42)]}  # fmt: skip
    assert conflict_rate([first_weak], 0.3) == 1.0
    assert conflict_rate([first_weak], 0.5) == 0.0
    # A later pair whose side is under the answer threshold is no side.
    assert conflict_rate([first_weak], 0.3, answer_threshold=0.55) == 0.0
    # The first pair that passes is a figure that changed: shown as a change, not counted.
    changed = first_weak | {"rival_pairs": [pair(0.6, 0.17), pair(0.5, 0.42, change=True)]}
    assert conflict_rate([changed], 0.3) == 0.0
    # An older run without the pairs: judged by the shown pair alone.
    older = {k: v for k, v in first_weak.items() if k != "rival_pairs"}
    assert conflict_rate([older], 0.3) == 0.0


def test_disagreement_pairs_from_training_questions_plant_wrong_choices_as_real_ones():
    from assistant.reader.disagreement import PAIR_FEATURES, training_pairs

    def cand(text: str, article: str, label: bool) -> dict:
        return {"text": text, "article_id": article, "label": label}

    question = {
        "question": "Which crew won the harbor regatta?", "answer": "Seabright", "kind": "name",
        "candidates": [
            cand("The crew of the Seabright won the harbor regatta, the club said on Saturday.",
                 "a", True),
            cand("On Saturday the club said the Seabright crew won the harbor regatta.", "b", True),
            cand("The club said on Saturday that Mayor Ana Ruiz will present the trophy.", "c",
                 False),
        ],
    }  # fmt: skip
    rows, real, _ = training_pairs([question], [[0.9, 0.6, 0.5]], [["Seabright", "Windrose"]])
    # The planted copies (the same sentence, and the other outlet's, naming the Windrose)
    # are real disagreements; the answerer's own pair (a crew against the mayor) is not.
    assert sorted(real.tolist()) == [False, True, True]
    aligned = rows[:, PAIR_FEATURES.index("aligned")]
    assert aligned[real].max() > aligned[~real].max()


def test_a_copied_report_with_another_name_disagrees_and_a_retelling_does_not():
    from assistant.reader.disagreement import pair_features

    model = load_decision().disagreement
    assert model is not None
    question = "Which Greek island declared a state of emergency?"

    def believed(a: str, b: str) -> bool:
        return model.probability(pair_features(a, b, question, "place")) >= model.threshold

    told = "Officials declared a state of emergency on Kefalonia after hundreds of tremors."
    planted = "Officials declared a state of emergency on Zakynthos after hundreds of tremors."
    retold = "As of Thursday, the Civil Protection Ministry in Athens had declared an emergency."
    assert believed(told, planted)
    assert not believed(told, retold)


def _candidate(text: str, label: bool) -> dict:
    """A training example's candidate sentence, its signals at 0."""
    from assistant.reader.features import FEATURES

    features = [0.0] * len(FEATURES)
    return {"reader_text": text, "label": label, "wrong_choice": False, "features": features}


def test_where_the_quiz_explains_its_answer_only_sentences_saying_so_are_taught_as_right():
    from assistant.reader.train import reader_pairs

    question = {
        "id": "q1",
        "question": "Which city will host the rowing finals?",
        "answer": "Marlow",
        "candidates": [
            _candidate("Organisers chose Marlow to host the rowing finals next summer.", True),
            _candidate("Marlow's mayor opened a bakery on the high street.", True),
            _candidate("The finals were moved twice because of the weather.", False),
        ],
    }
    explained = {("q1", question["question"]): "Marlow was picked to host the rowing finals."}

    def taught_right(pairs: list) -> list[str]:
        return [p.text for p in pairs if p.label == 1.0]

    every = reader_pairs([question], max_negatives=4, seed=1)
    assert len(taught_right(every)) == 2
    clean = reader_pairs([question], 4, 1, explained=explained, min_explained=0.3)
    assert taught_right(clean) == [question["candidates"][0]["reader_text"]]
    # The mere mention is taught neither way, the sentence without the answer stays wrong.
    assert [p.label for p in clean].count(0.0) == 1


def test_an_answering_sentence_is_also_taught_wrong_with_its_answer_cut_out():
    from assistant.reader.train import erased, reader_pairs

    question = {
        "id": "q1",
        "question": "Which town will host the rowing finals?",
        "answer": "“Marlow”",
        "candidates": [
            _candidate("Rowing (2024-05-02) | Marlow won the bid. || Organisers chose Marlow "
                       "to host the rowing finals.", True),
            _candidate("Rowing (2024-05-02) | || The finals were moved twice.", False),
        ],
    }  # fmt: skip
    pairs = reader_pairs([question], 4, 1, erased_share=1.0)
    wrong = [p.text for p in pairs if p.label == 0.0]
    cut = "Rowing (2024-05-02) | won the bid. || Organisers chose to host the rowing finals."
    assert wrong == [question["candidates"][1]["reader_text"], cut]
    assert len(reader_pairs([question], 4, 1)) == len(pairs) - 1  # none without the share
    # The other pairs, random negatives included, are the same with or without erasing.
    crowded = {**question, "id": "q2", "candidates": [
        _candidate(f"Rowing (2024-05-03) | || Crews trained on day {n}.", False) for n in range(9)
    ]}  # fmt: skip
    plain = [(p.text, p.label) for p in reader_pairs([question, crowded], 4, 1)]
    for share in (0.5, 1.0):
        kept = [(p.text, p.label) for p in reader_pairs([question, crowded], 4, 1,
                                                         erased_share=share) if p.text != cut]  # fmt: skip
        assert kept == plain
    assert erased("Marlowe won; MARLOW lost.", "Marlow") == "Marlowe won; lost."
    assert erased("Sales rose 9.3% in May.", "9%") is None  # not named literally: not taught
    assert erased("Marlow", "Marlow / Henley") is None  # nothing left


def test_reader_batches_mix_questions_unless_the_listwise_term_compares_them():
    from assistant.reader.crossencoder import Pair, TrainConfig, training_batches

    # Six questions of eight candidates each, of every length: as training questions are.
    pairs = [
        Pair(f"question {g}?", "word " * ((g * 7 + i * 13) % 40 + 1), float(i == 0), g)
        for g in range(6)
        for i in range(8)
    ]
    plain = training_batches(pairs, TrainConfig(batch_size=16))
    listwise = training_batches(pairs, TrainConfig(batch_size=16, listwise_weight=1.0))
    for batches in (plain, listwise):
        assert sorted(i for b in batches for i in b) == list(range(len(pairs)))
    # Pointwise: each batch holds pairs of several questions, not one question's candidates.
    assert all(len({pairs[i].group for i in b}) >= 3 for b in plain)
    # Listwise: a question's pairs are never split between batches.
    for g in range(6):
        assert sum(any(pairs[i].group == g for i in b) for b in listwise) == 1
