"""Evaluation data in the shared JSON Lines layout (see ../shared/eval/README.md)."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
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
    # Every record the question points at: search results, explanation, RGB context, evidence.
    record_ids: tuple[str, ...] = ()


@dataclass
class Dataset:
    name: str
    questions: list[EvalQuestion]
    records: list[dict] = field(default_factory=list)
    # Records stored with the others but left out of every search (see load_dataset).
    hidden_record_ids: frozenset[str] = frozenset()
    # Records dropped because an earlier one had the same id (the training split repeats some).
    duplicates: int = 0
    # Questions not asked because `leave_out` named them.
    left_out: int = 0


def jsonl_file(folder: Path, stem: str) -> Path | None:
    """`stem.jsonl`, or `stem.jsonl.gz` (the training split ships gzipped), or None."""
    for name in (f"{stem}.jsonl", f"{stem}.jsonl.gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def read_rows(folder: Path, stem: str) -> Iterator[dict]:
    """The rows of `folder/stem.jsonl` (or `.jsonl.gz`); FileNotFoundError when neither is."""
    path = jsonl_file(folder, stem)
    if path is None:
        raise FileNotFoundError(folder / f"{stem}.jsonl")
    return read_jsonl(path)


def read_jsonl(path: Path) -> Iterator[dict]:
    """The JSON objects of a .jsonl or .jsonl.gz file; a ValueError names the file and line
    of anything else."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}, line {number}: not JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise ValueError(f"{path}, line {number}: not a JSON object")
                yield record
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # a broken gzip or encoding
        raise ValueError(f"{path}: unreadable ({exc})") from None


def question_ids(path: Path) -> frozenset[str]:
    """The `id` of every object of a .jsonl(.gz) file, such as the reader's training examples
    (what `--leave-out` reads); a ValueError names the file and object of one without."""
    ids = set()
    for number, record in enumerate(read_jsonl(path), start=1):
        if record.get("id") in (None, ""):
            raise ValueError(f"{path}, object {number}: no 'id' field")
        ids.add(str(record["id"]))
    return frozenset(ids)


def _ids(values: object) -> list[str]:
    return [str(v) for v in values] if isinstance(values, list) else []


def _question(raw: dict) -> EvalQuestion:
    missing = [key for key in ("id", "question") if raw.get(key) in (None, "")]
    if missing:
        raise ValueError(f"a question without {missing[0]!r}")
    day = raw.get("question_date")
    evidence = tuple(Evidence(e["article_id"], e["quote"]) for e in raw.get("evidence") or ())
    explanation = raw.get("explanation_article_id")
    referenced = [
        *_ids(raw.get("search_result_ids")),
        *([str(explanation)] if explanation else []),
        *_ids(raw.get("context_article_ids")),
        *(e.record_id for e in evidence),
    ]
    # dev says "in_news_corpus", the training split "in_search_results": the same fact.
    found = raw.get("answer_string_in_news_corpus", raw.get("answer_string_in_search_results"))
    return EvalQuestion(
        id=str(raw["id"]),
        question=raw["question"],
        answer=str(raw.get("answer") or ""),
        answer_type=raw.get("answer_type") or "",
        outlet=raw.get("question_source") or "",
        question_date=date.fromisoformat(day) if day else None,
        evidence=evidence,
        answerable=found is not False,
        fake_answer=raw.get("fake_answer"),
        record_ids=tuple(dict.fromkeys(referenced)),
    )


def _questions(path: Path) -> list[EvalQuestion]:
    questions = []
    for number, raw in enumerate(read_jsonl(path), start=1):
        try:
            questions.append(_question(raw))
        except KeyError as exc:
            raise ValueError(f"{path}, question {number}: no {exc} field") from None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}, question {number}: {exc}") from None
    return questions


def sample_questions(questions: list[EvalQuestion], n: int, seed: int) -> list[EvalQuestion]:
    """N questions drawn at random but reproducibly (same file, N and seed: same questions),
    kept in file order."""
    if n < 1:
        raise ValueError(f"--sample must be at least 1, not {n}")
    chosen = sorted(random.Random(seed).sample(range(len(questions)), min(n, len(questions))))
    return [questions[i] for i in chosen]


def load_dataset(
    folder: str | Path,
    *,
    explanations: bool = True,
    sample: int | None = None,
    seed: int = 0,
    skip: int = 0,
    leave_out: frozenset[str] = frozenset(),
) -> Dataset:
    """Questions and article records of a dataset folder, explanation passages included.

    With `explanations` False (the abstention setting) the explanation passages are still
    stored, so both settings share one embedded collection, but they are hidden from search.
    With `sample` N, only N questions (see sample_questions) and the records they point at are
    read: the training split is too big to embed whole on a small machine. `skip` leaves out
    the file's first questions before sampling (the training questions the reader learned
    from are among the first 1,800), and then too only the records the rest point at are read.
    Questions whose ids are in `leave_out` (those a model learned from) are not asked, but
    their records stay: the same sample stores the same articles with or without them."""
    folder = Path(folder)
    questions_file = jsonl_file(folder, "questions")
    if questions_file is None:
        raise FileNotFoundError(f"{folder}: no questions.jsonl or questions.jsonl.gz in it")
    questions = _questions(questions_file)
    wanted: set[str] | None = None
    if skip < 0:
        raise ValueError(f"--skip must not be negative, not {skip}")
    questions = questions[skip:]
    if sample is not None:
        questions = sample_questions(questions, sample, seed)
    if sample is not None or skip:
        wanted = {r for q in questions for r in q.record_ids}
    asked = [q for q in questions if q.id not in leave_out]
    left_out, questions = len(questions) - len(asked), asked
    articles_file = jsonl_file(folder, "articles")
    if articles_file is None:
        raise FileNotFoundError(f"{folder}: no articles.jsonl or articles.jsonl.gz in it")

    def read(path: Path) -> list[dict]:
        return [r for r in read_jsonl(path) if wanted is None or str(r.get("id")) in wanted]

    records = read(articles_file)
    extra = jsonl_file(folder, "explanation_articles")
    hidden: frozenset[str] = frozenset()
    if extra is not None:
        explanation_records = read(extra)
        records += explanation_records
        if not explanations:
            hidden = frozenset(str(r.get("id")) for r in explanation_records)
    unique = _first_of_each_id(records)
    return Dataset(folder.name, questions, unique, hidden, len(records) - len(unique), left_out)


def _first_of_each_id(records: list[dict]) -> list[dict]:
    """One record per id, the first: a later copy would be a second article under the id
    that questions and the explanation filter know by only one of them."""
    seen: set[str] = set()
    unique = []
    for record in records:
        key = record.get("id")
        if key is not None and str(key) in seen:
            continue
        if key is not None:
            seen.add(str(key))
        unique.append(record)
    return unique
