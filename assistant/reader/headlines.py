"""Synthetic training questions written from headlines, for `train --headline-questions`.

A quiz question is usually a headline asked back ("Who was elected mayor of Lakeside?"),
answered by a sentence of the article's body that says the same thing in other words. A
headline with a name or a figure in it can be asked back the same way: the name or figure
cut out and a question word put in its place ("Mara Quint sworn in as Lakeside mayor" asks
"Who sworn in as Lakeside mayor?", answer "Mara Quint"). Its answer sentences are the body's
sentences that hold the name or figure and two more of the headline's words; its pool is its
article and the other articles the search engine returned beside it, so the negatives are on
the same news.

Only articles that no training or held-out question was asked about are used, so the
decision still sees the reader's scores on news it was not trained on.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from pathlib import Path

from assistant.evaluation.dataset import read_rows
from assistant.evaluation.metrics import answer_is_correct, said_words
from assistant.reader.pools import PASSAGES_PER_QUESTION, PoolQuestion, article_passages
from ingest.text import tokenize

# "Title - CNN", "Title | CNN Politics": the outlet is not part of what happened.
_OUTLET = re.compile(r"\s+[-|]\s+[^-|]{1,40}$")
_FIGURE = re.compile(
    r"(?<![\w$])(\$?\d[\d,.]*\d|\$?\d)(\s?(?:%|percent|million|billion|trillion|thousand))?(?!\w)"
)
_NAME_WORD = r"[A-Z][\w'’.-]*"
_NAME = re.compile(rf"(?<![\w'’]){_NAME_WORD}(?:\s+(?:of\s+|de\s+)?{_NAME_WORD})*")
# Headlines that are lists, teasers or questions ask back badly.
_UNASKABLE = re.compile(r"\.\.\.|…|\?|^\d+\s|^(?:opinion|analysis|live|watch|photos?)\b", re.I)
MIN_SHARED_WORDS = 2
# Calendar words and years are when, not what: a date is not the asked-for value here.
_CALENDAR = re.compile(
    r"^(?:(?:19|20)\d\d|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|(?:mon|tues|wednes"
    r"|thurs|fri|satur|sun)day)\.?$",
    re.IGNORECASE,
)


def headline(title: str) -> str:
    return _OUTLET.sub("", title).strip()


def _title_case(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha()]
    return len(words) > 3 and sum(w[0].isupper() for w in words) > 0.6 * len(words)


def asked_back(title: str) -> list[tuple[str, str]]:
    """(question, answer) pairs that one headline can be asked back as: each figure and each
    name after the first word, cut out and a question word put in its place."""
    text = headline(title)
    if not text or _UNASKABLE.search(text) or _title_case(text):
        return []
    found = []
    for m in _FIGURE.finditer(text):
        figure, unit = m.group(1), (m.group(2) or "").strip()
        wh = "how much" if figure.startswith("$") else "how many"
        if unit in {"%", "percent"}:
            wh = "what percentage"
        found.append((m.start(), m.end(), wh, m.group(0).strip()))
    for m in _NAME.finditer(text):
        name = m.group(0).rstrip(".'’")
        opens = m.start() == 0 or text[: m.start()].rstrip().endswith(":")
        if opens and " " not in name:
            continue  # a headline's first word is capitalised whether or not it is a name
        found.append((m.start(), m.start() + len(name), "who" if opens else "which", name))
    pairs = []
    for start, end, wh, answer in found:
        if any(_CALENDAR.match(word) for word in answer.split()):
            continue
        if text[:start].lower().endswith("the "):
            start -= 4  # "across the Southeast" asks "across which"
        question = f"{text[:start]}{wh}{text[end:]}".strip().rstrip(".!:;,")
        pairs.append((question[:1].upper() + question[1:] + "?", answer))
    return pairs


def _named_in(body: str, answer: str) -> bool:
    """A name is asked for only if the body writes it with its capitals inside a sentence,
    where only a name keeps them ("Retired Teacher" may open a headline; the body says
    "retired teacher Mara Quint")."""
    if not answer[:1].isalpha():
        return True  # a figure
    inside = rf"(?<=[a-z,;] ){re.escape(answer)}(?![\w])"
    return re.search(inside, body) is not None


def _answers_it(sentence_text: str, question: str, answer: str) -> bool:
    """The sentence holds the answer and at least two more of the headline's words."""
    if not answer_is_correct(answer, sentence_text):
        return False
    shared = set(tokenize(question)) & set(tokenize(sentence_text)) - said_words(answer)
    return len(shared) >= MIN_SHARED_WORDS


def headline_pools(
    folder: str | Path, count: int, seed: int, avoid_questions: Iterable[str] = ()
) -> list[PoolQuestion]:
    """Up to `count` headline questions with pools, drawn (seeded) from the articles of the
    questions before none of `avoid_questions` was asked about (and of no question whose id
    is in `avoid_questions`: the ones the models learn from or are judged on)."""
    folder = Path(folder)
    avoid = set(avoid_questions)
    questions = list(read_rows(folder, "questions"))
    records = {str(r["id"]): r for r in read_rows(folder, "articles")}
    taken = {rid for q in questions if q["id"] in avoid for rid in q.get("search_result_ids") or ()}
    free = [q for q in questions if q["id"] not in avoid and q.get("search_result_ids")]
    rng = random.Random(seed)
    rng.shuffle(free)
    pools: list[PoolQuestion] = []
    used: set[str] = set()
    for q in free:
        ids = [rid for rid in q["search_result_ids"] if rid in records and rid not in taken]
        for rid in ids:
            if len(pools) >= count:
                return pools
            if rid in used:
                continue
            used.add(rid)
            pool = _pool_for(records, rid, ids, rng)
            if pool is not None:
                pools.append(pool)
    return pools


def _pool_for(
    records: dict, rid: str, beside: list[str], rng: random.Random
) -> PoolQuestion | None:
    record = records[rid]
    own = article_passages(record)
    asked = asked_back(str(record.get("title") or ""))
    rng.shuffle(asked)
    body = str(record.get("body") or "")
    for question, answer in asked:
        if not _named_in(body, answer) or not any(
            _answers_it(p.text, question, answer) for p in own
        ):
            continue
        others = [p for other in beside if other != rid for p in article_passages(records[other])]
        words = set(tokenize(question))
        # The article's own passages that share the most words, then the others' likewise.
        ranked = sorted(others, key=lambda p: -len(words & set(tokenize(p.text))))
        passages = sorted(own, key=lambda p: -len(words & set(tokenize(p.text))))[:4]
        passages += ranked[: PASSAGES_PER_QUESTION - len(passages)]
        return PoolQuestion(
            id=f"headline-{rid}",
            question=question,
            answer=answer,
            choices=[],
            question_date=record.get("published_at"),
            passages=passages,
            answerable=True,
            with_explanation=False,
        )
    return None


def trimmed(example: dict) -> dict | None:
    """A headline question's examples with the sentences that would teach it wrongly left
    out: those naming only part of the answer ("Quint" for "Mara Quint": an answer in other
    words, not a wrong one) and those holding it without two more of the headline's words
    (a mention, not an answer). None when no answer sentence is left."""
    answer_words = said_words(example["answer"])
    kept = []
    for c in example["candidates"]:
        if c["label"] and not _answers_it(c["text"], example["question"], example["answer"]):
            continue
        if not c["label"] and answer_words & said_words(c["text"]):
            continue
        kept.append(c)
    if not any(c["label"] for c in kept):
        return None
    return {**example, "candidates": kept}
