"""The confidence users see: the decision's probability recalibrated to how often answers
given at that probability were right, learned from a run of the real harness on training
questions.

The decision is fitted per candidate sentence on pools built for training (a question's own
articles, searched by BM25), while an answer is judged on what it quotes, from the whole
store's search. On realtimeqa-dev the raw probability was far too low (answers at 0.15 were
right 44% of the time; expected calibration error 0.22). A two-number Platt map from the raw
probability's logit to "this answer is right" corrects that; it is monotone, so it reorders
nothing, and the thresholds are moved onto its scale with it, so every decision stays as it
was while the number shown means what it says.

    newsdesk eval ../shared/train/realtimeqa-train --skip 1800 --sample 120 --seed 0 \\
        --no-baseline --out RUN
    python -m assistant.reader.calibration --run RUN --exclude WORK/examples-train.jsonl \\
        --write assistant/reader/model/decision.json

Questions the reader or decision learned from (their ids in the training examples: a seeded
draw from the whole file, and the file repeats some questions) are left out of the fit: only
answers to questions the models never saw say how often they are right. A reader trained with
`--hold-out-from ROW` learned from no question on the split's rows from ROW on (its latest
news), though the examples hold them: give the same `--hold-out-from ROW --data SPLIT` here
and ask those rows (`newsdesk eval ... --skip ROW`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_EDGE = 1e-6


def _logit(p: float) -> float:
    p = min(max(p, _EDGE), 1 - _EDGE)
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Calibration:
    """confidence = sigmoid(slope * logit(raw) + intercept)."""

    slope: float
    intercept: float

    def __call__(self, raw: float) -> float:
        z = self.slope * _logit(raw) + self.intercept
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def as_data(self) -> dict:
        return {"slope": round(self.slope, 6), "intercept": round(self.intercept, 6)}

    @classmethod
    def from_data(cls, data: dict | None) -> Calibration | None:
        if not data:
            return None
        slope = float(data["slope"])
        if not slope > 0:  # a map that reverses or flattens the order is never right
            raise ValueError(f"calibration slope must be positive, got {slope}")
        return cls(slope=slope, intercept=float(data["intercept"]))


def fit(scored: Sequence[tuple[float, bool]], c: float = 1.0) -> Calibration:
    """Platt scaling on (raw probability, answer was right) pairs."""
    from sklearn.linear_model import LogisticRegression

    if len({right for _, right in scored}) < 2:
        raise ValueError("calibration needs both right and wrong answers")
    x = [[_logit(p)] for p, _ in scored]
    y = [bool(right) for _, right in scored]
    model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
    slope = float(model.coef_[0][0])
    if slope <= 0:
        raise ValueError("the raw probability does not rise with rightness on this run")
    return Calibration(slope=slope, intercept=float(model.intercept_[0]))


def answered(results: Iterable[dict], exclude: set[str]) -> list[tuple[float, bool]]:
    """(confidence, right) of each answer given to a question not in `exclude`."""
    return [
        (float(r["confidence"]), bool(r["correct"]))
        for r in results
        if not r["abstained"] and r.get("confidence") is not None and r["id"] not in exclude
    ]


def apply(decision: dict, calibration: Calibration, about: dict | None = None) -> dict:
    """The decision file with the map added and its thresholds moved onto the new scale (an
    existing map is undone first, so applying twice replaces rather than compounds)."""
    old = Calibration.from_data(decision.get("calibration"))
    updated = dict(decision)
    for key in ("answer_threshold", "strong_threshold"):
        raw = _uncalibrated(float(decision[key]), old)
        updated[key] = round(calibration(raw), 4) if raw > 0 else 0.0
    updated["calibration"] = calibration.as_data() | (about or {})
    return updated


def _uncalibrated(value: float, calibration: Calibration | None) -> float:
    if calibration is None or value <= 0:
        return value
    value = min(max(value, _EDGE), 1 - _EDGE)
    z = (_logit(value) - calibration.intercept) / calibration.slope
    return 1.0 / (1.0 + math.exp(-z))


def error(scored: Sequence[tuple[float, bool]]) -> float | None:
    """Expected calibration error, as the harness reports it."""
    from assistant.evaluation.metrics import calibration_error, reliability_bins

    value = calibration_error(reliability_bins(scored))
    return None if value is None else round(value, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.reader.calibration")
    parser.add_argument("--run", type=Path, required=True, help="eval folder on training data")
    parser.add_argument(
        "--exclude", type=Path, help="training examples (.jsonl): their questions are left out"
    )
    parser.add_argument(
        "--hold-out-from", type=int, metavar="ROW",
        help="the training run's --hold-out-from: only examples of questions before it are "
        "left out (those from it on were written but not learned from)",
    )  # fmt: skip
    parser.add_argument("--data", type=Path, help="the training split (with --hold-out-from)")
    parser.add_argument("--write", type=Path, help="decision.json to update")
    parser.add_argument("--card", type=Path, help="rewrite the model card (docs/reader.md)")
    args = parser.parse_args(argv)
    results = json.loads((args.run / "result.json").read_text(encoding="utf-8"))["questions"]
    exclude: set[str] = set()
    if args.exclude:
        from assistant.evaluation.dataset import question_ids

        exclude = set(question_ids(args.exclude))  # as `newsdesk eval --leave-out` reads it
    if args.hold_out_from is not None:
        if args.data is None:
            parser.error("--hold-out-from needs --data, the training split")
        from assistant.reader.pools import asked_before

        exclude &= asked_before(args.data, args.hold_out_from)
    scored = answered(results, exclude)
    calibration = fit(scored)
    about = {
        "answers": len(scored),
        "run": args.run.name,
        "error_before": error(scored),
        "error_after": error([(calibration(p), y) for p, y in scored]),
    }
    left_out = sum(r["id"] in exclude for r in results)
    print(json.dumps(calibration.as_data() | about | {"left_out_seen_in_training": left_out}))
    if args.write:
        decision = json.loads(args.write.read_text(encoding="utf-8"))
        updated = apply(decision, calibration, about)
        args.write.write_text(json.dumps(updated, indent=1) + "\n", encoding="utf-8")
        if args.card:
            from assistant.reader.card import write_card
            from assistant.reader.model import READER_FILE

            write_card(args.card, args.write, args.write.parent / READER_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
