"""What the model is shown: the best sentences of the retrieved passages, each with the sentence
before it for context, as small Passages with exact article offsets.

Whole passages (8 x ~800 characters) make the prompt ~2,000 tokens: on a 2-core CPU that is
tens of seconds before the first token, and a 0.5B model loses the answer in them. A handful of
ranked excerpts keeps the prompt short and the answer in view; citations still point into the
articles because an excerpt is a Passage whose offsets are the article's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ingest.text import sentence_spans
from vectorstore.types import Passage


def excerpts(ranked: Sequence[tuple[Passage, int, int]], limit: int) -> list[Passage]:
    """Up to `limit` excerpts from ranked (passage, start, end) sentences, best first;
    a sentence already inside an earlier excerpt adds nothing."""
    out: list[Passage] = []
    for passage, start, end in ranked:
        if len(out) >= limit:
            break
        if any(e.article_id == passage.article_id and e.start <= start < e.end for e in out):
            continue
        # Widen to the sentence before, within the passage: "He said ..." needs its subject.
        spans = [(passage.start + s, passage.start + e) for s, e in sentence_spans(passage.text)]
        previous = [s for s, e in spans if e <= start]
        begin = previous[-1] if previous else start
        text = passage.text[begin - passage.start : end - passage.start]
        out.append(dataclasses.replace(passage, text=text, start=begin, end=end))
    return out
