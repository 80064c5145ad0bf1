"""Evaluation data in the shared JSON Lines layout (see ../shared/eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Evidence:
    record_id: str
    quote: str


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answer: str
    answer_type: str = ""
    outlet: str = ""
    question_date: date | None = None
    evidence: tuple[Evidence, ...] = ()
    # False when the answer is in no article: the right reply is an abstention.
    answerable: bool = True
    fake_answer: str | None = None


@dataclass
class Dataset:
    name: str
    questions: list[EvalQuestion]
    records: list[dict] = field(default_factory=list)
    # Records stored with the others but left out of every search (see load_dataset).
    hidden_record_ids: frozenset[str] = frozenset()


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _question(raw: dict) -> EvalQuestion:
    day = raw.get("question_date")
    return EvalQuestion(
        id=str(raw["id"]),
        question=raw["question"],
        answer=str(raw.get("answer") or ""),
        answer_type=raw.get("answer_type") or "",
        outlet=raw.get("question_source") or "",
        question_date=date.fromisoformat(day) if day else None,
        evidence=tuple(Evidence(e["article_id"], e["quote"]) for e in raw.get("evidence") or ()),
        answerable=raw.get("answer_string_in_news_corpus", True) is not False,
        fake_answer=raw.get("fake_answer"),
    )


def load_dataset(folder: str | Path, *, explanations: bool = True) -> Dataset:
    """Questions and article records of a dataset folder, explanation passages included.

    With `explanations` False (the abstention setting) the explanation passages are still
    stored, so both settings share one embedded collection, but they are hidden from search."""
    folder = Path(folder)
    questions_file = folder / "questions.jsonl"
    if not questions_file.is_file():
        raise FileNotFoundError(f"{questions_file}: no questions.jsonl in the dataset folder")
    records = _read_jsonl(folder / "articles.jsonl")
    extra = folder / "explanation_articles.jsonl"
    hidden: frozenset[str] = frozenset()
    if extra.is_file():
        explanation_records = _read_jsonl(extra)
        records += explanation_records
        if not explanations:
            hidden = frozenset(str(r.get("id")) for r in explanation_records)
    questions = [_question(raw) for raw in _read_jsonl(questions_file)]
    return Dataset(folder.name, questions, records, hidden)
