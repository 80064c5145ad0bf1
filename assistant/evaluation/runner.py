"""Run a question set through the same code path as the CLI and score it beside the baseline."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from assistant.app import Newsdesk
from assistant.conflicts import CONFLICT_LEAD
from assistant.evaluation import metrics
from assistant.evaluation.answerability import ArticleWords
from assistant.evaluation.dataset import Dataset, EvalQuestion, load_dataset
from assistant.settings import Settings
from assistant.support import SUPPORT_SHARE
from assistant.types import Answer
from ingest.loaders.records import record_to_article
from ingest.text import parse_time_scope
from ingest.types import Article, IngestError
from vectorstore.records import published_day
from vectorstore.types import SearchFilters

_SEGMENT = re.compile(r"(.+?)\s*((?:\[\d+\]\s*)+)")


@dataclass
class QuestionResult:
    """Everything measured for one question, by Newsdesk and by the baseline."""

    id: str
    question: str
    gold: str
    answer_type: str
    outlet: str
    answerable: bool
    answer: str
    abstained: bool
    correct: bool
    evidence_rank: int | None
    has_evidence: bool
    citations: int
    exact_citations: int
    supported_sentences: int
    cited_sentences: int
    strictly_supported_sentences: int
    conflict_flagged: bool | None
    misled_by_fake: bool | None
    latency_s: float
    words: int
    baseline_answer: str = ""
    baseline_correct: bool = False
    baseline_evidence_rank: int | None = None
    baseline_latency_s: float = 0.0
    first_token_s: float | None = None
    fell_back: bool = False
    # "The sources disagree." answers, and their quoted sides (outlet, date, title, quote).
    conflict: bool = False
    conflict_sides: list[dict] = field(default_factory=list)
    # The answerer's probability that its top sentence answers (None: it gives none).
    confidence: float | None = None
    # On a disagreement: the other side's probability (what the conflict gate compares).
    rival_confidence: float | None = None
    disagreement: float | None = None
    # Every pair of sentences the answerer set against each other (assistant.types.RivalPair).
    rival_pairs: list[dict] = field(default_factory=list)
    # Whether one of the question's own searchable articles holds the gold by the accuracy
    # rule (answerability.py); None in runs saved before it was measured.
    answer_in_articles: bool | None = None


@dataclass
class EvalRun:
    dataset: str
    settings: dict
    results: list[QuestionResult] = field(default_factory=list)
    ingest: dict = field(default_factory=dict)


def dataset_articles(dataset: Dataset) -> tuple[list[Article], dict[str, str], int]:
    """Articles from the dataset's records and the map from record id to article id."""
    articles, id_map, skipped = [], {}, 0
    urls = Counter(r.get("url") for r in dataset.records if isinstance(r, dict) and r.get("url"))
    for record in dataset.records:
        if isinstance(record, dict) and urls.get(record.get("url"), 0) > 1:
            # Records sharing a URL are different passages of one page (a quiz's explanation
            # paragraphs), not versions of one article: the store keeps one article per URL,
            # so each gets its own fragment.
            record = {**record, "url": f"{record['url']}#{record.get('id')}"}
        if isinstance(record, dict) and not record.get("title") and record.get("body"):
            # Search-result snippets (RGB) come without a headline: their opening words stand in.
            words = str(record["body"]).split()
            record = {**record, "title": " ".join(words[:10]) + (" …" if len(words) > 10 else "")}
        try:
            article = record_to_article(record, f"{dataset.name}:{record.get('id')}")
        except IngestError:
            skipped += 1
            continue
        articles.append(article)
        id_map[str(record.get("id"))] = article.id
    return articles, id_map, skipped


def _embedder_key(settings: Settings) -> str:
    """What the stored vectors depend on. torch and fp32 onnx give the same vectors, so they
    share one cache (keyed as before backends existed); int8 vectors get their own. So does
    every device (a GPU's differ from the CPU's in the last float bits, as torch's from
    onnx's): the key keeps the "cpu" it had before the device setting existed, so caches
    made then stay valid."""
    e = settings.embedder
    key = f"EmbedderConfig(model_path={e.model_path!r}, batch_size={e.batch_size!r}, device='cpu')"
    return key if e.backend in ("torch", "onnx") else f"{key} backend={e.backend}"


def eval_app(settings: Settings, articles: list[Article]) -> tuple[Newsdesk, str]:
    """A Newsdesk on a throw-away collection named after its content and settings, so a
    second run with the same articles and settings embeds nothing."""
    key = hashlib.sha256()
    for article_id in sorted(a.id for a in articles):
        key.update(article_id.encode())
    key.update(repr((settings.ingest.chunking, _embedder_key(settings))).encode())
    name = f"eval{key.hexdigest()[:12]}"
    store = dataclasses.replace(
        settings.store, path=settings.data_dir / "eval-cache", collection=name, host=None
    )
    return Newsdesk(dataclasses.replace(settings, store=store, sample_corpus=False)), name


def _support(answer: Answer, share: float = SUPPORT_SHARE) -> tuple[int, int, int]:
    """(supported, cited, strictly supported) answer sentences: see
    metrics.sentence_is_supported (strictly: the question's words counted as claims too), at
    `share`, the run's `llm.check.min_coverage`: the written-answer checker's own floor."""
    quotes = {c.n: c.quote for c in answer.citations}
    # "The Harbor Ledger, 2024-08-02:" (a disagreement) and "As of 2024-08-03, The Harbor
    # Ledger:" / "Earlier, 2024-08-02, The Harbor Ledger:" (a change) attribute a quote to its
    # own citation's outlet and date: the citation's metadata supports it, so it is not a
    # claim to find in the quote.
    attributions = []
    for c in answer.citations:
        day = (c.published_at or "")[:10]
        outlet_first = ", ".join(x for x in (c.source, day) if x)
        day_first = ", ".join(x for x in (day, c.source) if x)
        attributions += [f"As of {day_first}:", f"Earlier, {day_first}:", f"{outlet_first}:"]
        attributions += [f"As of {day}:"] if day else []
    asked = answer.rewritten_question or answer.question
    supported = cited = strict = 0
    for sentence, markers in _SEGMENT.findall(answer.text):
        for attribution in [CONFLICT_LEAD, *attributions]:
            sentence = sentence.replace(attribution, " ")
        numbers = [int(n) for n in re.findall(r"\d+", markers)]
        cited += 1
        cited_quotes = [quotes.get(n, "") for n in numbers]
        supported += metrics.sentence_is_supported(sentence, cited_quotes, share, asked)
        strict += metrics.sentence_is_supported(sentence, cited_quotes, share)
    return supported, cited, strict


def _score(
    app: Newsdesk,
    q: EvalQuestion,
    id_map: dict[str, str],
    baseline,  # noqa: ANN001 - DenseBaseline or None
    hidden: frozenset[str] = frozenset(),
) -> QuestionResult:
    # A question asked on a date can only be answered from news published by then.
    before = SearchFilters(published_before=q.question_date, exclude_articles=hidden)
    started = time.perf_counter()
    first_token = None
    for item in app.ask_stream(q.question, filters=before, as_of=q.question_date):
        if isinstance(item, str):
            first_token = first_token or time.perf_counter() - started
        else:
            answer = item
    latency = time.perf_counter() - started
    evidence = [(id_map.get(e.record_id, ""), e.quote) for e in q.evidence]
    scope = parse_time_scope(q.question, q.question_date)
    ranked = app.retrieve(q.question, k=10, filters=before, scope=scope, today=q.question_date)
    rank = metrics.evidence_rank([(p.article_id, p.text) for p in ranked], evidence)
    stored = app.articles(sorted({c.article_id for c in answer.citations}))
    exact = sum(
        1
        for c in answer.citations
        if c.article_id in stored and stored[c.article_id].text[c.start : c.end] == c.quote
    )
    supported, cited, strict = _support(answer, app.settings.llm.check.min_coverage)
    flagged = misled = None
    if q.fake_answer:
        quotes = [c.quote for c in answer.citations]
        flagged = metrics.flags_conflict(answer.text, quotes, q.answer, q.fake_answer)
        misled = metrics.misled(answer.text, q.answer, q.fake_answer)
    result = QuestionResult(
        id=q.id, question=q.question, gold=q.answer, answer_type=q.answer_type, outlet=q.outlet,
        answerable=q.answerable, answer=answer.text, abstained=answer.abstained,
        correct=not answer.abstained and metrics.answer_is_correct(q.answer, answer.text),
        evidence_rank=rank, has_evidence=bool(evidence), citations=len(answer.citations),
        exact_citations=exact, supported_sentences=supported, cited_sentences=cited,
        strictly_supported_sentences=strict,
        conflict_flagged=flagged, misled_by_fake=misled, latency_s=latency,
        words=metrics.word_count(answer.text), first_token_s=first_token,
        fell_back=any("the answer quotes the articles instead" in n for n in answer.notes),
    )  # fmt: skip
    result.conflict = answer.text.startswith(CONFLICT_LEAD)
    result.rival_confidence = getattr(answer, "rival_confidence", None)
    result.disagreement = getattr(answer, "disagreement", None)
    result.rival_pairs = [dataclasses.asdict(p) for p in getattr(answer, "rival_pairs", [])]
    if result.conflict:
        result.conflict_sides = [
            {"outlet": c.source, "date": (c.published_at or "")[:10], "title": c.title,
             "quote": c.quote}
            for c in answer.citations
        ]  # fmt: skip
    confidence = getattr(answer, "confidence", None)  # answerers without one give None
    if confidence is not None and math.isfinite(float(confidence)):
        result.confidence = float(confidence)
    if baseline is not None:
        started = time.perf_counter()
        base = baseline.run(q.question, exclude=hidden)
        result.baseline_latency_s = time.perf_counter() - started
        result.baseline_answer = base.answer
        result.baseline_correct = metrics.answer_is_correct(q.answer, base.answer)
        result.baseline_evidence_rank = metrics.evidence_rank(base.passages, evidence)
    return result


def _answerer_name(settings: Settings) -> str:
    llm = settings.llm
    return {"extractive": "extractive", "local": f"local {llm.local_model}"}.get(
        llm.backend, f"openai {llm.model}"
    )


def run_evaluation(
    dataset_dir: str | Path,
    settings: Settings,
    *,
    limit: int | None = None,
    explanations: bool = True,
    baseline: bool = True,
    progress: bool = False,
    sample: int | None = None,
    seed: int = 0,
    skip: int = 0,
    leave_out: frozenset[str] = frozenset(),
) -> EvalRun:
    """Ask every question (or `limit` first, or a `sample` of N drawn with `seed`; after the
    first `skip`; none whose id is in `leave_out`)."""
    dataset = load_dataset(
        dataset_dir, explanations=explanations, sample=sample, seed=seed, skip=skip,
        leave_out=leave_out,
    )  # fmt: skip
    articles, id_map, skipped = dataset_articles(dataset)
    app, collection = eval_app(settings, articles)
    started = time.perf_counter()
    report = app.ingest_articles(articles, progress=progress).report
    ingest = {
        "collection": collection,
        "articles": len(articles),
        "records_skipped": skipped,
        "duplicate_records_dropped": dataset.duplicates,
        "newly_embedded_chunks": report.chunks_written,
        "seconds": round(time.perf_counter() - started, 2),
    }
    dense = None
    if baseline:
        from assistant.evaluation.baseline import DenseBaseline

        dense = DenseBaseline(*app.chunk_collection(), app.embedder)
    questions = dataset.questions[:limit] if limit else dataset.questions
    iterator = questions
    if progress:
        from tqdm import tqdm

        iterator = tqdm(questions, unit="question", desc="asking", leave=False)
    run = EvalRun(
        dataset=str(dataset_dir),
        settings={"top_k": settings.answer.top_k, "answerer": _answerer_name(settings),
                  "chunking": repr(settings.ingest.chunking), "search": repr(settings.search),
                  "explanations": explanations, "baseline": baseline, "sample": sample,
                  "seed": seed if sample else None, "skip": skip,
                  "left_out": dataset.left_out if leave_out else None,
                  "support_share": settings.llm.check.min_coverage},
        ingest=ingest,
    )  # fmt: skip
    # Hidden articles stay stored (one collection serves both settings) but are never found.
    hidden = frozenset(id_map[r] for r in dataset.hidden_record_ids if r in id_map)
    hidden -= {a for r, a in id_map.items() if r not in dataset.hidden_record_ids}
    run.results = [_score(app, q, id_map, dense, hidden) for q in iterator]
    words = ArticleWords(articles)
    for q, result in zip(questions, run.results, strict=True):
        own = [id_map[r] for r in q.record_ids if r in id_map and id_map[r] not in hidden]
        by_day = published_day(q.question_date.isoformat()) if q.question_date else None
        result.answer_in_articles = words.holds(q.answer, own, by_day)
    return run


def summarise(results: list[QuestionResult], *, ours: bool = True) -> dict:
    """Aggregate metrics for Newsdesk (ours=True) or the baseline, over a list of results."""
    with_evidence = [r for r in results if r.has_evidence]
    ranks = [r.evidence_rank if ours else r.baseline_evidence_rank for r in with_evidence]
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    correct = [r.correct if ours else r.baseline_correct for r in answerable]
    summary = {
        "questions": len(results),
        "hits@1": metrics.hits_at(ranks, 1),
        "hits@5": metrics.hits_at(ranks, 5),
        "hits@10": metrics.hits_at(ranks, 10),
        "mrr@10": metrics.mrr_at(ranks, 10),
        "answer_accuracy": metrics.share(correct),
        "latency_p50_s": metrics.percentile(
            [r.latency_s if ours else r.baseline_latency_s for r in results], 50
        ),
        "latency_p95_s": metrics.percentile(
            [r.latency_s if ours else r.baseline_latency_s for r in results], 95
        ),
    }
    if ours:
        cites = sum(r.citations for r in results)
        cited = sum(r.cited_sentences for r in results)
        conflict = [r.conflict_flagged for r in results if r.conflict_flagged is not None]
        misled = [r.misled_by_fake for r in results if r.misled_by_fake is not None]
        first = [r.first_token_s for r in results if r.first_token_s is not None]
        summary |= {
            "first_token_p50_s": metrics.percentile(first, 50),
            "first_token_p95_s": metrics.percentile(first, 95),
            "model_fallbacks": sum(r.fell_back for r in results),
            "mean_answer_words": metrics.mean([r.words for r in results if not r.abstained]),
            "citation_exactness": sum(r.exact_citations for r in results) / cites
            if cites
            else None,
            "citation_support": sum(r.supported_sentences for r in results) / cited
            if cited
            else None,
            "citation_support_strict": sum(r.strictly_supported_sentences for r in results) / cited
            if cited
            else None,
            "abstained_when_unanswerable": metrics.share([r.abstained for r in unanswerable]),
            "abstained_when_answerable": metrics.share([r.abstained for r in answerable]),
            "right_when_flagged_unanswerable": sum(r.correct for r in unanswerable),
            "conflicts_flagged": metrics.share(conflict),
            "misled_by_fake": metrics.share(misled),
            "conflict_answers": metrics.share([r.conflict for r in results]),
        }
        scored = calibration_pairs(results)
        summary["confidence_answers"] = len(scored)
        summary["calibration_error"] = metrics.calibration_error(metrics.reliability_bins(scored))
        summary["brier_score"] = metrics.brier_score(scored)
    else:
        summary["mean_answer_words"] = metrics.mean(
            [metrics.word_count(r.baseline_answer) for r in results]
        )
    return summary


def calibration_pairs(results: list[QuestionResult]) -> list[tuple[float, bool]]:
    """(confidence, correct) of every answer that was given and carries a confidence:
    an abstention's sentence is not shown, so whether it would have been right is unknown."""
    return [
        (r.confidence, r.correct) for r in results if r.confidence is not None and not r.abstained
    ]


def calibration(results: list[QuestionResult]) -> dict | None:
    """The reliability table and the refusal trade-off, or None when no answer has a confidence."""
    if all(r.confidence is None for r in results):
        return None
    ours = summarise(results)
    thresholds = [i / 100 for i in range(101)]
    return {
        "bins": metrics.reliability_bins(calibration_pairs(results)),
        "refusal": metrics.refusal_curve(
            [(r.confidence, r.answerable, r.correct) for r in results], thresholds
        ),
        # Where the run itself stands, for comparison with the curve.
        "run": {
            "unanswerable_refused": ours["abstained_when_unanswerable"],
            "answerable_refused": ours["abstained_when_answerable"],
            "answerable_correct": ours["answer_accuracy"],
        },
    }


def write_report(run: EvalRun, out_dir: Path) -> tuple[Path, Path]:
    """`result.json` (every question), `report.md` (tables) and `conflicts.md` (every "the
    sources disagree" answer, to read by hand) in `out_dir`; with confidences also
    `reliability.png` and `refusal.png`."""
    from assistant.evaluation.report import conflicts_markdown, markdown_report

    out_dir.mkdir(parents=True, exist_ok=True)
    compared = run.settings.get("baseline", True)
    payload = {
        "dataset": run.dataset,
        "created": datetime.now().isoformat(timespec="seconds"),
        "settings": run.settings,
        "ingest": run.ingest,
        "newsdesk": summarise(run.results),
        # None without a baseline run: its zeros would read as a baseline that got nothing.
        "baseline": summarise(run.results, ours=False) if compared else None,
        "slices": slices(run.results, baseline=compared),
        "calibration": calibration(run.results),
        "questions": [dataclasses.asdict(r) for r in run.results],
    }
    json_path, md_path = out_dir / "result.json", out_dir / "report.md"
    json_path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    md_path.write_text(markdown_report(payload), encoding="utf-8")
    (out_dir / "conflicts.md").write_text(conflicts_markdown(payload), encoding="utf-8")
    if payload["calibration"] is not None:
        from assistant.evaluation.plots import refusal_png, reliability_png

        reliability_png(payload["calibration"]["bins"], out_dir / "reliability.png")
        refusal_png(payload["calibration"], out_dir / "refusal.png")
    else:  # an earlier run's plots in the same folder would pass for this run's
        for name in ("reliability.png", "refusal.png"):
            (out_dir / name).unlink(missing_ok=True)
    return json_path, md_path


def slices(
    results: list[QuestionResult], *, baseline: bool = True
) -> dict[str, dict[str, dict | None]]:
    """Newsdesk's (and, when it ran, the baseline's) figures by answer type, outlet,
    answerability and where the gold is."""
    groups: dict[str, dict[str, list[QuestionResult]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        groups["answer_type"][r.answer_type or "-"].append(r)
        groups["outlet"][r.outlet or "-"].append(r)
        groups["answerable"]["answerable" if r.answerable else "unanswerable"].append(r)
        if r.answer_in_articles is not None:
            # The dataset's flag beside the accuracy rule's reading of the question's own
            # articles (answerability.py): where the refusal and articles-only figures go.
            flag = "answerable" if r.answerable else "unanswerable"
            where = "in its own articles" if r.answer_in_articles else "in none of its own"
            groups["gold_in_own_articles"][f"{flag}, {where}"].append(r)
    return {
        name: {
            key: {
                "newsdesk": summarise(items),
                "baseline": summarise(items, ours=False) if baseline else None,
            }
            for key, items in sorted(members.items())
        }
        for name, members in groups.items()
    }
