"""The mapped BM25 index ranks as the in-memory bm25s index did and filters as Chroma does."""

from __future__ import annotations

import os
import random
from datetime import date
from pathlib import Path

import bm25s
import numpy as np
import pytest

from ingest.text.tokens import tokenize
from vectorstore.lexical_cache import build_index, load_index
from vectorstore.records import matches
from vectorstore.types import SearchFilters

WORDS = (
    "harbour glacier council budget 62 metres vote minister river rail strike wage pay bank "
    "rate 2024 election Quillmore Vardbreen beehives ferry tariff café naïve 3.5% drought"
).split()
OUTLETS = ("Mountain Post", "Town Crier", "Harbour Gazette")


def _rows(count: int, seed: int = 5) -> list[tuple[str, str, dict]]:
    """Chunks the tests write themselves: uneven lengths, repeated words, undated ones."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 60)))
        meta = {
            "title": f"{rng.choice(WORDS).title()} report {i % 7}",
            "article_id": f"article-{i // 3}",
            "start": 0,
            "end": len(text),
            "source_key": OUTLETS[i % 3].casefold(),
        }
        if i % 11:
            meta["published_day"] = 20240101 + (i % 28)
        rows.append((f"article-{i // 3}:{i % 3}", text, meta))
    return rows


def _bm25s(rows: list[tuple[str, str, dict]]) -> bm25s.BM25:
    """The index Newsdesk kept in memory before: bm25s over each chunk's title and text."""
    reference = bm25s.BM25()
    reference.index([tokenize(f"{m['title']}\n{t}") for _, t, m in rows], show_progress=False)
    return reference


def test_every_chunk_scores_exactly_as_the_in_memory_bm25s_index_did(tmp_path: Path):
    rows = _rows(600)
    index = build_index(iter(rows), "g1", tmp_path / "bm25.idx")  # a generator: streamed
    reference = _bm25s(rows)
    queries = [*WORDS, "harbour glacier", "vote vote bank", "62 metres in 2024", "Report 3"]
    for query in queries:
        expected = np.asarray(reference.get_scores(tokenize(query)), dtype=np.float32)
        assert np.array_equal(index.scores(query), expected), query
        top = index.top(query, 10)
        assert [score for _, score in top] == sorted(expected[expected > 0], reverse=True)[:10]
        tenth = top[-1][1] if len(top) == 10 else 0.0
        assert {row for row, score in top if score > tenth} == set(np.flatnonzero(expected > tenth))
    assert index.scores("words nobody wrote") is None
    assert [index.chunk_id(row) for row in range(3)] == [cid for cid, _, _ in rows[:3]]


def test_word_weights_are_bm25_idf_over_the_chunks(tmp_path: Path):
    rows = _rows(90)
    index = build_index(iter(rows), "g1", tmp_path / "bm25.idx")
    having = sum("glacier" in tokenize(f"{m['title']}\n{t}") for _, t, m in rows)
    assert index.idf("glacier") == pytest.approx(np.log(1 + (90 - having + 0.5) / (having + 0.5)))
    assert index.idf("absent") > index.idf("glacier")


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(sources=("Town Crier",)),
        SearchFilters(sources=("harbour gazette", "Nowhere News")),
        SearchFilters(published_after=date(2024, 1, 10), published_before=date(2024, 1, 20)),
        SearchFilters(published_before=date(2024, 1, 5)),
        SearchFilters(published_after=date(2024, 1, 25), sources=("Mountain Post",)),
        SearchFilters(exclude_articles=frozenset({"article-4", "article-30"})),
    ],
    ids=["outlet", "outlet-any-case", "date-range", "before-only", "date-and-outlet", "exclude"],
)
def test_filters_select_the_chunks_chromas_where_clause_selects(tmp_path: Path, filters):
    rows = _rows(300)
    index = build_index(iter(rows), "g1", tmp_path / "bm25.idx")
    expected = [matches(meta, filters) for _, _, meta in rows]
    assert index.allowed(filters).tolist() == expected
    assert any(expected) and not all(expected)


def test_the_index_file_keeps_no_chunk_text_and_reopens_at_its_generation_only(tmp_path: Path):
    rows = _rows(50)
    rows[7] = (rows[7][0], "The ferry tariff rose by 3.5% in the drought.", rows[7][2])
    path = tmp_path / "bm25.idx"
    build_index(iter(rows), "g1", path)
    assert b"ferry tariff rose" not in path.read_bytes()
    assert load_index(path, "g2") is None  # another generation: stale
    reopened = load_index(path, "g1")
    assert reopened.chunk_id(reopened.top("ferry tariff rose", 1)[0][0]) == rows[7][0]


def test_an_empty_store_gives_an_empty_index_that_answers_nothing(tmp_path: Path):
    index = build_index(iter([]), "g0", tmp_path / "bm25.idx")
    assert len(index) == 0 and index.top("glacier", 5) == [] and index.newest_day() == 0
    assert load_index(tmp_path / "bm25.idx", "g0") is not None


def test_chunk_ids_and_rows_map_both_ways_whatever_the_ids_lengths(tmp_path: Path):
    rows = [(f"{'x' * (i % 5)}chunk-{i}-é", "glacier text", {"article_id": "a"}) for i in range(40)]
    index = build_index(iter(rows), "g1", tmp_path / "bm25.idx")
    picked = np.array([39, 0, 7, 12, 7])
    assert index.chunk_ids(picked) == [rows[i][0] for i in picked]
    assert index.rows([rows[5][0], "no-such-chunk", rows[33][0]]).tolist() == [5, -1, 33]


def test_a_build_killed_midway_leaves_scratch_that_the_next_build_removes(tmp_path: Path):
    import subprocess
    import sys

    path = tmp_path / "bm25.idx"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    abandoned = tmp_path / f"bm25.idx.{dead}.k1ll3d"
    abandoned.mkdir()
    (abandoned / "pair_terms").write_bytes(b"\0" * 64)
    running = tmp_path / f"bm25.idx.{os.getpid()}.busy"  # a live process's build: kept
    running.mkdir()
    index = build_index(iter(_rows(10)), "g1", path)
    assert len(index) == 10 and not abandoned.exists() and running.exists()
