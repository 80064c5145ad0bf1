"""Collapsing copies of one wire story, without hiding a disagreement."""

from __future__ import annotations

from vectorstore.dedup import collapse_copies
from vectorstore.types import Passage


def _passage(article_id: str, text: str) -> Passage:
    return Passage(article_id + "-0", article_id, text, 0, len(text), "t", "s", None, None, 0.0)


STORY = "Flood waters forced 1,200 residents of Millbrook to leave their homes on Tuesday night."


def test_a_copy_of_a_higher_ranked_story_from_another_outlet_is_left_out():
    copy = STORY.replace("Tuesday night.", "Tuesday night, officials said.")
    other = _passage("c", "The Millbrook council will meet on Friday to discuss repairs.")
    kept = collapse_copies([_passage("a", STORY), _passage("b", copy), other])
    assert [p.article_id for p in kept] == ["a", "c"]
    # `search.copy_overlap` decides how alike the words must be: demanding all keeps both.
    kept = collapse_copies([_passage("a", STORY), _passage("b", copy), other], overlap=1.0)
    assert [p.article_id for p in kept] == ["a", "b", "c"]


def test_a_near_copy_with_another_figure_or_name_is_kept_as_the_other_side():
    figure = _passage("b", STORY.replace("1,200", "2,100"))
    name = _passage("c", STORY.replace("Millbrook", "Ashford"))
    kept = collapse_copies([_passage("a", STORY), figure, name])
    assert [p.article_id for p in kept] == ["a", "b", "c"]


def test_chunks_of_one_article_never_collapse_into_each_other():
    kept = collapse_copies([_passage("a", STORY), _passage("a", STORY)])
    assert len(kept) == 2


def test_word_for_word_copies_collapse_without_being_read_again(monkeypatch):
    from vectorstore import dedup

    read: list[str] = []
    real = dedup.tokenize
    monkeypatch.setattr(dedup, "tokenize", lambda text: read.append(text) or real(text))
    copies = [_passage(a, STORY) for a in ("a", "a", "b", "c", "d")]
    kept = collapse_copies(copies)
    assert [p.article_id for p in kept] == ["a", "a"]  # one article's chunks all stay
    assert len(read) == 2  # the copies from b, c and d were not tokenised
    # An overlap above 1 makes nothing a copy, word-for-word ones included.
    assert len(collapse_copies(copies, overlap=1.5)) == 5
