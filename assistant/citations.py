"""Citation checking: no citation leaves the assistant unless its quote is, character for
character, the stored article's text at its offsets.

An answerer may be wrong (a model, an offset bug); this check does not trust it. A citation
that fails is dropped together with the answer sentence that carried it, and the answer says so.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from assistant.types import Answer, Citation
from ingest.types import Article

_MARKER = re.compile(r"\s*\[(\d+)\]")


def quote_is_exact(citation: Citation, articles: Mapping[str, Article]) -> bool:
    article = articles.get(citation.article_id)
    if article is None or not citation.quote:
        return False
    if not (0 <= citation.start < citation.end <= len(article.text)):
        return False
    return article.text[citation.start : citation.end] == citation.quote


def verify_citations(answer: Answer, articles: Mapping[str, Article]) -> Answer:
    """Keep only exact citations, renumber them 1..n in order, and rewrite the markers."""
    if answer.abstained:
        return answer
    good = [c for c in answer.citations if quote_is_exact(c, articles)]
    dropped = {c.n for c in answer.citations} - {c.n for c in good}
    renumber = {c.n: i for i, c in enumerate(good, start=1)}
    text = answer.text
    if dropped:
        # Remove each sentence whose only support was a dropped citation.
        sentences = re.split(r"(?<=\])\s+", text)
        kept = [
            s
            for s in sentences
            if not (
                set(map(int, _MARKER.findall(s))) and set(map(int, _MARKER.findall(s))) <= dropped
            )
        ]
        text = " ".join(kept)
    text = _MARKER.sub(lambda m: f" [{renumber[int(m[1])]}]" if int(m[1]) in renumber else "", text)
    citations = [
        dataclasses.replace(c, n=renumber[c.n], sample=articles[c.article_id].sample) for c in good
    ]
    notes = list(answer.notes)
    if dropped:
        notes.append(
            f"{len(dropped)} citation(s) did not match the stored article and were removed"
        )
    if not citations:
        result = Answer.abstain(answer.question, answer.passages)
        result.rewritten_question = answer.rewritten_question
        result.notes = notes
        return result
    return dataclasses.replace(answer, text=text.strip(), citations=citations, notes=notes)
