"""What the model is shown: the best sentences of the retrieved passages, as small Passages with
exact article offsets; a sentence that leans on the one before it ("He said ...") brings it along.

Whole passages (8 x ~800 characters) make the prompt ~2,000 tokens: on a 2-core CPU that is
tens of seconds before the first token, and a 0.5B model loses the answer in them. A handful of
ranked excerpts keeps the prompt short and the answer in view; citations still point into the
articles because an excerpt is a Passage whose offsets are the article's. The sentence before is
added only where it is needed: always adding it made every excerpt two sentences, ~100 more
prompt tokens (0.7 s to the first token on 2 cores) for no more right answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from assistant.settings import ExcerptSettings
from ingest.text import sentence_spans
from vectorstore.types import Passage

# First words that point back to an earlier sentence for their subject or their sense.
_LEANING = {
    "he", "she", "it", "they", "this", "that", "these", "those", "his", "her", "its",
    "their", "there", "the", "but", "and", "however", "also", "so", "then", "such", "we",
    "i", "our", "meanwhile", "still",
}  # fmt: skip


def leans_on_previous(sentence: str, short_words: int = ExcerptSettings.short_words) -> bool:
    """It opens with a word that points back, or is short (under `short_words`: the settings'
    `llm.excerpts.short_words`): a short sentence rarely stands alone ("That was a record.")."""
    words = sentence.split()
    if len(words) < short_words:
        return True
    return words[0].strip("\"'“‘(").casefold() in _LEANING


def excerpts(
    ranked: Sequence[tuple[Passage, int, int]],
    limit: int,
    policy: ExcerptSettings | None = None,
) -> list[Passage]:
    """Up to `limit` excerpts from ranked (passage, start, end) sentences, best first;
    a sentence already inside an earlier excerpt adds nothing. `policy`: the settings'
    `llm.excerpts` (defaults when None)."""
    policy = policy or ExcerptSettings()
    out: list[Passage] = []
    for passage, start, end in ranked:
        if len(out) >= limit:
            break
        if any(e.article_id == passage.article_id and e.start <= start < e.end for e in out):
            continue
        begin = start
        sentence = passage.text[start - passage.start : end - passage.start]
        if leans_on_previous(sentence, policy.short_words):
            # Widen to the sentence before, within the passage: "He said ..." needs its subject.
            spans = sentence_spans(passage.text)
            previous = [passage.start + s for s, e in spans if passage.start + e <= start]
            begin = previous[-1] if previous else start
        text = passage.text[begin - passage.start : end - passage.start]
        out.append(dataclasses.replace(passage, text=text, start=begin, end=end))
    return out
