"""When quotes support a sentence: one definition, shared by the written-answer checker
(assistant/llm/verify.py, which adds stricter checks of its own: names, the whole sentence,
meaning) and the evaluation's support metric (assistant/evaluation/metrics.py)."""

from __future__ import annotations

from collections.abc import Sequence, Set

# Quotes support a sentence when they hold at least this share of the words it states beyond
# the question's own, every number among them (a number is the fact most often wrong).
SUPPORT_SHARE = 0.8


def words_supported(
    stated: Sequence[str], available: Set[str], share: float = SUPPORT_SHARE
) -> bool:
    """Every number of `stated` (content words, at least one) is in `available`, and at
    least `share` of its words are."""
    if any(w[0].isdigit() and w not in available for w in stated):
        return False
    return sum(1 for w in stated if w in available) / len(stated) >= share
