"""The reader's span head: where in the candidate sentence the answer is.

Trained beside the sentence score (crossencoder.py, `--span-weight`): for a sentence that
answers, its start and end tokens point at the answer's words; for one that does not, both
point at [CLS], as in SQuAD 2.0. The best span's score less the [CLS] score then says how
sure the reader is that the sentence holds a value that answers, and where it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

SENTENCE_MARK = " || "  # features.reader_text puts the candidate sentence after this
MAX_SPAN_TOKENS = 12


def mentions(answer: str) -> re.Pattern[str] | None:
    """A literal mention of the answer: any " / " alternative (quotes stripped, the longest
    first), whole words, any case; None for an empty answer."""
    names = [a.strip(" \"'“”‘’") for a in answer.split(" / ")]
    names = sorted((re.escape(n) for n in names if n), key=len, reverse=True)
    if not names:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(names)})(?!\w)", re.IGNORECASE)


def answer_chars(text: str, answer: str) -> tuple[int, int] | None:
    """The first literal mention of the answer inside the sentence part of a reader text;
    None where it names none literally (a number written otherwise, a plural)."""
    start = text.rfind(SENTENCE_MARK)
    start = start + len(SENTENCE_MARK) if start >= 0 else 0
    mention = mentions(answer)
    found = mention.search(text, start) if mention else None
    return (found.start(), found.end()) if found else None


def sentence_tokens(encoding, text: str) -> np.ndarray:  # noqa: ANN001 - tokenizers.Encoding
    """Which tokens are the candidate sentence's (the span head's choices, with [CLS])."""
    mark = text.rfind(SENTENCE_MARK)
    first = mark + len(SENTENCE_MARK) if mark >= 0 else 0
    pieces = zip(encoding.type_ids, encoding.offsets, strict=True)
    return np.array([t == 1 and e > s and s >= first for t, (s, e) in pieces], dtype=bool)


def token_targets(encoding, text: str, chars: tuple[int, int] | None) -> tuple[int, int] | None:  # noqa: ANN001
    """Start and end token of `chars` in the sentence; (0, 0) ([CLS]) for no answer; None
    where the answer's characters were cut off by truncation."""
    if chars is None:
        return (0, 0)
    allowed = sentence_tokens(encoding, text)
    inside = [i for i, (s, e) in enumerate(encoding.offsets)
              if allowed[i] and s < chars[1] and e > chars[0]]  # fmt: skip
    return (inside[0], inside[-1]) if inside else None


def in_sentence(chars: tuple[int, int] | None, text: str, sentence: str) -> tuple[int, int] | None:
    """`chars` of a reader text counted in its sentence (the text ends with it); None where
    they fall before it."""
    first = len(text) - len(sentence)
    if chars is None or chars[0] < first or not text.endswith(sentence):
        return None
    return chars[0] - first, chars[1] - first


def best_span(
    start: np.ndarray, end: np.ndarray, allowed: np.ndarray, max_tokens: int = MAX_SPAN_TOKENS
) -> tuple[float, int, int]:
    """The best (start <= end, at most `max_tokens` long) span among the allowed tokens:
    its score less the [CLS] score, and its first and last token (-1, -1 where none)."""
    idx = np.flatnonzero(allowed)
    null = float(start[0] + end[0])
    if not len(idx):
        return -30.0, -1, -1
    s, e = start[idx], end[idx]
    pair = s[:, None] + e[None, :]
    gap = idx[None, :] - idx[:, None]
    pair = np.where((gap >= 0) & (gap < max_tokens), pair, -np.inf)
    i, j = np.unravel_index(int(np.argmax(pair)), pair.shape)
    return float(pair[i, j]) - null, int(idx[i]), int(idx[j])


def span_scores(
    encodings: Sequence, texts: Sequence[str], span_logits: np.ndarray
) -> list[tuple[float, tuple[int, int] | None]]:
    """Per candidate: the best span's score against no answer (as trained: a decision
    column), and the characters in the text of the best span among words the question
    does not use (what is shown: the head, untaught so, sometimes points at a name the
    question already gives); None where no such token is left."""
    out = []
    for k, (enc, text) in enumerate(zip(encodings, texts, strict=True)):
        start, end = span_logits[k, :, 0], span_logits[k, :, 1]
        allowed = sentence_tokens(enc, text)
        score = best_span(start, end, allowed)[0]
        asked = [i for i, t in zip(enc.ids, enc.type_ids, strict=True) if t == 0]
        _, i, j = best_span(start, end, allowed & ~np.isin(np.asarray(enc.ids), asked))
        out.append((score, (enc.offsets[i][0], enc.offsets[j][1]) if i >= 0 else None))
    return out
