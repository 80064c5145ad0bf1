"""The answerer contract: every answerer answers, streams and rewrites follow-ups (the
application calls all three, probing for none), and one that only quotes gets the plain
versions."""

from __future__ import annotations

from assistant.app import Newsdesk
from assistant.extractive import ExtractiveAnswerer
from assistant.llm.answerer import LlmAnswerer
from assistant.types import Answer, Answerer
from vectorstore.types import Passage


def test_every_answerer_offers_answer_stream_and_rewrite():
    wanted = [name for name in vars(Answerer) if name in ("answer", "stream", "rewrite")]
    assert sorted(wanted) == ["answer", "rewrite", "stream"]
    for answerer in (ExtractiveAnswerer, LlmAnswerer):
        assert all(callable(getattr(answerer, name, None)) for name in wanted), answerer


def test_a_quoting_answerer_streams_its_answer_alone_and_leaves_follow_ups_to_the_rule(
    embedder, make_app
):
    text = "The harbor ferry now runs every twenty minutes, the port authority said."
    passage = Passage("p-0", "p", text, 0, len(text), "Ferry", "Dock News", None, None, 1.0)
    answerer = ExtractiveAnswerer(embedder, lambda token: 1.0)
    streamed = list(answerer.stream("How often does the harbor ferry run?", [passage]))
    assert len(streamed) == 1 and isinstance(streamed[0], Answer)
    assert "twenty minutes" in streamed[0].text
    assert answerer.rewrite("and in winter?", ["How often does the ferry run?"]) is None
    app: Newsdesk = make_app()
    assert app.rewrite_question("and in Iraq?", ["How many US troops are in Syria?"]) == (
        "How many US troops are in Iraq?"
    )
