"""Round 19's trial, kept as run (not shipped): does agreement on the asked-for value across
articles help the learned decision? See evaluation-round-19.md.

    python docs/experiments/round-19-value-agreement.py --work WORK --reader OUT/reader-int8.onnx

WORK and OUT of a training run (round 16's control: `--limit 1800 --questions 1535
--reader-questions 1113`, seed 13). The decision is refitted on the same split with one more
column; the reader is untouched. Prints dev figures and 5-fold cross-validation on the
decision's own questions, with and without the column."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from assistant.reader import decision as fitting
from assistant.reader import examples
from assistant.reader.pools import coin
from assistant.reader.train import reader_scores
from ingest.text import DATE_VALUE, NAME, QUANTITY, tokenize


def values(text: str, asked: set[str]) -> set[tuple[str, ...]]:
    """Names, figures and dates of a sentence that the question does not already hold."""
    found = set()
    for pattern in (NAME, QUANTITY, DATE_VALUE):
        for m in pattern.finditer(text):
            words = tuple(tokenize(m[0].rstrip(".")))
            if words and not set(words) <= asked:
                found.add(words)
    return found


def agreement(questions: list[dict], scores: list[list[float]]) -> np.ndarray:
    """Per candidate: the reader's share (softmax over the question's candidates) of the
    sentences from other articles that state one of its values, for its best value."""
    column = []
    for q, logits in zip(questions, scores, strict=True):
        cands = q["candidates"]
        if not cands:
            continue
        share = np.exp(np.asarray(logits) - max(logits))
        share /= share.sum()
        asked = set(tokenize(q["question"]))
        said = [values(c["text"], asked) for c in cands]
        for i, c in enumerate(cands):
            others = [j for j, d in enumerate(cands) if d["article_id"] != c["article_id"]]
            column.append(max((sum(share[j] for j in others if v in said[j]) for v in said[i]),
                              default=0.0))  # fmt: skip
    return np.asarray(column, np.float32)[:, None]


def figures(probs: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> str:
    """Top-1 right where a candidate holds the answer, and how well the best probability
    tells the questions with such a candidate from the rest."""
    best = fitting.top1(probs, labels, groups)
    present = {int(g) for g, y in zip(groups, labels, strict=True) if y}
    top1 = sum(best[g][1] for g in present) / len(present)
    auc = fitting.auc([best[g][0] for g in best], [g in present for g in best])
    return f"top-1 right where present {top1:.3f}, answer-present AUC {auc:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--reader", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=1535)
    parser.add_argument("--reader-questions", type=int, default=1113)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    train = list(examples.read(args.work / "examples-train.jsonl"))[: args.questions]
    dev = list(examples.read(args.work / "examples-dev.jsonl"))
    learns = [i < args.reader_questions and coin(q["id"], args.seed + 1) < 0.7
              for i, q in enumerate(train)]  # fmt: skip
    decided = [q for q, r in zip(train, learns, strict=True) if not r]
    train_scores, dev_scores = reader_scores(args.reader, decided), reader_scores(args.reader, dev)
    rows, labels, groups = fitting.stack(decided, train_scores)
    dev_rows, dev_labels, dev_groups = fitting.stack(dev, dev_scores)
    extra, dev_extra = agreement(decided, train_scores), agreement(dev, dev_scores)
    folds = np.random.default_rng(0).permutation(groups.max() + 1)[groups] % 5
    for name, train_x, dev_x in (
        ("shipped columns", rows, dev_rows),
        ("with value agreement", np.hstack([rows, extra]), np.hstack([dev_rows, dev_extra])),
    ):
        names = [f"c{i}" for i in range(train_x.shape[1])]
        params = fitting.fit(train_x, labels, names=names)
        dev_probs = fitting.probabilities(params, dev_x)
        print(f"{name}: dev {figures(dev_probs, dev_labels, dev_groups)}")
        held = np.zeros(len(labels))
        for f in range(5):
            fold = fitting.fit(train_x[folds != f], labels[folds != f], names=names)
            held[folds == f] = fitting.probabilities(fold, train_x[folds == f])
        print(f"{name}: 5-fold on the decision's questions: {figures(held, labels, groups)}")


if __name__ == "__main__":
    main()
