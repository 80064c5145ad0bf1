"""Training and tuning examples for the reader: each question's own articles, chunked and
searched as the assistant would, and every sentence the answerer would weigh, with a label.

A question's pool is the articles the quiz's search engine returned for it (plus, for half
of the questions, the quiz's own explanation passage, so both the "articles only" and the
"with explanations" settings are learned). The pool's best chunks by BM25 become the
passages, and `ExtractiveAnswerer.scored` turns them into the same candidate sentences,
with the same signals, that it computes at question time. The label is the evaluation's own
test: quoting this sentence would be judged right (every content word of the gold answer is
in it).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.evaluation.dataset import read_rows
from assistant.evaluation.metrics import answer_is_correct
from ingest.chunking import ChunkingConfig, chunk_article
from ingest.loaders.records import record_to_article
from ingest.text import tokenize
from ingest.types import IngestError
from vectorstore.types import Passage

PASSAGES_PER_QUESTION = 8


@dataclass
class PoolQuestion:
    """One question with the passages the answerer would be given, and its gold answer."""

    id: str
    question: str
    answer: str
    choices: list[str]
    question_date: str | None
    passages: list[Passage]
    # True when the passages hold the gold answer somewhere (answerable in this setting).
    answerable: bool
    with_explanation: bool
    extra: dict = field(default_factory=dict)


def coin(question_id: str, seed: int) -> float:
    """A deterministic draw in [0, 1) per question: same split on every machine and run."""
    digest = hashlib.sha256(f"{seed}:{question_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def asked_before(folder: str | Path, row: int) -> set[str]:
    """Ids of the questions on the split's rows before `row`. The split is in date order, so
    the rows from `row` on are its latest news: held out of training, they are questions
    neither model saw (`newsdesk eval --skip ROW` asks them)."""
    if row < 0:
        raise ValueError(f"--hold-out-from must not be negative, not {row}")
    return {str(q["id"]) for q in itertools.islice(read_rows(Path(folder), "questions"), row)}


class _Bm25:
    """BM25 over one question's chunks with document frequencies from the whole folder."""

    def __init__(self, df: Counter, n_docs: int) -> None:
        self.df, self.n = df, max(1, n_docs)

    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def rank(self, query: str, docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
        terms = set(tokenize(query))
        avg = sum(len(d) for d in docs) / max(1, len(docs))
        scores = []
        for doc in docs:
            tf = Counter(doc)
            norm = k1 * (1 - b + b * len(doc) / max(1.0, avg))
            scores.append(
                sum(self.idf(t) * tf[t] * (k1 + 1) / (tf[t] + norm) for t in terms if t in tf)
            )
        return scores


def article_passages(record: dict, chunking: ChunkingConfig | None = None) -> list[Passage]:
    """One article record's chunks as the passages a search would return (none for a
    record that is not a readable article)."""
    try:
        article = record_to_article(record, f"train:{record['id']}")
    except IngestError:
        return []
    return [
        Passage(
            chunk_id=c.id,
            article_id=article.id,
            text=c.text,
            start=c.start,
            end=c.end,
            title=article.title,
            source=article.source,
            published_at=article.published_at,
            url=article.url,
            score=0.0,
        )
        for c in chunk_article(article, chunking or ChunkingConfig())
    ]


def load_pools(
    folder: str | Path,
    *,
    limit: int | None = None,
    seed: int = 13,
    explanation_share: float = 0.5,
    passages_per_question: int = PASSAGES_PER_QUESTION,
) -> tuple[list[PoolQuestion], _Bm25]:
    """Pools for the questions of a RealTime QA-shaped folder (train or dev layout), and
    the BM25 statistics (their idf stands in for the store's at training time)."""
    folder = Path(folder)
    questions = list(read_rows(folder, "questions"))
    records = {str(r["id"]): r for r in read_rows(folder, "articles")}
    explanations = {str(r["id"]): r for r in read_rows(folder, "explanation_articles")}
    chunked: dict[str, list[Passage]] = {}

    def passages_of(record: dict) -> list[Passage]:
        rid = str(record["id"])
        if rid not in chunked:
            chunked[rid] = article_passages(record)
        return chunked[rid]

    rng = random.Random(seed)
    order = [q for q in questions if q.get("search_result_ids") or q.get("explanation_article_id")]
    rng.shuffle(order)
    if limit:
        order = order[:limit]
    # Document frequencies over every chunk these questions can see.
    df: Counter = Counter()
    n_docs = 0
    for q in order:
        for rid in q.get("search_result_ids") or ():
            if rid in records and rid not in chunked:
                for p in passages_of(records[rid]):
                    df.update(set(tokenize(f"{p.title}\n{p.text}")))
                    n_docs += 1
    bm25 = _Bm25(df, n_docs)
    pools = []
    for q in order:
        pool = [
            p
            for rid in q.get("search_result_ids") or ()
            if rid in records
            for p in passages_of(records[rid])
        ]
        expl_id = q.get("explanation_article_id")
        with_expl = bool(expl_id in explanations and coin(q["id"], seed) < explanation_share)
        if with_expl:
            pool += passages_of(explanations[expl_id])
        if not pool:
            continue
        scores = bm25.rank(q["question"], [tokenize(f"{p.title}\n{p.text}") for p in pool])
        best = sorted(range(len(pool)), key=lambda i: -scores[i])[:passages_per_question]
        passages = [pool[i] for i in best if scores[i] > 0]
        if not passages:
            continue
        answer = str(q.get("answer") or "")
        pools.append(
            PoolQuestion(
                id=str(q["id"]),
                question=q["question"],
                answer=answer,
                choices=[str(c) for c in q.get("choices") or ()],
                question_date=q.get("question_date"),
                passages=passages,
                answerable=any(answer_is_correct(answer, p.text) for p in passages),
                with_explanation=with_expl,
            )
        )
    return pools, bm25
