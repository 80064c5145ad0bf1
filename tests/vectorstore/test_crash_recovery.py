"""SIGKILL an ingest at seeded moments, re-run it, and get exactly what a clean ingest gives.

The killed runs are real `newsdesk ingest` processes, stopped by the fault switch right after
a chosen write to Chroma (NEWSDESK_FAULT_AFTER_WRITES) or after a wall-clock delay; the
longer random version is `python -m bench.crash_soak --rounds N`.
"""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest

from assistant.app import Newsdesk
from assistant.settings import load_settings
from bench.crash_soak import (
    BATCH,
    killed_ingest,
    prepare,
    snapshot,
    visible_problems,
)
from vectorstore.integrity import check_store
from vectorstore.records import SUPERSEDED

pytestmark = pytest.mark.slow
SEED = 8


def _app(data_dir: Path, embedder) -> Newsdesk:
    overrides = {"data_dir": data_dir, "sample_corpus": False, "ingest.batch_chunks": BATCH}
    return Newsdesk(load_settings(overrides=overrides, environ={}), embedder=embedder)


def test_an_ingest_killed_at_seeded_moments_then_rerun_equals_a_clean_ingest(
    tmp_path: Path, embedder
):
    corpus, older = prepare(tmp_path, 30)
    clean = _app(tmp_path / "clean", embedder)
    clean.ingest([older])
    clean.ingest([corpus])
    expected = snapshot(clean.store)
    assert len(expected["articles"]) == 30 and expected["duplicate_chunk_ids"] == 0

    data_dir = tmp_path / "killed"
    _app(data_dir, embedder).ingest([older])
    rng = random.Random(SEED)
    # Writes: 2 per batch of 4 chunks, then 3 per replaced article (mark its chunks, delete
    # the record, delete the chunks), then the stamps. Kill inside the batches, inside the
    # replacements, and at a seeded time.
    points = [
        {"writes": rng.randint(2, 14), "delay": None},
        {"writes": 18, "delay": None},
        {"writes": None, "delay": rng.uniform(4.0, 9.0)},
    ]
    for point in points:
        status = killed_ingest(corpus, data_dir, **point)
        assert status == -9 or point["delay"] is not None, point
        # What any reader sees between the crash and the re-run: only whole articles.
        assert visible_problems(_app(data_dir, embedder).store) == [], point

    app = _app(data_dir, embedder)
    seen_while_rerun: list[str] = []
    done = threading.Event()

    def reader() -> None:
        # Questions asked during the re-run only ever cite chunks of whole, recorded articles.
        while not done.is_set():
            try:
                passages = app.store.search("cases counted by officials", k=8)
            except Exception as exc:  # a search that fails mid-write is a failure too
                seen_while_rerun.append(repr(exc))
                continue
            for passage in passages:
                article = app.store.get_article(passage.article_id)
                if article is None or article.text[passage.start : passage.end] != passage.text:
                    seen_while_rerun.append(passage.chunk_id)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        app.ingest([corpus])
    finally:
        done.set()
        thread.join()
    assert seen_while_rerun == []
    assert snapshot(app.store) == expected
    assert check_store(app.store).ok


def test_a_replacement_cut_between_its_two_deletes_is_finished_by_the_rerun(tmp_path, embedder):
    corpus, older = prepare(tmp_path, 4)
    app = _app(tmp_path / "store", embedder)
    app.ingest([older])
    old_ids = [a.id for a, _ in app.store.article_records()]
    app.ingest([corpus])
    # Put back one old version's chunks without its record: the state a kill leaves between
    # deleting the record and deleting the chunks (marked as a removal's, as it marks them).
    stale = _app(tmp_path / "stale", embedder)
    stale.ingest([older])
    rows = [r for r in stale.store.chunk_records() if r[2]["article_id"] == old_ids[0]]
    chunks, _ = app.store.collections()
    chunks.add(
        ids=[r[0] for r in rows],
        documents=[r[1] for r in rows],
        metadatas=[{**r[2], SUPERSEDED: True} for r in rows],
        embeddings=embedder.embed_documents([r[1] for r in rows]),
    )
    assert check_store(app.store).orphan_chunks == [r[0] for r in rows]
    app.ingest([corpus])
    assert check_store(app.store).ok
