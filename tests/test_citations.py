"""The citation check every answer passes before it leaves the assistant: a quote must equal
the stored article's text at its offsets, or it goes, with the sentence it backs."""

from __future__ import annotations

from assistant.citations import verify_citations
from assistant.types import Answer, Citation
from ingest.types import Article

BRIDGE = Article(
    title="Footbridge shut for repairs",
    text="The Mill Lane footbridge was shut on Monday.\n\nAbout 18,000 vehicles pass under it "
    "each day, the works office said.",
    source="Town Crier",
    published_at="2024-05-10",
)


def test_a_citation_that_does_not_match_the_article_is_removed_with_its_sentence():
    good = Citation(1, BRIDGE.id, BRIDGE.title, "", None, None, "About 18,000 vehicles", 0, 0)
    start = BRIDGE.text.index("About 18,000")
    good = Citation(1, BRIDGE.id, BRIDGE.title, "", None, None, good.quote, start, start + 21)
    bad = Citation(2, BRIDGE.id, BRIDGE.title, "", None, None, "Invented claim.", 0, 15)
    answer = Answer("q", "About 18,000 vehicles [1] Invented claim. [2]", [good, bad])
    checked = verify_citations(answer, {BRIDGE.id: BRIDGE})
    assert checked.text == "About 18,000 vehicles [1]"
    assert [c.n for c in checked.citations] == [1]
    assert checked.notes


def test_an_answer_whose_citations_all_fail_becomes_a_refusal():
    bad = Citation(1, "missing", "t", "", None, None, "x", 0, 1)
    checked = verify_citations(Answer("q", "Claim. [1]", [bad]), {})
    assert checked.abstained and checked.citations == []
