"""Sentence spans and chunks are exact slices of the article text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import Article, ChunkingConfig, chunk_article
from ingest.text import sentence_spans


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_us_and_month_abbreviations_do_not_end_a_sentence():
    text = "The U.S. Navy said on Dec. 4 that two ships had docked. Crews went ashore."
    assert sentences(text) == [
        "The U.S. Navy said on Dec. 4 that two ships had docked.",
        "Crews went ashore.",
    ]


def test_a_time_abbreviation_followed_by_a_sentence_starter_ends_the_sentence():
    text = "The ferry left at 9 a.m. The crossing took an hour."
    assert sentences(text) == ["The ferry left at 9 a.m.", "The crossing took an hour."]


def test_a_paragraph_break_ends_a_headline_without_a_full_stop():
    text = "Harbour reopens\n\nBoats returned on Friday. Fishing resumed."
    assert sentences(text) == ["Harbour reopens", "Boats returned on Friday.", "Fishing resumed."]


PARAGRAPHS = [
    "City council approves new cycle lanes on the ring road after a long debate.",
    "Work will start in spring, officials said. The first stretch runs past the U.S. consulate.",
    "Residents of the old town asked for more crossings. The council agreed to review them.",
    "Shops on the main street worry about deliveries. A trial of loading bays begins in May.",
] * 6


def test_every_chunk_is_the_exact_slice_of_the_article_text_it_claims():
    article = Article(title="Cycle lanes approved", text="\n\n".join(PARAGRAPHS))
    chunks = chunk_article(article, ChunkingConfig(chunk_size=300, chunk_overlap=80))
    assert len(chunks) > 3
    for index, chunk in enumerate(chunks):
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert (chunk.article_id, chunk.index) == (article.id, index)
    assert chunks[-1].end == len(article.text)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="abc DEF.?!\n\"'", min_size=1, max_size=80), min_size=1, max_size=12)
)
def test_chunks_are_exact_slices_for_any_text(pieces):
    article = Article(title="t", text=" ".join(pieces))
    for chunk in chunk_article(article, ChunkingConfig(chunk_size=120, chunk_overlap=30)):
        assert article.text[chunk.start : chunk.end] == chunk.text
