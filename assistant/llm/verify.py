"""The sentence-level support check for written answers (method: docs/design.md; thresholds:
the settings' `llm.check`, named below by their field).

Each sentence of a model's answer must be backed by one sentence of the passages it cites, or
by two when it cites two passages and each holds `min_part` of its words; failing that, by one
sentence of any retrieved passage (it is re-cited). Backed means:
  - every number in it appears in the backing sentences,
  - every name in it (a capitalised word that is not a stopword) appears there too,
  - no number is tied to a name that the backing text ties to a different number only
    (clauses split at punctuation and "and"/"but"/"while"),
  - at least `min_coverage` of its content words appear there (the harness's own rule),
  - at least `min_whole` of all its words, the question's included, appear there, and
  - its meaning is close: embedding cosine to the best backing sentence >= `min_similarity`.
Words, names and numbers of the question itself are its premise, not the answer's claim: they
are left out of the coverage count and the name/number tests ("TikTok ... could take effect
on January 19" states one fact, "January 19"), but the whole sentence, question words
included, must still be close in meaning to the backing sentence, and a sentence that adds
nothing to the question states nothing. A fragment (under `fragment_words` content words:
"Los Angeles County") is compared in meaning as the question's answer: question and fragment
embedded together, and the question's names (its first word aside) must be in the text the
backing sentence was read from (the excerpt the model was shown, or the retrieved passage),
since a bare answer asserts the whole question ("Delta Air Lines" for "which airline had a
near collision on a Chicago runway?" is refused against a passage on a Toronto crash).
A sentence needs `min_words` content words to be a claim at all; a sentence of an article
under `min_backing_words` words, or one that gives an AI orders ("ignore previous
instructions ..."), never backs anything.
A sentence that nothing backs is dropped (or kept, marked unsupported, uncited, per setting).
Each citation quotes the backing sentence with its exact article offsets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.llm.prompts import addresses_the_model
from assistant.settings import CheckSettings
from assistant.support import words_supported
from assistant.types import Citation
from ingest.text import CAPITALISED, parse_question, sentence_spans, tokenize
from vectorstore.embeddings import Embedder
from vectorstore.types import Passage

UNSUPPORTED_MARK = "(not supported by the articles)"

_MARKER = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")
# A sentence ends at . ! ? (not inside "U.S." or "3.5") followed by space and a new start.


@dataclass(frozen=True)
class Claim:
    """One sentence of a written answer, its text without markers and the numbers it cites."""

    text: str
    cited: tuple[int, ...]


def split_claims(answer: str) -> list[Claim]:
    """The answer's sentences with their [n] markers ("[1][2]", "[1, 2]", a marker after the
    full stop: all belong to the sentence they follow)."""
    text = " ".join(answer.split())
    pieces: list[str] = []
    # Split as articles are (abbreviations such as "Dr." and "Jan." end no sentence).
    for piece in (text[s:e] for s, e in sentence_spans(text)):
        # Markers opening a piece belong to the sentence before it.
        lead = re.match(r"(?:\s*\[[\d,\s]+\])+", piece)
        if pieces and lead:
            pieces[-1] += " " + lead[0]
            piece = piece[lead.end() :]
        if piece.strip():
            pieces.append(piece)
    claims = []
    for piece in pieces:
        cited = [int(n) for m in _MARKER.findall(piece) for n in re.split(r"\s*,\s*", m)]
        bare = re.sub(r"\s+([.!?,;:])", r"\1", " ".join(_MARKER.sub("", piece).split()))
        if bare:
            claims.append(Claim(bare, tuple(dict.fromkeys(cited))))
    return claims


@dataclass
class _Sentence:
    passage: Passage
    number: int
    start: int
    end: int
    text: str
    words: set[str]
    vector: np.ndarray | None = None


@dataclass
class Checked:
    """The checked answer: kept sentences with renumbered markers, their citations, notes."""

    text: str
    citations: list[Citation]
    notes: list[str] = field(default_factory=list)
    kept: int = 0
    recited: int = 0
    removed: int = 0
    invalid_markers: int = 0


def _numbers(words: Sequence[str]) -> set[str]:
    return {w for w in words if w[0].isdigit()}


def _names(claim: str) -> set[str]:
    return set(tokenize(" ".join(CAPITALISED.findall(claim))))


_CLAUSE = re.compile(r",(?!\d)|[;:()]|\s(?:and|but|while|whereas|compared with|against)\s")


@dataclass(frozen=True)
class Premise:
    """What the question takes as given: its content words, and the names it is about (the
    extractive answerer's reading, so that "Japanese" in "which Japanese city" describes the
    answer on both paths and is not demanded of the passage)."""

    words: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, question: str) -> Premise:
        asked = parse_question(question)
        return cls(asked.words, asked.names)


def _context(backing: Sequence[_Sentence]) -> set[str]:
    """The words of the texts the backing sentences were read from: for a sentence the model
    was shown, its excerpt (what the model had in view), else the retrieved passage."""
    return set().union(*(set(tokenize(s.passage.text)) for s in backing))


def _misbound(claim: str, backing: Sequence[str]) -> bool:
    """True when the claim ties a number to a name that the backing text ties to another
    number only, while that number goes with another name: "2,500 troops in Syria" from
    "900 troops in Syria and 2,500 in Iraq"."""
    numbers, names = _numbers(tokenize(claim)), _names(claim)
    pieces = [c.strip() for text in backing for c in _CLAUSE.split(text) if c.strip()]
    clauses = [(set(tokenize(c)), _names(" " + c)) for c in pieces]
    for number in numbers:
        others = set().union(*(n for words, n in clauses if number in words)) - names
        for name in names:
            together = any(number in words and name in words for words, _ in clauses)
            elsewhere = any(name in words and _numbers(words) - {number} for words, _ in clauses)
            if elsewhere and not together and others:
                return True
    return False


class SupportChecker:
    def __init__(
        self,
        embedder: Embedder,
        *,
        policy: CheckSettings | None = None,
        unsupported: str = "drop",
    ) -> None:
        """`policy`: the thresholds (the settings' `llm.check`; defaults when None)."""
        self.embedder = embedder
        self.policy = policy or CheckSettings()
        self.unsupported = unsupported

    def _is_fragment(self, words: Sequence[str]) -> bool:
        """Too few content words to stand alone: its meaning is read with the question."""
        return len(words) < self.policy.fragment_words

    def check(
        self,
        answer: str,
        passages: Sequence[Passage],
        citable: int | None = None,
        question: str = "",
    ) -> Checked:
        """Check `answer` to `question` against `passages`; markers may cite only
        1..`citable` (the passages the model was shown), any retrieved passage may back a
        re-cited sentence."""
        citable = len(passages) if citable is None else citable
        premise = Premise.of(question)
        claims = split_claims(answer)
        sentences = self._sentences(passages)
        if claims and sentences:
            meant = [
                f"{question} {c.text}" if self._is_fragment(tokenize(c.text)) else c.text
                for c in claims
            ]
            vectors = self.embedder.embed_documents(meant + [s.text for s in sentences])
            for s, v in zip(sentences, vectors[len(claims) :], strict=True):
                s.vector = v
        else:
            vectors = np.zeros((len(claims), 1))
        out = Checked(text="", citations=[])
        numbering: dict[tuple[str, int], int] = {}
        parts: list[str] = []
        said: set[str] = set()
        for claim, vector in zip(claims, vectors, strict=False):
            if claim.text.casefold() in said:
                continue  # a small model may repeat itself: say each thing once
            said.add(claim.text.casefold())
            valid = [n for n in claim.cited if 1 <= n <= citable]
            out.invalid_markers += len(claim.cited) - len(valid)
            cited_pool = [s for s in sentences if s.number in valid]
            backing = self._backing(claim.text, vector, cited_pool, premise, pairs=len(valid) > 1)
            if backing is None:
                # Re-citing finds one sentence that says it all: pairs only as the model cited.
                backing = self._backing(claim.text, vector, sentences, premise, pairs=False)
                if backing is not None:
                    out.recited += 1
            if backing is None:
                out.removed += 1
                if self.unsupported == "mark":
                    parts.append(f"{claim.text} {UNSUPPORTED_MARK}")
                continue
            markers = []
            for s in backing:
                key = (s.passage.article_id, s.start)
                if key not in numbering:
                    numbering[key] = len(numbering) + 1
                    out.citations.append(
                        Citation.quoting(numbering[key], s.passage, s.start, s.end, s.text)
                    )
                markers.append(f"[{numbering[key]}]")
            parts.append(f"{claim.text} {''.join(markers)}")
            out.kept += 1
        out.text = " ".join(parts)
        if out.recited:
            out.notes.append(f"{out.recited} sentence(s) re-cited to the passage backing them")
        if out.removed:
            what = "marked" if self.unsupported == "mark" else "removed"
            out.notes.append(f"{out.removed} sentence(s) not supported by the articles were {what}")
        if out.invalid_markers:
            out.notes.append(f"{out.invalid_markers} marker(s) naming no given passage ignored")
        return out

    def supports(
        self,
        claim: str,
        vector: np.ndarray,
        backing: Sequence[_Sentence],
        premise: Premise = Premise(),
    ) -> bool:
        """Whether `backing` supports `claim` as an answer to the question of `premise`."""
        p = self.policy
        words = tokenize(claim)
        if len(words) < p.min_words:
            return False  # "Sure." or a lone word states nothing an article could back
        stated = [w for w in words if w not in premise.words]
        if not stated:
            return False  # the question said back: no answer in it
        available = set().union(*(s.words for s in backing))
        if not _names(claim) - premise.words <= available:
            return False
        if not words_supported(stated, available, p.min_coverage):
            return False
        # The premise excuses the question's words, not their link to the answer: the backing
        # must hold enough of the whole sentence that the new words are said of the same
        # thing ("the new owner of <estate> is <a name from another sentence>" is not).
        if len(set(words) & available) / len(set(words)) < p.min_whole:
            return False
        if _misbound(claim, [s.text for s in backing]):
            return False
        if self._is_fragment(words) and not premise.names <= _context(backing):
            # A bare answer ("Delta Air Lines") asserts the whole question of itself: its
            # names ("... on a Chicago runway") must be where the answer was found.
            return False
        best = max(float(vector @ s.vector) for s in backing if s.vector is not None)
        return best >= p.min_similarity

    def _backing(
        self,
        claim: str,
        vector: np.ndarray,
        pool: Sequence[_Sentence],
        premise: Premise,
        *,
        pairs: bool = True,
    ) -> list[_Sentence] | None:
        """The one sentence, or failing that (when `pairs`) the pair, of `pool` that supports
        `claim`. Each of a pair must hold `min_part` of the claim's words on its own: a claim
        glued together from scraps of two sentences ("the new owner ... is <a name from
        elsewhere>") is not supported by either."""
        if not pool:
            return None
        words = set(tokenize(claim))

        def gain(s: _Sentence, have: set[str]) -> tuple[int, float]:
            return (len(words & (s.words | have)), float(vector @ s.vector))

        ranked = sorted(pool, key=lambda s: gain(s, set()), reverse=True)
        for first in ranked[: self.policy.tried_alone]:
            if self.supports(claim, vector, [first], premise):
                return [first]
        first = ranked[0]
        part = self.policy.min_part * len(words)
        rest = [s for s in pool if s is not first and len(words & s.words) >= part]
        if pairs and rest and len(words & first.words) >= part:
            second = max(rest, key=lambda s: gain(s, first.words))
            if self.supports(claim, vector, [first, second], premise):
                return [first, second]
        return None

    def _sentences(self, passages: Sequence[Passage]) -> list[_Sentence]:
        seen: set[tuple[str, int]] = set()
        out = []
        for number, p in enumerate(passages, start=1):
            for s, e in sentence_spans(p.text):
                key = (p.article_id, p.start + s)
                text = p.text[s:e]
                short = len(text.split()) < self.policy.min_backing_words
                if key in seen or short or addresses_the_model(text):
                    continue
                seen.add(key)
                out.append(
                    _Sentence(p, number, p.start + s, p.start + e, text, set(tokenize(text)))
                )
        return out
