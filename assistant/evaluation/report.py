"""The Markdown report: Newsdesk beside the baseline, then slices."""

from __future__ import annotations

ROWS = [
    ("hits@1", "Evidence Hits@1"),
    ("hits@5", "Evidence Hits@5"),
    ("hits@10", "Evidence Hits@10"),
    ("mrr@10", "Evidence MRR@10"),
    ("answer_accuracy", "Answer accuracy (answerable)"),
    ("mean_answer_words", "Mean answer length, words"),
    ("citation_exactness", "Citation exactness"),
    ("citation_support", "Citation support"),
    ("citation_support_strict", "Citation support, question words counted too"),
    ("abstained_when_unanswerable", "Abstained, unanswerable"),
    ("abstained_when_answerable", "Abstained, answerable (wrongly)"),
    (
        "right_when_flagged_unanswerable",
        "Right answers to questions flagged unanswerable (by the accuracy rule)",
    ),
    ("conflicts_flagged", "Conflicts flagged, both sides cited"),
    ("misled_by_fake", "Stated the planted false answer unflagged"),
    ("conflict_answers", "Answers saying the sources disagree (conflicts.md)"),
    ("latency_p50_s", "Latency p50, s"),
    ("latency_p95_s", "Latency p95, s"),
    ("first_token_p50_s", "Time to first token p50, s"),
    ("first_token_p95_s", "Time to first token p95, s"),
    ("model_fallbacks", "Model answers replaced by quotes"),
]


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def markdown_report(payload: dict) -> str:
    # No baseline run (`--no-baseline`): its column reads "–", not zeros.
    ours, base = payload["newsdesk"], payload["baseline"] or {}
    sample = payload["settings"].get("sample")
    drawn = f" (a sample drawn with seed {payload['settings']['seed']})" if sample else ""
    if payload["settings"].get("left_out"):
        drawn += f"; {payload['settings']['left_out']} more left out by `--leave-out`"
    lines = [
        f"# Evaluation: {payload['dataset']}",
        "",
        f"{ours['questions']} questions{drawn}, run {payload['created']}; "
        f"{payload['ingest']['articles']} articles in collection "
        f"`{payload['ingest']['collection']}` ({payload['ingest']['newly_embedded_chunks']} chunks "
        f"embedded this run). Metrics are defined in docs/evaluation.md.",
        "",
        "| metric | Newsdesk | dense baseline |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {label} | {_fmt(ours.get(k))} | {_fmt(base.get(k))} |" for k, label in ROWS]
    if payload.get("calibration"):
        lines += _calibration_lines(payload["calibration"], ours)
    for name, groups in payload["slices"].items():
        lines += ["", f"## By {name.replace('_', ' ')}", ""]
        lines += [
            "| slice | questions | accuracy | baseline accuracy | Hits@10 | abstained |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for key, both in groups.items():
            s, b = both["newsdesk"], both["baseline"] or {}
            abstained = s.get("abstained_when_answerable")
            if key.startswith("unanswerable"):
                abstained = s.get("abstained_when_unanswerable")
            lines.append(
                f"| {key} | {s['questions']} | {_fmt(s['answer_accuracy'])} | "
                f"{_fmt(b.get('answer_accuracy'))} | {_fmt(s['hits@10'])} | {_fmt(abstained)} |"
            )
    return "\n".join(lines) + "\n"


def _calibration_lines(calibration: dict, ours: dict) -> list[str]:
    lines = [
        "",
        "## Calibration of the confidence",
        "",
        f"{ours['confidence_answers']} answers carry a confidence (abstentions left out: their "
        f"sentence is not shown). Expected calibration error {_fmt(ours['calibration_error'])}, "
        f"Brier score {_fmt(ours['brier_score'])}.",
        "",
        "![reliability](reliability.png)",
        "",
        "| confidence | answers | mean confidence | share correct |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {b['low']:.1f}–{b['high']:.1f} | {b['count']} | {_fmt(b['mean_confidence'])} | "
        f"{_fmt(b['share_correct'])} |"
        for b in calibration["bins"]
    ]
    run = calibration["run"]
    lines += [
        "",
        "## Refusal trade-off",
        "",
        "Refusing every answer whose confidence is under the threshold (or that has none).",
        "",
        "![refusal](refusal.png)",
        "",
        "| threshold | unanswerable refused | answerable refused (wrongly) | "
        "answerable answered correctly |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['threshold']:.1f} | {_fmt(r['unanswerable_refused'])} | "
        f"{_fmt(r['answerable_refused'])} | {_fmt(r['answerable_correct'])} |"
        for r in calibration["refusal"]
        if round(r["threshold"] * 100) % 10 == 0
    ]
    lines.append(
        f"| this run | {_fmt(run['unanswerable_refused'])} | {_fmt(run['answerable_refused'])} "
        f"| {_fmt(run['answerable_correct'])} |"
    )
    return lines


def conflicts_markdown(payload: dict) -> str:
    """Every "the sources disagree" answer with both quoted sides, to judge by hand."""
    conflicts = [q for q in payload["questions"] if q["conflict"]]
    lines = [
        f"# 'The sources disagree' answers: {payload['dataset']}",
        "",
        f"{len(conflicts)} of {len(payload['questions'])} answers. For each, tick whether the "
        "two quotes really state different facts about the same thing.",
    ]
    for q in conflicts:
        verdict = "holds the gold answer" if q["correct"] else "does not hold the gold answer"
        lines += [
            "",
            f"## {q['id']}: {q['question']}",
            "",
            f"Gold: {q['gold'] or '–'} ({verdict})",
            "",
        ]
        for side in q["conflict_sides"]:
            who = ", ".join(x for x in (side["outlet"], side["date"]) if x) or "unknown outlet"
            quote = " ".join(side["quote"].split())  # one Markdown quote line
            lines += [f"- **{who}**, {side['title']}:", f"  > {quote}"]
        lines += ["", "- [ ] a real disagreement"]
    return "\n".join(lines) + "\n"
