"""Damage below the records, made on real files of a real embedded store: `newsdesk check`
and /readyz report it, and `check --repair` mends what can be mended.

Chroma keeps a collection's newest vectors in its write-ahead log and writes them to the HNSW
files of the collection's segment folder (header.bin, data_level0.bin, length.bin,
link_lists.bin) every 1000 records, so the store here holds exactly 1000 chunks: all of them
in those files, none left in the log.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from assistant.api import create_app
from assistant.app import Newsdesk
from assistant.cli import main
from assistant.settings import load_settings
from ingest.types import Article
from tests.api.conftest import local_client
from vectorstore.health import CHECK_SAMPLES, READY_SAMPLES, _probe_dense

pytestmark = pytest.mark.slow

FLUSHED = 1000  # Chroma's default hnsw sync_threshold
HARBOUR = 417


def _article(i: int) -> Article:
    return Article(
        title=f"Harbour report {i}",
        text=f"The harbour of Tollvik-{i} counted {i * 7} ships on day {i % 28 + 1}.",
        source="Port News",
        published_at="2024-03-01",
    )


@pytest.fixture(scope="module")
def flushed_store(tmp_path_factory, embedder) -> Path:
    """A data folder whose chunks (one per article) are all in Chroma's HNSW files."""
    data_dir = tmp_path_factory.mktemp("flushed")
    settings = load_settings(overrides={"data_dir": data_dir, "sample_corpus": False}, environ={})
    app = Newsdesk(settings, embedder=embedder)
    report = app.store.add_articles([_article(i) for i in range(FLUSHED)])
    assert report.chunks_written == FLUSHED
    return data_dir


@pytest.fixture
def store_copy(flushed_store: Path, tmp_path: Path, make_app) -> Newsdesk:
    """This test's own copy of the flushed store, to damage."""
    shutil.copytree(flushed_store, tmp_path / "store")
    return make_app("store")


def _segment(app: Newsdesk, collection: str) -> Path:
    """The folder of a collection's HNSW files: named after its vector segment's id."""
    chroma = app.settings.store.path
    with closing(sqlite3.connect(chroma / "chroma.sqlite3")) as db:
        (segment,) = db.execute(
            "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
            "WHERE c.name = ? AND s.scope = 'VECTOR'",
            (collection,),
        ).fetchone()
    return chroma / segment


def _check(app: Newsdesk, capsys, *extra: str) -> tuple[int, str]:
    status = main(["check", "--data-dir", str(app.settings.data_dir), "--no-sample", *extra])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def _readyz(app: Newsdesk) -> tuple[int, dict]:
    with local_client(create_app(app, warm_up=False)) as client:
        response = client.get("/readyz")
        return response.status_code, response.json()


def test_a_truncated_hnsw_header_is_reported_by_check_and_readyz(store_copy: Newsdesk, capsys):
    header = _segment(store_copy, "newsdesk_chunks") / "header.bin"
    header.write_bytes(header.read_bytes()[:10])

    # What it does unreported: dense search finds nothing, answers go on with BM25 alone.
    passages = store_copy.store.search(f"Tollvik-{HARBOUR} harbour ships")
    assert passages and all(p.dense_rank is None for p in passages)

    status, output = _check(store_copy, capsys)
    assert status == 1
    assert "1 store problem(s)" in output
    assert "the dense index of 'newsdesk_chunks'" in output
    assert "check --repair' rebuilds the dense index" in output

    status, body = _readyz(store_copy)
    assert status == 503
    assert "dense index of 'newsdesk_chunks'" in body["error"]["message"]


def test_check_repair_rebuilds_a_damaged_dense_index_from_the_stored_records(
    store_copy: Newsdesk, make_app, capsys
):
    header = _segment(store_copy, "newsdesk_chunks") / "header.bin"
    header.write_bytes(header.read_bytes()[:10])

    status, output = _check(store_copy, capsys, "--repair")
    assert status == 0, output
    assert f"rebuilt the dense index of {2 * FLUSHED} record(s)" in output
    assert _check(store_copy, capsys)[0] == 0

    fresh = make_app("store")  # a new process on the repaired store
    passages = fresh.store.search(f"Tollvik-{HARBOUR} harbour ships")
    assert _article(HARBOUR).id in {p.article_id for p in passages}
    assert any(p.dense_rank is not None for p in passages)  # dense search answers again
    assert fresh.store.count_articles() == FLUSHED
    assert _readyz(fresh)[0] == 200


def test_random_bytes_in_chroma_sqlite3_are_reported_by_check_and_readyz(
    store_copy: Newsdesk, capsys
):
    database = store_copy.settings.store.path / "chroma.sqlite3"
    with closing(sqlite3.connect(database)) as db:
        # Pages written since the last checkpoint live in the -wal file, which would shadow
        # the damage: move them into the database file first.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (page,) = db.execute("PRAGMA page_size").fetchone()
        # The root page of the records' metadata table: a page in use whatever the file's
        # layout (a page picked by offset can be a free one, which no check reads), and
        # past the schema pages, so Chroma still opens the store.
        (root,) = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?",
            ("embedding_metadata",),
        ).fetchone()
    offset = (root - 1) * page
    with database.open("r+b") as handle:
        handle.seek(offset)
        handle.write(random.Random(16).randbytes(page))

    status, output = _check(store_copy, capsys)
    assert status == 1
    assert f"{database} fails SQLite's integrity_check" in output
    assert "restore the data folder from a backup" in output

    status, body = _readyz(store_copy)
    assert status == 503
    assert "fails SQLite's quick_check" in body["error"]["message"]


class _Unreachable:
    """A real collection whose searches never return some of its records: what HNSW's
    approximate search does to a record that no path of its graph reaches (one of these
    1,000 near-identical chunks in about one rebuild in ten, found by no process)."""

    def __init__(self, collection, hidden: set[str]) -> None:  # noqa: ANN001 - a Collection
        self.collection, self.hidden = collection, hidden

    def __getattr__(self, name: str):  # noqa: ANN204 - the collection's own attributes
        return getattr(self.collection, name)

    def query(self, *, n_results: int, **kwargs) -> dict:
        found = self.collection.query(n_results=n_results + len(self.hidden), **kwargs)
        kept = [i for i, rid in enumerate(found["ids"][0]) if rid not in self.hidden]
        kept = kept[:n_results]
        return {
            "ids": [[found["ids"][0][i] for i in kept]],
            "distances": [[found["distances"][0][i] for i in kept]],
        }


def _sampled(collection, samples: int) -> list[str]:  # noqa: ANN001 - a Collection
    total = collection.count()
    offsets = sorted({i * total // samples for i in range(samples)})
    return [collection.get(limit=1, offset=o, include=[])["ids"][0] for o in offsets]


def test_a_record_no_search_reaches_is_not_damage_but_most_records_unreached_are(
    store_copy: Newsdesk,
):
    chunks, _ = store_copy.store.collections()
    for samples in (CHECK_SAMPLES, READY_SAMPLES):
        sampled = _sampled(chunks, samples)
        assert _probe_dense(_Unreachable(chunks, set(sampled[:1])), samples) is None
        half = set(sampled[: (len(sampled) + 1) // 2])
        problem = _probe_dense(_Unreachable(chunks, half), samples)
        assert problem is not None, samples
        assert f"does not find {len(half)} of {len(sampled)} sampled records" in problem
        assert "its HNSW files are damaged" in problem
