"""How well articles are grouped into stories, measured on a RealTime QA folder.

Articles a search engine returned for the same question stand in for "one story" (the
issue's proxy; a rough one: many results are stale or off-topic, and two questions can be
about one event). The articles of every question's search results are grouped as
`newsdesk stories` groups them (the store's vectors, `group_articles`), and the grouping is
scored against the questions:

- purity: each predicted story's largest share from one question, weighted by size;
- recall (inverse purity): each question's largest share in one predicted story;
- pairwise precision and recall: of the article pairs put in one story, those that share a
  question; of the pairs that share a question, those put in one story.

    python -m assistant.evaluation.stories ../shared/eval/realtimeqa-dev --out DIR
    python -m assistant.evaluation.stories ../shared/train/realtimeqa-train --sample 80 --pick

Two proxies are scored: the search results as they are, and the same split where their
reports are more than the date window apart (`within_days`: a search engine returns last
year's articles too, and a story is one event). `--pick` scores a grid of thresholds and
names bonuses and says which has the best same-week pairwise F1 (run it on the training
split; report the chosen settings on dev). The
store is the evaluation harness's cached one (NEWSDESK_DATA_DIR/eval-cache): articles
already embedded there are not embedded again.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path

from assistant.evaluation.dataset import load_dataset, read_rows
from assistant.evaluation.runner import dataset_articles, eval_app
from assistant.settings import StorySettings, load_settings
from assistant.stories.grouping import (
    GroupedArticle,
    average_linkage,
    cut,
    day_number,
    pair_similarity,
)

THRESHOLDS = tuple(round(0.30 + 0.025 * i, 3) for i in range(25))  # 0.3 .. 0.9
NAMES_WEIGHTS = (0.0, 0.1, 0.2, 0.3)


def _pairs(groups: Sequence[Sequence[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for g in groups for p in combinations(set(g), 2)}  # type: ignore[misc]


def score(predicted: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]) -> dict:
    """Purity, recall (inverse purity), pairwise precision, recall and F1 of a grouping
    against gold groups that may overlap (an article returned for two questions)."""
    of_article: dict[str, set[int]] = defaultdict(set)
    for q, group in enumerate(gold):
        for article_id in group:
            of_article[article_id].add(q)
    # Purity over the articles the gold groups know: one no group holds is not impure.
    total = purity = 0
    for group in predicted:
        counts: dict[int, int] = defaultdict(int)
        known = [a for a in group if a in of_article]
        for article_id in known:
            for q in of_article[article_id]:
                counts[q] += 1
        purity += max(counts.values(), default=0)
        total += len(known)
    where = {a: k for k, group in enumerate(predicted) for a in group}
    recall_hits = 0
    for group in gold:
        counts = defaultdict(int)
        for article_id in group:
            if article_id in where:
                counts[where[article_id]] += 1
        recall_hits += max(counts.values(), default=0)
    gold_size = sum(len(g) for g in gold)
    pred_pairs, gold_pairs = _pairs(predicted), _pairs(gold)
    both = len(pred_pairs & gold_pairs)
    precision = both / len(pred_pairs) if pred_pairs else 1.0
    recall = both / len(gold_pairs) if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "purity": purity / total if total else 1.0,
        "recall": recall_hits / gold_size if gold_size else 1.0,
        "pair_precision": precision,
        "pair_recall": recall,
        "pair_f1": f1,
        "stories": len(predicted),
        "multi_outlet_or_day_stories": sum(1 for g in predicted if len(g) > 1),
        "articles": sum(len(g) for g in predicted),
    }


def within_days(
    gold: Sequence[Sequence[str]], days: dict[str, int | None], window: int
) -> list[list[str]]:
    """Each question's results split where reports are more than `window` days apart: a
    search engine returns last year's articles too, and "one story" is one event (only
    about 1 in 10 pairs of realtimeqa-dev's results are within a week of each other).
    Undated articles stay with the question's first run."""
    split: list[list[str]] = []
    for group in gold:
        dated = sorted((days[a], a) for a in group if days.get(a) is not None)
        runs: list[list[str]] = []
        last = None
        for day, article_id in dated:
            if last is None or day - last > window:
                runs.append([])
            runs[-1].append(article_id)
            last = day
        undated = [a for a in group if days.get(a) is None]
        if undated:
            runs = [runs[0] + undated, *runs[1:]] if runs else [undated]
        split += [r for r in runs if len(r) > 1]
    return split


def _grouping(
    articles: list[GroupedArticle], settings: StorySettings, thresholds: Sequence[float]
) -> dict[float, list[list[str]]]:
    """The grouping at each threshold, from one run of the linkage."""
    merges = average_linkage(pair_similarity(articles, settings), min(thresholds))
    ids = [a.article_id for a in articles]
    return {t: [[ids[i] for i in g] for g in cut(len(ids), merges, t)] for t in thresholds}


def evaluate(folder: Path, sample: int | None, seed: int, pick: bool) -> dict:
    settings = load_settings()
    dataset = load_dataset(folder, sample=sample, seed=seed)
    articles, id_map, _ = dataset_articles(dataset)
    app, collection = eval_app(settings, articles)
    with app:
        started = time.perf_counter()
        app.ingest_articles(articles)  # embeds only what the cached collection lacks
        ingest_s = time.perf_counter() - started
        # The search results only: not the quiz's explanation passage nor gold evidence.
        results = {str(row.get("id")): row.get("search_result_ids") or []
                   for row in read_rows(Path(folder), "questions")}  # fmt: skip
        gold = [
            sorted({id_map[str(r)] for r in results.get(q.id, ()) if str(r) in id_map})
            for q in dataset.questions
        ]
        gold = [g for g in gold if len(g) > 1]
        grouped = app.grouped_articles(sorted({a for g in gold for a in g}))
    chosen = settings.stories
    days = {a.article_id: day_number(a.published_at) for a in grouped}
    week = within_days(gold, days, chosen.window_days)
    weights = NAMES_WEIGHTS if pick else (chosen.names_weight,)
    thresholds = THRESHOLDS if pick else (chosen.similarity,)
    rows = []
    for weight in weights:
        trial = dataclasses.replace(chosen, names_weight=weight)
        started = time.perf_counter()
        for threshold, groups in _grouping(grouped, trial, thresholds).items():
            row = {
                "similarity": threshold,
                "names_weight": weight,
                "window_days": trial.window_days,
            }
            row |= {"search_results": score(groups, gold), "same_week": score(groups, week)}
            rows.append(row)
        rows[-1]["grouping_s"] = time.perf_counter() - started
    alone = [[a.article_id] for a in grouped]
    best = max(rows, key=lambda r: r["same_week"]["pair_f1"])
    return {
        "dataset": str(folder),
        "sample": sample,
        "seed": seed,
        "questions": len(gold),
        "articles": len(grouped),
        "same_week_groups": len(week),
        "collection": collection,
        "ingest_s": ingest_s,
        "every_article_alone": {
            "search_results": score(alone, gold),
            "same_week": score(alone, week),
        },
        "rows": rows,
        "best": best,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluation.stories")
    parser.add_argument("folder", type=Path, help="a RealTime QA folder (questions, articles)")
    parser.add_argument("--sample", type=int, help="this many questions, drawn reproducibly")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pick", action="store_true", help="score a grid; say the best")
    parser.add_argument("--out", type=Path, help="folder for stories.json")
    args = parser.parse_args(argv)
    result = evaluate(args.folder, args.sample, args.seed, args.pick)
    keys = ("purity", "recall", "pair_precision", "pair_recall", "pair_f1", "stories")
    label = "best (same-week pair F1)" if args.pick else "settings"
    for name, row in (
        ("every article alone", result["every_article_alone"]),
        (label, result["best"]),
    ):
        extra = {k: row[k] for k in ("similarity", "names_weight", "window_days") if k in row}
        print(f"{name} {extra or ''}")
        for proxy in ("search_results", "same_week"):
            figures = ", ".join(f"{k} {row[proxy][k]:.3f}" if isinstance(row[proxy][k], float)
                                else f"{k} {row[proxy][k]}" for k in keys)  # fmt: skip
            print(f"  {proxy}: {figures}")
    print(f"{result['questions']} questions, {result['articles']} articles, "
          f"{result['same_week_groups']} same-week groups")  # fmt: skip
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "stories.json").write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
