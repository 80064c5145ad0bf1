"""Fitting the learned decision: a logistic regression over FEATURES, on the training split's
candidate sentences, whose target is the evaluation's own test (quoting this sentence would be
judged right). Its probability picks the sentence to quote, decides whether to answer at all,
and gates "the sources disagree"."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from assistant.reader.features import FEATURES, KINDS


def stack(questions: Iterable[dict], reader_scores: Sequence[Sequence[float]] | None = None):  # noqa: ANN201
    """Feature rows, labels and question index of every candidate; reader columns filled
    from `reader_scores` (per question, in order: one logit per candidate) when given.
    (By position, not by id: the training split repeats some question ids.)"""
    rows, labels, groups = [], [], []
    reader_cols = [FEATURES.index(n) for n in ("reader", "reader_gap", "reader_rank")]
    span_cols = [FEATURES.index(n) for n in ("span", "span_gap")]
    for g, q in enumerate(questions):
        if not q["candidates"]:
            continue
        stored = np.asarray([c["features"] for c in q["candidates"]], dtype=np.float32)
        # Example files written before the span columns existed have fewer columns.
        block = np.zeros((len(stored), len(FEATURES)), dtype=np.float32)
        block[:, : stored.shape[1]] = stored
        if reader_scores is not None:
            # Per question: the logits, or (with a span head) rows of logits and span scores.
            scores = np.asarray(reader_scores[g], dtype=np.float32)
            logits = scores[0] if scores.ndim == 2 else scores
            if scores.ndim == 2:
                block[:, span_cols[0]] = scores[1]
                block[:, span_cols[1]] = scores[1] - scores[1].max()
            order = np.argsort(-logits, kind="stable")
            rank = np.empty(len(logits), dtype=np.float32)
            rank[order] = np.arange(len(logits), dtype=np.float32)
            block[:, reader_cols[0]] = logits
            block[:, reader_cols[1]] = logits - logits.max()
            block[:, reader_cols[2]] = np.minimum(rank, 10) / 10
        rows.append(block)
        labels += [bool(c["label"]) for c in q["candidates"]]
        groups += [g] * len(q["candidates"])
    return np.concatenate(rows), np.asarray(labels), np.asarray(groups)


def fit(
    rows: np.ndarray,
    labels: np.ndarray,
    *,
    c: float = 1.0,
    seed: int = 13,
    names: Sequence[str] = FEATURES,
) -> dict:
    """Standardised logistic regression (L2, strength 1/c) over the columns `names`;
    returns the weights as data."""
    from sklearn.linear_model import LogisticRegression

    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    model.fit((rows - mean) / scale, labels)
    return {
        "features": list(names),
        "weights": [round(float(w), 6) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 6),
        "mean": [round(float(m), 6) for m in mean],
        "scale": [round(float(s), 6) for s in scale],
    }


def probabilities(params: dict, rows: np.ndarray) -> np.ndarray:
    rows = rows[:, : len(params["weights"])]  # fitted without the span columns: fewer
    z = ((rows - np.asarray(params["mean"])) / np.asarray(params["scale"])) @ np.asarray(
        params["weights"]
    ) + params["bias"]
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def top1(probs: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> dict:
    """Per question: the best candidate's probability and whether quoting it is right."""
    best: dict[int, tuple[float, bool]] = {}
    for p, y, g in zip(probs, labels, groups, strict=True):
        if g not in best or p > best[g][0]:
            best[int(g)] = (float(p), bool(y))
    return best


def auc(scores: Sequence[float], positives: Sequence[bool]) -> float | None:
    """Probability that a positive outscores a negative (ties count half)."""
    pos = [s for s, y in zip(scores, positives, strict=True) if y]
    neg = [s for s, y in zip(scores, positives, strict=True) if not y]
    if not pos or not neg:
        return None
    order = np.argsort(np.concatenate([pos, neg]), kind="stable")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def summary(params: dict, questions: list[dict], reader_scores=None) -> dict:  # noqa: ANN001
    """Figures for the model card: sentence AUC, top-1 right where an answer is among the
    candidates, and how well the best probability separates answerable questions."""
    rows, labels, groups = stack(questions, reader_scores)
    probs = probabilities(params, rows)
    best = top1(probs, labels, groups)
    has_answer = {int(g) for g, y in zip(groups, labels, strict=True) if y}
    hand = top1(rows[:, FEATURES.index("hand_score")], labels, groups)
    return {
        "questions": len(best),
        "sentences": int(len(labels)),
        "sentence_auc": round(auc(probs, labels) or 0.0, 4),
        "top1_right_where_answer_present": round(
            sum(best[g][1] for g in has_answer) / max(1, len(has_answer)), 4
        ),
        "hand_score_top1_right_where_answer_present": round(
            sum(hand[g][1] for g in has_answer) / max(1, len(has_answer)), 4
        ),
        "answer_present_auc": round(
            auc([best[g][0] for g in best], [g in has_answer for g in best]) or 0.0, 4
        ),
    }


def save(params: dict, thresholds: dict, reader_sha256: str, extra: dict, path: Path) -> None:
    data = {**params, **thresholds, "reader_sha256": reader_sha256, "kinds": list(KINDS), **extra}
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
