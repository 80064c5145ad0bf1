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
    ("conflicts_flagged", "Conflicts flagged, both sides cited"),
    ("misled_by_fake", "Stated the planted false answer unflagged"),
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
    ours, base = payload["newsdesk"], payload["baseline"]
    lines = [
        f"# Evaluation: {payload['dataset']}",
        "",
        f"{ours['questions']} questions, run {payload['created']}; "
        f"{payload['ingest']['articles']} articles in collection "
        f"`{payload['ingest']['collection']}` ({payload['ingest']['newly_embedded_chunks']} chunks "
        f"embedded this run). Metrics are defined in docs/evaluation.md.",
        "",
        "| metric | Newsdesk | dense baseline |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {label} | {_fmt(ours.get(k))} | {_fmt(base.get(k))} |" for k, label in ROWS]
    for name, groups in payload["slices"].items():
        lines += ["", f"## By {name.replace('_', ' ')}", ""]
        lines += [
            "| slice | questions | accuracy | baseline accuracy | Hits@10 | abstained |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for key, both in groups.items():
            s, b = both["newsdesk"], both["baseline"]
            abstained = s.get("abstained_when_answerable")
            if key == "unanswerable":
                abstained = s.get("abstained_when_unanswerable")
            lines.append(
                f"| {key} | {s['questions']} | {_fmt(s['answer_accuracy'])} | "
                f"{_fmt(b['answer_accuracy'])} | {_fmt(s['hits@10'])} | {_fmt(abstained)} |"
            )
    return "\n".join(lines) + "\n"
