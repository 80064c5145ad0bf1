"""The learned disagreement model: are two sentences, which the rules say hold different
values of what was asked, the same statement told with a different fact in it?

Only for questions that ask for a name, a place or a date: two counts disagree only when
they count the same thing (`conflicts.quantities`), and text alone cannot tell "12 were hurt"
against "20 were injured" (a real disagreement) from "14,000 were arrested" against "a threat
to deport 11 million" (none): both are worded apart.

Dev's false alarms were two sentences that answer in other words ("in Santorini" against
"on the island", a headline against its article's sentence); a real disagreement is one
statement whose value differs (a copied wire story with another figure, a planted error, two
outlets reporting one event). No collection labels real disagreements, so the training
split makes them: a sentence that holds a question's answer, with the answer replaced by one
of the quiz's wrong choices, set against the original (a copy that differs in the value) or
against another article's answering sentence (another wording, another value). The false
alarms are the answerer's own: on the same questions, the pairs its rules set against each
other among its best candidates, none of which is a real disagreement. A logistic regression
over PAIR_FEATURES learns which of the pairs the rules let through to believe; its weights
are saved as data in decision.json ("disagreement"), its threshold picked on dev runs.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.conflicts import answer_values, slot_words, values_differ
from ingest.text import tokenize

PAIR_FEATURES = (
    "aligned",  # how much of the two word sequences lines up, in order
    "aligned_outside_values",  # the same, leaving out the values set against each other
    "shared_words",  # share of content words in common
    "length_ratio",  # the shorter sentence's length over the longer's
)
_WORD = re.compile(r"\w+")
# The natural pairs set against each other, per question: the best candidate against this
# many of the others (as the answerer looks down its ranked list).
_RIVALS_PER_QUESTION = 15


def pair_features(a: str, b: str, question: str, kind: str) -> list[float]:
    """PAIR_FEATURES of two sentences set against each other. (The decision's probabilities
    are left out: the two sides must each pass the answer threshold anyway, and on the
    training split the planted side's probability is its original sentence's.)"""
    words_a, words_b = _WORD.findall(a.casefold()), _WORD.findall(b.casefold())
    values = answer_values(a, question, kind) ^ answer_values(b, question, kind)
    slot = slot_words(values, a, b)
    outside_a = [t for t in tokenize(a) if t not in slot]
    outside_b = [t for t in tokenize(b) if t not in slot]
    content_a, content_b = set(tokenize(a)), set(tokenize(b))
    return [
        _ratio(words_a, words_b),
        _ratio(outside_a, outside_b),
        len(content_a & content_b) / max(1, min(len(content_a), len(content_b))),
        min(len(words_a), len(words_b)) / max(1, len(words_a), len(words_b)),
    ]


def _ratio(a: Sequence[str], b: Sequence[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class DisagreementModel:
    """P(two sentences the rules set against each other really disagree)."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    # A pair is shown as a disagreement at or above this probability (picked on dev).
    threshold: float

    def probability(self, features: Sequence[float]) -> float:
        z = float(((np.asarray(features) - self.mean) / self.scale) @ self.weights + self.bias)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def load(data: dict | None) -> DisagreementModel | None:
    """The model saved under "disagreement" in decision.json; None for an older file."""
    if not data or tuple(data.get("features", ())) != PAIR_FEATURES:
        return None
    return DisagreementModel(
        weights=np.asarray(data["weights"], dtype=np.float64),
        bias=float(data["bias"]),
        mean=np.asarray(data["mean"], dtype=np.float64),
        scale=np.asarray(data["scale"], dtype=np.float64),
        threshold=float(data.get("threshold", 0.5)),
    )


def _swapped(text: str, answer: str, wrong: str) -> str | None:
    """`text` with the answer replaced by a wrong choice, or None when the answer is not
    written there as it is in the quiz."""
    at = text.casefold().find(answer.casefold())
    if not answer.strip() or at < 0:
        return None
    return text[:at] + wrong + text[at + len(answer) :]


def training_pairs(
    questions: Sequence[dict],
    probabilities: Sequence[Sequence[float]],
    choices: Sequence[Sequence[str]],
    seed: int = 13,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, labels (a real disagreement) and question index of the pairs built
    from each question's candidates (`probabilities`: the decision's, per candidate;
    `choices`: the quiz's choices). Only pairs the rules let through are kept: the model
    decides among those, as it does at question time."""
    rng = random.Random(seed)
    rows: list[list[float]] = []
    labels: list[bool] = []
    groups: list[int] = []

    def add(g: int, q: dict, a: str, b: str, real: bool) -> None:
        if values_differ(a, b, q["question"], q["kind"]):
            rows.append(pair_features(a, b, q["question"], q["kind"]))
            labels.append(real)
            groups.append(g)

    for g, (q, probs, quiz) in enumerate(zip(questions, probabilities, choices, strict=True)):
        if q["kind"] == "number":
            continue
        cands = sorted(zip(q["candidates"], probs, strict=True), key=lambda cp: -cp[1])
        if not cands:
            continue
        best = cands[0][0]
        for cand, _ in cands[1 : 1 + _RIVALS_PER_QUESTION]:
            if cand["article_id"] != best["article_id"]:
                add(g, q, best["text"], cand["text"], False)
        wrong = [c for c in quiz if c.strip() and c.strip() != q["answer"].strip()]
        answering = [c for c, _ in cands if c["label"]][:4]
        if not wrong or not answering:
            continue
        first = answering[0]
        planted = _swapped(first["text"], q["answer"], rng.choice(wrong))
        if planted:  # the same sentence, copied with another value
            add(g, q, first["text"], planted, True)
        for other in answering[1:]:
            if other["article_id"] == first["article_id"]:
                continue
            planted = _swapped(other["text"], q["answer"], rng.choice(wrong))
            if planted:  # another outlet's wording, with another value
                add(g, q, first["text"], planted, True)
    return np.asarray(rows, dtype=np.float64), np.asarray(labels), np.asarray(groups)
