"""A briefing written by the real bundled model (`newsdesk llm-server`): each event's text is
the model's, every sentence checked as a written answer's are, every marker naming a quote
that is the stored text at its offsets; the differences stay quoted."""

from __future__ import annotations

import re
from datetime import date

from tests.stories_corpus import GARRISON, SANCTIONS

TOPIC = "Iran-backed militias"


def test_with_a_language_model_the_events_are_written_and_every_sentence_cited(
    make_app, llm_server, with_llm
):
    # The small model on two cores takes tens of seconds an event: the budget is raised.
    base = make_app(**{"brief.max_seconds": 900})
    base.store.add_articles([*GARRISON, *SANCTIONS])
    app = with_llm(base, backend="openai", base_url=llm_server, model="local-0.5b")
    briefing = app.brief(TOPIC, since=date(2023, 11, 1), until=date(2023, 11, 10))
    assert [e.date for e in briefing.events] == ["2023-11-02", "2023-11-08"], briefing.notes
    written = [e for e in briefing.events if e.written is not None]
    assert written, briefing.to_dict()
    assert any("written by the language model" in n for n in briefing.notes)
    for event in briefing.events:
        numbers = {c.n for c in event.citations}
        assert {int(n) for n in re.findall(r"\[(\d+)\]", event.text)} <= numbers
        for c in event.all_citations:
            assert base.article(c.article_id).text[c.start : c.end] == c.quote
    assert [c.n for c in briefing.citations] == list(range(1, len(briefing.citations) + 1))
    assert any(d.kind == "disagreement" for d in briefing.events[0].differences)
