"""Train the reader and the learned decision, and write the model card.

    python -m assistant.reader.train --data ../shared/train/realtimeqa-train \\
        --dev ../shared/eval/realtimeqa-dev --out assistant/reader/model

Stages (each resumes from its files in --work, so a stopped run picks up where it was):
1. examples: each training question's own articles, searched and scored as the answerer
   would, every candidate sentence labelled (examples-train.jsonl; the same for --dev);
2. reader: the cross-encoder fine-tuned on them, exported to ONNX and quantised to int8;
3. decision: the logistic regression over the answerer's signals and the reader's score,
   fitted on the training examples; thresholds picked on the dev examples;
4. the model card, docs/reader.md.
Deterministic for a given --seed (one thread order aside: torch's CPU kernels are).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.reader import decision as fitting
from assistant.reader import examples as example_files
from assistant.reader.features import FEATURES, WITHOUT_SPAN
from assistant.reader.model import DECISION_FILE, READER_FILE, sha256_of

if TYPE_CHECKING:
    from assistant.extractive import ExtractiveAnswerer

COVERAGE, CONTEXT_COVERAGE, HAND_SCORE = (
    FEATURES.index(n) for n in ("coverage", "context_coverage", "hand_score")
)


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def build_examples(
    folder: Path, out: Path, limit: int | None, seed: int, share: float, questions: int | None
) -> None:
    from assistant.reader.pools import load_pools

    if questions and out.exists() and sum(1 for _ in example_files.read(out)) >= questions:
        return  # already built (a resumed run)
    pools, bm25 = load_pools(folder, limit=limit, seed=seed, explanation_share=share)
    _log(f"{folder}: {len(pools)} questions with passages")
    example_files.build(_answerer(bm25.idf), pools, out, questions)


def _answerer(idf: Callable[[str], float]) -> ExtractiveAnswerer:
    """The answerer that scores training candidates: the packaged embedder and the training
    pools' BM25 idf standing in for the store's."""
    from assistant.extractive import ExtractiveAnswerer
    from vectorstore.config import EmbedderConfig
    from vectorstore.embeddings import make_embedder

    return ExtractiveAnswerer(make_embedder(EmbedderConfig()), idf)


def headline_examples(
    folder: Path, out: Path, count: int, before_row: int | None, limit: int | None,
    seed: int, learned: list[dict],
) -> list[dict]:  # fmt: skip
    """`count` headline questions' examples (headlines.py), from articles that none of the
    `learned` questions and none of the rows from `before_row` on were asked about."""
    from assistant.evaluation.dataset import read_rows
    from assistant.reader.headlines import headline_pools, trimmed
    from assistant.reader.pools import asked_before, load_pools

    if not out.exists() or sum(1 for _ in example_files.read(out)) < count:
        avoid = {q["id"] for q in learned}
        if before_row is not None:
            asked = {str(q["id"]) for q in read_rows(folder, "questions")}
            avoid |= asked - asked_before(folder, before_row)
        pools = headline_pools(folder, count, seed, avoid)
        # The training examples' BM25 statistics, so the hand signals are computed alike.
        _, bm25 = load_pools(folder, limit=limit, seed=seed)
        example_files.build(_answerer(bm25.idf), pools, out, count)
    kept = [trimmed(q) for q in example_files.read(out)]
    return [q for q in kept if q is not None]


def asked_before_row(questions: list[dict], folder: Path, row: int) -> list[dict]:
    """The example questions the models may learn from under --hold-out-from: those the split
    asks before `row` (its later rows are kept for the calibration run)."""
    from assistant.reader.pools import asked_before

    learnable = asked_before(folder, row)
    return [q for q in questions if q["id"] in learnable]


def _about_the_question(features: list[float]) -> bool:
    return features[COVERAGE] > 0 or features[CONTEXT_COVERAGE] >= 0.4


def explanations(folder: Path) -> dict[tuple[str, str], str]:
    """Each training question's explanation (the quiz's own sentence saying why its answer is
    right), by id and text: the split repeats some ids."""
    from assistant.evaluation.dataset import read_rows

    return {
        (str(q["id"]), q["question"]): str(q["source_explanation"])
        for q in read_rows(folder, "questions")
        if q.get("source_explanation")
    }


def explained_share(text: str, explanation: str, answer: str) -> float:
    """How much of the explanation's own wording (the answer's words left out) a candidate
    holds: a sentence saying what the quiz's explanation says shares most of it."""
    from ingest.text import tokenize

    words = set(tokenize(explanation)) - set(tokenize(answer))
    return len(words & set(tokenize(text))) / len(words) if words else 1.0


def erased(text: str, answer: str) -> str | None:
    """`text` with every literal mention of the answer (any " / " alternative, quotes
    stripped, whole words, any case) cut out; None when it names none literally (a number
    written otherwise, a plural) or nothing else is left."""
    from assistant.reader.spans import mentions

    mention = mentions(answer)
    if mention is None:
        return None
    cut, found = mention.subn("", text)
    cut = re.sub(r"\s+([,.;:!?)])", r"\1", re.sub(r"“\s*”|\"\s*\"", "", cut))
    cut = re.sub(r"[ \t]{2,}", " ", cut).strip()
    return cut if found and cut else None


def reader_pairs(
    questions: list[dict],
    max_negatives: int,
    seed: int,
    about_question_only: bool = False,
    explained: dict[tuple[str, str], str] | None = None,
    min_explained: float = 0.0,
    erased_share: float = 0.0,
) -> list:
    """Training pairs: every sentence that answers the question (with `about_question_only`,
    only those about it; with `explained`, only those holding at least `min_explained` of
    the question's explanation), and the hardest negatives (a wrong quiz choice first, then
    the best-scored sentences without the answer) up to `max_negatives` a question. With
    `erased_share`, that share of the positives is also taught as a negative with the answer
    cut out of it (title and context too): the same words about the question, no answer."""
    from assistant.reader.crossencoder import Pair
    from assistant.reader.spans import answer_chars

    rng = random.Random(seed)
    # Its own draws, so that the negatives chosen are the same with or without erasing.
    erase = random.Random(seed + 1)
    pairs = []
    for g, q in enumerate(questions):
        cands = q["candidates"]
        positives = [c for c in cands if c["label"]]
        # A sentence naming the answer may merely mention it; where the quiz explains its
        # answer, the sentences that say what the explanation says are the clean positives,
        # and the others are taught neither way.
        explanation = (explained or {}).get((q["id"], q["question"]))
        if explanation and min_explained > 0:
            positives = [
                c
                for c in positives
                if explained_share(c["reader_text"], explanation, q["answer"]) >= min_explained
            ]
        negatives = [c for c in cands if not c["label"]]
        negatives.sort(key=lambda c: (not c["wrong_choice"], -c["features"][HAND_SCORE]))
        hard = negatives[: max_negatives // 2]
        rest = negatives[max_negatives // 2 :]
        rng.shuffle(rest)
        chosen = hard + rest[: max_negatives - len(hard)]
        # A sentence that holds the answer string but shares no word with the question or
        # its context only mentions it (a name recurs in many sentences): not taught either way.
        if about_question_only:
            positives = [c for c in positives if _about_the_question(c["features"])]
        pairs += [Pair(q["question"], c["reader_text"], 1.0, g,
                       answer_chars(c["reader_text"], q["answer"])) for c in positives]  # fmt: skip
        pairs += [Pair(q["question"], c["reader_text"], 0.0, g) for c in chosen]
        for c in positives if erased_share > 0 else ():
            cut = erased(c["reader_text"], q["answer"]) if erase.random() < erased_share else None
            if cut is not None:
                pairs.append(Pair(q["question"], cut, 0.0, g))
    return pairs


def reader_scores(session_file: Path, questions: list[dict]) -> list[list]:
    """Per question, the reader's logits; with a span head, [logits, span scores]."""
    from assistant.reader.model import Reader

    reader = Reader(session_file.parent)
    out = []
    for q in questions:
        logits, spans = reader.read(q["question"], [c["reader_text"] for c in q["candidates"]])
        out.append(logits.tolist() if spans is None else [logits.tolist(), [s for s, _ in spans]])
    return out


def quiz_choices(folder: Path) -> dict[tuple[str, str], list[str]]:
    """Each training question's quiz choices, for example files built before they were
    kept in them (by id and text: the split repeats some ids)."""
    from assistant.evaluation.dataset import read_rows

    return {
        (str(q["id"]), q["question"]): [str(c) for c in q.get("choices") or ()]
        for q in read_rows(folder, "questions")
    }


def fit_disagreement(
    questions: list[dict], scores: list[list[float]], params: dict, data: Path, seed: int
) -> dict:
    """The disagreement model (assistant/reader/disagreement.py), fitted on pairs built
    from the decision's questions, its probabilities ranking each question's candidates."""
    from assistant.reader import disagreement

    rows, _, _ = fitting.stack(questions, scores)
    probs = iter(fitting.probabilities(params, rows).tolist())
    per_question = [[next(probs) for _ in q["candidates"]] for q in questions if q["candidates"]]
    asked = [q for q in questions if q["candidates"]]
    lookup = quiz_choices(data) if any("choices" not in q for q in asked) else {}
    choices = [q.get("choices") or lookup.get((q["id"], q["question"]), []) for q in asked]
    pair_rows, labels, _ = disagreement.training_pairs(asked, per_question, choices, seed)
    if len(set(labels.tolist())) < 2:
        return {}
    model = fitting.fit(pair_rows, labels, seed=seed, names=disagreement.PAIR_FEATURES)
    model_probs = fitting.probabilities(model, pair_rows)
    return model | {
        "threshold": 0.5,
        "pairs": len(labels),
        "real_pairs": int(labels.sum()),
        "train_auc": round(fitting.auc(model_probs.tolist(), labels.tolist()) or 0.0, 4),
    }


def pick_thresholds(params: dict, dev: list[dict], scores: dict, budget: float) -> dict:
    """The answer threshold that refuses the most dev questions whose candidates hold no
    answer while refusing at most `budget` of those whose best candidate is right; the
    "well supported" threshold a fixed share above it. (The thresholds that ship are picked
    on real dev runs: assistant/reader/thresholds.py.)"""
    rows, labels, groups = fitting.stack(dev, scores)
    best = fitting.top1(fitting.probabilities(params, rows), labels, groups)
    present = {int(g) for g, y in zip(groups, labels, strict=True) if y}
    right = [p for g, (p, ok) in best.items() if ok]
    absent = [p for g, (p, _) in best.items() if g not in present]
    chosen = 0.0
    for t in np.linspace(0.0, 0.9, 181):
        if sum(p < t for p in right) <= budget * max(1, len(right)):
            chosen = float(t)
    refused_absent = sum(p < chosen for p in absent) / max(1, len(absent))
    return {
        "answer_threshold": round(chosen, 4),
        "strong_threshold": round(max(0.5, chosen * 2), 4),
        "dev_refused_without_answer": round(refused_absent, 4),
        "dev_refused_right": round(sum(p < chosen for p in right) / max(1, len(right)), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.reader.train", description=__doc__)
    parser.add_argument("--data", required=True, type=Path, help="training folder")
    parser.add_argument("--dev", type=Path, help="dev folder: picks the thresholds")
    parser.add_argument("--out", required=True, type=Path, help="folder for the model files")
    parser.add_argument("--work", type=Path, default=Path("reader-work"))
    parser.add_argument("--card", type=Path, help="write the model card here (docs/reader.md)")
    parser.add_argument(
        "--limit", type=int, default=1800, help="draw from the first N training questions"
    )
    parser.add_argument(
        "--questions", type=int, help="stop after N questions with examples (time on 2 cores)"
    )
    parser.add_argument(
        "--hold-out-from", type=int, metavar="ROW",
        help="neither model learns from the split's questions from this row on (its latest "
        "news), so the calibration run can ask them: newsdesk eval --skip ROW",
    )  # fmt: skip
    parser.add_argument("--dev-limit", type=int)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--frozen-layers", type=int, default=4)
    parser.add_argument("--max-negatives", type=int, default=8)
    parser.add_argument("--reader-share", type=float, default=0.7)
    parser.add_argument(
        "--reuse-reader", type=float, nargs="+", metavar="LOSS",
        help="keep the reader already in --out (its epoch losses, for the card)",
    )  # fmt: skip
    parser.add_argument(
        "--reader-questions", type=int,
        help="the reader learns from the first N questions only (its share of them); the "
        "decision from every other question",
    )  # fmt: skip
    parser.add_argument(
        "--listwise-weight",
        type=float,
        default=0.0,
        help="weight of the per-question listwise term (tried in round 8)",
    )
    parser.add_argument(
        "--about-question-positives",
        action="store_true",
        help="leave out positives that share no word with the question",
    )
    parser.add_argument(
        "--explained-positives",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="where the quiz explains its answer, teach as right only sentences holding at "
        "least SHARE of the explanation's words (tried in round 15)",
    )
    parser.add_argument(
        "--erased-negatives",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="teach SHARE of the answering sentences again as wrong, with the answer cut out "
        "(tried in round 19)",
    )
    parser.add_argument(
        "--headline-questions",
        type=int,
        default=0,
        metavar="N",
        help="also teach the reader N questions asked back from headlines (round 20)",
    )
    parser.add_argument(
        "--headline-before",
        type=int,
        metavar="ROW",
        help="headline questions only from articles of the rows before ROW (the later rows "
        "stay unseen for `eval --skip ROW`)",
    )
    parser.add_argument(
        "--span-weight",
        type=float,
        default=0.0,
        help="also train a span head (where the answer is in the sentence) with this loss "
        "weight; its best span's score joins the decision (round 21)",
    )
    parser.add_argument("--refusal-budget", type=float, default=0.08)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args(argv)
    from assistant.reader.crossencoder import TrainConfig, export, train
    from vectorstore.embeddings import packaged_model_path

    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    train_file = args.work / "examples-train.jsonl"
    _log("1/4 examples")
    build_examples(args.data, train_file, args.limit, args.seed, 0.5, args.questions)
    train_q = list(example_files.read(train_file))[: args.questions]
    if args.hold_out_from is not None:
        train_q = asked_before_row(train_q, args.data, args.hold_out_from)
        _log(f"{len(train_q)} questions before row {args.hold_out_from} (the rest held out)")
    dev_q: list[dict] = []
    if args.dev:
        dev_file = args.work / "examples-dev.jsonl"
        build_examples(args.dev, dev_file, args.dev_limit, args.seed, 0.5, None)
        dev_q = list(example_files.read(dev_file))

    # The decision must see the reader's scores as they are on news it was not trained on,
    # so the reader learns from part of the questions and the decision from the rest.
    from assistant.reader.pools import coin

    n_reader = args.reader_questions or len(train_q)
    learns = [i < n_reader and coin(q["id"], args.seed + 1) < args.reader_share
              for i, q in enumerate(train_q)]  # fmt: skip
    reader_q = [q for q, r in zip(train_q, learns, strict=True) if r]
    decision_q = [q for q, r in zip(train_q, learns, strict=True) if not r]
    if len({c["label"] for q in decision_q for c in q["candidates"]}) < 2:
        decision_q = train_q  # too few questions to hold out (tiny test sets)
    _log(f"2/4 reader: {len(reader_q)} questions (the decision: {len(decision_q)})")
    taught, headlines = reader_q, []
    if args.headline_questions:
        headlines = headline_examples(
            args.data, args.work / "examples-headlines.jsonl", args.headline_questions,
            args.headline_before, args.limit, args.seed, train_q,
        )  # fmt: skip
        _log(f"{len(headlines)} headline questions for the reader")
        taught = reader_q + headlines
    explained = explanations(args.data) if args.explained_positives > 0 else None
    pairs = reader_pairs(
        taught,
        args.max_negatives,
        args.seed,
        args.about_question_positives,
        explained,
        args.explained_positives,
        args.erased_negatives,
    )
    _log(f"{len(pairs)} pairs, {sum(p.label for p in pairs):.0f} positive")
    config = TrainConfig(frozen_layers=args.frozen_layers, epochs=args.epochs, seed=args.seed,
                         threads=args.threads, listwise_weight=args.listwise_weight,
                         span_weight=args.span_weight)  # fmt: skip
    if args.reuse_reader and (args.out / READER_FILE).is_file():
        # A resumed run: the reader trained earlier stays; its losses are the earlier run's.
        losses = args.reuse_reader
    else:
        model, losses = train(pairs, Path(packaged_model_path()), config, log=_log)
        export(model, args.work / "reader.onnx", args.out / READER_FILE)
    reader_sha = sha256_of(args.out / READER_FILE)
    # The decision file names the reader's digest, so the reader can be loaded to score.
    (args.out / DECISION_FILE).write_text(json.dumps({"reader_sha256": reader_sha}))

    _log("3/4 decision")
    train_scores = reader_scores(args.out / READER_FILE, decision_q)
    rows, labels, _ = fitting.stack(decision_q, train_scores)
    # Without a span head its columns stay out of the decision (as before round 21).
    names = FEATURES if args.span_weight > 0 else FEATURES[:WITHOUT_SPAN]
    params = fitting.fit(rows[:, : len(names)], labels, seed=args.seed, names=names)
    _log("3/4 disagreement")
    disagreement = fit_disagreement(decision_q, train_scores, params, args.data, args.seed)
    thresholds = {"answer_threshold": 0.3, "strong_threshold": 0.6}
    figures = {"train": fitting.summary(params, decision_q, train_scores)}
    if dev_q:
        dev_scores = reader_scores(args.out / READER_FILE, dev_q)
        thresholds = pick_thresholds(params, dev_q, dev_scores, args.refusal_budget)
        figures["dev"] = fitting.summary(params, dev_q, dev_scores)
    training = {
        "seed": args.seed,
        "questions": len(train_q),
        "held_out_from_row": args.hold_out_from,
        "reader_questions": len(reader_q),
        "decision_questions": len(decision_q),
        "pairs": len(pairs),
        "positive_pairs": int(sum(p.label for p in pairs)),
        "epochs": args.epochs,
        "frozen_layers": args.frozen_layers,
        "listwise_weight": args.listwise_weight,
        "about_question_positives": args.about_question_positives,
        "explained_positives": args.explained_positives,
        "erased_negatives": args.erased_negatives,
        "headline_questions": len(headlines),
        "span_weight": args.span_weight,
        "loss_by_epoch": [round(x, 4) for x in losses],
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "data_sha256": hashlib.sha256(train_file.read_bytes()).hexdigest()[:16],
    }
    extra = {"figures": figures, "training": training, "disagreement": disagreement}
    fitting.save(params, thresholds, reader_sha, extra, args.out / DECISION_FILE)
    _log(f"figures: {json.dumps(figures)}")
    if args.card:
        from assistant.reader.card import write_card

        write_card(args.card, args.out / DECISION_FILE, args.out / READER_FILE)
    _log("4/4 done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
