"""Pick the decision's thresholds on dev runs of the real harness, and print the trade-off.

    newsdesk eval ../shared/eval/realtimeqa-dev --no-baseline --out DIR_BOTH
    newsdesk eval ../shared/eval/realtimeqa-dev --no-baseline --no-explanations --out DIR_ARTICLES
    python -m assistant.reader.thresholds --both DIR_BOTH --articles-only DIR_ARTICLES \\
        --write assistant/reader/model/decision.json

Both runs must be made with `answer_threshold` and the disagreement model's `threshold` 0 (the
decision never refuses, and every pair of sources the rules set against each other is shown),
so every question's answer and its confidence are known; a refusal at threshold t is then
every question whose confidence is under t (or that had no candidate at all), and a
disagreement at gate g one where, of every pair of sides the answerer recorded (in the
order it tried them), the first whose two sides reach the answer threshold and whose
disagreement probability reaches g is not a figure that changed over time.
- answer_threshold: refuses the most unanswerable questions (articles only) while refusing
  at most `--budget` of the answerable ones (both files), the issue's two targets at once;
- strong_threshold ("well supported"): the lowest confidence above which answers (both
  files) are right at least `--precision` of the time;
- the disagreement threshold: the lowest gate on the disagreement model's probability at which
  at most `--max-conflicts` of the dev answers (both files) say the sources disagree. Dev
  questions have one true answer each, so nearly every disagreement there is a false alarm;
  the counterfactual set (RGB) shows what the gate costs in real conflicts caught.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def _results(folder: Path) -> list[dict]:
    return json.loads((folder / "result.json").read_text(encoding="utf-8"))["questions"]


def _refused(r: dict, t: float) -> bool:
    return r["abstained"] or r.get("confidence") is None or r["confidence"] < t


def trade_off(both: list[dict], articles: list[dict], t: float) -> dict:
    answerable = [r for r in both if r["answerable"]]
    unanswerable = [r for r in articles if not r["answerable"]]
    answered = [r for r in both if not _refused(r, t)]
    return {
        "threshold": round(float(t), 3),
        "accuracy_both": sum(r["correct"] and not _refused(r, t) for r in answerable)
        / max(1, len(answerable)),
        "wrongly_refused_both": sum(_refused(r, t) for r in answerable) / max(1, len(answerable)),
        "refused_unanswerable_articles": sum(_refused(r, t) for r in unanswerable)
        / max(1, len(unanswerable)),
        "accuracy_articles": sum(
            r["correct"] and not _refused(r, t) for r in articles if r["answerable"]
        )
        / max(1, sum(r["answerable"] for r in articles)),
        "precision_answered_both": sum(r["correct"] for r in answered) / max(1, len(answered)),
    }


def conflict_rate(both: list[dict], gate: float, answer_threshold: float = 0.0) -> float:
    """Share of answers that would still say the sources disagree with the disagreement
    threshold at `gate` and the answer threshold at `answer_threshold`."""
    shown = [r for r in both if _disagrees(r, gate, answer_threshold)]
    return len(shown) / max(1, len(both))


def _disagrees(r: dict, gate: float, answer_threshold: float) -> bool:
    """The answerer shows the first pair it tries whose two sides both reach the answer
    threshold and whose disagreement probability reaches `gate` (two counts are not judged
    by the model: None there); a pair whose dates say the figure changed is shown as a
    change instead. Runs that recorded only the shown pair (no `rival_pairs`) are judged
    by that pair alone, which misses a later pair a raised gate lets through."""
    pairs = r.get("rival_pairs")
    if not pairs:
        return (
            bool(r.get("conflict"))
            and min(r.get("confidence") or 0.0, r.get("rival_confidence") or 0.0)
            >= answer_threshold
            and (r.get("disagreement") is None or r["disagreement"] >= gate)
        )
    if _refused(r, answer_threshold):
        return False
    passing = (
        p for p in pairs
        if p["confidence"] >= answer_threshold
        and (p["disagreement"] is None or p["disagreement"] >= gate)
    )  # fmt: skip
    first = next(passing, None)
    return first is not None and not first["change"]


def pick(
    both: list[dict], articles: list[dict], budget: float, precision: float, max_conflicts: float
) -> dict:
    grid = np.round(np.linspace(0.0, 0.95, 96), 3)
    rows = [trade_off(both, articles, t) for t in grid]
    allowed = [r for r in rows if r["wrongly_refused_both"] <= budget] or rows[:1]
    best = max(allowed, key=lambda r: (r["refused_unanswerable_articles"], -r["threshold"]))
    strong = next(
        (r["threshold"] for r in rows if r["precision_answered_both"] >= precision
         and r["threshold"] >= best["threshold"]),
        rows[-1]["threshold"],
    )  # fmt: skip
    answer = best["threshold"]
    gate = next(
        (float(g) for g in grid if conflict_rate(both, g, answer) <= max_conflicts),
        1.0,
    )
    return {"answer_threshold": best["threshold"], "strong_threshold": strong,
            "disagreement_threshold": gate,
            "dev_conflict_rate": round(conflict_rate(both, gate, answer), 4),
            "table": rows}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.reader.thresholds")
    parser.add_argument("--both", type=Path, required=True, help="eval folder, both files")
    parser.add_argument("--articles-only", type=Path, required=True, help="--no-explanations")
    parser.add_argument("--budget", type=float, default=0.10, help="answerable refused at most")
    parser.add_argument("--precision", type=float, default=0.8, help="'well supported' from")
    parser.add_argument("--max-conflicts", type=float, default=0.02,
                        help="share of dev answers that may say the sources disagree")  # fmt: skip
    parser.add_argument("--write", type=Path, help="decision.json to update")
    args = parser.parse_args(argv)
    both, articles = _results(args.both), _results(args.articles_only)
    picked = pick(both, articles, args.budget, args.precision, args.max_conflicts)
    print("| threshold | accuracy (both) | wrongly refused (both) | refused unanswerable "
          "(articles) | accuracy (articles) | right among answered (both) |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    for row in picked["table"][::5]:
        print("| " + " | ".join(f"{v:.3f}" for v in row.values()) + " |")
    chosen = {k: v for k, v in picked.items() if k != "table"}
    print(json.dumps(chosen))
    if args.write:
        data = json.loads(args.write.read_text(encoding="utf-8"))
        data |= {k: v for k, v in chosen.items() if k != "disagreement_threshold"}
        data.pop("conflict_threshold", None)  # the gate before the disagreement model
        if data.get("disagreement"):
            data["disagreement"]["threshold"] = chosen["disagreement_threshold"]
        args.write.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
