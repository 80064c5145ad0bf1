"""The written answerer: a language model drafts, the support check decides what is shown.

    question + passages --(extractive gate)--> abstain, or
    --(model, streamed token by token)--> draft --(verify)--> answer with exact quotes.

The extractive answerer is the gate (when it finds nothing that answers, no model is asked and
nothing is guessed from its memory) and the fallback (model down, too slow, or nothing it
wrote is supported): the user is told which happened in `Answer.notes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property

from langchain_core.language_models import BaseChatModel

from assistant.extractive import ExtractiveAnswerer
from assistant.llm import prompts
from assistant.llm.excerpts import excerpts
from assistant.llm.verify import SupportChecker
from assistant.settings import ExcerptSettings
from assistant.types import Answer, last_answer
from ingest.text import TimeScope
from vectorstore.types import Passage

# Follow-ups that need the conversation: short, or pointing back with a pronoun.
_POINTING = {"it", "its", "they", "them", "their", "there", "that", "this", "those", "he", "she"}


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class LlmAnswerer:
    """Streams a model's draft, then yields the checked Answer."""

    def __init__(
        self,
        make_model: Callable[[], BaseChatModel],
        extractive: ExtractiveAnswerer,
        checker: SupportChecker,
        *,
        label: str,
        timeout_s: float = 120.0,
        max_passages: int = 4,
        excerpt_policy: ExcerptSettings | None = None,
    ) -> None:
        self._make_model = make_model
        self.extractive = extractive
        self.checker = checker
        self.name = label
        self.timeout_s = timeout_s
        self.max_passages = max_passages
        self.excerpt_policy = excerpt_policy or ExcerptSettings()

    @cached_property
    def model(self) -> BaseChatModel:
        return self._make_model()

    def answer(
        self, question: str, passages: Sequence[Passage], scope: TimeScope | None = None
    ) -> Answer:
        return last_answer(self.stream(question, passages, scope))

    def stream(
        self, question: str, passages: Sequence[Passage], scope: TimeScope | None = None
    ) -> Iterator[str | Answer]:
        """Yields the model's text as it is generated, then the checked Answer."""
        passages = list(passages)
        # One scoring serves both the abstention gate (and fallback) and the excerpts.
        scored = self.extractive.scored(question, passages)
        # The reader's order (where it is shipped) chooses the excerpts and its refusal
        # stands: no model is asked when the articles do not answer.
        ranked = self.extractive.rank(question, passages, scored)
        quoted = self.extractive.answer(question, passages, scope, ranked=ranked)
        if quoted.abstained:
            yield quoted
            return
        first = {id(c) for c in ranked}
        ordered = ranked + [c for c in scored if id(c) not in first]
        ranked = [(c.passage, c.start, c.end) for c in ordered]
        shown = excerpts(ranked, self.max_passages, self.excerpt_policy)
        draft: list[str] = []
        try:
            deadline = time.monotonic() + self.timeout_s
            for chunk in self.model.stream(prompts.answer_messages(question, shown)):
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if piece:
                    draft.append(piece)
                    yield piece
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {self.timeout_s:g} s")
        except Exception as exc:  # the endpoint is outside our control: any failure falls back
            yield self._fallback(quoted, f"the language model failed ({_reason(exc)})")
            return
        text = "".join(draft).strip()
        if not text or prompts.NO_ANSWER.casefold() in text.casefold():
            answer = Answer.abstain(question, passages)
            answer.notes.append(f"{self.name} found no answer in the passages")
            yield answer
            return
        # Markers may name only the excerpts shown; any retrieved passage may back a re-cite.
        checked = self.checker.check(
            text, [*shown, *passages], citable=len(shown), question=question
        )
        if not checked.citations:
            reason = "nothing the language model wrote is supported by the articles"
            yield self._fallback(quoted, reason, checked.notes)
            return
        notes = [f"written by {self.name}; every sentence checked against the articles"]
        yield Answer(
            question=question,
            text=checked.text,
            citations=checked.citations,
            passages=passages,
            notes=notes + checked.notes,
        )

    def _fallback(self, quoted: Answer, reason: str, notes: Sequence[str] = ()) -> Answer:
        quoted.notes = [*notes, f"{reason}: the answer quotes the articles instead", *quoted.notes]
        return quoted

    def rewrite(self, question: str, earlier: Sequence[str]) -> str | None:
        """The follow-up as a standalone question, written by the model; None when the
        question stands alone or the model fails (the rule-based rewrite is used then)."""
        words = question.casefold().replace("?", " ").split()
        if not earlier or (len(words) >= 6 and not _POINTING & set(words)):
            return None
        try:
            reply = self.model.invoke(prompts.rewrite_messages(question, earlier))
        except Exception:  # rewriting is a convenience: the rule takes over
            return None
        text = reply.content if isinstance(reply.content, str) else ""
        lines = [line.strip(" -\"'") for line in text.strip().splitlines() if line.strip()]
        if not lines or len(lines[0]) > 300 or lines[0].casefold() == question.casefold():
            return None
        return lines[0]
