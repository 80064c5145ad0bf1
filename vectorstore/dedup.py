"""Near-identical passages: the same wire story carried by several outlets.

Ten copies of one story fill a top-10 with one fact; collapsing them leaves room for other
stories. Two passages are copies only when they share nearly all their words and state the
very same names and numbers: a copy with another figure or another name is not a copy but a
disagreement, and both sides must stay visible.
"""

from __future__ import annotations

from collections.abc import Iterable

from ingest.text import CAPITALISED, FIGURE, tokenize
from vectorstore.types import Passage


def _facts(text: str) -> frozenset[str]:
    """The names and figures a passage states, as written."""
    return frozenset(m.rstrip(".,") for m in CAPITALISED.findall(text) + FIGURE.findall(text))


def collapse_copies(
    passages: Iterable[Passage], limit: int | None = None, overlap: float = 0.8
) -> list[Passage]:
    """The passages in order, each copy of a higher-ranked passage from another article left
    out (chunks of one article never collapse into each other); the first `limit` of them
    (the rest are not read: tokenising a hundred fused candidates cost ~40 ms a search).
    `overlap`: the share of words (Jaccard) above which two passages with the same names and
    numbers are copies (`search.copy_overlap`)."""
    kept: list[tuple[Passage, set[str], frozenset[str]]] = []
    # The articles each kept text came from: a passage whose very text another article's
    # kept passage has is a copy without tokenising it (same words, same facts), which is
    # most of a search's copies of a wire story.
    kept_texts: dict[str, set[str]] = {}
    for passage in passages:
        if limit is not None and len(kept) >= limit:
            break
        others = kept_texts.get(passage.text, set()) - {passage.article_id}
        if others and overlap <= 1:
            continue
        words, facts = set(tokenize(passage.text)), _facts(passage.text)
        is_copy = any(
            other.article_id != passage.article_id
            and facts == other_facts
            and len(words & other_words) >= overlap * len(words | other_words)
            for other, other_words, other_facts in kept
        )
        if not is_copy:
            kept.append((passage, words, facts))
            kept_texts.setdefault(passage.text, set()).add(passage.article_id)
    return [p for p, _, _ in kept]
