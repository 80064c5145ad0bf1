"""Round 21: where the answer span points, the span head against the rules' value.

    python docs/experiments/round-21-span-quality.py WORK/examples-dev.jsonl MODEL_DIR

Over every dev candidate sentence the examples label as answering whose text names the gold
answer literally: how often the shown span holds the gold answer (and is at most three times
its length plus 10 characters, so a whole clause does not count), for the span head of the
reader in MODEL_DIR and for `assistant.span.find_span` (the rules' value)."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.reader import examples as example_files
from assistant.reader.model import Reader
from assistant.reader.spans import SENTENCE_MARK, answer_chars
from assistant.span import find_span


def holds(span: tuple[int, int] | None, gold: tuple[int, int]) -> bool:
    if span is None or not (span[0] <= gold[0] and span[1] >= gold[1]):
        return False
    return span[1] - span[0] <= 3 * (gold[1] - gold[0]) + 10


def main(examples: Path, model: Path) -> None:
    reader = Reader(model)
    sentences = learned = rules = 0
    for q in example_files.read(examples):
        texts = [c["reader_text"] for c in q["candidates"] if c["label"]]
        if not texts:
            continue
        _, spans = reader.read(q["question"], texts)
        if spans is None:
            raise SystemExit(f"{model}: this reader has no span head")
        for text, (_, chars) in zip(texts, spans, strict=True):
            gold = answer_chars(text, q["answer"])
            if gold is None:
                continue
            first = text.rfind(SENTENCE_MARK) + len(SENTENCE_MARK)
            found = find_span(text[first:], q["question"], q["kind"])
            sentences += 1
            learned += holds(chars, gold)
            rules += holds((found[0] + first, found[1] + first) if found else None, gold)
    print(f"{sentences} answering sentences: the span head's span holds the answer in "
          f"{learned / sentences:.3f}, the rules' value in {rules / sentences:.3f}")  # fmt: skip


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
